import type { Db } from '@3cx-relay/db';
import { z } from 'zod';
import { pageArgs, pageParam, toPage } from './paging';

/** Filters of the audit log. */
export const AuditFilter = z.object({
  page: pageParam,
  q: z.string().trim().max(100).optional().catch(undefined),
  action: z.string().trim().max(64).optional().catch(undefined),
});

/** A page of the audit log, newest first. */
export async function listAudit(db: Db, f: z.infer<typeof AuditFilter>) {
  const where = {
    ...(f.action ? { action: { startsWith: f.action } } : {}),
    ...(f.q
      ? {
          OR: [
            { actorEmail: { contains: f.q, mode: 'insensitive' as const } },
            { ip: { contains: f.q } },
            { targetId: { contains: f.q } },
          ],
        }
      : {}),
  };
  const [rows, total] = await Promise.all([
    db.auditLog.findMany({
      where,
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      include: { actorApiKey: { select: { name: true, prefix: true } } },
      ...pageArgs(f.page),
    }),
    db.auditLog.count({ where }),
  ]);
  return toPage(rows, total, f.page);
}
