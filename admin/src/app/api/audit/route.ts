import { handleRoute } from '@/lib/api/handle-route';
import { db } from '@/lib/db';
import { AuditFilter, listAudit } from '@/lib/data/audit';
import { toJson } from '@/lib/data/json';

/** GET /admin/api/audit?page&q&action: the audit log, newest first. */
export const GET = handleRoute('viewer', async ({ query }) =>
  toJson(await listAudit(await db(), query(AuditFilter))),
);
