/**
 * `npm run bench:footprint [-- --no-build] [--settle=40]`: idle memory and start time of the
 * worker and the admin panel as install.sh deploys them (compiled JavaScript, workspace packages
 * resolved to dist/ with --conditions=relay-compiled), against a 3CX simulator and a private
 * PostgreSQL on loopback; the worker also under tsx (how it ran before) as the baseline.
 * Targets: worker ≤ 100 MB, admin ≤ 150 MB idle RSS. Needs the admin built (admin/.next).
 *
 * Idle means settled: 40 s after the service answered, then the median of 5 samples a second
 * apart. The worker's RSS falls by ~35 MiB between 14 and 22 s after it answers, when V8's
 * memory reducer shrinks the young generation its start filled (2 × 16 MiB semi-spaces): a
 * 15 s settle sampled before or after that drop, which made the idle figure look bimodal
 * (91–97 or 109–120 MiB, 2026-12-06; time series of RSS every 2 s for 50 s).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from '@3cx-relay/db';
import { freePort, startPostgres } from '@3cx-relay/pg-cluster';
import { startSimulator } from '@3cx-relay/simulator';
import { idleRss, startService, timeUntilAnswer } from './processes.js';
import { deployedLaunch } from './deployed-launch.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const settleMs = Number(args.find((a) => a.startsWith('--settle='))?.split('=')[1] ?? 40) * 1000;
const say = (s: string) => process.stdout.write(`[footprint] ${s}\n`);

/** What install.sh's build_workspaces does: tsc of each compiled workspace to its dist/. */
function buildWorkspaces(): void {
  for (const ws of ['packages/events', 'prisma', 'relay-worker']) {
    say(`tsc -p ${ws}/tsconfig.build.json`);
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', `${ws}/tsconfig.build.json`],
      {
        cwd: ROOT,
        stdio: 'inherit',
      },
    );
  }
}

interface Figure {
  what: string;
  startMs: number;
  rssMiB: number;
  target?: number;
}

const rows: Figure[] = [];
if (!args.includes('--no-build')) buildWorkspaces();
const pg = await startPostgres({});
const iniDir = mkdtempSync(path.join(os.tmpdir(), 'footprint-ini-'));
const sim = await startSimulator({
  pgUrl: pg.url(),
  iniDir,
  dbName: 'footprint_3cx',
  readonlyRole: 'footprint_ro',
  dropOnStop: true,
});
try {
  await pg.createDatabase('footprint_relay').catch(() => undefined);
  const databaseUrl = pg.url('footprint_relay');
  await migrate(databaseUrl, {});
  const key = randomBytes(32).toString('hex');
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), NODE_ENV: 'production' };

  const worker = async (
    what: string,
    argv: string[],
    target?: number,
    extraEnv: Record<string, string> = {},
  ) => {
    const port = await freePort();
    const env = {
      ...base,
      DATABASE_URL: databaseUrl,
      RELAY_PORT: String(port),
      RELAY_ENCRYPTION_KEY: key,
      LOG_LEVEL: 'warn',
      PBX_URL: sim.baseUrl,
      PBX_CLIENT_ID: sim.clients.owner.clientId,
      PBX_CLIENT_SECRET: sim.clients.owner.clientSecret,
      PBX_INI_PATH: sim.iniPath ?? '',
      ...extraEnv,
    };
    const t0 = performance.now();
    const s = startService(process.execPath, argv, env, path.join(ROOT, 'relay-worker'));
    try {
      const startMs = await timeUntilAnswer(`http://127.0.0.1:${port}/relay/health`, 200, t0, s);
      rows.push({
        what,
        startMs,
        rssMiB: await idleRss(s.proc.pid!, settleMs),
        ...(target ? { target } : {}),
      });
    } finally {
      await s.stop();
    }
  };
  say('worker, compiled (as deployed)');
  const w = deployedLaunch('bin-3cx-relay-worker');
  await worker(
    `worker, compiled (as deployed${w.env.LD_PRELOAD ? ', jemalloc' : ', glibc malloc: no libjemalloc2 here'})`,
    [...w.flags, 'dist/main.js'],
    100,
    w.env,
  );
  if (w.env.LD_PRELOAD) {
    // what RELAY_MALLOC=glibc (or a server without libjemalloc2) runs: glibc's malloc, two arenas
    say('worker, compiled, glibc malloc');
    const { LD_PRELOAD: _l, MALLOC_CONF: _c, ...glibc } = w.env;
    await worker(
      'worker, compiled, glibc malloc (RELAY_MALLOC=glibc)',
      [...w.flags, 'dist/main.js'],
      100,
      glibc,
    );
  }
  say('worker under tsx (before)');
  await worker('worker under tsx (before, baseline)', ['--import', 'tsx', 'src/main.ts']);

  if (!existsSync(path.join(ROOT, 'admin/.next/BUILD_ID'))) {
    say('admin skipped: admin/.next not built (npm run build -w @3cx-relay/admin)');
  } else {
    say('admin, compiled (as deployed)');
    const port = await freePort();
    const a = deployedLaunch('bin-3cx-relay-admin');
    const env = {
      ...base,
      ...a.env,
      NEXT_TELEMETRY_DISABLED: '1',
      DATABASE_URL: databaseUrl,
      NEXTAUTH_SECRET: randomBytes(32).toString('hex'),
      NEXTAUTH_URL: `http://127.0.0.1:${port}/admin/api/auth`,
      RELAY_ENCRYPTION_KEY: key,
    };
    const t0 = performance.now();
    const next = path.join(ROOT, 'node_modules/next/dist/bin/next');
    const s = startService(
      process.execPath,
      [...a.flags, next, 'start', '-H', '127.0.0.1', '-p', String(port)],
      env,
      path.join(ROOT, 'admin'),
    );
    try {
      const startMs = await timeUntilAnswer(`http://127.0.0.1:${port}/admin/login`, 200, t0, s);
      // One sign-in attempt loads the database client, as the first real visit does.
      await fetch(`http://127.0.0.1:${port}/admin/api/login`, {
        method: 'POST',
        headers: { origin: `http://127.0.0.1:${port}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@footprint.test', password: 'x' }),
      }).then((r) => r.arrayBuffer());
      rows.push({
        what: 'admin, compiled (as deployed)',
        startMs,
        rssMiB: await idleRss(s.proc.pid!, settleMs),
        target: 150,
      });
    } finally {
      await s.stop();
    }
  }
} finally {
  await sim.stop();
  await pg.stop();
  rmSync(iniDir, { recursive: true, force: true });
}

const load = os
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(' ');
process.stdout.write(
  `\nIdle footprint, ${new Date().toISOString()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, load average ${load}\n\n` +
    '| process | start (spawn → ready) | idle RSS | target |\n|---|---|---|---|\n' +
    rows
      .map(
        (r) =>
          `| ${r.what} | ${(r.startMs / 1000).toFixed(2)} s | ${r.rssMiB.toFixed(0)} MiB | ${
            r.target ? `≤ ${r.target} MB: ${r.rssMiB * 1.048576 <= r.target ? 'met' : 'NOT met'}` : '—'
          } |`,
      )
      .join('\n') +
    '\n',
);
