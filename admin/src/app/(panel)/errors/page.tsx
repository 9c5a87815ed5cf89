import type { Metadata } from 'next';
import { LiveRefresh } from '@/components/live-refresh';
import { FilterForm, SearchField, SelectField } from '@/components/filter-form';
import { Pagination } from '@/components/pagination';
import { Card, PageHeader } from '@/components/ui';
import { currentUser } from '@/lib/auth/current-user';
import { db } from '@/lib/db';
import { ErrorFilter, listErrors } from '@/lib/data/errors';
import { ErrorTable } from './error-table';

export const metadata: Metadata = { title: 'Errors' };

/** The live error feed with filters, search, acknowledge and server-side pagination. */
export default async function ErrorsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string>>;
}) {
  const f = ErrorFilter.parse(await searchParams);
  const [page, user] = await Promise.all([listErrors(await db(), f), currentUser()]);
  const rows = page.rows.map((r) => ({
    id: r.id.toString(),
    occurredAt: r.occurredAt.toISOString(),
    severity: r.severity,
    component: r.component,
    code: r.code,
    message: r.message,
    acknowledgedAt: r.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: r.acknowledgedBy?.email ?? null,
  }));
  return (
    <>
      <PageHeader title="Errors">
        <LiveRefresh kinds={['error']} />
      </PageHeader>
      <Card>
        <FilterForm submitLabel="Filter">
          <SelectField
            name="severity"
            label="Severity"
            defaultValue={f.severity}
            options={[
              { value: '', label: 'All' },
              ...['info', 'warning', 'error', 'critical'].map((v) => ({ value: v, label: v })),
            ]}
          />
          <SelectField
            name="status"
            label="Status"
            defaultValue={f.status}
            options={[
              { value: 'all', label: 'All' },
              { value: 'open', label: 'Open' },
              { value: 'acknowledged', label: 'Acknowledged' },
            ]}
          />
          <SearchField defaultValue={f.q} placeholder="message, component or code" />
        </FilterForm>
        <ErrorTable rows={rows} canAck={user?.role === 'admin'} />
        <Pagination of={page} path="/errors" params={{ severity: f.severity, q: f.q, status: f.status }} />
      </Card>
    </>
  );
}
