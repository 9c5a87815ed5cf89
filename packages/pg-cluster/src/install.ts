import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const PG_ROOT = '/usr/lib/postgresql';

/** Finds the bin folder of the newest installed PostgreSQL, preferring major 15 (what 3CX V20 runs). */
export function findPostgresBin(): string | undefined {
  if (process.env.PG_BIN && existsSync(path.join(process.env.PG_BIN, 'initdb'))) return process.env.PG_BIN;
  if (!existsSync(PG_ROOT)) return undefined;
  const majors = readdirSync(PG_ROOT)
    .filter((d) => existsSync(path.join(PG_ROOT, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  const pick = majors.includes('15') ? '15' : majors[0];
  return pick ? path.join(PG_ROOT, pick, 'bin') : undefined;
}

/**
 * Returns the PostgreSQL bin folder, installing Debian's `postgresql` package first when it is
 * missing and we are root. Throws one readable message otherwise.
 */
export function ensurePostgres(log: (line: string) => void = () => {}): string {
  const found = findPostgresBin();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error(
      'PostgreSQL server binaries were not found under /usr/lib/postgresql. ' +
        'Install them with: sudo apt-get install -y postgresql (or set PG_BIN to the folder holding initdb).',
    );
  }
  log('PostgreSQL is not installed; installing Debian package "postgresql" with apt-get ...');
  const ok = aptInstall('postgresql');
  // Debian's package creates and starts a "main" cluster through its own scripts only when a
  // service manager runs; we never use it, we start private clusters.
  const bin = findPostgresBin();
  if (!ok || !bin) throw new Error('apt-get install postgresql failed; see the output above.');
  return bin;
}

/**
 * `apt-get install -y <packages>` as root, non-interactive; runs `apt-get update` and tries
 * once more when the first attempt fails (a fresh machine has no package lists). Returns success.
 */
export function aptInstall(...packages: string[]): boolean {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-q', ...packages], { stdio: 'inherit', env }).status === 0;
  if (install()) return true;
  spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  return install();
}
