import { AppError } from '@/lib/api/app-error';
import { handleRoute } from '@/lib/api/handle-route';
import { takeQuota } from '@/lib/auth/rate-limit';
import { audit } from '@/lib/audit';
import { db } from '@/lib/db';
import { ApiKeyFilter, CreateApiKey, createApiKey, listApiKeys } from '@/lib/data/api-keys';
import { toJson } from '@/lib/data/json';

/** Keys one admin may generate per window. */
const KEYS_PER_WINDOW = 20;
const WINDOW_MS = 10 * 60_000;

/** GET /admin/api/api-keys?page&q&status: the keys, paginated. */
export const GET = handleRoute('viewer', async ({ query }) =>
  toJson(await listApiKeys(await db(), query(ApiKeyFilter))),
);

/** POST /admin/api/api-keys `{name, scopes}`: generates a key; the full key is in this response only. */
export const POST = handleRoute('admin', async ({ req, user, body }) => {
  const input = await body(CreateApiKey);
  const client = await db();
  const wait = await takeQuota(client, `apikey-create:user:${user.id}`, KEYS_PER_WINDOW, WINDOW_MS);
  if (wait > 0)
    throw new AppError('RATE_LIMITED', 'Too many keys generated; try again later', {
      retryAfter: wait / 1000,
    });
  const { key, fullKey } = await createApiKey(client, input, user.id);
  await audit(client, user, req.headers, {
    action: 'api_key.create',
    targetType: 'api_key',
    targetId: key.id,
    details: { name: key.name, prefix: key.prefix, scopes: key.scopes },
  });
  return toJson({
    key: { id: key.id, name: key.name, prefix: key.prefix, scopes: key.scopes, createdAt: key.createdAt },
    secret: fullKey,
  });
});
