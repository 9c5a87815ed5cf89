import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '@3cx-relay/pg-cluster';
import { ADMIN_DIR } from './build-admin.js';

/** A running `next start` of the admin. */
export interface AdminServer {
  /** e.g. http://127.0.0.1:41234 (the panel is under /admin). */
  origin: string;
  stop(): Promise<void>;
}

async function waitForHttp(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`admin exited (${child.exitCode}):\n${output()}`);
    try {
      const res = await fetch(url, { redirect: 'manual' });
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`admin did not answer at ${url} within ${timeoutMs} ms:\n${output()}`);
}

/** Starts the built admin with `next start` on a loopback port (default: a free one). */
export async function startAdmin(env: Record<string, string>, port?: number): Promise<AdminServer> {
  port ??= await freePort();
  const child = spawn('npx', ['next', 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: ADMIN_DIR,
    env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/admin/login`, child, () => out);
  return {
    origin,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      // npx → next: signal the whole process group we created.
      process.kill(-child.pid!, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    },
  };
}
