import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { db } from '@/lib/db';
import { toJson } from '@/lib/data/json';
import { CreateUser, createUser } from '@/lib/data/users';

/** GET /admin/api/users: every user (admin). */
export const GET = handleRoute('admin', async () =>
  toJson({ users: await (await db()).adminUser.findMany({ orderBy: { email: 'asc' } }) }),
);

/** POST /admin/api/users `{email, name, role, password}`: creates a user (admin). */
export const POST = handleRoute('admin', async ({ req, user, body }) => {
  const input = await body(CreateUser);
  const client = await db();
  const created = await createUser(client, input);
  await audit(client, user, req.headers, {
    action: 'user.create',
    targetType: 'admin_user',
    targetId: created.id,
    details: { email: created.email, role: created.role },
  });
  return toJson({ user: created });
});
