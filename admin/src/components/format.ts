/** A timestamp as `2026-11-24 06:54:38 UTC` (stable across server and browser). */
export function formatTime(d: Date | string | null | undefined): string {
  if (!d) return '—';
  const iso = (typeof d === 'string' ? new Date(d) : d).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** Milliseconds with a unit, or a dash. */
export function formatMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : `${Math.round(ms)} ms`;
}
