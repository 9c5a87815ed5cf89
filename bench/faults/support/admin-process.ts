import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '@3cx-relay/pg-cluster';
import { REPO_ROOT } from './worker-process.js';
import { until } from './wait.js';

const ADMIN_DIR = path.join(REPO_ROOT, 'admin');
const NEXT_BIN = path.join(REPO_ROOT, 'node_modules/next/dist/bin/next');

/** Why the admin cannot be started here, or null when it can (a production build exists). */
export function adminUnavailable(): string | null {
  if (!existsSync(path.join(ADMIN_DIR, '.next/BUILD_ID')))
    return 'admin/.next not built (npm run build -w @3cx-relay/admin)';
  if (!existsSync(NEXT_BIN)) return 'next is not installed';
  return null;
}

/** The admin panel (`next start`) on a free loopback port, against the given relay database. */
export class AdminProcess {
  private child: ChildProcess | undefined;
  private output = '';
  port = 0;
  /** The session secret it runs with (the probe forges cookies with it). */
  readonly nextAuthSecret = randomBytes(32).toString('hex');
  /** What the probe sends in X-Relay-Proxy to act as the trusted nginx. */
  readonly proxySecret = randomBytes(24).toString('hex');

  constructor(
    private readonly databaseUrl: string,
    private readonly encryptionKey: Buffer,
  ) {}

  /** `http://127.0.0.1:<port>` (the panel lives under `/admin`). */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts `next start` and waits until the login page answers. */
  async start(timeoutMs = 60_000): Promise<void> {
    this.port = await freePort();
    const child = spawn(process.execPath, [NEXT_BIN, 'start', '-H', '127.0.0.1', '-p', String(this.port)], {
      cwd: ADMIN_DIR,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        DATABASE_URL: this.databaseUrl,
        NEXTAUTH_SECRET: this.nextAuthSecret,
        TRUSTED_PROXY_SECRET: this.proxySecret,
        NEXTAUTH_URL: `http://127.0.0.1:${this.port}/admin/api/auth`,
        RELAY_ENCRYPTION_KEY: this.encryptionKey.toString('hex'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so its CPU time can be summed over every process it starts.
      detached: true,
    });
    this.child = child;
    const keep = (c: Buffer) => (this.output = (this.output + c.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    await until(
      async () => {
        if (child.exitCode !== null) throw new Error(`admin exited: ${this.output.trim()}`);
        try {
          const res = await fetch(`${this.origin}/admin/login`, { signal: AbortSignal.timeout(3000) });
          await res.arrayBuffer();
          return res.status < 500;
        } catch {
          return false;
        }
      },
      timeoutMs,
      'admin ready',
      300,
    );
  }

  /** CPU seconds (user + system) used so far by the panel's processes. */
  cpuSeconds(): number {
    const group = this.child?.pid;
    if (!group) return 0;
    let ticks = 0;
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(f[2]) === group) ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // gone meanwhile
      }
    }
    return ticks / 100;
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    const kill = (sig: NodeJS.Signals) => {
      try {
        process.kill(-c.pid!, sig);
      } catch {
        c.kill(sig);
      }
    };
    kill('SIGTERM');
    const t = setTimeout(() => kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }
}
