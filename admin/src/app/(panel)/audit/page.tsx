import type { Metadata } from 'next';
import { formatTime } from '@/components/format';
import { Pagination } from '@/components/pagination';
import { Button, Card, Empty, inputClass, PageHeader, TableWrap, Td, Th } from '@/components/ui';
import { db } from '@/lib/db';
import { AuditFilter, listAudit } from '@/lib/data/audit';

export const metadata: Metadata = { title: 'Audit log' };

/** Every sensitive operation with actor, IP and time. */
export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  const f = AuditFilter.parse(await searchParams);
  const page = await listAudit(await db(), f);
  return (
    <>
      <PageHeader title="Audit log" />
      <Card>
        <form method="get" role="search" className="mb-3 flex flex-wrap items-end gap-2">
          <div>
            <label htmlFor="action" className="mb-1 block text-xs font-medium">
              Action
            </label>
            <select id="action" name="action" defaultValue={f.action ?? ''} className={inputClass}>
              <option value="">All</option>
              {['login', 'logout', 'api_key', 'webhook', 'delivery', 'user', 'connection', 'error'].map(
                (a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ),
              )}
            </select>
          </div>
          <div className="min-w-48 flex-1">
            <label htmlFor="q" className="mb-1 block text-xs font-medium">
              Search
            </label>
            <input
              id="q"
              name="q"
              type="search"
              defaultValue={f.q ?? ''}
              placeholder="actor, IP or target"
              className={inputClass}
            />
          </div>
          <Button type="submit">Filter</Button>
        </form>
        {page.rows.length === 0 ? (
          <Empty>No entries.</Empty>
        ) : (
          <TableWrap>
            <thead>
              <tr>
                <Th>Time</Th>
                <Th>Actor</Th>
                <Th>Action</Th>
                <Th>Target</Th>
                <Th>IP</Th>
                <Th>Details</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200 dark:divide-slate-800" data-testid="audit-rows">
              {page.rows.map((r) => (
                <tr key={r.id.toString()}>
                  <Td className="whitespace-nowrap text-xs">{formatTime(r.at)}</Td>
                  <Td className="break-all text-xs">{r.actorEmail ?? '—'}</Td>
                  <Td className="font-mono text-xs">{r.action}</Td>
                  <Td className="text-xs">{r.targetType ? `${r.targetType} ${r.targetId ?? ''}` : '—'}</Td>
                  <Td className="text-xs">{r.ip}</Td>
                  <Td className="max-w-xs break-all font-mono text-xs">
                    {r.details ? JSON.stringify(r.details) : ''}
                  </Td>
                </tr>
              ))}
            </tbody>
          </TableWrap>
        )}
        <Pagination
          page={page.page}
          pageCount={page.pageCount}
          total={page.total}
          path="/audit"
          params={{ q: f.q, action: f.action }}
        />
      </Card>
    </>
  );
}
