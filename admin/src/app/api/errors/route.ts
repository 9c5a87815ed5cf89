import { handleRoute } from '@/lib/api/handle-route';
import { db } from '@/lib/db';
import { ErrorFilter, listErrors } from '@/lib/data/errors';
import { toJson } from '@/lib/data/json';

/** GET /admin/api/errors?page&severity&q&status: the error log, paginated. */
export const GET = handleRoute('viewer', async ({ query }) =>
  toJson(await listErrors(await db(), query(ErrorFilter))),
);
