import { passed, type ScenarioResult } from './scenario.js';

function pad(s: string, n: number): string {
  return s + ' '.repeat(Math.max(0, n - s.length));
}

/**
 * Formats results as one Markdown table (scenario, figures, pass/fail), readable in a
 * terminal and pasteable into the README. Failed checks are listed under the table.
 */
export function formatTable(results: ScenarioResult[]): string {
  const rows = results.map((r) => [
    r.name,
    r.figures.map(([k, v]) => `${k}: ${v}`).join('; '),
    `${Math.round(r.durationMs / 1000)} s`,
    passed(r) ? 'pass' : 'FAIL',
  ]);
  const head = ['scenario', 'figures', 'time', 'result'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => pad(c, widths[i]!)).join(' | ')} |`;
  const out = [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
  const failures = results.flatMap((r) =>
    r.checks.filter((c) => !c.ok).map((c) => `- ${r.name} / ${c.name}: ${c.detail}`),
  );
  if (failures.length) out.push('', 'Failed checks:', ...failures);
  return out.join('\n');
}
