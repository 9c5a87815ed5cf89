/**
 * `npm run bench:ordering -- <bench output>...`: the 4,000/s ordered-vs-unordered comparison
 * over several whole `npm run bench` runs, from their printed tables (saved output, one file
 * per run).
 *
 * One run's comparison pools 8 runs per mode, and its p99 moves by 5-15 ms from one 5 s run to
 * the next for the same mode: a difference of 1-2 ms either way is within its noise (permutation
 * test in the table). Across runs and days the question is whether ordered is worse more often
 * than chance allows. The table lists every 5 s run's p99 per mode in run order; in ABBA order
 * the k-th ordered run and the k-th unordered run are neighbours (same outbox size, same
 * neighbour load), so they are compared as pairs: how many pairs ordered lost, the mean and
 * median of the differences, and a paired sign-flip permutation test of the mean difference (if
 * the modes were alike, each pair's difference would be as likely negated: the share of 20,000
 * random negations whose mean is at least the observed one, seeded).
 */
import { readFileSync } from 'node:fs';
import { signFlipTest } from './support/stats.js';

interface Comparison {
  file: string;
  pooled: string;
  ordered: number[];
  unordered: number[];
}

/** A printed duration (`8.05 ms`, `1.20 s`) in ms. */
function durationMs(text: string): number {
  const m = /^([\d.,]+) (ms|s)$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: "${text}"`);
  const n = Number(m[1]!.replaceAll(',', ''));
  return m[2] === 's' ? n * 1000 : n;
}

/** The 4,000/s comparison row of one run's printed table. */
function parseComparison(file: string, text: string): Comparison {
  const row = text
    .split('\n')
    .find((l) => l.includes('per-call ordered vs unordered, p99 of all deliveries'));
  if (!row)
    throw new Error(
      `${file}: no 4,000/s ordered-vs-unordered row (not the saved output of a finished webhooks benchmark)`,
    );
  const pooled = /(p99 [\d.]+ m?s vs [\d.]+ m?s)/.exec(row)?.[1];
  const runs = /runs p99 (.+?) vs (.+?); collector/.exec(row);
  if (!pooled || !runs) throw new Error(`${file}: the 4,000/s row has no per-run p99 lists`);
  const ordered = runs[1]!.split(', ').map(durationMs);
  const unordered = runs[2]!.split(', ').map(durationMs);
  if (ordered.length !== unordered.length)
    throw new Error(`${file}: ${ordered.length} ordered runs but ${unordered.length} unordered`);
  return { file, pooled, ordered, unordered };
}

const median = (l: number[]) => {
  const s = [...l].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mean = (l: number[]) => l.reduce((s, v) => s + v, 0) / l.length;
const ms = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(2)} ms`;

function summary(label: string, ordered: number[], unordered: number[]): string {
  const diffs = ordered.map((o, i) => o - unordered[i]!);
  const lost = diffs.filter((d) => d > 0).length;
  return `${label}: ${diffs.length} pairs, ordered slower in ${lost}; run p99 mean ${mean(ordered).toFixed(2)} vs ${mean(unordered).toFixed(2)} ms, difference mean ${ms(mean(diffs))}, median ${ms(median(diffs))}; sign-flip p = ${signFlipTest(diffs).toFixed(3)}`;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: npm run bench:ordering -- <saved npm run bench output>...\n');
  process.exit(2);
}
const all = { ordered: [] as number[], unordered: [] as number[] };
for (const file of files) {
  let c: Comparison;
  try {
    c = parseComparison(file, readFileSync(file, 'utf8'));
  } catch (err) {
    process.stderr.write(`bench:ordering: ${(err as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${summary(`${file} (pooled ${c.pooled})`, c.ordered, c.unordered)}\n`);
  all.ordered.push(...c.ordered);
  all.unordered.push(...c.unordered);
}
if (files.length > 1) process.stdout.write(`${summary('all', all.ordered, all.unordered)}\n`);
process.stdout.write(
  'p: one-sided, ordered slower; below 0.05 says ordered is really slower in the tail, above it that the pairs differ no more than chance.\n',
);
