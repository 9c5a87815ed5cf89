import { z } from 'zod';
import { notFound } from '@/lib/api/app-error';
import { handleRoute } from '@/lib/api/handle-route';
import { db } from '@/lib/db';
import { toJson } from '@/lib/data/json';
import { keyRouteUsage, keyUsageSeries } from '@/lib/data/series';

const Params = z.object({ id: z.uuid('must be a key id') });

/** GET /admin/api/api-keys/:id/usage: requests per hour (24 h) and per route (7 days). */
export const GET = handleRoute<{ id: string }>('viewer', async ({ params }) => {
  const { id } = Params.parse(params);
  const client = await db();
  if (!(await client.apiKey.findUnique({ where: { id } }))) throw notFound('API key');
  const [series, byRoute] = await Promise.all([keyUsageSeries(client, id), keyRouteUsage(client, id)]);
  return toJson({ series, byRoute });
});
