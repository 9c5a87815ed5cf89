import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The allocator variables a service's command may export. */
const MEMORY_VARS = ['LD_PRELOAD', 'MALLOC_CONF', 'MALLOC_ARENA_MAX'] as const;

/**
 * The variables a template's memory block (`# --- memory ---` … `# --- end memory ---`) exports
 * on this machine, found by running it with sh: it picks jemalloc only where the library is
 * installed, as the installed command does. A template without the block: its plain
 * `export MALLOC_ARENA_MAX=` lines.
 */
function memoryEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  const block = /^# --- memory ---\n([\s\S]*?)^# --- end memory ---$/m.exec(text)?.[1];
  if (!block) {
    for (const m of text.matchAll(/^export (MALLOC_ARENA_MAX)=(\S+)$/gm)) env[m[1]!] = m[2]!;
    return env;
  }
  const out = execFileSync(
    'sh',
    ['-c', `set -e\n${block}\n${MEMORY_VARS.map((v) => `printf '%s\\n' "${v}=\${${v}:-}"`).join('\n')}`],
    // RELAY_MALLOC=glibc measures the fallback, as it sets it in worker.env
    {
      env: {
        PATH: process.env.PATH,
        ...(process.env.RELAY_MALLOC ? { RELAY_MALLOC: process.env.RELAY_MALLOC } : {}),
      },
      encoding: 'utf8',
    },
  );
  for (const line of out.trim().split('\n')) {
    const at = line.indexOf('=');
    if (line.slice(at + 1)) env[line.slice(0, at)] = line.slice(at + 1);
  }
  return env;
}

/**
 * How install.sh's command starts a service: the node flags of its `exec` line and the variables
 * it exports (the allocator's, NODE_OPTIONS), read from the template itself so the benchmarks
 * cannot drift.
 */
export function deployedLaunch(template: string): { flags: string[]; env: Record<string, string> } {
  const text = readFileSync(path.join(ROOT, 'deploy/templates', template), 'utf8');
  const exec = /^exec "@@NODE@@" (.*)$/m.exec(text)?.[1] ?? '';
  const flags = exec.split(' ').filter((t) => t.startsWith('--'));
  const env = memoryEnv(text);
  const options = /^export NODE_OPTIONS="([^"$]*)/m.exec(text)?.[1];
  if (options) env.NODE_OPTIONS = options;
  return { flags, env };
}

/**
 * The deployed worker's V8 flags (its young generation's size) and allocator (jemalloc where it
 * is installed): what the latency and throughput benchmarks run the relay with, in the worker's
 * process and in the benchmark's own (which holds the relay's dispatcher). `--conditions` is
 * left out: it resolves the compiled dist/, and the benchmarks run the sources under tsx.
 */
export function deployedWorkerLaunch(): { v8Flags: string[]; env: Record<string, string> } {
  const w = deployedLaunch('bin-3cx-relay-worker');
  return { v8Flags: w.flags.filter((f) => !f.startsWith('--conditions')), env: w.env };
}
