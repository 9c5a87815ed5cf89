import type { Db } from '@3cx-relay/db';
import { clientIp, userAgent } from '@/lib/api/request-info';

/** Who did it (null actor for failed logins of unknown accounts). */
export interface AuditActor {
  id: string | null;
  email: string | null;
}

/** One audit log entry. `details` must never contain a secret. */
export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

/** Appends to the audit log with the request's IP and User-Agent. */
export async function audit(db: Db, actor: AuditActor, headers: Headers, entry: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      actorId: actor.id,
      actorEmail: actor.email,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      ip: clientIp(headers),
      userAgent: userAgent(headers),
      details: entry.details as never,
    },
  });
}
