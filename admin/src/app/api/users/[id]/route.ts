import { z } from 'zod';
import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { db } from '@/lib/db';
import { toJson } from '@/lib/data/json';
import { changeUser, UpdateUser } from '@/lib/data/users';

const Params = z.object({ id: z.uuid('must be a user id') });

/** PATCH /admin/api/users/:id `{role?, name?, disabled?}` (admin; never the last admin). */
export const PATCH = handleRoute<{ id: string }>('admin', async ({ req, user, params, body }) => {
  const { id } = Params.parse(params);
  const change = await body(UpdateUser);
  const client = await db();
  const updated = await changeUser(client, id, change);
  await audit(client, user, req.headers, {
    action: 'user.update',
    targetType: 'admin_user',
    targetId: id,
    details: change,
  });
  return toJson({ user: updated });
});

/** DELETE /admin/api/users/:id (admin; never the last admin). */
export const DELETE = handleRoute<{ id: string }>('admin', async ({ req, user, params }) => {
  const { id } = Params.parse(params);
  const client = await db();
  await changeUser(client, id, { delete: true });
  await audit(client, user, req.headers, { action: 'user.delete', targetType: 'admin_user', targetId: id });
  return { deleted: true };
});
