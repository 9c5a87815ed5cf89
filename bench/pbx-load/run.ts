/**
 * `npm run bench:pbx-load [-- --seconds=N] [--extensions=50,500]`: what the relay costs the PBX
 * in steady state (no calls): XAPI requests and 3CX database queries per minute, counted on
 * the simulator's side, with the worker's production settings (every source on), once with
 * agent and queue state off and once on, for each PBX size. Users change presence now and then
 * (one random change every 10 s), so the figures include the events that causes.
 */
import os from 'node:os';
import { startPostgres } from '@3cx-relay/pg-cluster';
import { FAST_WORKER_ENV, startLab, type Lab } from '../faults/support/lab.js';
import { sleep, until } from '../faults/support/wait.js';

const args = process.argv.slice(2);
const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const seconds = Number(arg('seconds') ?? 60);
const sizes = (arg('extensions') ?? '50,500').split(',').map(Number);
/** `--env=KEY=VALUE,…`: worker settings on top of the production defaults (diagnosis). */
const extraEnv = Object.fromEntries(
  (args.find((a) => a.startsWith('--env='))?.slice('--env='.length) ?? '')
    .split(',')
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);

interface Figures {
  extensions: number;
  agentState: boolean;
  xapiPerMin: number;
  xapiBySurface: Record<string, number>;
  /** Queries by the relay: commits in 3CX's database minus the background rate. */
  dbPerMin: number;
  /** Commits per minute with no relay running (subtracted). */
  backgroundPerMin: number;
  agentEvents: number;
}

/** Transactions committed in the simulator's 3CX database (each relay query is one). */
async function dbCommits(lab: Lab): Promise<number> {
  await lab.pbxPool.query('SELECT pg_stat_clear_snapshot()');
  const r = await lab.pbxPool.query<{ n: string }>(
    'SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  return Number(r.rows[0]?.n ?? 0);
}

const xapiOf = (lab: Lab) => Object.entries(lab.sim.state().requests);

async function measure(pgUrl: string, extensions: number, agentState: boolean): Promise<Figures> {
  const lab = await startLab({
    pgUrl,
    tag: `pbxload${extensions}${agentState ? 'on' : 'off'}`,
    sim: { timeScale: 1, extensionCount: extensions, presenceChangeEverySec: 10, waitForReaders: false },
    workerEnv: { AGENT_STATE_ENABLED: String(agentState), ...extraEnv },
  });
  // Production settings: drop the fault lab's short periods.
  for (const k of Object.keys(FAST_WORKER_ENV))
    if (k !== 'NODE_ENV' && !(k in extraEnv)) delete lab.worker.env[k];
  lab.worker.env.LOG_LEVEL = 'warn';
  try {
    // What the database commits with no relay at all (autovacuum, this benchmark's own reads).
    const quiet = { db: await dbCommits(lab), at: Date.now() };
    await sleep(Math.min(seconds, 20) * 1000);
    const backgroundPerMin = ((await dbCommits(lab)) - quiet.db) / ((Date.now() - quiet.at) / 60_000);
    await lab.worker.start();
    // Warm: the first full read of every user is done (or, with agent state off, the sources are up).
    if (agentState)
      await until(
        async () =>
          Number((await lab.pool.query('SELECT count(*) AS n FROM agent_states')).rows[0].n) >= extensions,
        120_000,
        'first agent read',
      );
    else await sleep(5000);
    const before = { xapi: xapiOf(lab), db: await dbCommits(lab), at: Date.now() };
    const eventsBefore = await agentEventCount(lab);
    await sleep(seconds * 1000);
    const after = { xapi: xapiOf(lab), db: await dbCommits(lab), at: Date.now() };
    const minutes = (after.at - before.at) / 60_000;
    const start = Object.fromEntries(before.xapi);
    const bySurface: Record<string, number> = {};
    for (const [k, v] of after.xapi) {
      if (!k.startsWith('xapi:') && k !== '/connect/token') continue;
      const d = v - (start[k] ?? 0);
      if (d > 0) bySurface[k] = Math.round((d / minutes) * 10) / 10;
    }
    return {
      extensions,
      agentState,
      xapiPerMin: Object.values(bySurface).reduce((a, b) => a + b, 0),
      xapiBySurface: bySurface,
      dbPerMin: Math.max(0, (after.db - before.db) / minutes - backgroundPerMin),
      backgroundPerMin,
      agentEvents: (await agentEventCount(lab)) - eventsBefore,
    };
  } finally {
    await lab.stop();
  }
}

async function agentEventCount(lab: Lab): Promise<number> {
  const r = await lab.pool.query(`SELECT count(*) AS n FROM events WHERE type = 'agent.status_changed'`);
  return Number(r.rows[0].n);
}

const cluster = await startPostgres();
const rows: Figures[] = [];
try {
  for (const n of sizes) for (const on of [false, true]) rows.push(await measure(cluster.url(), n, on));
} finally {
  await cluster.stop();
}

const f1 = (x: number) => x.toFixed(1);
const lines = [
  '| extensions | agent + queue state | XAPI req/min (per s) | by surface (/min) | 3CX DB queries/min (per s) | background commits/min (subtracted) | agent.status_changed |',
  '|---:|---|---:|---|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.extensions} | ${r.agentState ? 'on' : 'off'} | ${f1(r.xapiPerMin)} (${(r.xapiPerMin / 60).toFixed(2)}) | ${Object.entries(
        r.xapiBySurface,
      )
        .map(([k, v]) => `${k.replace('xapi:', '')} ${f1(v)}`)
        .join(
          ', ',
        )} | ${f1(r.dbPerMin)} (${(r.dbPerMin / 60).toFixed(2)}) | ${f1(r.backgroundPerMin)} | ${r.agentEvents} |`,
  ),
];
process.stdout.write(
  `\n3CX Relay PBX load — ${seconds} s per run, no calls, one presence change every 10 s; ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(
      ' ',
    )}, ${new Date().toISOString()}\n\n${lines.join('\n')}\n\nTarget (issue 19): at most 2 XAPI requests/s and 1 DB query/s in steady state.\n`,
);
