import { COMPONENTS, stateTone } from '@/lib/data/components';
import { formatMs } from './format';
import { Badge } from './ui';

/** Current state of a component (a `component_status` row). */
export interface StatusRow {
  component: string;
  status: string;
  latencyMs: number | null;
  lastError: string | null;
  since: Date;
}

const border = {
  green: 'border-l-emerald-500',
  yellow: 'border-l-amber-500',
  red: 'border-l-red-600',
  gray: 'border-l-slate-400',
  blue: 'border-l-sky-500',
};

/** One card per upstream component: colour by state, latency, last error. */
export function StatusCards({ rows }: { rows: StatusRow[] }) {
  return (
    <div className="grid gap-3 sm:grid-cols-3">
      {COMPONENTS.map((c) => {
        const row = rows.find((r) => r.component === c.id);
        const tone = stateTone(row?.status);
        return (
          <section
            key={c.id}
            data-testid={`status-card-${c.id}`}
            data-state={row?.status ?? 'unknown'}
            className={`rounded-xl border border-l-4 border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900 ${border[tone]}`}
          >
            <div className="flex items-center justify-between gap-2">
              <h2 className="font-medium">{c.label}</h2>
              <Badge tone={tone}>{row?.status ?? 'unknown'}</Badge>
            </div>
            <p className="mt-2 text-2xl font-semibold tabular-nums">{formatMs(row?.latencyMs)}</p>
            <p
              className="mt-1 truncate text-xs text-slate-500 dark:text-slate-400"
              title={row?.lastError ?? undefined}
            >
              {row?.lastError ?? (row ? 'No error' : 'Not reported by the worker yet')}
            </p>
          </section>
        );
      })}
    </div>
  );
}
