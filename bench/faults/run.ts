/**
 * `npm run bench:faults [-- --quick] [--only=name[,name]]`: runs the fault-injection and load
 * scenarios against the real worker process, the 3CX simulator and loopback receivers, on a
 * private PostgreSQL cluster, and prints one table of figures with pass/fail. Exit code 1 when
 * any scenario failed.
 */
import os from 'node:os';
import { startPostgres } from '@3cx-relay/pg-cluster';
import { SCENARIOS } from './scenarios/index.js';
import { passed, type ScenarioResult } from './support/scenario.js';
import { formatTable } from './support/table.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const unknown = only?.filter((n) => !SCENARIOS.some((s) => s.name === n)) ?? [];
if (unknown.length) {
  process.stderr.write(
    `unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}\n`,
  );
  process.exit(2);
}
const chosen = SCENARIOS.filter((s) => !only || only.includes(s.name));

const cluster = await startPostgres();
const results: ScenarioResult[] = [];
const stopOnSignal = () => void cluster.stop().finally(() => process.exit(130));
process.once('SIGINT', stopOnSignal);
try {
  for (const s of chosen) {
    process.stderr.write(`[faults] ${s.name}: ${s.title}\n`);
    const r = await s.run({ pgUrl: cluster.url(), scale: quick ? 'quick' : 'full' });
    process.stderr.write(
      `[faults] ${s.name}: ${passed(r) ? 'pass' : 'FAIL'} in ${Math.round(r.durationMs / 1000)} s\n`,
    );
    results.push(r);
  }
} finally {
  await cluster.stop();
}

const machine = `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${quick ? 'quick' : 'full'} run, ${new Date().toISOString().slice(0, 10)}`;
// The table is this script's output: console is the intended channel here.
console.log(`\nFault and load results (${machine})\n\n${formatTable(results)}\n`);
process.exitCode = results.every(passed) ? 0 : 1;
