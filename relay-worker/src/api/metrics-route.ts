import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { RelayMetrics } from '../stats/relay-metrics.js';
import { isDirectLoopback } from '../http/direct-loopback.js';

/**
 * GET /relay/metrics in the Prometheus text format. A scraper on the box (a direct loopback
 * connection, not proxied by nginx) needs no key; through nginx any valid API key is required,
 * so the figures are not public.
 */
export function registerMetricsRoute(
  app: FastifyInstance,
  deps: { metrics: RelayMetrics; anyKey: preHandlerAsyncHookHandler },
): void {
  app.get(
    '/relay/metrics',
    {
      preHandler: async function (req, reply) {
        if (!isDirectLoopback(req)) return deps.anyKey.call(this, req, reply);
      },
    },
    async (_req, reply) => {
      reply.type(deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    },
  );
}
