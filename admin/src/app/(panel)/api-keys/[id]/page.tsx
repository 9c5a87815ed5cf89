import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { TimeChart } from '@/components/chart';
import { formatTime } from '@/components/format';
import { Badge, Card, Empty, PageHeader, TableWrap, TBody, Td, Th } from '@/components/ui';
import { db } from '@/lib/db';
import { keyRouteUsage, keyUsageSeries } from '@/lib/data/series';

export const metadata: Metadata = { title: 'API key usage' };

/** One key: details, hourly usage chart, requests per route. */
export default async function ApiKeyUsagePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  const client = await db();
  const key = await client.apiKey.findUnique({ where: { id } });
  if (!key) notFound();
  const [series, byRoute] = await Promise.all([keyUsageSeries(client, id), keyRouteUsage(client, id)]);
  return (
    <>
      <PageHeader title={`API key: ${key.name}`}>
        {key.revokedAt ? (
          <Badge tone="red">revoked {formatTime(key.revokedAt)}</Badge>
        ) : (
          <Badge tone="green">active</Badge>
        )}
      </PageHeader>
      <Card className="mb-4">
        <dl className="grid grid-cols-1 gap-2 text-sm sm:grid-cols-4">
          <div>
            <dt className="text-slate-500">Prefix</dt>
            <dd className="font-mono">{key.prefix}</dd>
          </div>
          <div>
            <dt className="text-slate-500">Scopes</dt>
            <dd>{key.scopes.join(', ')}</dd>
          </div>
          <div>
            <dt className="text-slate-500">Created</dt>
            <dd>{formatTime(key.createdAt)}</dd>
          </div>
          <div>
            <dt className="text-slate-500">Last used</dt>
            <dd>{formatTime(key.lastUsedAt)}</dd>
          </div>
        </dl>
      </Card>
      <Card title="Requests per hour (24 h)" className="mb-4">
        <TimeChart
          title="Requests per hour"
          kind="bar"
          data={series}
          series={[
            { key: 'ok', label: 'ok', color: '#10b981' },
            { key: 'errors', label: 'errors', color: '#ef4444' },
          ]}
        />
      </Card>
      <Card title="Requests per route (7 days)">
        {byRoute.length === 0 ? (
          <Empty>No requests yet.</Empty>
        ) : (
          <TableWrap>
            <thead>
              <tr>
                <Th>Route</Th>
                <Th>Status</Th>
                <Th>Requests</Th>
              </tr>
            </thead>
            <TBody>
              {byRoute.map((r) => (
                <tr key={`${r.route}-${r.statusClass}`}>
                  <Td className="font-mono text-xs">{r.route}</Td>
                  <Td>{r.statusClass}</Td>
                  <Td className="tabular-nums">{r.count}</Td>
                </tr>
              ))}
            </TBody>
          </TableWrap>
        )}
      </Card>
    </>
  );
}
