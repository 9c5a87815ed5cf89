import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
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
        NEXTAUTH_SECRET: randomBytes(32).toString('hex'),
        NEXTAUTH_URL: `http://127.0.0.1:${this.port}/admin/api/auth`,
        RELAY_ENCRYPTION_KEY: this.encryptionKey.toString('hex'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
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

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }
}
