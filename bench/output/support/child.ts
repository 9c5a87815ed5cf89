import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** A helper process (run through tsx) spoken to with request/response IPC messages. */
export class Child {
  private seq = 0;
  private readonly waiting = new Map<number, (v: unknown) => void>();
  readonly exited: Promise<number | null>;

  private constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: { id?: number; result?: unknown }) => {
      if (m && typeof m.id === 'number') {
        this.waiting.get(m.id)?.(m.result);
        this.waiting.delete(m.id);
      }
    });
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  }

  /** Starts `support/<script>` and waits for its `ready` message (with whatever it reports). */
  static async start<T = unknown>(
    script: string,
    env: Record<string, string> = {},
  ): Promise<{ child: Child; ready: T }> {
    const proc = fork(path.join(here, script), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const child = new Child(proc);
    const ready = await new Promise<T>((resolve, reject) => {
      const onMsg = (m: { ready?: T }) => {
        if (m && 'ready' in m) {
          proc.off('message', onMsg);
          resolve(m.ready as T);
        }
      };
      proc.on('message', onMsg);
      proc.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
    });
    return { child, ready };
  }

  /** Sends a command and waits for its answer (bounded by `timeoutMs`). */
  call<T = unknown>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${cmd} timed out`)), timeoutMs);
      this.waiting.set(id, (v) => {
        clearTimeout(timer);
        resolve(v as T);
      });
      this.proc.send({ id, cmd, ...args });
    });
  }

  async stop(): Promise<void> {
    this.proc.kill('SIGTERM');
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 3000))]);
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }
}

/** In a helper: answers commands from the parent. */
export function serve(handlers: Record<string, (msg: Record<string, any>) => unknown>, ready: unknown): void {
  process.on('message', (m: { id: number; cmd: string }) => {
    const h = handlers[m.cmd];
    Promise.resolve(h ? h(m) : { error: `unknown command ${m.cmd}` })
      .then((result) => process.send?.({ id: m.id, result }))
      .catch((err: Error) => process.send?.({ id: m.id, result: { error: err.message } }));
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ ready });
}
