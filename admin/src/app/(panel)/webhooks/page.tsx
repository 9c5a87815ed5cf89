import type { Metadata } from 'next';
import Link from 'next/link';
import { formatTime } from '@/components/format';
import { FilterForm, SearchField } from '@/components/filter-form';
import { Pagination } from '@/components/pagination';
import { Badge, Card, Empty, PageHeader, TableWrap, TBody, Td, Th } from '@/components/ui';
import { currentUser } from '@/lib/auth/current-user';
import { db } from '@/lib/db';
import { listWebhooks, madeBy, WebhookFilter } from '@/lib/data/webhooks';

export const metadata: Metadata = { title: 'Webhooks' };

/** Webhook subscriptions with their health. */
export default async function WebhooksPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string>>;
}) {
  const f = WebhookFilter.parse(await searchParams);
  const [page, user] = await Promise.all([listWebhooks(await db(), f), currentUser()]);
  return (
    <>
      <PageHeader title="Webhooks">
        {user?.role === 'admin' && (
          <Link
            href="/webhooks/new"
            className="rounded-md bg-sky-600 px-3 py-2 text-sm font-medium text-white hover:bg-sky-700"
          >
            New subscription
          </Link>
        )}
      </PageHeader>
      <Card>
        <FilterForm submitLabel="Search">
          <SearchField defaultValue={f.q} placeholder="name or URL" />
        </FilterForm>
        {page.rows.length === 0 ? (
          <Empty>No subscriptions yet.</Empty>
        ) : (
          <TableWrap>
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>URL</Th>
                <Th>Events</Th>
                <Th>Status</Th>
                <Th>Last success</Th>
                <Th>Failures</Th>
                <Th>Made by</Th>
              </tr>
            </thead>
            <TBody>
              {page.rows.map((s) => (
                <tr key={s.id} data-testid={`webhook-${s.id}`}>
                  <Td>
                    <Link
                      href={`/webhooks/${s.id}`}
                      className="text-sky-700 hover:underline dark:text-sky-400"
                    >
                      {s.name}
                    </Link>
                  </Td>
                  <Td className="max-w-xs break-all font-mono text-xs">{s.url}</Td>
                  <Td className="text-xs">{s.eventTypes.length ? s.eventTypes.join(', ') : 'all'}</Td>
                  <Td>
                    {s.enabled ? <Badge tone="green">enabled</Badge> : <Badge tone="gray">disabled</Badge>}
                  </Td>
                  <Td className="text-xs">{formatTime(s.lastSuccessAt)}</Td>
                  <Td className="tabular-nums">{s.consecutiveFailures}</Td>
                  <Td className="text-xs">
                    <span data-testid="made-by">{madeBy(s)}</span>
                  </Td>
                </tr>
              ))}
            </TBody>
          </TableWrap>
        )}
        <Pagination of={page} path="/webhooks" params={{ q: f.q }} />
      </Card>
    </>
  );
}
