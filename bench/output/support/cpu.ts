import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Clock ticks per second of /proc/<pid>/stat's times (Linux: 100 on every architecture Node runs on). */
const TICKS_PER_SECOND = 100;

/** utime, stime, cutime, cstime of a process (ticks), and its parent pid; null when it is gone. */
function stat(pid: number): { ppid: number; self: number; children: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // the command name (field 2) is in parentheses and may hold spaces: count fields after it
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): ppid is field 4, utime..cstime fields 14-17
  return {
    ppid: Number(f[1]),
    self: Number(f[11]) + Number(f[12]),
    children: Number(f[13]) + Number(f[14]),
  };
}

/**
 * CPU time (ms) a process and its children used so far: its own, what its exited children used
 * (counted once it reaped them), and its live children's. For a PostgreSQL cluster pass the
 * postmaster: every backend, autovacuum worker, the checkpointer and the WAL writer are its
 * children. Resolution 10 ms.
 */
export function processTreeCpuMs(pid: number): number {
  const root = stat(pid);
  if (!root) return NaN;
  let ticks = root.self + root.children;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s && s.ppid === pid) ticks += s.self;
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** The postmaster's pid of a cluster whose data directory is `<baseDir>/data` (see pg-cluster). */
export function postmasterPid(baseDir: string): number {
  return Number(readFileSync(path.join(baseDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
}
