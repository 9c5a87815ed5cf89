import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { ensurePostgres } from './install.js';

const execFileP = promisify(execFile);

/** Options for {@link startPostgres}. */
export interface StartPostgresOptions {
  /** Folder of the cluster. Reused when it already holds one. Default: a new temp folder, removed on stop. */
  dataDir?: string;
  /** Loopback port. Default: a free one. */
  port?: number;
  /** Durable writes. Default false (tests); `npm start` turns it on. */
  fsync?: boolean;
  /** Progress lines (install, initdb). */
  log?: (line: string) => void;
}

/** A running private PostgreSQL cluster on 127.0.0.1. */
export interface PgCluster {
  host: '127.0.0.1';
  port: number;
  dataDir: string;
  /** Superuser name and password (scram over TCP). */
  user: string;
  password: string;
  /** A connection URL for `database` as the superuser. */
  url(database?: string): string;
  /** Creates a database (optionally from a template) and returns its URL. */
  createDatabase(name: string, template?: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  /** Runs SQL as the superuser on `database`. */
  query(sql: string, params?: unknown[], database?: string): Promise<pg.QueryResult>;
  /** Stops the server ("fast" shutdown); removes a temporary data folder. */
  stop(): Promise<void>;
  /** Stops the server immediately (like a crash), for fault tests. Restart with {@link PgCluster.start}. */
  kill(): Promise<void>;
  /** Starts a stopped cluster again on the same port. */
  start(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** initdb refuses to run as root, so as root the cluster belongs to `nobody`. */
function runAsArgs(bin: string, args: string[]): [string, string[]] {
  if (process.getuid?.() === 0) return ['runuser', ['-u', 'nobody', '--', bin, ...args]];
  return [bin, args];
}

let serverUser: { uid: number; gid: number } | undefined;

/** As root, the cluster's files belong to `nobody` (looked up once). */
function giveToServerUser(p: string): void {
  if (process.getuid?.() !== 0) return;
  serverUser ??= {
    uid: Number(String(execFileSync('id', ['-u', 'nobody'])).trim()),
    gid: Number(String(execFileSync('id', ['-g', 'nobody'])).trim()),
  };
  chownSync(p, serverUser.uid, serverUser.gid);
}

async function run(bin: string, args: string[]): Promise<string> {
  const [cmd, argv] = runAsArgs(bin, args);
  try {
    const { stdout } = await execFileP(cmd, argv, { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${path.basename(bin)} failed: ${(e.stderr || e.stdout || e.message).trim()}`);
  }
}

/**
 * Starts (creating if needed) a private PostgreSQL cluster listening only on 127.0.0.1.
 * Installs Debian's `postgresql` package first when it is missing and we are root.
 */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PgCluster> {
  const log = opts.log ?? (() => {});
  const bin = ensurePostgres(log);
  const temporary = !opts.dataDir;
  const baseDir = opts.dataDir
    ? path.resolve(opts.dataDir)
    : mkdtempSync(path.join(os.tmpdir(), '3cx-relay-pg-'));
  const dataDir = path.join(baseDir, 'data');
  const socketDir = path.join(baseDir, 'run');
  const pwFile = path.join(baseDir, 'superuser-password');
  mkdirSync(baseDir, { recursive: true });
  chmodSync(baseDir, 0o755);
  giveToServerUser(baseDir);

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const password = randomBytes(18).toString('base64url');
    writeFileSync(pwFile, password + '\n', { mode: 0o600 });
    giveToServerUser(pwFile);
    log(`initdb ${dataDir}`);
    await run(path.join(bin, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--pwfile',
      pwFile,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
    ]);
  }
  mkdirSync(socketDir, { recursive: true });
  giveToServerUser(socketDir);
  const password = readFileSync(pwFile, 'utf8').trim();
  const port = opts.port ?? (await freePort());

  const serverOpts = [
    `-p ${port}`,
    `-k ${socketDir}`,
    `-c listen_addresses=127.0.0.1`,
    `-c max_connections=300`,
    `-c shared_buffers=128MB`,
    ...(opts.fsync ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
  ].join(' ');
  const logFile = path.join(baseDir, 'server.log');

  const start = async () => {
    await run(path.join(bin, 'pg_ctl'), [
      '-D',
      dataDir,
      '-l',
      logFile,
      '-w',
      '-t',
      '60',
      '-o',
      serverOpts,
      'start',
    ]);
  };
  const pgStop = async (mode: 'fast' | 'immediate') => {
    if (!existsSync(path.join(dataDir, 'postmaster.pid'))) return;
    await run(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  };
  await start();

  const url = (database = 'postgres') =>
    `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;

  const query = async (sql: string, params: unknown[] = [], database = 'postgres') => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return await client.query(sql, params);
    } finally {
      await client.end();
    }
  };
  const ident = (name: string) => '"' + name.replace(/"/g, '""') + '"';

  let stopped = false;
  const cluster: PgCluster = {
    host: '127.0.0.1',
    port,
    dataDir: baseDir,
    user: 'postgres',
    password,
    url,
    query,
    async createDatabase(name, template) {
      await query(`CREATE DATABASE ${ident(name)}${template ? ` TEMPLATE ${ident(template)}` : ''}`);
      return url(name);
    },
    async dropDatabase(name) {
      await query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await pgStop('fast');
      if (temporary) rmSync(baseDir, { recursive: true, force: true });
    },
    async kill() {
      await pgStop('immediate');
    },
    start,
  };
  return cluster;
}
