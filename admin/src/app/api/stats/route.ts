import { handleRoute } from '@/lib/api/handle-route';
import { db } from '@/lib/db';
import { toJson } from '@/lib/data/json';
import { activitySeries } from '@/lib/data/series';
import { getStats } from '@/lib/data/stats';

/** GET /admin/api/stats: headline figures and hourly series of the last 24 h. */
export const GET = handleRoute('viewer', async () => {
  const client = await db();
  const [stats, series] = await Promise.all([getStats(client), activitySeries(client)]);
  return toJson({ stats, series });
});
