import { hashPassword } from '@3cx-relay/db';
import { AdminProcess, adminUnavailable } from '../support/admin-process.js';
import { startLab, type Lab } from '../support/lab.js';
import { bruteForce, login, probeAdmin } from '../support/probe-admin.js';
import { probeRelay, RELAY_ROUTES } from '../support/probe-relay.js';
import { probeAdminHardening } from '../support/probe-admin-hardening.js';
import { probeRelayHardening } from '../support/probe-relay-hardening.js';
import { pruneAdminTables } from '../../../relay-worker/src/maintenance/prune-admin-tables.js';
import { probeSsrf, ssrfTargets } from '../support/probe-ssrf.js';
import { Receiver } from '../support/receiver.js';
import { createApiKey, revokeApiKey, runControl, type ApiKey } from '../support/relay-fixtures.js';
import { byScale, Findings, type Scenario, type ScenarioContext } from '../support/scenario.js';
import { formatTally, sumTally } from '../support/tally.js';

const SCOPES = ['calls:read', 'history:read', 'events:subscribe'];
/** The lab worker's WebSocket connection limit per key (WS_MAX_CONNECTIONS_PER_KEY). */
const WS_PER_KEY = 10;

/** Relay routes without a key, with a malformed, revoked or wrong-scope key: each refused. */
async function relayPart(lab: Lab, f: Findings): Promise<void> {
  const valid = await createApiKey(lab.pool, SCOPES);
  const revoked = await createApiKey(lab.pool, SCOPES);
  const narrow = new Map<string, ApiKey>();
  for (const s of SCOPES)
    narrow.set(
      s,
      await createApiKey(
        lab.pool,
        SCOPES.filter((x) => x !== s),
      ),
    );
  // Use the soon-revoked key once so the worker has it cached, as a live client would.
  await fetch(`${lab.worker.url}/relay/active-calls`, {
    headers: { authorization: `Bearer ${revoked.key}` },
  }).then((r) => r.arrayBuffer());
  await revokeApiKey(lab.pool, revoked);
  await runControl(lab.pool, 'reload-keys', {});
  const p = await probeRelay(lab.worker.url, { valid, revoked, wrongScope: (s) => narrow.get(s)! });
  const scoped = RELAY_ROUTES.filter((r) => r.scope).length;
  for (const c of ['no key', 'malformed key', 'revoked key', 'wrong scope', 'valid key'])
    f.figure(`relay ${c}`, formatTally(p.get(c)));
  f.check(
    'relay: no/malformed/revoked key → 401 on every route',
    ['no key', 'malformed key', 'revoked key'].every(
      (c) => sumTally(p.get(c), (k) => k === '401') === RELAY_ROUTES.length,
    ),
    ['no key', 'malformed key', 'revoked key'].map((c) => formatTally(p.get(c))).join(' | '),
  );
  f.check(
    'relay: wrong scope → 403 on every scoped route',
    sumTally(p.get('wrong scope'), (k) => k === '403') === scoped,
    formatTally(p.get('wrong scope')),
  );
  f.check(
    'relay: the valid key is let in (the probe can tell)',
    sumTally(p.get('valid key'), (k) => k === '200' || k === '101') === RELAY_ROUTES.length,
    formatTally(p.get('valid key')),
  );
}

/** Random secrets for a known prefix, anonymous health, the per-key WebSocket limit. */
async function relayHardeningPart(lab: Lab, f: Findings, n: number): Promise<void> {
  const key = await createApiKey(lab.pool, SCOPES);
  const p = await probeRelayHardening(lab.worker.url, key, { randomSecrets: n, wsAttempts: WS_PER_KEY + 5 });
  const r = p.randomSecrets;
  f.figure(
    'random API-key secrets for a known prefix',
    `×${r.sent}: ${r.bcrypt} bcrypt, ${r.throttled} refused without; real key then ${r.realKeyAfter}`,
  );
  f.check(
    'random secrets for a known prefix cost at most 3 bcrypts; the real key still works',
    r.bcrypt <= 3 && r.bcrypt + r.throttled === r.sent && r.realKeyAfter === 200,
    JSON.stringify(r),
  );
  f.figure(
    '/relay/health',
    `anonymous through the proxy: {${p.healthAnonymous.join(',')}}; with a key: ${p.healthWithKey} fields`,
  );
  f.check(
    '/relay/health tells an anonymous caller only up/down',
    p.healthAnonymous.join(',') === 'status' && p.healthWithKey > 1,
    JSON.stringify(p),
  );
  f.figure(
    `WebSocket per key (limit ${WS_PER_KEY})`,
    `×${WS_PER_KEY + 5} in parallel: ${formatTally(p.wsPerKey)}`,
  );
  f.check(
    'a key gets no more WebSocket connections than its limit',
    sumTally(p.wsPerKey, (k) => k === '101') === WS_PER_KEY && sumTally(p.wsPerKey, (k) => k === '429') === 5,
    formatTally(p.wsPerKey),
  );
}

/** Stale sign-in counters and old audit entries, as a flood leaves them, are pruned. */
async function prunePart(lab: Lab, f: Findings, n: number): Promise<void> {
  await lab.pool.query(
    `INSERT INTO rate_limits (key, failures, updated_at)
       SELECT 'login:account-client:flood-' || g || '@probe.test|local', 1, now() - interval '3 hours'
         FROM generate_series(1, $1) g`,
    [n],
  );
  await lab.pool.query(
    `INSERT INTO audit_log (at, action) SELECT now() - interval '400 days', 'login.failed' FROM generate_series(1, $1)`,
    [n],
  );
  const pruned = await pruneAdminTables(lab.pool, 365 * 86_400_000);
  f.figure(
    'pruning',
    `stale rate_limits ${pruned.rateLimits}/${n}, audit_log > 365 days ${pruned.auditLog}/${n}`,
  );
  f.check(
    'stale rate_limits rows and audit entries past the retention are pruned',
    pruned.rateLimits >= n && pruned.auditLog === n,
    JSON.stringify(pruned),
  );
}

/** Webhook targets at loopback, link-local and metadata addresses: each refused before connecting. */
async function ssrfPart(lab: Lab, f: Findings): Promise<void> {
  const rx = await new Receiver().start();
  try {
    const out = await probeSsrf(lab.pool, lab.encryptionKey, ssrfTargets(rx.port));
    const refused = out.filter((o) => o.refused).length;
    f.figure('webhook SSRF refused', `${refused}/${out.length}`);
    f.check(
      'webhook URLs at loopback/link-local/metadata refused',
      refused === out.length,
      out
        .filter((o) => !o.refused)
        .map((o) => `${o.label}: ${o.detail}`)
        .join('; '),
    );
    f.check('the loopback receiver got no request', rx.requestCount() === 0, rx.requestCount());
  } finally {
    await rx.stop();
  }
}

/** Admin routes signed out and as a viewer, and a login brute force; skipped without a build. */
async function adminPart(lab: Lab, f: Findings, attempts: number): Promise<void> {
  const why = adminUnavailable();
  if (why) {
    f.figure('admin', `SKIPPED: ${why}`);
    return;
  }
  const admin = new AdminProcess(lab.relayDbUrl, lab.encryptionKey);
  try {
    await admin.start();
    const pw = 'probe-password-' + Math.random().toString(36).slice(2);
    await lab.pool.query(
      `INSERT INTO admin_users (email, password_hash, role) VALUES ('viewer@probe.test', $1, 'viewer'), ('admin@probe.test', $1, 'admin')`,
      [await hashPassword(pw)],
    );
    const viewer = await login(admin.origin, 'viewer@probe.test', pw);
    if (!viewer.cookie) throw new Error(`viewer login failed: ${viewer.status}`);
    const p = await probeAdmin(admin.origin, viewer.cookie);
    const bf = await bruteForce(admin.origin, 'admin@probe.test', pw, attempts);
    f.figure('admin signed out', `${formatTally(p.unauthenticated)}; pages ${formatTally(p.pages)}`);
    f.figure(
      'admin as viewer',
      `admin routes ${formatTally(p.viewerOnAdmin)}; viewer routes ${formatTally(p.viewerOnViewer)}`,
    );
    f.figure('login brute force', `${formatTally(bf.wrong)}; right password then ${bf.rightAfter}`);
    f.check(
      'admin: every API route refuses a signed-out caller (401)',
      sumTally(p.unauthenticated, (k) => k !== '401') === 0,
      formatTally(p.unauthenticated),
    );
    f.check(
      'admin: every page sends a signed-out visitor to login',
      sumTally(p.pages, (k) => k !== 'to login') === 0,
      formatTally(p.pages),
    );
    f.check(
      'admin: a viewer gets 403 on every admin-only route',
      sumTally(p.viewerOnAdmin, (k) => k !== '403') === 0,
      formatTally(p.viewerOnAdmin),
    );
    f.check(
      'admin: a viewer may read (no 401/403/5xx on viewer routes)',
      sumTally(p.viewerOnViewer, (k) => k === '401' || k === '403' || k.startsWith('5')) === 0,
      formatTally(p.viewerOnViewer),
    );
    f.check(
      'login brute force throttled (429), right password refused while blocked',
      sumTally(bf.wrong, (k) => k === '429') > 0 &&
        sumTally(bf.wrong, (k) => k === '200') === 0 &&
        bf.rightAfter === 429,
      `${formatTally(bf.wrong)}; then ${bf.rightAfter}`,
    );
    hardeningFindings(f, await probeAdminHardening(admin, lab.pool, attempts));
  } finally {
    await admin.stop();
  }
}

/** Figures and checks of {@link probeAdminHardening}. */
function hardeningFindings(f: Findings, h: Awaited<ReturnType<typeof probeAdminHardening>>): void {
  const n = (t: typeof h.spoofed) => [...t.values()].reduce((a, b) => a + b, 0);
  f.figure(
    'spoofed X-Real-IP',
    `×${n(h.spoofed)} (each another address): ${formatTally(h.spoofed)}; right password then ${h.spoofedRight}`,
  );
  f.check(
    'a client-sent X-Real-IP / X-Forwarded-For does not escape the block',
    sumTally(h.spoofed, (k) => k === '401') === 5 && h.spoofedRight === 429,
    formatTally(h.spoofed),
  );
  f.figure('parallel wrong passwords', `×${n(h.burst)} at once: ${formatTally(h.burst)}`);
  f.check(
    'a parallel burst gets exactly the 5 free guesses',
    sumTally(h.burst, (k) => k === '401') === 5 && sumTally(h.burst, (k) => k === '200') === 0,
    formatTally(h.burst),
  );
  f.figure(
    'lockout from elsewhere',
    `attacker blocked on the account; owner from another client ${h.ownerElsewhere}; blocked client after reset-password ${h.afterReset}`,
  );
  f.check(
    'another client cannot lock the owner out; reset-password lifts the block',
    h.ownerElsewhere === 200 && h.afterReset === 200,
    `${h.ownerElsewhere}, ${h.afterReset}`,
  );
  f.figure(
    'random unknown emails',
    `×${n(h.unknown)} from one client: ${formatTally(h.unknown)}; panel CPU ${h.unknownCpuS.toFixed(2)} s`,
  );
  f.check(
    'unknown accounts cost no bcrypt and one client is throttled across accounts',
    sumTally(h.unknown, (k) => k === '429') > 0 && h.unknownCpuS < n(h.unknown) * 0.1,
    `${formatTally(h.unknown)}; ${h.unknownCpuS} s`,
  );
  f.figure(
    'sessions',
    `cookie replayed after logout ${h.afterLogout}; refreshed cookie 25 h after sign-in ${h.staleRefreshed}`,
  );
  f.check(
    'logout ends the session on the server; 24 h are absolute',
    h.afterLogout === 401 && h.staleRefreshed === 401,
    `${h.afterLogout}, ${h.staleRefreshed}`,
  );
  const c = h.change;
  f.figure(
    'own password change',
    `${c.status}; old password ${c.oldPassword}, new ${c.newPassword}, other session ${c.otherSession}`,
  );
  f.check(
    'self-service password change works and ends the other sessions',
    c.status === 200 && c.oldPassword === 401 && c.newPassword === 200 && c.otherSession === 401,
    JSON.stringify(c),
  );
  f.figure('Origin on another port of the same host', String(h.otherPortOrigin));
  f.check('Origin must match scheme, host and port', h.otherPortOrigin === 403, String(h.otherPortOrigin));
}

/**
 * Security probe: every relay route without a key, with a malformed, revoked and wrong-scope
 * key; webhook targets at loopback, link-local and metadata addresses; every admin route
 * signed out and as a viewer, and a login brute force (when the admin has been built).
 */
export const securityProbe: Scenario = {
  name: 'security-probe',
  title: 'relay keys/scopes, SSRF targets, admin roles, login brute force',
  async run(ctx: ScenarioContext) {
    const f = new Findings(this.name);
    const lab = await startLab({
      pgUrl: ctx.pgUrl,
      tag: 'sec',
      workerEnv: {
        API_KEY_CACHE_MS: '60000',
        DELIVERY_TIMEOUT_MS: '1000',
        WS_MAX_CONNECTIONS_PER_KEY: String(WS_PER_KEY),
      },
    });
    try {
      await lab.worker.start();
      await relayPart(lab, f);
      await relayHardeningPart(lab, f, byScale(ctx.scale, { full: 50, quick: 30, test: 20 }));
      await prunePart(lab, f, byScale(ctx.scale, { full: 10_000, quick: 2000, test: 500 }));
      await ssrfPart(lab, f);
      await adminPart(lab, f, byScale(ctx.scale, { full: 30, quick: 15, test: 12 }));
      f.check(
        'worker never exited on its own',
        lab.worker.unexpectedExits.length === 0,
        JSON.stringify(lab.worker.unexpectedExits),
      );
    } catch (err) {
      f.fail('run', err);
    } finally {
      await lab.stop();
    }
    return f.result();
  },
};
