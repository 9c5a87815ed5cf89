import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import {
  keyFromHeaders,
  type ApiKeyVerifier,
  type Scope,
  type VerifiedKey,
} from '../auth/api-key-verifier.js';
import type { RateLimiter } from '../auth/rate-limiter.js';
import type { UsageRecorder } from '../auth/usage-recorder.js';
import type { RelayMetrics } from '../stats/relay-metrics.js';
import { clientAddress } from '../http/direct-loopback.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API key that authenticated this request, if any. */
    apiKey: VerifiedKey | null;
  }
}

export interface ApiAuthDeps {
  verifier: ApiKeyVerifier;
  limiter: RateLimiter;
  usage: UsageRecorder;
  metrics: RelayMetrics;
}

function deny(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.status(status).send({ error: { code, message } });
}

/**
 * API-key authentication for the REST routes. `requireScope(scope)` is a preHandler: 401
 * without a valid key, 403 without the scope (or any of a list of scopes), 429 with Retry-After past the key's rate. Every
 * authenticated request is counted (in memory; {@link UsageRecorder} writes batches).
 */
export function installApiAuth(
  app: FastifyInstance,
  deps: ApiAuthDeps,
): { requireScope(scope: Scope | readonly Scope[] | null): preHandlerAsyncHookHandler } {
  app.decorateRequest('apiKey', null);
  app.addHook('onResponse', async (req, reply) => {
    if (!req.apiKey) return;
    const route = req.routeOptions.url ?? 'unknown';
    deps.usage.record(req.apiKey.id, route, reply.statusCode, reply.elapsedTime);
    deps.metrics.countApiRequest(route, reply.statusCode);
  });
  return {
    requireScope(scope) {
      return async function authenticate(req: FastifyRequest, reply: FastifyReply) {
        const presented = keyFromHeaders(req.headers);
        if (!presented) {
          reply.header('www-authenticate', 'Bearer');
          return deny(reply, 401, 'UNAUTHORIZED', 'API key required (Authorization: Bearer <key>)');
        }
        const key = await deps.verifier.verify(presented, clientAddress(req));
        if (!key) {
          reply.header('www-authenticate', 'Bearer error="invalid_token"');
          return deny(reply, 401, 'UNAUTHORIZED', 'invalid, revoked or expired API key');
        }
        req.apiKey = key;
        const anyOf: readonly string[] = scope === null ? [] : typeof scope === 'string' ? [scope] : scope;
        if (anyOf.length && !anyOf.some((s) => key.scopes.includes(s)))
          return deny(reply, 403, 'FORBIDDEN', `scope ${anyOf.join(' or ')} required`);
        const limit = deps.limiter.take(key.id, key.rateLimitPerMinute);
        if (!limit.ok) {
          reply.header('retry-after', String(limit.retryAfterSec));
          return deny(reply, 429, 'RATE_LIMITED', 'rate limit exceeded');
        }
      };
    },
  };
}
