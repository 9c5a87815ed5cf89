import type { Db } from '@3cx-relay/db';
import { z } from 'zod';
import { pageArgs, pageParam, toPage } from './paging';

/** Filters of the error list (page query string and `GET /api/errors`). */
export const ErrorFilter = z.object({
  page: pageParam,
  severity: z.enum(['info', 'warning', 'error', 'critical']).optional().catch(undefined),
  q: z.string().trim().max(200).optional().catch(undefined),
  status: z.enum(['all', 'open', 'acknowledged']).catch('all'),
});

/** Parsed {@link ErrorFilter}. */
export type ErrorFilter = z.infer<typeof ErrorFilter>;

/** A page of the error log, newest first, with who acknowledged each entry. */
export async function listErrors(db: Db, f: ErrorFilter) {
  const where = {
    ...(f.severity ? { severity: f.severity } : {}),
    ...(f.q
      ? {
          OR: [
            { message: { contains: f.q, mode: 'insensitive' as const } },
            { component: { contains: f.q, mode: 'insensitive' as const } },
            { code: { contains: f.q, mode: 'insensitive' as const } },
          ],
        }
      : {}),
    ...(f.status === 'open'
      ? { acknowledgedAt: null }
      : f.status === 'acknowledged'
        ? { acknowledgedAt: { not: null } }
        : {}),
  };
  const [rows, total] = await Promise.all([
    db.errorLog.findMany({
      where,
      orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
      include: { acknowledgedBy: { select: { email: true } } },
      ...pageArgs(f.page),
    }),
    db.errorLog.count({ where }),
  ]);
  return toPage(rows, total, f.page);
}

/** Acknowledges open entries among `ids`; returns how many changed. */
export async function acknowledgeErrors(db: Db, ids: bigint[], userId: string): Promise<number> {
  const r = await db.errorLog.updateMany({
    where: { id: { in: ids }, acknowledgedAt: null },
    data: { acknowledgedAt: new Date(), acknowledgedById: userId },
  });
  return r.count;
}
