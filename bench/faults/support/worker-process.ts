import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogTally } from './log-tally.js';
import { sleep, until } from './wait.js';
import { deployedWorkerLaunch } from '../../footprint/deployed-launch.js';

/** The repository root (bench/faults/support → ../../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(REPO_ROOT, 'relay-worker/src/main.ts');
/** The deployed worker's young generation and allocator (deploy/templates/bin-3cx-relay-worker): what it is measured with. */
const DEPLOYED = deployedWorkerLaunch();

/** How a {@link WorkerProcess} ended its last run. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The real relay worker as a child process (`node --import tsx relay-worker/src/main.ts`, one
 * process, so SIGKILL hits the worker itself and not a wrapper). Its pino output on stdout is
 * tallied per kind; it keeps the same port across restarts so clients can reconnect.
 */
export class WorkerProcess {
  readonly logs = new LogTally();
  /** Exits that were not asked for (crash, fatal). */
  readonly unexpectedExits: ExitInfo[] = [];
  starts = 0;
  private child: ChildProcess | undefined;
  private exited: Promise<ExitInfo> | undefined;
  private stderrTail = '';
  private expectingExit = false;

  /**
   * @param env - the worker's environment (DATABASE_URL, PBX_*, RELAY_PORT, …); merged over a
   *   minimal PATH/HOME so nothing of the caller's environment leaks into the worker's config.
   */
  constructor(readonly env: Record<string, string>) {}

  get url(): string {
    return `http://127.0.0.1:${this.env.RELAY_PORT}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process and waits until `/relay/health` answers (200 or 503). */
  async start(readyTimeoutMs = 60_000): Promise<void> {
    if (this.running) throw new Error('worker already running');
    this.expectingExit = false;
    // BENCH_WORKER_PROF_DIR=dir: a CPU profile of the worker (`--cpu-prof` is not allowed in NODE_OPTIONS).
    const prof = process.env.BENCH_WORKER_PROF_DIR;
    const child = spawn(
      process.execPath,
      [
        ...DEPLOYED.v8Flags,
        ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []),
        '--import',
        'tsx',
        MAIN,
      ],
      {
        cwd: REPO_ROOT,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? '/tmp',
          ...DEPLOYED.env,
          ...this.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    this.starts++;
    child.stdout.on('data', (c: Buffer) => this.logs.push(c));
    child.stderr.on('data', (c: Buffer) => (this.stderrTail = (this.stderrTail + c.toString()).slice(-4000)));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        const info = { code, signal };
        if (!this.expectingExit) this.unexpectedExits.push(info);
        resolve(info);
      }),
    );
    await until(
      async () => {
        if (!this.running)
          throw new Error(`worker exited during start: ${this.stderrTail.trim() || 'no stderr'}`);
        return this.healthy();
      },
      readyTimeoutMs,
      'worker ready',
      200,
    );
  }

  /** Whether `/relay/health` answers at all (any status). */
  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/relay/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return true;
    } catch {
      return false;
    }
  }

  /** The parsed health document, or null when the worker does not answer. */
  async health(): Promise<{ status: string; components: Record<string, { status: string }> } | null> {
    try {
      const res = await fetch(`${this.url}/relay/health`, { signal: AbortSignal.timeout(2000) });
      return (await res.json()) as { status: string; components: Record<string, { status: string }> };
    } catch {
      return null;
    }
  }

  /** kill -9: no shutdown code runs. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.expectingExit = true;
    this.child!.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful drain), SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<ExitInfo | undefined> {
    if (!this.running) return undefined;
    this.expectingExit = true;
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    const info = await this.exited;
    clearTimeout(timer);
    return info;
  }

  /** Resident set size of the worker in bytes (Linux /proc), or null when not running. */
  rssBytes(): number | null {
    if (!this.running) return null;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child!.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : null;
    } catch {
      return null;
    }
  }

  /** Last lines the worker wrote to stderr (for failure messages). */
  get stderr(): string {
    return this.stderrTail;
  }

  /** Waits a little for the process to settle after a signal the test expects to be survived. */
  async stillAliveAfter(ms: number): Promise<boolean> {
    await sleep(ms);
    return this.running;
  }
}
