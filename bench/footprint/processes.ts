import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** A started service process (its own process group) and what it printed. */
export interface Service {
  proc: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `cmd` in its own process group, keeping the tail of its output for error messages. */
export function startService(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Service {
  const proc = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  const keep = (b: Buffer) => (out = (out + b.toString()).slice(-4000));
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return {
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      const kill = (sig: NodeJS.Signals) => {
        try {
          process.kill(-proc.pid!, sig);
        } catch {
          // already gone
        }
      };
      kill('SIGTERM');
      const t = setTimeout(() => kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Resident set size in MiB of every process in `pid`'s process group (`next start` may fork). */
export function groupRssMiB(pid: number): number {
  let kib = 0;
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp !== pid) continue;
      const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      kib += Number(m?.[1] ?? 0);
    } catch {
      // exited meanwhile
    }
  }
  return kib / 1024;
}

/** Polls `url` until it answers `status`; returns the ms it took from `since`. */
export async function timeUntilAnswer(
  url: string,
  status: number,
  since: number,
  service: Service,
  timeoutMs = 120_000,
): Promise<number> {
  for (;;) {
    if (service.proc.exitCode !== null) throw new Error(`exited: ${service.output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === status) return performance.now() - since;
    } catch {
      // not listening yet
    }
    if (performance.now() - since > timeoutMs)
      throw new Error(`${url} not ${status} in time: ${service.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Idle RSS: waits `settleMs`, then the median of samples taken every second for `sampleS` seconds. */
export async function idleRss(pid: number, settleMs: number, sampleS = 5): Promise<number> {
  await new Promise((r) => setTimeout(r, settleMs));
  const samples: number[] = [];
  for (let i = 0; i < sampleS; i++) {
    samples.push(groupRssMiB(pid));
    await new Promise((r) => setTimeout(r, 1000));
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}
