/**
 * `npm run bench [-- --seconds=N] [--only=webhooks,e2e,ws,api] [--fsync]`: the output half's figures on this
 * machine, loopback only, each measured against its baseline in the same run. Every loop is
 * bounded in count and in time. Fault runs are separate: `npm run bench:faults`.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { startPostgres } from '@3cx-relay/pg-cluster';
import { benchDelivery } from './output/delivery-bench.js';
import { benchFanout } from './output/fanout-bench.js';
import { benchApi } from './output/api-bench.js';
import { benchEndToEnd } from './output/e2e-latency-bench.js';
import { formatTable, type Row } from './output/support/table.js';
import { deployedWorkerLaunch } from './footprint/deployed-launch.js';

// The delivery benchmark runs the relay's dispatcher in this process: it runs with the deployed
// worker's V8 flags (its young generation) and allocator (jemalloc, where installed), or the
// figures are not the deployed worker's. With V8's default young generation instead of the 4 MiB
// the worker was deployed with until 2026-12-06, this benchmark showed 10,000 deliveries/s met
// that the deployed worker could not sustain (p99 708 ms, saturated 0.8× the rate; bench notes
// in README). The allocator is chosen when the process starts (LD_PRELOAD): a re-run it is.
const deployed = deployedWorkerLaunch();
const v8Flags = deployed.v8Flags;
const allocator = deployed.env.LD_PRELOAD
  ? `jemalloc (${deployed.env.MALLOC_CONF})`
  : `glibc malloc, MALLOC_ARENA_MAX=${deployed.env.MALLOC_ARENA_MAX ?? 'unset'}`;
if (!process.env.BENCH_DEPLOYED_LAUNCH) {
  const r = spawnSync(
    process.execPath,
    [...v8Flags, ...process.execArgv, process.argv[1]!, ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, ...deployed.env, BENCH_DEPLOYED_LAUNCH: '1' } },
  );
  process.exit(r.status ?? 1);
}
// Loaded: PostgreSQL (pg_ctl) and the receiver's process are not the worker; they must not inherit it.
for (const k of Object.keys(deployed.env)) delete process.env[k];

const args = process.argv.slice(2);
const seconds = Number(args.find((a) => a.startsWith('--seconds='))?.split('=')[1] ?? 5);
const only = args
  .find((a) => a.startsWith('--only='))
  ?.split('=')[1]
  ?.split(',');
const want = (name: string) => !only || only.includes(name);
const fsync = args.includes('--fsync');

const cluster = await startPostgres({ fsync });
const rows: Row[] = [];
try {
  if (want('webhooks')) rows.push(...(await benchDelivery(cluster, { seconds })));
  if (want('e2e')) rows.push(...(await benchEndToEnd(cluster, { seconds, fsync })));
  if (want('ws')) rows.push(...(await benchFanout(cluster, { seconds })));
  if (want('api')) rows.push(...(await benchApi(cluster, { seconds })));
} finally {
  await cluster.stop();
}
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
process.stdout.write(
  `\n3CX Relay output benchmarks — ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version} (${v8Flags.join(' ') || 'no V8 flags'}, ${allocator}, as the deployed worker), PostgreSQL fsync ${fsync ? 'on' : 'off'}\n\n${formatTable(rows)}\n`,
);
