import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import pg from 'pg';
import { migrate } from '@3cx-relay/db';
import type { PgCluster } from '@3cx-relay/pg-cluster';
import { Child } from './support/child.js';
import { fmt, wallMs } from './support/stats.js';
import type { Row } from './support/table.js';

interface ClientStats {
  received: number;
  last: number;
  p50: number;
  p99: number;
}

async function settle(clients: Child, expected: number, timeoutMs: number): Promise<ClientStats> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await clients.call<ClientStats>('stats');
    if (s.received >= expected || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function runMode(mode: 'relay' | 'naive', dbUrl: string, key: string, seconds: number) {
  const { child: server, ready } = await Child.start<{ port: number }>('ws-server.ts', {
    BENCH_WS_MODE: mode,
    DATABASE_URL: dbUrl,
  });
  const { child: clients } = await Child.start('ws-clients.ts');
  try {
    const url = `ws://127.0.0.1:${ready.port}/relay/ws`;
    await clients.call('connect', { url, key, count: 1000 });
    // Latency at 100 events/s (100,000 msgs/s offered).
    await clients.call('reset');
    const r = await server.call<{ sent: number; seconds: number; cpuMs: number }>('rate', {
      eventsPerSecond: 100,
      ms: seconds * 1000,
    });
    const at100 = await settle(clients, r.sent * 1000, 15_000);
    // Saturation: as fast as the slowest client takes it.
    await clients.call('reset');
    const start = wallMs();
    const s = await server.call<{ sent: number; cpuMs: number }>('saturate', { ms: seconds * 1000 });
    const sat = await settle(clients, s.sent * 1000, 30_000);
    const satRate = sat.received / ((sat.last - start) / 1000);
    return {
      at100,
      sent100: r.sent * 1000,
      satRate,
      sat,
      cpuPer100k: (r.cpuMs / Math.max(1, at100.received)) * 100_000,
    };
  } finally {
    await clients.stop();
    await server.stop();
  }
}

/** The relay's WsHub against a naive `ws` broadcast loop, 1,000 clients in a second process; then 10,000 idle clients. */
export async function benchFanout(cluster: PgCluster, opts: { seconds: number }): Promise<Row[]> {
  const dbUrl = await cluster.createDatabase(`bench_ws_${randomBytes(3).toString('hex')}`);
  await migrate(dbUrl);
  const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  const prefix = `rk_${randomBytes(6).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  await pool.query(
    `INSERT INTO api_keys (name, prefix, secret_hash, scopes) VALUES ('bench', $1, $2, '{events:subscribe}')`,
    [prefix, await bcrypt.hash(secret, 12)],
  );
  await pool.end();
  const key = `${prefix}.${secret}`;
  const rows: Row[] = [];

  process.stderr.write('[bench] naive ws broadcast, 1,000 clients…\n');
  const naive = await runMode('naive', dbUrl, key, opts.seconds);
  process.stderr.write('[bench] relay WsHub, 1,000 clients…\n');
  const relay = await runMode('relay', dbUrl, key, opts.seconds);
  rows.push(
    {
      group: 'websocket',
      what: 'naive ws broadcast, 1,000 clients, saturated',
      value: `${fmt.int(naive.satRate)} msgs/s`,
      detail: `p50 ${fmt.ms(naive.sat.p50)}, p99 ${fmt.ms(naive.sat.p99)}`,
    },
    {
      group: 'websocket',
      what: 'relay WsHub, 1,000 clients, saturated',
      value: `${fmt.int(relay.satRate)} msgs/s`,
      detail: `${fmt.ratio(relay.satRate / naive.satRate)} naive; p50 ${fmt.ms(relay.sat.p50)}, p99 ${fmt.ms(relay.sat.p99)}`,
    },
    {
      group: 'websocket',
      what: 'naive: server CPU per 100,000 messages (at 100 events/s)',
      value: fmt.ms(naive.cpuPer100k),
      detail: 'framing and copying each message once per client',
    },
    {
      group: 'websocket',
      what: 'relay: server CPU per 100,000 messages (at 100 events/s)',
      value: fmt.ms(relay.cpuPer100k),
      detail: `${fmt.ratio(naive.cpuPer100k / relay.cpuPer100k)} less CPU than naive: one frame per event, same buffer to every socket`,
    },
    {
      group: 'websocket',
      what: 'naive at 100 events/s (100,000 msgs/s offered)',
      value: `p99 ${fmt.ms(naive.at100.p99)}`,
      detail: `p50 ${fmt.ms(naive.at100.p50)}; ${fmt.int(naive.at100.received)}/${fmt.int(naive.sent100)} received`,
    },
    {
      group: 'websocket',
      what: 'relay at 100 events/s (100,000 msgs/s offered)',
      value: `p99 ${fmt.ms(relay.at100.p99)}`,
      detail: `p50 ${fmt.ms(relay.at100.p50)}; ${fmt.int(relay.at100.received)}/${fmt.int(relay.sent100)} received`,
    },
  );

  process.stderr.write('[bench] relay WsHub, 10,000 idle clients…\n');
  const { child: server, ready } = await Child.start<{ port: number }>('ws-server.ts', {
    BENCH_WS_MODE: 'relay',
    DATABASE_URL: dbUrl,
  });
  const { child: clients } = await Child.start('ws-clients.ts');
  try {
    const base = await server.call<number>('rss');
    const n = await clients.call<number>(
      'connect',
      { url: `ws://127.0.0.1:${ready.port}/relay/ws`, key, count: 10_000 },
      120_000,
    );
    await new Promise((r) => setTimeout(r, 1000));
    const rss = await server.call<number>('rss');
    rows.push({
      group: 'websocket',
      what: `relay WsHub RSS with ${fmt.int(n)} idle clients`,
      value: fmt.mb(rss),
      detail: `${fmt.mb(base)} before connecting: ${((rss - base) / n / 1024).toFixed(1)} KB per connection`,
    });
  } finally {
    await clients.stop();
    await server.stop();
  }
  return rows;
}
