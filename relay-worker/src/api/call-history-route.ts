import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { AppError } from '../errors.js';
import type { CallHistoryPage, CallHistoryQuery, CallHistorySegment } from '../sources/xapi/xapi-client.js';

/** Where call history comes from (the XAPI client's CallHistoryView). */
export interface CallHistorySource {
  getCallHistory(q: CallHistoryQuery): Promise<CallHistoryPage>;
}

interface Query {
  from?: string;
  to?: string;
  extension?: string;
  number?: string;
  limit?: number;
  offset?: number;
}

const DAY = 86_400_000;

/** A CallHistoryView segment in the relay's naming. */
function toSegment(s: CallHistorySegment) {
  const side = (p: 'Src' | 'Dst') => ({
    dn: s[`${p}Dn`] ?? null,
    number: s[`${p}CallerNumber`] ?? null,
    name: s[`${p}DisplayName`] ?? null,
    external: Boolean(s[`${p}External`]),
  });
  return {
    segmentId: s.SegmentId,
    startedAt: s.SegmentStartTime,
    endedAt: s.SegmentEndTime,
    answered: s.CallAnswered,
    duration: s.CallTime,
    source: side('Src'),
    destination: side('Dst'),
  };
}

/**
 * GET /relay/call-history (scope history:read): one page of the PBX's CallHistoryView,
 * filtered by time range (default: the last 24 h), extension and number. Identical queries
 * within `cacheMs` are answered from memory so polling clients do not hammer the PBX.
 */
export function registerCallHistoryRoute(
  app: FastifyInstance,
  deps: { history: CallHistorySource | undefined; auth: preHandlerAsyncHookHandler; cacheMs?: number },
): void {
  const cache = new Map<string, { at: number; body: unknown }>();
  const cacheMs = deps.cacheMs ?? 5000;
  app.get<{ Querystring: Query }>(
    '/relay/call-history',
    {
      preHandler: deps.auth,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            extension: { type: 'string', maxLength: 32 },
            number: { type: 'string', maxLength: 64 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
      },
    },
    async (req) => {
      if (!deps.history)
        throw new AppError(
          'UNAVAILABLE',
          'call history needs the XAPI source (PBX_URL, PBX_CLIENT_ID, PBX_CLIENT_SECRET)',
        );
      const q = req.query;
      const to = q.to ? new Date(q.to) : new Date();
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - DAY);
      if (from >= to) throw new AppError('BAD_REQUEST', 'from must be before to');
      const limit = q.limit ?? 100;
      const offset = q.offset ?? 0;
      const key = JSON.stringify([
        from.getTime(),
        q.to ? to.getTime() : Math.floor(to.getTime() / cacheMs),
        q.extension,
        q.number,
        limit,
        offset,
      ]);
      const hit = cache.get(key);
      if (hit && Date.now() - hit.at < cacheMs) return hit.body;
      let page: CallHistoryPage;
      try {
        page = await deps.history.getCallHistory({
          from,
          to,
          extension: q.extension,
          number: q.number,
          top: limit,
          skip: offset,
        });
      } catch (err) {
        throw new AppError(
          'UPSTREAM_ERROR',
          `PBX call history failed: ${(err as Error).message}`,
          undefined,
          { cause: err },
        );
      }
      const body = {
        from: from.toISOString(),
        to: to.toISOString(),
        total: page.total,
        limit,
        offset,
        nextOffset: page.items.length === limit ? offset + limit : null,
        items: page.items.map(toSegment),
      };
      if (cache.size > 200) cache.clear();
      cache.set(key, { at: Date.now(), body });
      return body;
    },
  );
}
