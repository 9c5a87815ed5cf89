import { randomBytes } from 'node:crypto';
import type { Db } from '@3cx-relay/db';
import bcrypt from 'bcrypt';
import { z } from 'zod';
import { pageArgs, pageParam, toPage } from './paging';

/**
 * Scopes an API key can carry. `recordings:read`: fetch recording and voicemail audio
 * (`/relay/recordings/{id}`, `/relay/voicemails/{id}`). `webhooks:manage`: manage its own webhook subscriptions through
 * `/relay/webhooks`; `webhooks:admin`: every subscription, the panel's too.
 */
export const API_KEY_SCOPES = [
  'calls:read',
  'history:read',
  'events:subscribe',
  'recordings:read',
  'webhooks:manage',
  'webhooks:admin',
] as const;

/** Input for generating a key. */
export const CreateApiKey = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1, 'pick at least one scope').max(API_KEY_SCOPES.length),
});

/** Filters of the key list. */
export const ApiKeyFilter = z.object({
  page: pageParam,
  q: z.string().trim().max(100).optional().catch(undefined),
  status: z.enum(['all', 'active', 'revoked']).catch('all'),
});

/**
 * Creates a key: public prefix `rk_` + 12 hex chars (unique), secret of 32 random bytes
 * (base64url), stored as bcrypt(secret, 12). The full key `<prefix>.<secret>` is returned
 * once and never stored.
 */
export async function createApiKey(db: Db, input: z.infer<typeof CreateApiKey>, userId: string) {
  const secret = randomBytes(32).toString('base64url');
  const secretHash = await bcrypt.hash(secret, 12);
  for (let attempt = 0; ; attempt++) {
    const prefix = `rk_${randomBytes(6).toString('hex')}`;
    try {
      const key = await db.apiKey.create({
        data: { name: input.name, scopes: input.scopes, prefix, secretHash, createdById: userId },
      });
      return { key, fullKey: `${prefix}.${secret}` };
    } catch (err) {
      // P2002: the 48-bit prefix collided; draw another
      if ((err as { code?: string }).code !== 'P2002' || attempt >= 3) throw err;
    }
  }
}

/** A page of keys, newest first (never the hash). */
export async function listApiKeys(db: Db, f: z.infer<typeof ApiKeyFilter>) {
  const where = {
    ...(f.q
      ? {
          OR: [
            { name: { contains: f.q, mode: 'insensitive' as const } },
            { prefix: { contains: f.q.toLowerCase() } },
          ],
        }
      : {}),
    ...(f.status === 'active'
      ? { revokedAt: null }
      : f.status === 'revoked'
        ? { revokedAt: { not: null } }
        : {}),
  };
  const [rows, total] = await Promise.all([
    db.apiKey.findMany({
      where,
      orderBy: { createdAt: 'desc' },
      include: { createdBy: { select: { email: true } } },
      ...pageArgs(f.page),
    }),
    db.apiKey.count({ where }),
  ]);
  return toPage(rows, total, f.page);
}
