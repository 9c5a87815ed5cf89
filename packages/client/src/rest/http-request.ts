import { RelayApiError } from './relay-api-error.js';

/** How to reach the relay: origin, key, timeout, fetch. */
export interface RequestContext {
  /** Origin without trailing slash or `/relay`. */
  base: string;
  apiKey: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

/** One request's parts. */
export interface RequestParts {
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal | undefined;
}

/**
 * One REST call to the relay: Bearer key, JSON in and out, a timeout, and every failure as a
 * {@link RelayApiError} (`TIMEOUT`/`NETWORK_ERROR` with status 0 when no answer came). A 204
 * resolves to undefined.
 */
export async function relayRequest<T>(
  c: RequestContext,
  method: string,
  path: string,
  p: RequestParts = {},
): Promise<T> {
  const url = new URL(c.base + path);
  for (const [k, v] of Object.entries(p.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const timeout = AbortSignal.timeout(c.timeoutMs);
  let res: Response;
  try {
    res = await c.fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${c.apiKey}`,
        accept: 'application/json',
        ...(p.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: p.body === undefined ? undefined : JSON.stringify(p.body),
      signal: p.signal ? AbortSignal.any([p.signal, timeout]) : timeout,
    });
  } catch (err) {
    if (timeout.aborted)
      throw new RelayApiError(0, 'TIMEOUT', `no answer from ${url.origin} within ${c.timeoutMs} ms`, null, {
        cause: err,
      });
    if (p.signal?.aborted) throw err;
    throw new RelayApiError(
      0,
      'NETWORK_ERROR',
      `cannot reach ${url.origin}: ${(err as Error).message}`,
      null,
      {
        cause: err,
      },
    );
  }
  if (!res.ok) throw await RelayApiError.fromResponse(res);
  if (res.status === 204) return undefined as T;
  try {
    return (await res.json()) as T;
  } catch (err) {
    throw new RelayApiError(res.status, 'BAD_RESPONSE', 'the relay answered with invalid JSON', null, {
      cause: err,
    });
  }
}
