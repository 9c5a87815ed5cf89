import { relayRequest, type RequestContext } from './http-request.js';
import { RelayWebhooks } from './relay-webhooks.js';
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

/**
 * REST client of the relay (`/relay/active-calls`, `/relay/call-history`, and `webhooks`:
 * `/relay/webhooks`). Errors are `RelayApiError`.
 */
export class RelayClient {
  private readonly context: RequestContext;
  /** The webhook API and REST Hooks helpers (scope `webhooks:manage`). */
  readonly webhooks: RelayWebhooks;

  constructor(options: RelayClientOptions) {
    this.context = {
      base: normalizeBaseUrl(options.baseUrl),
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs ?? 10_000,
      fetch: options.fetch ?? globalThis.fetch,
    };
    this.webhooks = new RelayWebhooks(this.context);
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

  private get<T>(
    path: string,
    query: Record<string, string | number | undefined>,
    signal?: AbortSignal,
  ): Promise<T> {
    return relayRequest<T>(this.context, 'GET', path, { query, signal });
  }
}
