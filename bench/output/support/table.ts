/** One line of the benchmark table. */
export interface Row {
  group: string;
  what: string;
  value: string;
  detail: string;
}

/** A plain-text table, columns padded to their widest cell. */
export function formatTable(rows: Row[]): string {
  const head: Row = { group: 'area', what: 'measurement', value: 'figure', detail: 'comparison / notes' };
  const all = [head, ...rows];
  const w = (k: keyof Row) => Math.max(...all.map((r) => r[k].length));
  const widths = { group: w('group'), what: w('what'), value: w('value') };
  const line = (r: Row) =>
    `${r.group.padEnd(widths.group)}  ${r.what.padEnd(widths.what)}  ${r.value.padEnd(widths.value)}  ${r.detail}`;
  return [line(head), '-'.repeat(widths.group + widths.what + widths.value + 40), ...rows.map(line)].join(
    '\n',
  );
}
