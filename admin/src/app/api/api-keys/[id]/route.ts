import { z } from 'zod';
import { notFound } from '@/lib/api/app-error';
import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { sendControl } from '@/lib/control';
import { db } from '@/lib/db';
import { toJson } from '@/lib/data/json';

const Params = z.object({ id: z.uuid('must be a key id') });

/** GET /admin/api/api-keys/:id: one key (never its hash). */
export const GET = handleRoute<{ id: string }>('viewer', async ({ params }) => {
  const key = await (await db()).apiKey.findUnique({ where: { id: Params.parse(params).id } });
  if (!key) throw notFound('API key');
  return toJson({ key });
});

/** DELETE /admin/api/api-keys/:id: revokes the key and tells the worker to reload keys. */
export const DELETE = handleRoute<{ id: string }>('admin', async ({ req, user, params }) => {
  const { id } = Params.parse(params);
  const client = await db();
  const r = await client.apiKey.updateMany({
    where: { id, revokedAt: null },
    data: { revokedAt: new Date(), revokedById: user.id },
  });
  if (r.count === 0) {
    if (!(await client.apiKey.findUnique({ where: { id } }))) throw notFound('API key');
    return { revoked: false };
  }
  await sendControl(client, user, 'reload-keys', { revokedKeyId: id });
  await audit(client, user, req.headers, { action: 'api_key.revoke', targetType: 'api_key', targetId: id });
  return { revoked: true };
});
