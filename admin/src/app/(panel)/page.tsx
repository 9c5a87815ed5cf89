import type { Metadata } from 'next';
import Link from 'next/link';
import { TimeChart } from '@/components/chart';
import { formatTime } from '@/components/format';
import { CallActivity } from '@/components/call-activity';
import { LiveRefresh } from '@/components/live-refresh';
import { SeverityBadge } from '@/components/severity-badge';
import { StatTile } from '@/components/stat-tile';
import { StatusCards } from '@/components/status-cards';
import { Card, Empty, PageHeader } from '@/components/ui';
import { db } from '@/lib/db';
import { COMPONENTS } from '@/lib/data/components';
import { getCallStats, recentCallEvents } from '@/lib/data/call-events';
import { activitySeries, callEventSeries, latencySeries } from '@/lib/data/series';
import { formatDuration, getStats } from '@/lib/data/stats';

export const metadata: Metadata = { title: 'Dashboard' };

const LATENCY_COLORS = ['#0ea5e9', '#a855f7', '#f97316'];

/**
 * Health at a glance: component cards, call and delivery figures, the newest call events,
 * charts and the newest unacknowledged errors. Re-rendered live on worker notifications.
 */
export default async function DashboardPage() {
  const client = await db();
  const [statuses, stats, calls, recent, callSeries, activity, latency, errors] = await Promise.all([
    client.componentStatus.findMany(),
    getStats(client),
    getCallStats(client),
    recentCallEvents(client),
    callEventSeries(client),
    activitySeries(client),
    latencySeries(
      client,
      COMPONENTS.map((c) => c.id),
    ),
    client.errorLog.findMany({ where: { acknowledgedAt: null }, orderBy: { occurredAt: 'desc' }, take: 8 }),
  ]);
  return (
    <>
      <PageHeader title="Dashboard">
        <LiveRefresh kinds={['status', 'error', 'stats', 'calls']} />
      </PageHeader>
      <StatusCards rows={statuses} />
      <div className="mt-4 grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-8">
        <StatTile label="Call events (24 h)" value={calls.callEvents24h} testId="stat-call-events" />
        <StatTile
          label="Active calls"
          value={calls.activeCalls ?? '—'}
          testId="stat-active-calls"
          hint={calls.activeCallsAt ? `as of ${formatTime(calls.activeCallsAt).slice(11)}` : undefined}
        />
        <StatTile label="WS clients" value={stats.wsClients ?? '—'} testId="stat-ws-clients" />
        <StatTile label="API requests (24 h)" value={stats.apiRequests} testId="stat-api-requests" />
        <StatTile label="Deliveries ok (24 h)" value={stats.deliveriesOk} />
        <StatTile label="Deliveries failed (24 h)" value={stats.deliveriesFailed} />
        <StatTile label="Error rate" value={`${stats.errorRatePerHour}/h`} />
        <StatTile
          label="Worker uptime"
          value={stats.uptimeSeconds === null ? 'offline' : formatDuration(stats.uptimeSeconds)}
        />
      </div>
      <div className="mt-4 grid gap-4 lg:grid-cols-2">
        <Card title="Recent call activity">
          <CallActivity events={recent} />
        </Card>
        <Card title="Call events per hour" className="lg:self-start">
          <TimeChart
            title="Call events per hour"
            kind="bar"
            data={callSeries}
            series={[
              { key: 'liveEvents', label: 'live', color: '#0ea5e9' },
              { key: 'cdrEvents', label: 'CDR', color: '#a855f7' },
            ]}
          />
        </Card>
      </div>
      <div className="mt-4 grid gap-4 lg:grid-cols-2">
        <Card title="Deliveries per hour">
          <TimeChart
            title="Deliveries per hour"
            kind="bar"
            data={activity}
            series={[
              { key: 'deliveriesOk', label: 'ok', color: '#10b981' },
              { key: 'deliveriesFailed', label: 'failed', color: '#ef4444' },
            ]}
          />
        </Card>
        <Card title="API requests and errors per hour">
          <TimeChart
            title="API requests and errors per hour"
            data={activity}
            series={[
              { key: 'apiRequests', label: 'API requests', color: '#0ea5e9' },
              { key: 'errors', label: 'errors', color: '#ef4444' },
              { key: 'wsClients', label: 'WS clients', color: '#a855f7' },
            ]}
          />
        </Card>
        <Card title="Latency per hour">
          <TimeChart
            title="Latency per hour"
            unit="ms"
            data={latency}
            series={COMPONENTS.map((c, i) => ({
              key: `latency_${c.id}`,
              label: c.label,
              color: LATENCY_COLORS[i]!,
            }))}
          />
        </Card>
        <Card
          title="Newest open errors"
          actions={
            <Link href="/errors" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
              All errors
            </Link>
          }
        >
          {errors.length === 0 ? (
            <Empty>No open errors.</Empty>
          ) : (
            <ul className="divide-y divide-slate-200 dark:divide-slate-800" data-testid="newest-errors">
              {errors.map((e) => (
                <li key={e.id.toString()} className="flex flex-wrap items-start gap-2 py-2 text-sm">
                  <SeverityBadge severity={e.severity} />
                  <span className="text-xs text-slate-500 dark:text-slate-400">
                    {formatTime(e.occurredAt)}
                  </span>
                  <span className="text-xs text-slate-500">{e.component}</span>
                  <span className="w-full break-words">{e.message}</span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
