import { TimeChart } from '@/components/chart';
import { StatTile } from '@/components/stat-tile';
import { Card, Empty } from '@/components/ui';
import type { HealthWindow, WebhookHealth } from '@/lib/data/webhook-health';

const pct = (r: number | null) => (r === null ? '—' : `${+(r * 100).toFixed(1)} %`);
const ms = (v: number | null) => (v === null ? '—' : v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`);

function WindowFigures({ label, w }: { label: string; w: HealthWindow }) {
  return (
    <div data-testid={`health-${label}`}>
      <h3 className="mb-2 text-sm font-medium">Last {label}</h3>
      <div className="grid grid-cols-2 gap-2 sm:grid-cols-4">
        <StatTile
          label="Success rate"
          value={pct(w.successRate)}
          hint={`${w.succeeded} of ${w.attempts} attempts`}
        />
        <StatTile label="p50 latency" value={ms(w.p50Ms)} />
        <StatTile label="p95 latency" value={ms(w.p95Ms)} />
        <StatTile label="Attempts" value={w.attempts} />
      </div>
      {w.outcomes.length > 0 && (
        <p className="mt-2 text-xs text-slate-500 dark:text-slate-400" data-testid={`outcomes-${label}`}>
          Answers: {w.outcomes.map((o) => `${o.outcome} × ${o.attempts}`).join(', ')}
        </p>
      )}
    </div>
  );
}

/** Delivery health of one subscription: figures for 24 h and 7 days, hourly and daily charts. */
export function HealthCard({ health }: { health: WebhookHealth }) {
  if (health.windows['7d'].attempts === 0)
    return (
      <Card title="Delivery health" className="mt-4">
        <Empty>No delivery attempts in the last 7 days.</Empty>
      </Card>
    );
  return (
    <Card title="Delivery health" className="mt-4">
      <div className="grid gap-4 lg:grid-cols-2">
        <WindowFigures label="24 h" w={health.windows['24h']} />
        <WindowFigures label="7 days" w={health.windows['7d']} />
        <TimeChart
          title="Attempts per hour (24 h)"
          kind="bar"
          data={health.hourly}
          series={[
            { key: 'succeeded', label: 'succeeded', color: '#10b981' },
            { key: 'failed', label: 'failed', color: '#ef4444' },
          ]}
        />
        <TimeChart
          title="Latency per hour (24 h)"
          unit="ms"
          data={health.hourly}
          series={[
            { key: 'p50Ms', label: 'p50', color: '#0ea5e9' },
            { key: 'p95Ms', label: 'p95', color: '#a855f7' },
          ]}
        />
        <TimeChart
          title="Attempts per day (7 days)"
          kind="bar"
          data={health.daily}
          series={[
            { key: 'succeeded', label: 'succeeded', color: '#10b981' },
            { key: 'failed', label: 'failed', color: '#ef4444' },
          ]}
        />
        <TimeChart
          title="Latency per day (7 days)"
          unit="ms"
          data={health.daily}
          series={[
            { key: 'p50Ms', label: 'p50', color: '#0ea5e9' },
            { key: 'p95Ms', label: 'p95', color: '#a855f7' },
          ]}
        />
      </div>
    </Card>
  );
}
