import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Child processes a test process started (the relay worker), one file per pid under
 * `.state/children/`. The global teardown kills whatever is still listed, so a test process
 * that dies without running its fixtures' teardown leaves no orphan behind.
 */
const DIR = path.resolve(import.meta.dirname, '..', '.state', 'children');

/** Remembers a running child (`group`: it leads its own process group). */
export function recordChild(pid: number, group = false): void {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(path.join(DIR, String(pid)), group ? 'group' : 'process');
}

/** Forgets a child that was stopped normally. */
export function forgetChild(pid: number): void {
  rmSync(path.join(DIR, String(pid)), { force: true });
}

/** SIGKILLs every child still listed (and its group when it leads one); returns how many. */
export function killRecordedChildren(): number {
  let killed = 0;
  let names: string[] = [];
  try {
    names = readdirSync(DIR);
  } catch {
    return 0;
  }
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 1) continue;
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
        killed++;
        break;
      } catch {
        // not a group leader, or already gone
      }
    }
    forgetChild(pid);
  }
  return killed;
}
