import { z } from 'zod';
import { notFound } from '@/lib/api/app-error';
import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { db } from '@/lib/db';
import { acknowledgeErrors } from '@/lib/data/errors';

const Params = z.object({ id: z.string().regex(/^\d{1,18}$/, 'must be an error id') });

/** POST /admin/api/errors/:id/acknowledge: marks one error as seen (admin). */
export const POST = handleRoute<{ id: string }>('admin', async ({ req, user, params }) => {
  const id = BigInt(Params.parse(params).id);
  const client = await db();
  if (!(await client.errorLog.findUnique({ where: { id } }))) throw notFound('Error entry');
  const changed = await acknowledgeErrors(client, [id], user.id);
  await audit(client, user, req.headers, {
    action: 'error.acknowledge',
    targetType: 'error_log',
    targetId: id.toString(),
  });
  return { acknowledged: changed };
});
