import { z } from 'zod';
import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { db } from '@/lib/db';
import { resetPassword, ResetPassword } from '@/lib/data/users';

const Params = z.object({ id: z.uuid('must be a user id') });

/**
 * POST /admin/api/users/:id/reset-password `{password?}` (admin): sets the given or a generated
 * password (returned once) and signs the user out everywhere.
 */
export const POST = handleRoute<{ id: string }>('admin', async ({ req, user, params }) => {
  const { id } = Params.parse(params);
  const raw = await req.text();
  const { password } = ResetPassword.parse(raw ? JSON.parse(raw) : {});
  const client = await db();
  const pw = await resetPassword(client, id, password);
  await audit(client, user, req.headers, {
    action: 'user.reset_password',
    targetType: 'admin_user',
    targetId: id,
  });
  return { password: password ? undefined : pw };
});
