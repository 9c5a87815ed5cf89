import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import pg from 'pg';
import pino from 'pino';
import { migrate } from '@3cx-relay/db';
import type { PgCluster } from '@3cx-relay/pg-cluster';
import { buildServer } from '../../relay-worker/src/http/server.js';
import { StatusBoard } from '../../relay-worker/src/status/status-board.js';
import { ApiKeyVerifier } from '../../relay-worker/src/auth/api-key-verifier.js';
import { RateLimiter } from '../../relay-worker/src/auth/rate-limiter.js';
import { UsageRecorder } from '../../relay-worker/src/auth/usage-recorder.js';
import { RelayMetrics } from '../../relay-worker/src/stats/relay-metrics.js';
import { installApiAuth } from '../../relay-worker/src/api/api-auth.js';
import { registerActiveCallsRoute } from '../../relay-worker/src/api/active-calls-route.js';
import { Child } from './support/child.js';
import { Samples, fmt, percentile } from './support/stats.js';
import type { Row } from './support/table.js';

const silent = pino({ level: 'silent' });

/** 20 calls in progress, shaped like the worker's live state. */
function liveCalls() {
  const calls = Array.from({ length: 20 }, (_, i) => ({
    callId: String(5000 + i),
    callHistoryId: null,
    direction: 'inbound',
    state: i % 2 ? 'talking' : 'ringing',
    caller: { number: `+49301234${i}`, name: null, dn: null, kind: 'external' },
    callee: { number: '800', name: 'Sales', dn: '800', kind: 'queue' },
    did: '+4930999',
    queue: '800',
    extensions: [String(100 + i)],
    startedAt: new Date().toISOString(),
    answeredAt: null,
    answeredBy: null,
    participants: [
      {
        id: i,
        dn: String(100 + i),
        status: 'Ringing',
        legId: i,
        partyNumber: `+49301234${i}`,
        partyName: null,
      },
    ],
  }));
  return { activeCalls: () => calls };
}

/** API-key check after first sight, and `/relay/active-calls` throughput with a load generator in a second process. */
export async function benchApi(cluster: PgCluster, opts: { seconds: number }): Promise<Row[]> {
  const dbUrl = await cluster.createDatabase(`bench_api_${randomBytes(3).toString('hex')}`);
  await migrate(dbUrl);
  const pool = new pg.Pool({ connectionString: dbUrl, max: 4 });
  const rows: Row[] = [];
  const prefix = `rk_${randomBytes(6).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  await pool.query(
    `INSERT INTO api_keys (name, prefix, secret_hash, scopes) VALUES ('bench', $1, $2, '{calls:read}')`,
    [prefix, await bcrypt.hash(secret, 12)],
  );
  const key = `${prefix}.${secret}`;
  const verifier = new ApiKeyVerifier(pool, silent);
  const usage = new UsageRecorder(pool, silent);
  const { child: load } = await Child.start('http-load.ts');
  try {
    process.stderr.write('[bench] API-key checks…\n');
    const t = performance.now();
    await verifier.verify(key);
    const first = performance.now() - t;
    const checks = new Samples(200_000);
    for (let i = 0; i < 200_000; i++) {
      const s = performance.now();
      await verifier.verify(key);
      checks.add((performance.now() - s) * 1000);
    }
    rows.push({
      group: 'api',
      what: 'API-key check after first sight (200,000 checks)',
      value: `p99 ${fmt.us(percentile(checks.values(), 99))}`,
      detail: `p50 ${fmt.us(percentile(checks.values(), 50))}; first sight (bcrypt, 12 rounds) ${fmt.ms(first)}`,
    });

    process.stderr.write('[bench] /relay/active-calls…\n');
    const metrics = new RelayMetrics();
    const app = buildServer({
      log: silent,
      status: new StatusBoard(pool, silent),
      instanceId: 'bench',
      startedAt: new Date(),
    });
    const auth = installApiAuth(app, { verifier, limiter: new RateLimiter(1e9), usage, metrics });
    registerActiveCallsRoute(app, {
      calls: liveCalls(),
      auth: auth.requireScope('calls:read'),
      onChange: () => undefined,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    try {
      const r = await load.call<{ rps: number; p50: number; p99: number; statuses: Record<string, number> }>(
        'run',
        {
          url: `http://127.0.0.1:${port}/relay/active-calls`,
          headers: { authorization: `Bearer ${key}` },
          ms: opts.seconds * 1000,
        },
      );
      rows.push({
        group: 'api',
        what: '/relay/active-calls (20 calls, key + scope + rate limit + usage), 64 connections',
        value: `${fmt.int(r.rps)} req/s`,
        detail: `p50 ${fmt.ms(r.p50)}, p99 ${fmt.ms(r.p99)}; statuses ${JSON.stringify(r.statuses)}`,
      });
    } finally {
      await app.close();
    }
  } finally {
    await load.stop();
    await usage.stop();
    await pool.end();
  }
  return rows;
}
