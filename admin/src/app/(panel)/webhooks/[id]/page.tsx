import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ActionButton } from '@/components/action-button';
import { formatMs, formatTime } from '@/components/format';
import { Pagination } from '@/components/pagination';
import { Badge, Card, Empty, PageHeader, TableWrap, TBody, Td, Th } from '@/components/ui';
import { currentUser } from '@/lib/auth/current-user';
import { db } from '@/lib/db';
import { webhookHealth } from '@/lib/data/webhook-health';
import { DeliveryFilter, HEADER_NAMES, listDeliveries, madeBy } from '@/lib/data/webhooks';
import { eventsPackage } from '@/lib/workspace';
import { PublicKey } from '../public-key';
import { SCHEME_LABEL } from '../signing-labels';
import { WebhookForm } from '../webhook-form';
import { HealthCard } from './health-card';
import { WebhookActions } from './webhook-actions';

export const metadata: Metadata = { title: 'Webhook' };

const STATUS_TONE = { pending: 'yellow', succeeded: 'green', failed: 'red', cancelled: 'gray' } as const;

/**
 * One subscription: settings (editable by admins), actions, signing keys (scheme, dates, the
 * ed25519 `whpk_` public keys for everyone; never a `whsec_`/`whsk_`), delivery log.
 */
export default async function WebhookPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string>>;
}) {
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  const client = await db();
  const sub = await client.webhookSubscription.findUnique({
    where: { id },
    include: {
      secrets: {
        select: { id: true, scheme: true, publicKey: true, createdAt: true, expiresAt: true },
        orderBy: { createdAt: 'desc' },
      },
      headers: HEADER_NAMES,
      createdBy: { select: { email: true } },
      createdByApiKey: { select: { name: true, prefix: true } },
    },
  });
  if (!sub) notFound();
  const f = DeliveryFilter.parse(await searchParams);
  const [deliveries, user, { EVENT_TYPES }, health] = await Promise.all([
    listDeliveries(client, id, f),
    currentUser(),
    eventsPackage(),
    webhookHealth(client, id),
  ]);
  const headerNames = sub.headers.map((h) => h.name);
  const isAdmin = user?.role === 'admin';
  return (
    <>
      <PageHeader title={sub.name}>
        {sub.enabled && sub.failingSince && (
          <Badge tone="yellow">failing since {formatTime(sub.failingSince)}</Badge>
        )}
        {sub.enabled ? (
          <Badge tone="green">enabled</Badge>
        ) : (
          <Badge tone="gray">disabled{sub.disabledReason ? `: ${sub.disabledReason}` : ''}</Badge>
        )}
      </PageHeader>
      <div className="grid gap-4 lg:grid-cols-3">
        <Card title={isAdmin ? 'Settings' : 'Subscription'} className="lg:col-span-2">
          {isAdmin ? (
            <WebhookForm eventTypes={[...EVENT_TYPES]} initial={{ ...sub, headerNames }} />
          ) : (
            <dl className="grid gap-2 text-sm sm:grid-cols-2">
              <div>
                <dt className="text-slate-500">URL</dt>
                <dd className="break-all font-mono text-xs">{sub.url}</dd>
              </div>
              <div>
                <dt className="text-slate-500">Description</dt>
                <dd>{sub.description || '—'}</dd>
              </div>
              <div>
                <dt className="text-slate-500">Event types</dt>
                <dd>{sub.eventTypes.join(', ') || 'all'}</dd>
              </div>
              <div>
                <dt className="text-slate-500">Extensions / DIDs / queues / departments</dt>
                <dd>
                  {[sub.extensions, sub.dids, sub.queues, sub.departments]
                    .map((l) => l.join(', ') || 'any')
                    .join(' / ')}
                </dd>
              </div>
              <div>
                <dt className="text-slate-500">Ordering</dt>
                <dd>{sub.ordering === 'per-call' ? 'per call (in order)' : 'none'}</dd>
              </div>
              <div>
                <dt className="text-slate-500">Timeout / concurrency / rate</dt>
                <dd>
                  {sub.timeoutMs ? `${sub.timeoutMs} ms` : 'default'} / {sub.maxConcurrency} /{' '}
                  {sub.rateLimitPerSecond ? `${sub.rateLimitPerSecond}/s` : 'no limit'}
                </dd>
              </div>
              <div>
                <dt className="text-slate-500">Allowed private networks</dt>
                <dd>{sub.allowedCidrs?.join(', ') || 'none (public addresses only)'}</dd>
              </div>
              <div>
                <dt className="text-slate-500">Extra headers</dt>
                <dd>{headerNames.join(', ') || 'none'}</dd>
              </div>
            </dl>
          )}
        </Card>
        <Card title="Health and secrets">
          <dl className="grid grid-cols-2 gap-y-1 text-sm">
            <dt className="text-slate-500">Made by</dt>
            <dd data-testid="made-by">{madeBy(sub)}</dd>
            <dt className="text-slate-500">Last success</dt>
            <dd>{formatTime(sub.lastSuccessAt)}</dd>
            <dt className="text-slate-500">Last failure</dt>
            <dd>{formatTime(sub.lastFailureAt)}</dd>
            <dt className="text-slate-500">Failures in a row</dt>
            <dd>{sub.consecutiveFailures}</dd>
          </dl>
          <h3 className="mt-3 text-sm font-medium">Signing keys</h3>
          <ul className="space-y-2 text-xs" data-testid="signing-keys">
            {sub.secrets.map((s) => (
              <li key={s.id}>
                <span className="font-medium">{SCHEME_LABEL[s.scheme] ?? s.scheme}</span> created{' '}
                {formatTime(s.createdAt)}
                {s.expiresAt ? `, expires ${formatTime(s.expiresAt)}` : ', current'}
                {s.publicKey && <PublicKey value={s.publicKey} />}
              </li>
            ))}
          </ul>
          {isAdmin && (
            <div className="mt-4">
              <WebhookActions id={sub.id} enabled={sub.enabled} />
            </div>
          )}
        </Card>
      </div>
      <HealthCard health={health} />
      <Card title="Delivery log" className="mt-4">
        {deliveries.rows.length === 0 ? (
          <Empty>No deliveries yet.</Empty>
        ) : (
          <TableWrap>
            <thead>
              <tr>
                <Th>Event</Th>
                <Th>Status</Th>
                <Th>Attempts</Th>
                <Th>Last error</Th>
                <Th />
              </tr>
            </thead>
            <TBody testId="delivery-rows">
              {deliveries.rows.map((d) => (
                <tr key={d.id.toString()}>
                  <Td className="text-xs">
                    <div className="font-medium">{d.event.type}</div>
                    <div className="font-mono text-slate-500">{d.event.id}</div>
                    <div className="text-slate-500">{formatTime(d.event.occurredAt)}</div>
                  </Td>
                  <Td>
                    <Badge tone={STATUS_TONE[d.status]}>{d.status}</Badge>
                  </Td>
                  <Td className="text-xs">
                    <ol className="space-y-1">
                      {d.attempts.map((a) => (
                        <li key={a.id.toString()}>
                          #{a.attemptNo} {formatTime(a.startedAt)} · {a.statusCode ?? a.error ?? '—'} ·{' '}
                          {formatMs(a.durationMs)} · {a.trigger}
                          {a.responseExcerpt && (
                            <pre className="mt-1 max-h-24 max-w-md overflow-auto whitespace-pre-wrap break-all rounded bg-slate-100 p-1 dark:bg-slate-950">
                              {a.responseExcerpt.slice(0, 500)}
                            </pre>
                          )}
                        </li>
                      ))}
                    </ol>
                  </Td>
                  <Td className="max-w-xs break-words text-xs">{d.lastError ?? '—'}</Td>
                  <Td>
                    {isAdmin && d.status !== 'pending' && (
                      <ActionButton
                        path={`/api/deliveries/${d.id}/retry`}
                        label="Retry"
                        done="Retry requested"
                      />
                    )}
                  </Td>
                </tr>
              ))}
            </TBody>
          </TableWrap>
        )}
        <Pagination of={deliveries} path={`/webhooks/${id}`} params={{ status: f.status }} />
      </Card>
    </>
  );
}
