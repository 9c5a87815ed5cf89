import { z } from 'zod';
import { notFound } from '@/lib/api/app-error';
import { handleRoute } from '@/lib/api/handle-route';
import { db } from '@/lib/db';
import { toJson } from '@/lib/data/json';
import { keyUsageSeries } from '@/lib/data/series';

const Params = z.object({ id: z.uuid('must be a key id') });

/** GET /admin/api/api-keys/:id/usage: requests per hour (24 h) and per route (7 days). */
export const GET = handleRoute<{ id: string }>('viewer', async ({ params }) => {
  const { id } = Params.parse(params);
  const client = await db();
  if (!(await client.apiKey.findUnique({ where: { id } }))) throw notFound('API key');
  const since = new Date(Date.now() - 7 * 86400_000);
  const [series, byRoute] = await Promise.all([
    keyUsageSeries(client, id),
    client.apiUsage.groupBy({
      by: ['route', 'statusClass'],
      where: { apiKeyId: id, bucket: { gte: since } },
      _sum: { count: true, totalLatencyMs: true },
    }),
  ]);
  return toJson({
    series,
    byRoute: byRoute.map((r) => ({
      route: r.route,
      statusClass: r.statusClass,
      count: r._sum.count ?? 0,
      avgLatencyMs: r._sum.count ? (r._sum.totalLatencyMs ?? 0) / r._sum.count : null,
    })),
  });
});
