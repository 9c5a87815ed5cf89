import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { UsageRecorder } from '../auth/usage-recorder.js';
import type { RelayMetrics } from '../stats/relay-metrics.js';
import { AppError } from '../errors.js';
import { parseStreamRequest } from './stream-request.js';
import type { WsHub } from './ws-hub.js';

export const SSE_PATH = '/relay/events/stream';

/**
 * GET /relay/events/stream (scope `events:subscribe`): the event stream as Server-Sent Events,
 * for browsers' EventSource, PowerShell, serverless functions and proxies that break
 * WebSockets. Same filters and messages as `/relay/ws`. Starts with a snapshot of the live
 * state (unless `snapshot=false`), or, with `Last-Event-ID` or `since`, resumes after that
 * sequence: a reconnecting EventSource picks up exactly where it was.
 */
export function registerEventStreamRoute(
  app: FastifyInstance,
  deps: { hub: WsHub; auth: preHandlerAsyncHookHandler; usage: UsageRecorder; metrics: RelayMetrics },
): void {
  app.get<{ Querystring: Record<string, string | string[]> }>(
    SSE_PATH,
    { preHandler: deps.auth },
    async (req, reply) => {
      const last = req.headers['last-event-id'];
      const start = parseStreamRequest(req.query, typeof last === 'string' ? last : null, {
        snapshotByDefault: deps.hub.offersSnapshot,
        offersSnapshot: deps.hub.offersSnapshot,
      });
      if ('error' in start) throw new AppError('BAD_REQUEST', start.error);
      const key = req.apiKey!;
      if (!deps.hub.holdSlot(key.id, reply.raw))
        throw new AppError('RATE_LIMITED', deps.hub.tooManyMessage());
      // The response stays open: counted here, since hijacked replies skip the onResponse hook.
      deps.usage.record(key.id, SSE_PATH, 200, reply.elapsedTime);
      deps.metrics.countApiRequest(SSE_PATH, 200);
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // nginx: pass each event on at once instead of buffering the response
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      });
      reply.raw.write('retry: 1000\n\n');
      req.raw.socket.setNoDelay(true);
      deps.hub.attachSse(reply.raw, key, start);
    },
  );
}
