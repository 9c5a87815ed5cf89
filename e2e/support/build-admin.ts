import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The admin workspace folder. */
export const ADMIN_DIR = path.resolve(import.meta.dirname, '..', '..', 'admin');

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(p)) {
    if (name === 'node_modules' || name === '.next') continue;
    newest = Math.max(newest, newestMtime(path.join(p, name)));
  }
  return newest;
}

/** True when `.next` is missing or older than the admin's sources or config. */
export function adminBuildIsStale(): boolean {
  const buildId = path.join(ADMIN_DIR, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  const inputs = ['src', 'next.config.mjs', 'package.json', 'postcss.config.mjs'].map((p) =>
    path.join(ADMIN_DIR, p),
  );
  return Math.max(...inputs.map(newestMtime)) > built;
}

/**
 * Builds the admin (`next build`) unless `E2E_SKIP_BUILD` is set (scripts/test.ts builds it
 * first) or the build is up to date.
 */
export function ensureAdminBuild(log: (line: string) => void): void {
  if (process.env.E2E_SKIP_BUILD) return;
  if (!adminBuildIsStale()) return;
  log('building the admin (next build)…');
  const r = spawnSync('npx', ['next', 'build'], {
    cwd: ADMIN_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`next build failed:\n${r.stdout}\n${r.stderr}`);
}
