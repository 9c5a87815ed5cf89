import { RelayApiError } from './relay-api-error.js';
import type {
  ActiveCallsResult,
  CallHistoryPage,
  CallHistoryQuery,
  CallHistorySegment,
} from './rest-types.js';

/** Options of {@link RelayClient}. */
export interface RelayClientOptions {
  /** Where the relay is served, e.g. `https://pbx.example.com` (behind nginx) or `http://127.0.0.1:8082`. */
  baseUrl: string;
  /** API key `rk_<12 hex>.<secret>` from the admin panel. */
  apiKey: string;
  /** Per-request timeout in ms (default 10 000). */
  timeoutMs?: number;
  /** A `fetch` implementation (default: the global one). */
  fetch?: typeof fetch;
}

/** The relay's origin without a trailing slash or `/relay` (both are common copy-paste forms). */
export function normalizeBaseUrl(baseUrl: string): string {
  return new URL(baseUrl)
    .toString()
    .replace(/\/+$/, '')
    .replace(/\/relay$/, '');
}

/** REST client of the relay (`/relay/active-calls`, `/relay/call-history`). Errors are {@link RelayApiError}. */
export class RelayClient {
  private readonly base: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: RelayClientOptions) {
    this.base = normalizeBaseUrl(options.baseUrl);
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Calls in progress (scope `calls:read`), optionally only those involving one extension. */
  activeCalls(query: { extension?: string } = {}, signal?: AbortSignal): Promise<ActiveCallsResult> {
    return this.get<ActiveCallsResult>('/relay/active-calls', { extension: query.extension }, signal);
  }

  /** One page of call history (scope `history:read`), newest first. */
  callHistory(query: CallHistoryQuery = {}, signal?: AbortSignal): Promise<CallHistoryPage> {
    const iso = (d: Date | string | undefined) => (d instanceof Date ? d.toISOString() : d);
    return this.get<CallHistoryPage>(
      '/relay/call-history',
      {
        from: iso(query.from),
        to: iso(query.to),
        extension: query.extension,
        number: query.number,
        limit: query.limit,
        offset: query.offset,
      },
      signal,
    );
  }

  /** Every segment of a call-history query, page by page (follows `nextOffset`). */
  async *callHistorySegments(
    query: CallHistoryQuery = {},
    signal?: AbortSignal,
  ): AsyncGenerator<CallHistorySegment> {
    // Pin `to`, so new calls do not shift the pages while reading them.
    let q: CallHistoryQuery = { ...query, to: query.to ?? new Date() };
    for (;;) {
      const page = await this.callHistory(q, signal);
      yield* page.items;
      if (page.nextOffset === null) return;
      q = { ...q, offset: page.nextOffset };
    }
  }

  private async get<T>(
    path: string,
    query: Record<string, string | number | undefined>,
    signal?: AbortSignal,
  ): Promise<T> {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 10_000);
    let res: Response;
    try {
      res = await this.fetch(url, {
        headers: { authorization: `Bearer ${this.options.apiKey}`, accept: 'application/json' },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      if (timeout.aborted)
        throw new RelayApiError(
          0,
          'TIMEOUT',
          `no answer from ${url.origin} within ${this.options.timeoutMs ?? 10_000} ms`,
          null,
          { cause: err },
        );
      if (signal?.aborted) throw err;
      throw new RelayApiError(
        0,
        'NETWORK_ERROR',
        `cannot reach ${url.origin}: ${(err as Error).message}`,
        null,
        { cause: err },
      );
    }
    if (!res.ok) throw await RelayApiError.fromResponse(res);
    try {
      return (await res.json()) as T;
    } catch (err) {
      throw new RelayApiError(res.status, 'BAD_RESPONSE', 'the relay answered with invalid JSON', null, {
        cause: err,
      });
    }
  }
}
