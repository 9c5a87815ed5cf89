import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * How install.sh's command starts a service: the node flags of its `exec` line and the variables
 * it exports (MALLOC_ARENA_MAX), read from the template itself so the benchmarks cannot drift.
 */
export function deployedLaunch(template: string): { flags: string[]; env: Record<string, string> } {
  const text = readFileSync(path.join(ROOT, 'deploy/templates', template), 'utf8');
  const exec = /^exec "@@NODE@@" (.*)$/m.exec(text)?.[1] ?? '';
  const flags = exec.split(' ').filter((t) => t.startsWith('--'));
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/^export (MALLOC_ARENA_MAX)=(\S+)$/gm)) env[m[1]!] = m[2]!;
  const options = /^export NODE_OPTIONS="([^"$]*)/m.exec(text)?.[1];
  if (options) env.NODE_OPTIONS = options;
  return { flags, env };
}

/**
 * The deployed worker's V8 flags (its young generation's size): what the latency and throughput
 * benchmarks run the relay with, in the worker's process and in the benchmark's own (which
 * holds the relay's dispatcher). `--conditions` is left out: it resolves the compiled dist/,
 * and the benchmarks run the sources under tsx.
 */
export function deployedWorkerV8Flags(): string[] {
  return deployedLaunch('bin-3cx-relay-worker').flags.filter((f) => !f.startsWith('--conditions'));
}
