import type { Db } from '@3cx-relay/db';
import type { FastifyRequest } from 'fastify';

/** One audit entry of an API-key action. `details` must never contain a secret. */
export interface ApiAuditEntry {
  action: string;
  targetType: string;
  targetId: string;
  details?: Record<string, unknown>;
}

/**
 * Appends to the admin's audit log on behalf of the request's API key: the same actions the
 * panel records (`webhook.create`, …), with the key as the actor and `via: "api"`.
 */
export async function auditApiAction(db: Db, req: FastifyRequest, entry: ApiAuditEntry): Promise<void> {
  const key = req.apiKey;
  await db.auditLog.create({
    data: {
      actorId: null,
      actorEmail: null,
      actorApiKeyId: key?.id ?? null,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      ip: req.ip,
      userAgent: String(req.headers['user-agent'] ?? '').slice(0, 500) || null,
      details: { via: 'api', keyPrefix: key?.prefix ?? null, ...entry.details },
    },
  });
}
