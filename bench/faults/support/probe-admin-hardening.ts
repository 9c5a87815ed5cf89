import { createRequire } from 'node:module';
import type pg from 'pg';
import { hashPassword } from '@3cx-relay/db';
import type { AdminProcess } from './admin-process.js';
import { login } from './probe-admin.js';
import { bumpTally, type Tally } from './tally.js';

/**
 * next-auth's own JWE encoder (the panel's cookie format). Loaded untyped on purpose: its types
 * pull in Next's global `process.env` typing, which the rest of the bench does not follow.
 */
const jwt = createRequire(import.meta.url)('next-auth/jwt') as {
  encode: (p: { token: Record<string, unknown>; secret: string; maxAge?: number }) => Promise<string>;
};

/** What the sign-in and session probes saw; each field is one finding's figure. */
export interface HardeningProbe {
  /** Wrong passwords, each with another spoofed X-Real-IP / X-Forwarded-For, then the right one. */
  spoofed: Tally;
  spoofedRight: number;
  /** One parallel burst of wrong passwords for one account from one client. */
  burst: Tally;
  /** After an attacker (another client) is blocked for the account: the owner's own sign-in. */
  ownerElsewhere: number;
  /** The blocked client after an admin's password reset, with the new password. */
  afterReset: number;
  /** Random unknown emails from one client, and the panel's CPU seconds for them. */
  unknown: Tally;
  unknownCpuS: number;
  /** A valid session cookie replayed after logout. */
  afterLogout: number;
  /** A cookie next-auth refreshed (fresh exp) whose sign-in was 25 h ago. */
  staleRefreshed: number;
  /** Self-service password change: old password, new password, another session of the user. */
  change: { status: number; oldPassword: number; newPassword: number; otherSession: number };
  /** A mutation with the same host on another port as Origin. */
  otherPortOrigin: number;
}

async function post(
  origin: string,
  path: string,
  opts: { cookie?: string | null; origin?: string; body?: unknown } = {},
): Promise<{ status: number; cookie: string | null }> {
  const res = await fetch(`${origin}/admin/api${path}`, {
    method: 'POST',
    headers: {
      origin: opts.origin ?? origin,
      'content-type': 'application/json',
      ...(opts.cookie ? { cookie: opts.cookie } : {}),
    },
    body: JSON.stringify(opts.body ?? {}),
    signal: AbortSignal.timeout(20_000),
  });
  await res.arrayBuffer();
  const set = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .filter((c) => /=./.test(c));
  return { status: res.status, cookie: set.length ? set.join('; ') : null };
}

async function get(origin: string, path: string, cookie: string | null): Promise<number> {
  const res = await fetch(`${origin}/admin/api${path}`, {
    headers: cookie ? { cookie } : {},
    signal: AbortSignal.timeout(20_000),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Runs every sign-in and session probe against a running panel (users are created here). */
export async function probeAdminHardening(
  admin: AdminProcess,
  pool: pg.Pool,
  attempts: number,
): Promise<HardeningProbe> {
  const o = admin.origin;
  const pw = 'probe-hardening-' + Math.random().toString(36).slice(2);
  const users = ['spoof', 'burst', 'owner', 'unknown-src', 'logout', 'change', 'resetter'].map(
    (u) => `${u}@hardening.test`,
  );
  const hash = await hashPassword(pw);
  for (const email of users)
    await pool.query(
      `INSERT INTO admin_users (email, password_hash, role) VALUES ($1, $2, 'admin') ON CONFLICT DO NOTHING`,
      [email, hash],
    );
  // The trusted proxy (nginx) names the client; anyone else's X-Real-IP is ignored.
  const via = (ip: string) => ({ 'x-relay-proxy': admin.proxySecret, 'x-real-ip': ip });

  const spoofed: Tally = new Map();
  for (let i = 0; i < attempts; i++) {
    const ip = `198.51.100.${(i % 250) + 1}`;
    bumpTally(
      spoofed,
      (await login(o, users[0]!, `wrong-${i}`, { 'x-real-ip': ip, 'x-forwarded-for': ip })).status,
    );
  }
  const spoofedRight = (await login(o, users[0]!, pw, { 'x-real-ip': '192.0.2.250' })).status;

  const burst: Tally = new Map();
  const statuses = await Promise.all(
    Array.from({ length: attempts }, (_, i) => login(o, users[1]!, `wrong-${i}`, via('203.0.113.10'))),
  );
  for (const r of statuses) bumpTally(burst, r.status);

  for (let i = 0; i < 10; i++) await login(o, users[2]!, `wrong-${i}`, via('203.0.113.66'));
  const ownerElsewhere = (await login(o, users[2]!, pw, via('192.0.2.10'))).status;
  const resetter = await login(o, users[6]!, pw, via('192.0.2.11'));
  const ownerRow = await pool.query<{ id: string }>(`SELECT id FROM admin_users WHERE email = $1`, [
    users[2],
  ]);
  await post(o, `/users/${ownerRow.rows[0]!.id}/reset-password`, {
    cookie: resetter.cookie,
    body: { password: `${pw}-reset` },
  });
  const afterReset = (await login(o, users[2]!, `${pw}-reset`, via('203.0.113.66'))).status;

  const unknown: Tally = new Map();
  const cpu0 = admin.cpuSeconds();
  // More than the 20 a client may fail across accounts.
  for (let i = 0; i < Math.max(attempts, 25); i++)
    bumpTally(
      unknown,
      (await login(o, `nobody-${i}-${Date.now()}@hardening.test`, 'x', via('203.0.113.77'))).status,
    );
  const unknownCpuS = admin.cpuSeconds() - cpu0;

  const session = await login(o, users[4]!, pw, via('192.0.2.12'));
  await post(o, '/logout', { cookie: session.cookie });
  const afterLogout = await get(o, '/stats', session.cookie);

  const staleRefreshed = await get(o, '/stats', await forgedCookie(admin, pool, users[4]!));

  const mine = await login(o, users[5]!, pw, via('192.0.2.13'));
  const other = await login(o, users[5]!, pw, via('192.0.2.14'));
  const changed = await post(o, '/account/password', {
    cookie: mine.cookie,
    body: { currentPassword: pw, newPassword: `${pw}-changed` },
  });
  const change = {
    status: changed.status,
    oldPassword: (await login(o, users[5]!, pw, via('192.0.2.15'))).status,
    newPassword: (await login(o, users[5]!, `${pw}-changed`, via('192.0.2.15'))).status,
    otherSession: await get(o, '/stats', other.cookie),
  };

  const port = new URL(o).port;
  const otherPortOrigin = (
    await post(o, '/logout', { origin: `http://127.0.0.1:${Number(port) + 1}`, cookie: mine.cookie })
  ).status;
  return {
    spoofed,
    spoofedRight,
    burst,
    ownerElsewhere,
    afterReset,
    unknown,
    unknownCpuS,
    afterLogout,
    staleRefreshed,
    change,
    otherPortOrigin,
  };
}

/**
 * A session cookie as next-auth's session route re-issues it (a fresh 24 h `exp`) for a real,
 * unrevoked session whose sign-in (`iatMs`) was 25 h ago.
 */
async function forgedCookie(admin: AdminProcess, pool: pg.Pool, email: string): Promise<string> {
  const r = await pool.query<{ id: string; sid: string }>(
    `INSERT INTO admin_sessions (user_id, expires_at, created_at)
       SELECT id, now() + interval '1 hour', now() - interval '25 hours' FROM admin_users WHERE email = $1
     RETURNING user_id AS id, id AS sid`,
    [email],
  );
  const row = r.rows[0]!;
  const token = {
    sub: row.id,
    email,
    role: 'admin',
    sid: row.sid,
    iatMs: Date.now() - 25 * 3_600_000,
  };
  return `relay-admin.session=${await jwt.encode({ token, secret: admin.nextAuthSecret, maxAge: 86_400 })}`;
}
