import type { Metadata } from 'next';
import { formatTime } from '@/components/format';
import { Badge, Card, PageHeader, TableWrap, TBody, Td, Th } from '@/components/ui';
import { requirePageUser } from '@/lib/auth/current-user';
import { db } from '@/lib/db';
import { CreateUserForm } from './create-user-form';
import { UserRowActions } from './user-row-actions';

export const metadata: Metadata = { title: 'Users' };

/** Users (admins only): create, change role, disable, reset password, delete. */
export default async function UsersPage() {
  await requirePageUser('admin');
  const users = await (await db()).adminUser.findMany({ orderBy: { email: 'asc' } });
  return (
    <>
      <PageHeader title="Users" />
      <Card title="Create a user" className="mb-4">
        <CreateUserForm />
      </Card>
      <Card>
        <TableWrap>
          <thead>
            <tr>
              <Th>Email</Th>
              <Th>Name</Th>
              <Th>Role</Th>
              <Th>Status</Th>
              <Th>Last sign-in</Th>
              <Th>Actions</Th>
            </tr>
          </thead>
          <TBody>
            {users.map((u) => (
              <tr key={u.id} data-testid={`user-${u.email}`}>
                <Td className="min-w-40 break-all">{u.email}</Td>
                <Td>{u.name}</Td>
                <Td>
                  <span data-testid="role-badge">
                    <Badge tone={u.role === 'admin' ? 'blue' : 'gray'}>{u.role}</Badge>
                  </span>
                </Td>
                <Td>
                  {u.disabledAt ? <Badge tone="red">disabled</Badge> : <Badge tone="green">active</Badge>}
                </Td>
                <Td className="text-xs">{formatTime(u.lastLoginAt)}</Td>
                <Td>
                  <UserRowActions id={u.id} email={u.email} role={u.role} disabled={Boolean(u.disabledAt)} />
                </Td>
              </tr>
            ))}
          </TBody>
        </TableWrap>
      </Card>
    </>
  );
}
