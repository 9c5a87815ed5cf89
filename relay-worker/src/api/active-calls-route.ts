import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';

/** The worker's live call state (see sources/call-state.ts). */
export interface LiveCalls {
  activeCalls(): { extensions: string[] }[];
}

/**
 * GET /relay/active-calls (scope calls:read): the calls in progress from the worker's own
 * live state, never a PBX request. The serialized answer is cached until the next event or
 * for at most `maxAgeMs`, so a burst of clients costs one serialization.
 */
export function registerActiveCallsRoute(
  app: FastifyInstance,
  deps: {
    calls: LiveCalls;
    auth: preHandlerAsyncHookHandler;
    onChange: (fn: () => void) => void;
    maxAgeMs?: number;
  },
): void {
  let cached: { body: string; at: number } | undefined;
  const maxAge = deps.maxAgeMs ?? 1000;
  deps.onChange(() => (cached = undefined));
  app.get<{ Querystring: { extension?: string } }>(
    '/relay/active-calls',
    {
      preHandler: deps.auth,
      schema: {
        querystring: {
          type: 'object',
          properties: { extension: { type: 'string', maxLength: 32 } },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      reply.type('application/json');
      const ext = req.query.extension;
      if (ext) {
        const calls = deps.calls.activeCalls().filter((c) => c.extensions.includes(ext));
        return reply.send(JSON.stringify({ count: calls.length, calls }));
      }
      const now = Date.now();
      if (!cached || now - cached.at > maxAge) {
        const calls = deps.calls.activeCalls();
        cached = { body: JSON.stringify({ count: calls.length, calls }), at: now };
      }
      return reply.send(cached.body);
    },
  );
}
