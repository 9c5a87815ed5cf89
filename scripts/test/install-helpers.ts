import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { aptInstall } from '@3cx-relay/pg-cluster';

/** The checkout this test runs in. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs install.sh with stdin closed (so it never prompts); returns exit code and output. */
export function runInstaller(args: string[]): { code: number; out: string } {
  const r = spawnSync('bash', [path.join(REPO, 'install.sh'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/**
 * Copies the working tree (without node_modules and build output) so others' edits cannot move it.
 * The admin's production build (admin/.next without its cache) comes along, as in a release tarball
 * with a prebuilt admin; install.sh decides whether it is fresh enough to reuse.
 */
export function snapshotSource(dest: string): void {
  const ex = [
    'node_modules',
    '.git',
    './admin/.next/cache',
    './admin/.next/dev',
    '.data',
    '.turbo',
    'test-results',
    'playwright-report',
  ];
  // Turbopack's links to the server's external packages (admin/.next/node_modules/pino-<hash>)
  // belong to the build: copied back after the general node_modules exclusion.
  execFileSync('bash', [
    '-c',
    `tar -C "$1" ${ex.map((e) => `--exclude=${e}`).join(' ')} -cf - . | tar -C "$2" -xf -
     if [[ -d $1/admin/.next/node_modules ]]; then cp -a "$1/admin/.next/node_modules" "$2/admin/.next/"; fi`,
    '_',
    REPO,
    dest,
  ]);
}

/**
 * Why install.sh --admin-build reuse would not reuse `source`'s admin/.next (empty when it would):
 * the installer's own rule, sourced from deploy/install/release.sh, so the two cannot disagree.
 */
export function prebuiltAdminProblem(source: string): string {
  return releaseSh(source, 'prebuilt_admin_problem').trim();
}

/**
 * Writes `source`'s admin/.next/relay-build-inputs as scripts/build-admin.sh does after a build: the
 * installer's own `admin_inputs_manifest`, so a test tree can pass for a freshly built one.
 */
export function stampAdminBuild(source: string): void {
  releaseSh(source, 'admin_inputs_manifest "$SOURCE" >"$SOURCE/admin/$ADMIN_BUILD_STAMP"');
}

/** Runs `script` (bash, `$1` = `arg`) with this checkout's deploy/install/common.sh and services.sh sourced. */
export function installSh(script: string, arg: string): string {
  return execFileSync(
    'bash',
    [
      '-c',
      `set -uo pipefail; SCRIPT_DIR=$2; . "$2/deploy/install/common.sh"; . "$2/deploy/install/services.sh"; ${script}`,
      '_',
      arg,
      REPO,
    ],
    { encoding: 'utf8' },
  );
}

/** Runs `script` with this checkout's deploy/install/release.sh sourced and SOURCE=`source`. */
function releaseSh(source: string, script: string): string {
  return execFileSync(
    'bash',
    ['-c', `set -euo pipefail; SOURCE=$1; . "$2/deploy/install/release.sh"; ${script}`, '_', source, REPO],
    { encoding: 'utf8' },
  );
}

/**
 * Installs Debian's `pkg` when `command` is missing (pg-cluster's `aptInstall`: the suite needs
 * it and the project installs what it needs, as install.sh does on a server).
 */
function ensureCommand(command: string, pkg: string): void {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status === 0) return;
  if (!aptInstall(pkg)) throw new Error(`apt-get install ${pkg} failed (needed for ${command})`);
}

/** Debian's nginx (the light build). */
export const ensureNginx = (): void => ensureCommand('nginx', 'nginx-light');

/** Debian's acl package (setfacl, getfacl), as install.sh installs it when missing. */
export const ensureAcl = (): void => ensureCommand('setfacl', 'acl');

/** Where Debian's libjemalloc2 puts the library on this machine's architecture. */
export const JEMALLOC = `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/libjemalloc.so.2`;

/** Debian's libjemalloc2, as install.sh installs it when missing (the worker's command preloads it). */
export function ensureJemalloc(): void {
  if (existsSync(JEMALLOC)) return;
  if (!aptInstall('libjemalloc2'))
    throw new Error('apt-get install libjemalloc2 failed (the worker preloads it)');
}

/**
 * The memory block of an installed command (between `# --- memory ---` and `# --- end memory ---`)
 * run by sh with `env`: the allocator variables it exports, as `KEY=value` lines.
 */
export function memoryEnvOf(bin: string, env: Record<string, string> = {}): Record<string, string> {
  const text = readFileSync(bin, 'utf8');
  const block = /^# --- memory ---\n([\s\S]*?)^# --- end memory ---$/m.exec(text)?.[1];
  if (!block) throw new Error(`${bin} has no memory block`);
  // `env` is exported inside the script, not given to sh: an LD_PRELOAD in sh's own environment
  // would be loaded (or complained about) by sh itself.
  const preset = Object.entries(env).map(([k, v]) => `export ${k}='${v}'`);
  const out = execFileSync(
    'sh',
    [
      '-c',
      `set -e\n${preset.join('\n')}\n${block}\nprintf '%s\\n' "LD_PRELOAD=\${LD_PRELOAD:-}" "MALLOC_CONF=\${MALLOC_CONF:-}" "MALLOC_ARENA_MAX=\${MALLOC_ARENA_MAX:-}"`,
    ],
    { env: { PATH: process.env.PATH }, encoding: 'utf8' },
  );
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/**
 * One line per file, link and folder under `root`: path, sha256, mode, owner, mtime (links: target).
 * Inside releases/ only the release names count (their node_modules are npm's business).
 */
export function fingerprintTree(root: string): string[] {
  const lines: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      const rel = path.relative(root, p);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) lines.push(`${rel} -> ${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        lines.push(`${rel}/ ${st.mode.toString(8)} ${st.uid}:${st.gid}`);
        if (path.basename(dir) !== 'releases') walk(p);
      } else {
        const sum = createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 16);
        lines.push(`${rel} ${sum} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.mtimeMs}`);
      }
    }
  };
  if (existsSync(root)) walk(root);
  return lines;
}

/** Reads KEY=value lines (single quotes removed). */
export function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m?.[1]) out[m[1]] = (m[2] ?? '').replace(/^'(.*)'$/, '$1');
  }
  return out;
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const insecure = new Agent({ connect: { rejectUnauthorized: false } });

/** GET over https to loopback, accepting the self-signed test certificate. */
export async function httpsGet(url: string): Promise<HttpsAnswer> {
  return httpsRequest(url);
}

/** Any request over https to loopback, accepting the self-signed test certificate. */
export async function httpsRequest(
  url: string,
  opts: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpsAnswer> {
  const res = await request(url, {
    dispatcher: insecure,
    headersTimeout: 5000,
    bodyTimeout: 5000,
    method: opts.method ?? 'GET',
    headers: opts.headers,
    body: opts.body,
  });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

/** Polls `check` until it is true, up to `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Polls `url` until it answers `status`, up to `ms`. */
export async function waitFor(url: string, status: number, ms = 30_000): Promise<HttpsAnswer> {
  const until = Date.now() + ms;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const r = await httpsGet(url);
      if (r.status === status) return r;
      last = `HTTP ${r.status}: ${r.body.slice(0, 200)}`;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer ${status} within ${ms} ms (last: ${String(last)})`);
}

/** Starts a long-running process and collects its output for failure messages. */
export function startProcess(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  as?: { uid: number; gid: number },
): ChildProcess & { output: () => string } {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...as });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  child.on('error', (err) => (output += `\n${cmd} failed to start: ${err.message}`));
  return Object.assign(child, { output: () => output });
}

/** Stops a process started by {@link startProcess} and waits for it. */
export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}
