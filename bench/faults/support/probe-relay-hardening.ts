import WebSocket from 'ws';
import type { ApiKey } from './relay-fixtures.js';
import { bumpTally, type Tally } from './tally.js';

/** What the worker-side hardening probes saw; each field is one finding's figure. */
export interface RelayHardeningProbe {
  /** Random secrets for a known key prefix: how many cost a bcrypt, how many were refused without. */
  randomSecrets: { sent: number; bcrypt: number; throttled: number; realKeyAfter: number };
  /** `/relay/health` fields shown to a caller through the proxy without a key, and with one. */
  healthAnonymous: string[];
  healthWithKey: number;
  /** WebSocket upgrades of one key, opened in parallel, against its connection limit. */
  wsPerKey: Tally;
}

/** `relay_api_key_checks_total` by outcome, read on loopback (no key needed there). */
async function keyChecks(baseUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${baseUrl}/relay/metrics`)).text();
  const out: Record<string, number> = { rejected: 0, throttled: 0 };
  for (const m of text.matchAll(/^relay_api_key_checks_total\{outcome="(\w+)"\} (\d+)$/gm))
    out[m[1]!] = Number(m[2]);
  return out;
}

/** Opens one WebSocket and reports the upgrade's status (101 when accepted); keeps it open. */
function openWs(baseUrl: string, key: string, open: WebSocket[]): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/relay/ws`, {
      headers: { authorization: `Bearer ${key}` },
      handshakeTimeout: 10_000,
    });
    ws.on('open', () => (open.push(ws), resolve(101)));
    ws.on('unexpected-response', (_req, res) => (ws.terminate(), resolve(res.statusCode ?? 0)));
    ws.on('error', () => resolve(0));
  });
}

/** Runs the worker-side probes with a valid `events:subscribe` + `calls:read` key. */
export async function probeRelayHardening(
  baseUrl: string,
  key: ApiKey,
  opts: { randomSecrets: number; wsAttempts: number },
): Promise<RelayHardeningProbe> {
  const auth = (k: string) => ({ authorization: `Bearer ${k}` });
  // An API key in use: its client has called before.
  await fetch(`${baseUrl}/relay/active-calls`, { headers: auth(key.key) }).then((r) => r.arrayBuffer());
  const before = await keyChecks(baseUrl);
  await Promise.all(
    Array.from({ length: opts.randomSecrets }, (_, i) =>
      fetch(`${baseUrl}/relay/active-calls`, {
        headers: auth(`${key.prefix}.guess-${i}-${Math.random().toString(36).slice(2)}xxxxxxxx`),
      }).then((r) => r.arrayBuffer()),
    ),
  );
  const after = await keyChecks(baseUrl);
  const realKeyAfter = (await fetch(`${baseUrl}/relay/active-calls`, { headers: auth(key.key) })).status;

  const proxied = { 'x-forwarded-for': '203.0.113.9', 'x-real-ip': '203.0.113.9' };
  const anon = (await (await fetch(`${baseUrl}/relay/health`, { headers: proxied })).json()) as object;
  const keyed = (await (
    await fetch(`${baseUrl}/relay/health`, { headers: { ...proxied, ...auth(key.key) } })
  ).json()) as object;

  const open: WebSocket[] = [];
  const wsPerKey: Tally = new Map();
  const statuses = await Promise.all(
    Array.from({ length: opts.wsAttempts }, () => openWs(baseUrl, key.key, open)),
  );
  for (const s of statuses) bumpTally(wsPerKey, s);
  for (const ws of open) ws.close();
  return {
    randomSecrets: {
      sent: opts.randomSecrets,
      bcrypt: after.rejected! - before.rejected!,
      throttled: after.throttled! - before.throttled!,
      realKeyAfter,
    },
    healthAnonymous: Object.keys(anon),
    healthWithKey: Object.keys(keyed).length,
    wsPerKey,
  };
}
