import type { Metadata } from 'next';
import { LiveRefresh } from '@/components/live-refresh';
import { Pagination } from '@/components/pagination';
import { Button, Card, inputClass, PageHeader } from '@/components/ui';
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
        <form method="get" className="mb-3 flex flex-wrap items-end gap-2" role="search">
          <div>
            <label htmlFor="severity" className="mb-1 block text-xs font-medium">
              Severity
            </label>
            <select id="severity" name="severity" defaultValue={f.severity ?? ''} className={inputClass}>
              <option value="">All</option>
              <option value="info">info</option>
              <option value="warning">warning</option>
              <option value="error">error</option>
              <option value="critical">critical</option>
            </select>
          </div>
          <div>
            <label htmlFor="status" className="mb-1 block text-xs font-medium">
              Status
            </label>
            <select id="status" name="status" defaultValue={f.status} className={inputClass}>
              <option value="all">All</option>
              <option value="open">Open</option>
              <option value="acknowledged">Acknowledged</option>
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
              placeholder="message, component or code"
              className={inputClass}
            />
          </div>
          <Button type="submit">Filter</Button>
        </form>
        <ErrorTable rows={rows} canAck={user?.role === 'admin'} />
        <Pagination
          page={page.page}
          pageCount={page.pageCount}
          total={page.total}
          path="/errors"
          params={{ severity: f.severity, q: f.q, status: f.status }}
        />
      </Card>
    </>
  );
}
