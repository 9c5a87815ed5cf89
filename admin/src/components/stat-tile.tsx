/** A labelled figure on the dashboard. */
export function StatTile({
  label,
  value,
  testId,
  hint,
}: {
  label: string;
  value: string | number;
  testId?: string;
  /** Small muted line under the figure, e.g. when it was measured. */
  hint?: string;
}) {
  return (
    <div
      className="rounded-xl border border-slate-200 bg-white p-3 shadow-sm dark:border-slate-800 dark:bg-slate-900"
      data-testid={testId}
    >
      <p className="text-xs text-slate-500 dark:text-slate-400">{label}</p>
      <p className="mt-1 text-xl font-semibold tabular-nums">{value}</p>
      {hint && <p className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">{hint}</p>}
    </div>
  );
}
