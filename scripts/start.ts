/**
 * `npm start`: the whole product on embedded defaults, on one machine, no PBX needed.
 *
 * PostgreSQL (private cluster in .data/pg) → migrations → first admin (password printed once)
 * → 3CX simulator (demo traffic) → relay-worker on 127.0.0.1:8082 → admin on 127.0.0.1:3000/admin.
 * Ctrl-C stops everything, in reverse order. `npm start -- --reset-admin` gives the first
 * admin a new password (printed once) when it was forgotten.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { findPostgresBin, startPostgres } from '@3cx-relay/pg-cluster';
import { createDb, ensureFirstAdmin, generatePassword, hashPassword, migrate } from '@3cx-relay/db';
import { formatLogLine } from './support/pretty-log.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.join(root, '.data');
const WORKER_PORT = Number(process.env.RELAY_PORT ?? 8082);
const ADMIN_PORT = Number(process.env.ADMIN_PORT ?? 3000);
const say = (line: string) => process.stdout.write(`[start] ${line}\n`);
const children: { name: string; proc: ChildProcess }[] = [];
/** On a terminal the services' JSON log lines are shown readable (and coloured); piped, they stay JSON. */
const pretty = process.stdout.isTTY === true;

/** Secrets for the local run, generated once and kept in .data (git-ignored). */
function devSecrets(): { NEXTAUTH_SECRET: string; RELAY_ENCRYPTION_KEY: string } {
  const file = path.join(dataDir, 'dev-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ReturnType<typeof devSecrets>;
  const s = {
    NEXTAUTH_SECRET: randomBytes(32).toString('base64url'),
    RELAY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
  writeFileSync(file, JSON.stringify(s, null, 2), { mode: 0o600 });
  return s;
}

/** Starts a child whose output lines are prefixed with its name. */
function startChild(
  name: string,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd = root,
): ChildProcess {
  // Its own process group, so stopping it reaches every process it started.
  const proc = spawn(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  for (const stream of [proc.stdout, proc.stderr]) {
    readline
      .createInterface({ input: stream })
      .on('line', (line) => process.stdout.write(`[${name}] ${pretty ? formatLogLine(line, true) : line}\n`));
  }
  proc.on('exit', (code, signal) => {
    if (stopping) return;
    say(`${name} exited (${signal ?? code}); stopping everything`);
    void stop(1);
  });
  children.push({ name, proc });
  return proc;
}

/** The simulator's ready line (see packages/simulator/src/cli.ts). */
interface SimulatorReady {
  baseUrl: string;
  owner?: { clientId: string; clientSecret: string };
  readonlyDbUrl?: string;
  iniPath?: string;
  trunkDids?: string;
}

/** Resolves with the first JSON object a child prints on stdout (the simulator's ready line). */
function readyLine(proc: ChildProcess, timeoutMs = 60_000): Promise<SimulatorReady> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('simulator did not become ready in time')), timeoutMs);
    readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      try {
        const obj = JSON.parse(line) as SimulatorReady;
        if (obj.baseUrl) {
          clearTimeout(timer);
          resolve(obj);
        }
      } catch {
        /* a log line, not the ready line */
      }
    });
    proc.once('exit', () => reject(new Error('simulator exited before it was ready')));
  });
}

async function waitForHttp(url: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(url, { redirect: 'manual' });
      if (res.status < 500) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

/**
 * Why the admin's `.next` build must not be served, or '' when it is fresh: the installer's own
 * rule (`prebuilt_admin_problem` in deploy/install/release.sh), so both judge freshness alike.
 */
function adminBuildProblem(): string {
  const r = spawnSync(
    'bash',
    ['-c', 'SOURCE=$1; . "$1/deploy/install/release.sh"; prebuilt_admin_problem', '_', root],
    {
      encoding: 'utf8',
    },
  );
  return r.status === 0 ? r.stdout.trim() : 'the freshness check failed';
}

/** Signals a child's whole process group (the child and everything it started). */
function signalGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (proc.pid) process.kill(-proc.pid, signal);
  } catch {
    proc.kill(signal); // the group is already gone
  }
}

/** Runs a TypeScript entry point with Node and tsx's loader (no npx wrapper between us and it). */
const tsNode = (entry: string, ...args: string[]): [string, string[]] => [
  process.execPath,
  ['--import', 'tsx', entry, ...args],
];

let stopping = false;
let stopPg: (() => Promise<void>) | undefined;
async function stop(code = 0): Promise<never> {
  if (stopping) process.exit(1);
  stopping = true;
  say('stopping …');
  for (const { proc } of [...children].reverse()) {
    if (proc.exitCode !== null) continue;
    signalGroup(proc, 'SIGTERM');
    await new Promise<void>((r) => {
      const t = setTimeout(() => (signalGroup(proc, 'SIGKILL'), r()), 10_000);
      proc.once('exit', () => (clearTimeout(t), r()));
    });
  }
  await stopPg?.();
  say('stopped');
  process.exit(code);
}

/**
 * Last line of defence: however this process ends (an uncaught error, a wrapper killing it
 * half-way through stop()), its children and the database must not outlive it. 'exit'
 * handlers run synchronously, so: SIGKILL each child's group, and an immediate pg_ctl stop.
 */
function installExitSafetyNet(): void {
  process.on('exit', () => {
    for (const { proc } of children) if (proc.exitCode === null) signalGroup(proc, 'SIGKILL');
    if (pgDataDir && existsSync(path.join(pgDataDir, 'data', 'postmaster.pid'))) {
      const bin = findPostgresBin();
      const asServerUser = process.getuid?.() === 0 ? ['runuser', '-u', 'nobody', '--'] : [];
      const argv = [
        ...asServerUser,
        `${bin}/pg_ctl`,
        '-D',
        path.join(pgDataDir, 'data'),
        '-m',
        'immediate',
        'stop',
      ];
      if (bin) spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    }
  });
}
let pgDataDir: string | undefined;

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  installExitSafetyNet();
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  say('starting PostgreSQL (.data/pg)');
  pgDataDir = path.join(dataDir, 'pg');
  const pg = await startPostgres({ dataDir: pgDataDir, fsync: true, log: say });
  stopPg = async () => {
    await pg.stop();
    pgDataDir = undefined;
  };
  const exists = await pg.query(`SELECT 1 FROM pg_database WHERE datname = 'relay'`);
  if (!exists.rowCount) await pg.createDatabase('relay');
  const databaseUrl = pg.url('relay');
  const m = await migrate(databaseUrl, { log: say });
  say(`database ready (${m.applied.length} migrations applied now, ${m.alreadyApplied.length} before)`);

  const db = createDb(databaseUrl, { max: 2 });
  let admin = await ensureFirstAdmin(db);
  if (!admin && process.argv.includes('--reset-admin')) {
    // Local runs only: a forgotten password of the first admin gets a new one, shown once.
    const first = await db.adminUser.findFirstOrThrow({
      where: { role: 'admin' },
      orderBy: { createdAt: 'asc' },
    });
    const password = generatePassword();
    await db.adminUser.update({
      where: { id: first.id },
      data: { passwordHash: await hashPassword(password), disabledAt: null, sessionsValidFrom: new Date() },
    });
    admin = { email: first.email, password };
  }
  await db.$disconnect();

  const secrets = devSecrets();
  const workerEnv: NodeJS.ProcessEnv = {
    DATABASE_URL: databaseUrl,
    RELAY_PORT: String(WORKER_PORT),
    RELAY_ENCRYPTION_KEY: secrets.RELAY_ENCRYPTION_KEY,
    NODE_ENV: 'development',
  };

  const simCli = path.join(root, 'packages', 'simulator', 'src', 'cli.ts');
  if (existsSync(simCli)) {
    say('starting the 3CX V20 simulator (demo traffic)');
    const sim = startChild(
      '3cx-sim',
      ...tsNode(
        simCli,
        '--port',
        '0',
        '--pg-url',
        pg.url(),
        '--ini-dir',
        path.join(dataDir, '3cx', 'Bin'),
        '--demo',
      ),
      {},
    );
    const ready = await readyLine(sim);
    Object.assign(workerEnv, {
      PBX_URL: ready.baseUrl,
      PBX_CLIENT_ID: ready.owner?.clientId ?? '',
      PBX_CLIENT_SECRET: ready.owner?.clientSecret ?? '',
      ...(ready.iniPath ? { PBX_INI_PATH: ready.iniPath } : { PBX_DB_URL: ready.readonlyDbUrl }),
      // The simulator's trunk 10007 answers the main line; real PBXs leave party_did empty.
      PBX_TRUNK_DIDS: ready.trunkDids ?? '10007=32655144',
    });
    say(`simulator at ${ready.baseUrl}`);
  } else {
    say('no simulator in this checkout: the worker will report 3CX as not configured');
    Object.assign(workerEnv, {
      SOURCE_DB_ENABLED: 'false',
      SOURCE_XAPI_ENABLED: 'false',
      SOURCE_CALLCONTROL_ENABLED: 'false',
    });
  }

  startChild('worker', ...tsNode(path.join(root, 'relay-worker', 'src', 'main.ts')), workerEnv);
  const workerUp = await waitForHttp(`http://127.0.0.1:${WORKER_PORT}/relay/health`, 60_000);
  if (!workerUp) throw new Error(`the worker did not answer on 127.0.0.1:${WORKER_PORT}`);

  const adminDir = path.join(root, 'admin');
  let adminUrl: string | undefined;
  if (existsSync(path.join(adminDir, 'next.config.mjs'))) {
    const stale = adminBuildProblem();
    if (stale) {
      say(`building the admin panel (${stale}; ~30 s)`);
      const b = spawnSync('npm', ['run', 'build', '-w', '@3cx-relay/admin'], {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      });
      if (b.status !== 0) throw new Error('admin build failed');
    }
    adminUrl = `http://127.0.0.1:${ADMIN_PORT}/admin`;
    const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
    startChild(
      'admin',
      process.execPath,
      [nextBin, 'start', '-H', '127.0.0.1', '-p', String(ADMIN_PORT)],
      {
        DATABASE_URL: databaseUrl,
        NEXTAUTH_SECRET: secrets.NEXTAUTH_SECRET,
        NEXTAUTH_URL: `${adminUrl}/api/auth`,
        RELAY_ENCRYPTION_KEY: secrets.RELAY_ENCRYPTION_KEY,
        NEXT_TELEMETRY_DISABLED: '1',
        NODE_ENV: 'production',
      },
      adminDir,
    );
    await waitForHttp(`${adminUrl}/login`, 60_000);
  }

  process.stdout.write('\n');
  say('3CX Relay is running');
  if (adminUrl) say(`  admin panel:   ${adminUrl}`);
  say(`  relay health:  http://127.0.0.1:${WORKER_PORT}/relay/health`);
  say(`  relay events:  ws://127.0.0.1:${WORKER_PORT}/relay/ws (API key with scope events:subscribe)`);
  if (admin) say(`  first admin:   ${admin.email} / ${admin.password}   (shown once: write it down)`);
  else say('  sign in with your admin account (forgotten? `npm start -- --reset-admin` sets a new password)');
  say('Ctrl-C stops everything.');
}

main().catch((err: unknown) => {
  say(`failed: ${(err as Error).message}`);
  void stop(1);
});
