/**
 * `npm test`: every test of the product, on a fresh machine, with nothing installed by hand.
 *
 *  1. installs what the tests need and the project does not ship: PostgreSQL server binaries
 *     and Debian's Chromium (apt, as root), never a browser download;
 *  2. type-checks every workspace and lints the repository (ESLint + Prettier);
 *  3. builds the admin (the E2E suite serves it; the fault suite probes its routes);
 *  4. runs Vitest (unit, integration, fault injection; its global setup starts a private PostgreSQL)
 *     and, beside it, the Playwright suite in Chromium against its own running stack;
 *  5. prints one closing line `tests: N passed, N failed, N skipped` and exits non-zero on any failure.
 *
 * Flags: --only=unit | --only=e2e | --skip-typecheck | --skip-lint. Everything it starts, it stops.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { aptInstall, ensurePostgres } from '@3cx-relay/pg-cluster';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(root, '.data', 'test-results');
const args = new Set(process.argv.slice(2));
const only = [...args].find((a) => a.startsWith('--only='))?.slice('--only='.length);
const runUnit = !only || only === 'unit';
const runE2e = !only || only === 'e2e';

const started = Date.now();
/** A step line with the seconds since the run began, so a slow step shows in any CI log. */
const say = (line: string) =>
  process.stdout.write(`\n[test +${Math.round((Date.now() - started) / 1000)} s] ${line}\n`);

function ensureChromium(): void {
  if (existsSync('/usr/bin/chromium')) return;
  if (process.getuid?.() !== 0) {
    throw new Error('Debian Chromium is required for the E2E tests: sudo apt-get install -y chromium');
  }
  say('installing Debian Chromium for Playwright (apt-get install chromium)');
  const ok = aptInstall('chromium');
  if (!ok || !existsSync('/usr/bin/chromium')) throw new Error('apt-get install chromium failed');
}

/**
 * Runs a command and resolves with its exit code. Its output is inherited, or with `hold` kept
 * and written out whole when it exits (so that two steps running at once do not interleave).
 */
function run(
  cmd: string,
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  cwd = root,
  hold = false,
): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, {
      cwd,
      stdio: hold ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: { ...process.env, ...env },
    });
    const held: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => held.push(c));
    child.stderr?.on('data', (c: Buffer) => held.push(c));
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('close', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      if (hold) process.stdout.write(Buffer.concat(held));
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

function readVitest(file: string): Counts | undefined {
  if (!existsSync(file)) return undefined;
  const r = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  return {
    passed: r.numPassedTests ?? 0,
    failed: r.numFailedTests ?? 0,
    skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
  };
}

function readPlaywright(file: string): Counts | undefined {
  if (!existsSync(file)) return undefined;
  const r = JSON.parse(readFileSync(file, 'utf8')) as { stats?: Record<string, number> };
  const s = r.stats ?? {};
  return { passed: (s.expected ?? 0) + (s.flaky ?? 0), failed: s.unexpected ?? 0, skipped: s.skipped ?? 0 };
}

async function main(): Promise<number> {
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  ensurePostgres((l) => say(l));
  if (runE2e) ensureChromium();

  const total: Counts = { passed: 0, failed: 0, skipped: 0 };
  const add = (c: Counts | undefined, stepFailed: boolean, what: string) => {
    if (c) {
      total.passed += c.passed;
      total.failed += c.failed;
      total.skipped += c.skipped;
    }
    // A step that failed without a counted test failure (crash, setup error) still fails the run.
    if (stepFailed && (!c || c.failed === 0)) {
      say(`${what} failed outside any single test (see output above)`);
      total.failed += 1;
    }
  };

  // Type-check and lint side by side: each is mostly one busy process, and the machine has two cores.
  const typecheck = async () => {
    if (!runUnit || args.has('--skip-typecheck')) return;
    say('type-checking every workspace');
    const workspaces = await run(
      'npx',
      ['turbo', 'run', 'typecheck', '--continue', '--output-logs=errors-only'],
      {
        TURBO_TELEMETRY_DISABLED: '1',
      },
    );
    const rootFiles = await run('npx', ['tsc', '-p', 'tsconfig.json']);
    // Not a test, so not counted as passed; a type error fails the run like a failed test.
    add(undefined, (workspaces || rootFiles) !== 0, 'type-check');
  };
  const lint = async () => {
    if (!runUnit || args.has('--skip-lint')) return;
    say('lint (ESLint, type-aware) and formatting (Prettier)');
    const eslint = await run('npx', ['eslint', '.']);
    const prettier = await run('npx', ['prettier', '--check', '.', '--log-level', 'warn']);
    add(undefined, (eslint || prettier) !== 0, 'lint');
  };
  await Promise.all([typecheck(), lint()]);

  // Built first: the E2E suite serves it, and the fault suite's security probe covers its routes.
  let adminBuilt = false;
  if (runE2e || runUnit) {
    say('building the admin panel (next build)');
    adminBuilt =
      (await run('npm', ['run', 'build', '-w', '@3cx-relay/admin'], { NEXT_TELEMETRY_DISABLED: '1' })) === 0;
    if (!adminBuilt) add(undefined, true, 'admin build');
  }

  // Vitest and Playwright run side by side: each spends much of its time waiting (on simulated
  // calls, on the browser), and their stacks share nothing (each starts its own PostgreSQL and
  // picks free ports). Playwright's output is held and printed whole after Vitest's.
  const e2e =
    runE2e && adminBuilt && existsSync(path.join(root, 'e2e', 'playwright.config.ts'))
      ? (() => {
          say(`end-to-end tests (Playwright in Debian Chromium)${runUnit ? ', beside Vitest' : ''}`);
          const out = path.join(resultsDir, 'playwright.json');
          const env = { PLAYWRIGHT_JSON_OUTPUT_NAME: out, E2E_SKIP_BUILD: '1', NEXT_TELEMETRY_DISABLED: '1' };
          const argv = ['playwright', 'test', '-c', 'playwright.config.ts', '--reporter=list,json'];
          return run('npx', argv, env, path.join(root, 'e2e'), runUnit).then((code) => ({ code, out }));
        })()
      : undefined;

  if (runUnit) {
    say('unit and integration tests (Vitest, real PostgreSQL)');
    const out = path.join(resultsDir, 'vitest.json');
    // The admin was just built: the installer's test must be able to reuse it, not skip it.
    const code = await run(
      'npx',
      ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`],
      adminBuilt ? { RELAY_TEST_ADMIN_BUILT: '1' } : {},
    );
    add(readVitest(out), code !== 0, 'vitest');
  }

  if (e2e) {
    if (runUnit) say('end-to-end tests: waiting for Playwright, then its output');
    const { code, out } = await e2e;
    add(readPlaywright(out), code !== 0, 'playwright');
  }

  say('done');
  process.stdout.write(`\ntests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
  return total.failed === 0 && total.passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[test] ${(err as Error).message}\n`);
    process.exit(1);
  },
);
