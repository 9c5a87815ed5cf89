import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { describeIssues } from '@3cx-relay/events';
import type { VerifiedKey } from '../../auth/api-key-verifier.js';
import { AppError } from '../../errors.js';

/** Scopes that open `/relay/webhooks`: `webhooks:admin` sees every subscription, `webhooks:manage` only its own. */
export const WEBHOOK_SCOPES = ['webhooks:manage', 'webhooks:admin'] as const;

/** What a key may see: every subscription, or only those it created. */
export interface WebhookAccess {
  key: VerifiedKey;
  all: boolean;
}

/** The access of the request's (already authenticated) key. */
export function accessOf(req: FastifyRequest): WebhookAccess {
  const key = req.apiKey;
  if (!key) throw new AppError('UNAUTHORIZED', 'API key required');
  return { key, all: key.scopes.includes('webhooks:admin') };
}

/** The Prisma `where` that limits subscriptions to what the key may see. */
export function visibleWhere(a: WebhookAccess): { createdByApiKeyId?: string } {
  return a.all ? {} : { createdByApiKeyId: a.key.id };
}

/** Parses with zod; a failure is a 400 naming each field. */
export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new AppError('BAD_REQUEST', describeIssues(r.error));
  return r.data;
}

export const idParams = z.object({ id: z.uuid('must be a subscription id') });
export const deliveryParams = idParams.extend({
  deliveryId: z.string().regex(/^\d{1,18}$/, 'must be a delivery id'),
});
