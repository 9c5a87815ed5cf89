import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type {
  CallHistoryPage as RelayCallHistoryPage,
  CallHistorySegment as RelaySegment,
  CallHistorySource as SourceName,
} from '@3cx-relay/events';
import { AppError } from '../errors.js';
import type { CallHistoryPage, CallHistoryQuery, CallHistorySegment } from '../sources/xapi/xapi-client.js';
import type { CdrHistoryPage, CdrHistoryQuery } from '../sources/db3cx/cdr-history.js';

/** XAPI `CallHistoryView` (the XAPI client). */
export interface XapiHistory {
  getCallHistory(q: CallHistoryQuery): Promise<CallHistoryPage>;
}

/** 3CX's `cdroutput` table (the database reader). */
export interface CdrHistory {
  read(q: CdrHistoryQuery): Promise<CdrHistoryPage>;
}

/** What `/relay/call-history` can read from; `CALL_HISTORY_SOURCE` picks one. */
export interface CallHistoryBackends {
  /** Present when the PBX API is configured (PBX_URL, client id and secret). */
  xapi: XapiHistory | undefined;
  /** The XAPI source is enabled (`SOURCE_XAPI_ENABLED`): `auto` prefers XAPI then. */
  xapiEnabled: boolean;
  /** Present when 3CX's database source runs (or `CALL_HISTORY_SOURCE=cdroutput` found the database). */
  cdroutput: CdrHistory | undefined;
  /** Why there is no `cdroutput` reader, for the 503 message. */
  cdroutputMissing?: string | undefined;
}

/** `CALL_HISTORY_SOURCE`. */
export type CallHistoryMode = 'auto' | 'xapi' | 'cdroutput';

interface Reader {
  source: SourceName;
  read(q: CdrHistoryQuery): Promise<{ total: number | null; items: RelaySegment[] }>;
  failure: string;
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
function toSegment(s: CallHistorySegment): RelaySegment {
  const side = (p: 'Src' | 'Dst') => ({
    dn: s[`${p}Dn`] ?? null,
    number: s[`${p}CallerNumber`] ?? null,
    name: s[`${p}DisplayName`] ?? null,
    external: Boolean(s[`${p}External`]),
  });
  return {
    segmentId: s.SegmentId,
    cdrId: null,
    callHistoryId: null,
    startedAt: s.SegmentStartTime,
    endedAt: s.SegmentEndTime,
    answered: s.CallAnswered,
    duration: s.CallTime,
    source: side('Src'),
    destination: side('Dst'),
  };
}

const XAPI_NEEDS = 'PBX_URL, PBX_CLIENT_ID and PBX_CLIENT_SECRET';
const DB_NEEDS = 'PBX_DB_URL or a readable 3CXPhoneSystem.ini (PBX_INI_PATH)';

/**
 * Picks the reader once, at start: a page is never answered from another source than the page
 * before it (a failing source answers 502, it is not swapped mid-pagination). `auto`: XAPI when
 * its source is enabled, else `cdroutput`, else the XAPI client Call Control uses; else a reason.
 */
export function chooseCallHistory(mode: CallHistoryMode, b: CallHistoryBackends): Reader | string {
  const xapi = b.xapi;
  const fromXapi = xapi && {
    source: 'xapi' as const,
    failure: 'PBX call history failed',
    read: async (q: CdrHistoryQuery) => {
      const page = await xapi.getCallHistory({
        from: q.from,
        to: q.to,
        extension: q.extension,
        number: q.number,
        top: q.limit,
        skip: q.offset,
      });
      return { total: page.total, items: page.items.map(toSegment) };
    },
  };
  const cdr = b.cdroutput;
  const fromCdr = cdr && {
    source: 'cdroutput' as const,
    failure: "reading call history from 3CX's database (cdroutput) failed",
    read: (q: CdrHistoryQuery) => cdr.read(q),
  };
  const dbWhy = b.cdroutputMissing ? ` (${b.cdroutputMissing})` : '';
  if (mode === 'xapi')
    return (
      fromXapi ??
      `CALL_HISTORY_SOURCE=xapi, but XAPI is not configured: set ${XAPI_NEEDS} and SOURCE_XAPI_ENABLED=true`
    );
  if (mode === 'cdroutput')
    return (
      fromCdr ?? `CALL_HISTORY_SOURCE=cdroutput, but 3CX's database is not available${dbWhy}: set ${DB_NEEDS}`
    );
  if (fromXapi && b.xapiEnabled) return fromXapi;
  return (
    fromCdr ??
    fromXapi ??
    `call history needs XAPI (${XAPI_NEEDS}, SOURCE_XAPI_ENABLED=true; Enterprise/AI licence) or 3CX's database${dbWhy} (SOURCE_DB_ENABLED=true with ${DB_NEEDS})`
  );
}

/**
 * GET /relay/call-history (scope history:read): one page of call history from XAPI's
 * CallHistoryView or 3CX's cdroutput table (see {@link chooseCallHistory}), filtered by time
 * range (default: the last 24 h), extension and number. Identical queries within `cacheMs` are
 * answered from memory so polling clients do not hammer the PBX.
 */
export function registerCallHistoryRoute(
  app: FastifyInstance,
  deps: {
    history: CallHistoryBackends;
    mode: CallHistoryMode;
    auth: preHandlerAsyncHookHandler;
    cacheMs?: number;
  },
): void {
  const reader = chooseCallHistory(deps.mode, deps.history);
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
      if (typeof reader === 'string') throw new AppError('UNAVAILABLE', reader);
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
      let page: Awaited<ReturnType<Reader['read']>>;
      try {
        page = await reader.read({ from, to, extension: q.extension, number: q.number, limit, offset });
      } catch (err) {
        throw new AppError('UPSTREAM_ERROR', `${reader.failure}: ${(err as Error).message}`, undefined, {
          cause: err,
        });
      }
      const body: RelayCallHistoryPage = {
        source: reader.source,
        from: from.toISOString(),
        to: to.toISOString(),
        total: page.total,
        limit,
        offset,
        nextOffset: page.items.length === limit ? offset + limit : null,
        items: page.items,
      };
      if (cache.size > 200) cache.clear();
      cache.set(key, { at: Date.now(), body });
      return body;
    },
  );
}
