import type { Metadata } from 'next';
import { formatTime } from '@/components/format';
import { FilterForm, SearchField, SelectField } from '@/components/filter-form';
import { Pagination } from '@/components/pagination';
import { Card, Empty, PageHeader, TableWrap, TBody, Td, Th } from '@/components/ui';
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
        <FilterForm submitLabel="Filter">
          <SelectField
            name="action"
            label="Action"
            defaultValue={f.action}
            options={[
              { value: '', label: 'All' },
              ...['login', 'logout', 'api_key', 'webhook', 'delivery', 'user', 'connection', 'error'].map(
                (a) => ({
                  value: a,
                  label: a,
                }),
              ),
            ]}
          />
          <SearchField defaultValue={f.q} placeholder="actor, IP or target" />
        </FilterForm>
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
            <TBody testId="audit-rows">
              {page.rows.map((r) => (
                <tr key={r.id.toString()}>
                  <Td className="whitespace-nowrap text-xs">{formatTime(r.at)}</Td>
                  <Td className="break-all text-xs">
                    {r.actorApiKey
                      ? `API key ${r.actorApiKey.name} (${r.actorApiKey.prefix})`
                      : (r.actorEmail ?? '—')}
                  </Td>
                  <Td className="font-mono text-xs">{r.action}</Td>
                  <Td className="text-xs">{r.targetType ? `${r.targetType} ${r.targetId ?? ''}` : '—'}</Td>
                  <Td className="text-xs">{r.ip}</Td>
                  <Td className="max-w-xs break-all font-mono text-xs">
                    {r.details ? JSON.stringify(r.details) : ''}
                  </Td>
                </tr>
              ))}
            </TBody>
          </TableWrap>
        )}
        <Pagination of={page} path="/audit" params={{ q: f.q, action: f.action }} />
      </Card>
    </>
  );
}
