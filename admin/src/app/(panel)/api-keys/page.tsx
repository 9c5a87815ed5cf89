import type { Metadata } from 'next';
import Link from 'next/link';
import { ActionButton } from '@/components/action-button';
import { formatTime } from '@/components/format';
import { FilterForm, SearchField, SelectField } from '@/components/filter-form';
import { Pagination } from '@/components/pagination';
import { Badge, Card, Empty, PageHeader, TableWrap, TBody, Td, Th } from '@/components/ui';
import { currentUser } from '@/lib/auth/current-user';
import { db } from '@/lib/db';
import { ApiKeyFilter, listApiKeys } from '@/lib/data/api-keys';
import { GenerateKeyForm } from './generate-key-form';

export const metadata: Metadata = { title: 'API keys' };

/** API keys: search, pagination, generate (admins), revoke (admins). */
export default async function ApiKeysPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string>>;
}) {
  const f = ApiKeyFilter.parse(await searchParams);
  const [page, user] = await Promise.all([listApiKeys(await db(), f), currentUser()]);
  const isAdmin = user?.role === 'admin';
  return (
    <>
      <PageHeader title="API keys" />
      {isAdmin && (
        <Card title="Generate a key" className="mb-4">
          <GenerateKeyForm />
        </Card>
      )}
      <Card>
        <FilterForm submitLabel="Search">
          <SearchField defaultValue={f.q} placeholder="name or prefix" />
          <SelectField
            name="status"
            label="Status"
            defaultValue={f.status}
            options={[
              { value: 'all', label: 'All' },
              { value: 'active', label: 'Active' },
              { value: 'revoked', label: 'Revoked' },
            ]}
          />
        </FilterForm>
        {page.rows.length === 0 ? (
          <Empty>No API keys.</Empty>
        ) : (
          <TableWrap>
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Prefix</Th>
                <Th>Scopes</Th>
                <Th>Created</Th>
                <Th>Last used</Th>
                <Th>Status</Th>
                <Th />
              </tr>
            </thead>
            <TBody>
              {page.rows.map((k) => (
                <tr key={k.id} data-testid={`api-key-${k.prefix}`}>
                  <Td>
                    <Link
                      href={`/api-keys/${k.id}`}
                      className="text-sky-700 hover:underline dark:text-sky-400"
                    >
                      {k.name}
                    </Link>
                  </Td>
                  <Td className="font-mono text-xs">{k.prefix}</Td>
                  <Td className="text-xs">{k.scopes.join(', ')}</Td>
                  <Td className="text-xs">
                    {formatTime(k.createdAt)}
                    <div className="text-slate-500">{k.createdBy?.email}</div>
                  </Td>
                  <Td className="text-xs">{formatTime(k.lastUsedAt)}</Td>
                  <Td>
                    {k.revokedAt ? <Badge tone="red">revoked</Badge> : <Badge tone="green">active</Badge>}
                  </Td>
                  <Td>
                    {isAdmin && !k.revokedAt && (
                      <ActionButton
                        path={`/api/api-keys/${k.id}`}
                        method="DELETE"
                        label="Revoke"
                        done="Revoked"
                        variant="danger"
                        confirm={`Revoke the key "${k.name}"? Clients using it stop working at once.`}
                        testId={`revoke-${k.prefix}`}
                      />
                    )}
                  </Td>
                </tr>
              ))}
            </TBody>
          </TableWrap>
        )}
        <Pagination of={page} path="/api-keys" params={{ q: f.q, status: f.status }} />
      </Card>
    </>
  );
}
