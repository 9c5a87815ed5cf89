import { z } from 'zod';
import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { db } from '@/lib/db';
import { acknowledgeErrors } from '@/lib/data/errors';

const Body = z.object({
  ids: z
    .array(z.string().regex(/^\d{1,18}$/))
    .min(1)
    .max(500),
});

/** POST /admin/api/errors/acknowledge `{ids}`: acknowledges many errors at once (admin). */
export const POST = handleRoute('admin', async ({ req, user, body }) => {
  const { ids } = await body(Body);
  const client = await db();
  const changed = await acknowledgeErrors(client, ids.map(BigInt), user.id);
  await audit(client, user, req.headers, {
    action: 'error.acknowledge',
    targetType: 'error_log',
    details: { ids, changed },
  });
  return { acknowledged: changed };
});
