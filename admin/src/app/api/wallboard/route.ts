import { handleRoute } from '@/lib/api/handle-route';
import { db } from '@/lib/db';
import { readWallboard } from '@/lib/data/wallboard';

/** GET /admin/api/wallboard: calls in progress, queue figures and agent states. */
export const GET = handleRoute('viewer', async () => readWallboard(await db()));
