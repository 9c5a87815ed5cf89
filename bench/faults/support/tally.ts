/** Counts by key, e.g. HTTP status → how many answers. */
export type Tally = Map<string, number>;

/** Adds one to `key`. */
export function bumpTally(t: Tally, key: string | number): void {
  t.set(String(key), (t.get(String(key)) ?? 0) + 1);
}

/** Sum of the counts whose key passes `pick`. */
export function sumTally(t: Tally | undefined, pick: (key: string) => boolean): number {
  let n = 0;
  for (const [k, v] of t ?? []) if (pick(k)) n += v;
  return n;
}

/** `{401: 3, 400: 2}` → `400×2 401×3`. */
export function formatTally(t: Tally | undefined): string {
  return (
    [...(t ?? new Map<string, number>()).entries()]
      .sort()
      .map(([k, v]) => `${k}×${v}`)
      .join(' ') || '-'
  );
}
