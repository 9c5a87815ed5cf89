/**
 * A failed REST call. `code` is the relay's `error.code` (`UNAUTHORIZED`, `FORBIDDEN`,
 * `RATE_LIMITED`, `BAD_REQUEST`, `UNAVAILABLE`, `UPSTREAM_ERROR`, `INTERNAL`, …), or
 * `NETWORK_ERROR` / `TIMEOUT` (status 0) when no answer came, or `HTTP_<status>` when the
 * answer was not the relay's JSON error.
 */
export class RelayApiError extends Error {
  override name = 'RelayApiError';

  constructor(
    /** HTTP status, 0 when there was no response. */
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds to wait before retrying (from `Retry-After` on 429), else null. */
    readonly retryAfterSec: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Builds the error from a non-2xx response, reading the relay's `{error:{code,message}}`. */
  static async fromResponse(res: Response): Promise<RelayApiError> {
    const text = await res.text().catch(() => '');
    let code = `HTTP_${res.status}`;
    let message = text.slice(0, 200) || res.statusText || `HTTP ${res.status}`;
    try {
      const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
      if (typeof body.error?.code === 'string') code = body.error.code;
      if (typeof body.error?.message === 'string') message = body.error.message;
    } catch {
      // not JSON (a proxy's error page): keep the text
    }
    const retryAfter = Number(res.headers.get('retry-after'));
    return new RelayApiError(
      res.status,
      code,
      message,
      Number.isFinite(retryAfter) && retryAfter >= 0 && res.headers.has('retry-after') ? retryAfter : null,
    );
  }
}
