import type { Metadata } from 'next';
import { ActionButton } from '@/components/action-button';
import { TimeChart } from '@/components/chart';
import { formatMs, formatTime } from '@/components/format';
import { LiveRefresh } from '@/components/live-refresh';
import { Badge, Card, PageHeader } from '@/components/ui';
import { currentUser } from '@/lib/auth/current-user';
import { db } from '@/lib/db';
import { COMPONENTS, stateTone } from '@/lib/data/components';
import { latencySeries } from '@/lib/data/series';

export const metadata: Metadata = { title: 'Connections' };

/** Each upstream component: state, latency history, last error, reconnect (admins). */
export default async function ConnectionsPage() {
  const client = await db();
  const user = await currentUser();
  const ids = COMPONENTS.map((c) => c.id);
  const [statuses, latency, lastErrors] = await Promise.all([
    client.componentStatus.findMany(),
    latencySeries(client, ids),
    Promise.all(
      ids.map((id) =>
        client.connectionStatus.findFirst({
          where: { component: id, error: { not: null } },
          orderBy: { recordedAt: 'desc' },
        }),
      ),
    ),
  ]);
  return (
    <>
      <PageHeader title="Connections">
        <LiveRefresh kinds={['status']} />
      </PageHeader>
      <div className="grid gap-4 lg:grid-cols-3">
        {COMPONENTS.map((c, i) => {
          const s = statuses.find((r) => r.component === c.id);
          const lastErr = lastErrors[i];
          return (
            <Card key={c.id} title={c.label}>
              <dl className="grid grid-cols-2 gap-y-1 text-sm" data-testid={`connection-${c.id}`}>
                <dt className="text-slate-500 dark:text-slate-400">State</dt>
                <dd>
                  <Badge tone={stateTone(s?.status)}>{s?.status ?? 'unknown'}</Badge>
                </dd>
                <dt className="text-slate-500 dark:text-slate-400">Latency</dt>
                <dd className="tabular-nums">{formatMs(s?.latencyMs)}</dd>
                <dt className="text-slate-500 dark:text-slate-400">Since</dt>
                <dd>{formatTime(s?.since)}</dd>
                <dt className="text-slate-500 dark:text-slate-400">Last error</dt>
                <dd className="break-words">{s?.lastError ?? lastErr?.error ?? '—'}</dd>
                {lastErr && (
                  <>
                    <dt className="text-slate-500 dark:text-slate-400">Error at</dt>
                    <dd>{formatTime(lastErr.recordedAt)}</dd>
                  </>
                )}
              </dl>
              {user?.role === 'admin' && (
                <div className="mt-3">
                  <ActionButton
                    path={`/api/connections/${c.id}/reconnect`}
                    label="Reconnect"
                    done="Reconnect requested"
                    testId={`reconnect-${c.id}`}
                  />
                </div>
              )}
            </Card>
          );
        })}
      </div>
      <Card title="Latency history (hourly average)" className="mt-4">
        <TimeChart
          title="Latency history"
          unit="ms"
          data={latency}
          series={COMPONENTS.map((c, i) => ({
            key: `latency_${c.id}`,
            label: c.label,
            color: ['#0ea5e9', '#a855f7', '#f97316'][i]!,
          }))}
        />
      </Card>
    </>
  );
}
