import { hashPassword } from '@3cx-relay/db';
import { AdminProcess, adminUnavailable } from '../support/admin-process.js';
import { startLab, type Lab } from '../support/lab.js';
import { bruteForce, login, probeAdmin } from '../support/probe-admin.js';
import { probeRelay, RELAY_ROUTES } from '../support/probe-relay.js';
import { probeSsrf, ssrfTargets } from '../support/probe-ssrf.js';
import { Receiver } from '../support/receiver.js';
import { createApiKey, revokeApiKey, runControl, type ApiKey } from '../support/relay-fixtures.js';
import { byScale, Findings, type Scenario, type ScenarioContext } from '../support/scenario.js';
import { formatTally, sumTally } from '../support/tally.js';

const SCOPES = ['calls:read', 'history:read', 'events:subscribe'];

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
  } finally {
    await admin.stop();
  }
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
      workerEnv: { API_KEY_CACHE_MS: '60000', DELIVERY_TIMEOUT_MS: '1000' },
    });
    try {
      await lab.worker.start();
      await relayPart(lab, f);
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
