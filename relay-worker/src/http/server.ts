import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from '../logger.js';
import { AppError, coerceError } from '../errors.js';
import type { StatusBoard } from '../status/status-board.js';
import { VERSION } from '../version.js';
import { isDirectLoopback } from './direct-loopback.js';

export interface ServerDeps {
  log: Logger;
  status: StatusBoard;
  instanceId: string;
  startedAt: Date;
  /** Request body limit in bytes. */
  bodyLimit?: number;
  /**
   * Whether a caller presents a valid API key (any scope): such callers, and direct loopback
   * ones, get `/relay/health` with details; everyone else only up/down. Default: nobody.
   */
  hasValidKey?: (req: FastifyRequest) => Promise<boolean>;
}

const ROUTES = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

/** Every route registered on a server built by {@link buildServer} (HEAD left out), e.g. for the OpenAPI check. */
export function registeredRoutes(app: FastifyInstance): { method: string; url: string }[] {
  return ROUTES.get(app) ?? [];
}

/**
 * The worker's HTTP server (127.0.0.1:8082, behind nginx at /relay/). Domains add their routes
 * with `app.register(...)` before `listen`. Every error leaves as JSON `{error:{code,message}}`;
 * unexpected ones as a 500 that never leaks internals.
 */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({
    // tsc needs the cast (pino's Logger type is wider than FastifyBaseLogger in the return
    // type); the linter's type service disagrees.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: deps.log.child({ module: 'http' }) as FastifyBaseLogger,
    // Per-request logs would cost more than the requests at 10k req/s; usage is counted instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimit ?? 64 * 1024,
    trustProxy: '127.0.0.1',
    return503OnClosing: true,
  });

  const routes: { method: string; url: string }[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.status).send({ error: { code: err.code, message: err.message } });
    }
    const e = err as { validation?: unknown; statusCode?: number; code?: string; message: string };
    if (e.validation) return reply.status(400).send({ error: { code: 'BAD_REQUEST', message: e.message } });
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      const code = e.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
      return reply.status(e.statusCode).send({ error: { code, message: e.message } });
    }
    req.log.error({ err: coerceError(err), url: req.url }, 'request failed');
    return reply.status(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } }),
  );

  // Anonymous callers (through nginx, no key) learn up or down only: the call count, host name,
  // pid and versions are for the box itself and for API-key holders.
  app.get('/relay/health', async (req, reply) => {
    const components = deps.status.all();
    const own = components.database?.status;
    reply.status(own === 'up' ? 200 : 503);
    if (!isDirectLoopback(req) && !(await deps.hasValidKey?.(req)))
      return reply.send({ status: own === 'up' ? 'up' : 'down' });
    const upstream = (['db3cx', 'xapi', 'callcontrol'] as const).map((c) => components[c]?.status);
    const overall =
      own !== 'up' ? 'down' : upstream.some((s) => s === 'down' || s === 'degraded') ? 'degraded' : 'ok';
    return reply.send({
      status: overall,
      version: VERSION,
      instanceId: deps.instanceId,
      startedAt: deps.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000),
      components: Object.fromEntries(
        Object.entries(components).map(([name, s]) => [
          name,
          {
            status: s.status,
            latencyMs: s.latencyMs ?? null,
            since: s.since.toISOString(),
            ...(s.details ? { details: s.details } : {}),
          },
        ]),
      ),
    });
  });

  return app;
}
