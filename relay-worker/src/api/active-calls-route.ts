import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { AppError } from '../errors.js';

/** A call as the route filters it (the full shape is `ActiveCall` from @3cx-relay/events). */
type Call = { extensions: string[] };

/**
 * Where the route gets its calls: the worker's live call state (sources/call-state.ts), and,
 * when `isLive()` says it is not current, `fallbackCalls()` (XAPI, see
 * sources/xapi/active-calls-with-fallback.ts). Without `isLive` the live state always answers.
 */
export interface LiveCalls {
  activeCalls(): Call[];
  /** False while Call Control is disabled or not up. */
  isLive?(): boolean;
  /** The fallback's calls; rejects with an AppError (503 no fallback, 502 fallback failed). */
  fallbackCalls?(): Promise<Call[]>;
  /** True when the live state, though not current, beats an error if the fallback fails. */
  isLiveDegraded?(): boolean;
}

const body = (source: 'callcontrol' | 'xapi', calls: Call[]) =>
  JSON.stringify({ source, count: calls.length, calls });

/**
 * GET /relay/active-calls (scope calls:read): the calls in progress. While Call Control is up
 * they come from the worker's own live state, never a PBX request, and the serialized answer
 * is cached until the next event or for at most `maxAgeMs`, so a burst of clients costs one
 * serialization. Otherwise they come from the fallback with `source: 'xapi'`; when that fails
 * while Call Control is only `degraded` (socket open), from the live state after all; else the
 * answer is the fallback's error (never a silently empty list).
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
  // The fallback hands every caller the same array until it fetches again: serialize it once.
  let fallback: { calls: Call[]; body: string } | undefined;
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
      const involving = (calls: Call[]) => calls.filter((c) => c.extensions.includes(ext!));
      if (deps.calls.isLive?.() === false) {
        if (!deps.calls.fallbackCalls) throw new AppError('UNAVAILABLE', 'Call Control is not up');
        let calls: Call[];
        try {
          calls = await deps.calls.fallbackCalls();
        } catch (err) {
          if (!deps.calls.isLiveDegraded?.()) throw err;
          // Call Control's socket is still open: its state beats an error.
          const live = deps.calls.activeCalls();
          return reply.send(body('callcontrol', ext ? involving(live) : live));
        }
        if (ext) return reply.send(body('xapi', involving(calls)));
        if (fallback?.calls !== calls) fallback = { calls, body: body('xapi', calls) };
        return reply.send(fallback.body);
      }
      if (ext) return reply.send(body('callcontrol', involving(deps.calls.activeCalls())));
      const now = Date.now();
      if (!cached || now - cached.at > maxAge) {
        cached = { body: body('callcontrol', deps.calls.activeCalls()), at: now };
      }
      return reply.send(cached.body);
    },
  );
}
