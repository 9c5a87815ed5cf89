import { Agent } from 'undici';
import { coerceError } from '../errors.js';
import { parseRetryAfter } from './retry-policy.js';
import { SsrfBlockedError, guardedConnector } from './ssrf-guard.js';
import type { SignedRequest } from './sign-payload.js';

/** Bytes of a response body kept with an attempt. */
export const RESPONSE_EXCERPT_BYTES = 4096;
/** Bytes read and discarded beyond the excerpt so the keep-alive connection can be reused. */
const DRAIN_LIMIT_BYTES = 64 * 1024;

/** How an attempt ended. */
export interface SendResult {
  statusCode: number | null;
  durationMs: number;
  /** First 4 KB of the response body (UTF-8, lossy). */
  excerpt: string | null;
  error: string | null;
  /** `ssrf` failures are refusals of ours, not of the receiver. */
  errorKind: 'timeout' | 'connect' | 'dns' | 'ssrf' | 'other' | null;
  /** From `Retry-After` on 429/503, ms. */
  retryAfterMs: number | null;
  /** The receiver's `webhook-delivery` control header (Svix extension): `disable` or `abort-message`. */
  deliveryControl: 'disable' | 'abort-message' | null;
}

export interface WebhookClientOptions {
  /** Time to response headers, ms (default 15 000). */
  timeoutMs?: number;
  /** Keep-alive connections per origin (default 64). */
  connections?: number;
}

/**
 * Sends signed webhook requests with undici (Node's own HTTP engine), over keep-alive
 * connections pooled per origin. Two agents: one refusing local-network targets, one for
 * subscriptions that allow them (still refusing cloud metadata). Redirects are never followed.
 */
export class WebhookClient {
  private readonly guarded: Agent;
  private readonly local: Agent;
  private readonly timeoutMs: number;

  constructor(opts: WebhookClientOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    const common = {
      connections: opts.connections ?? 64,
      keepAliveTimeout: 30_000,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      maxRedirections: 0,
    };
    this.guarded = new Agent({ ...common, connect: guardedConnector(false, { timeoutMs: this.timeoutMs }) });
    this.local = new Agent({ ...common, connect: guardedConnector(true, { timeoutMs: this.timeoutMs }) });
  }

  /** POSTs `req` to `url`; never throws (failures come back as a result). */
  async send(url: string, req: SignedRequest, allowLocalNetwork: boolean): Promise<SendResult> {
    const started = performance.now();
    const agent = allowLocalNetwork ? this.local : this.guarded;
    try {
      const u = new URL(url);
      const res = await agent.request({
        origin: u.origin,
        path: u.pathname + u.search,
        method: 'POST',
        headers: { ...req.headers, 'user-agent': '3cx-relay-webhooks/1' },
        body: req.body,
      });
      const excerpt = await readExcerpt(res.body);
      const control = String(res.headers['webhook-delivery'] ?? '').toLowerCase();
      const throttled = res.statusCode === 429 || res.statusCode === 503;
      return {
        statusCode: res.statusCode,
        durationMs: performance.now() - started,
        excerpt,
        error: null,
        errorKind: null,
        retryAfterMs: throttled ? parseRetryAfter(res.headers['retry-after']) : null,
        deliveryControl: control === 'disable' || control === 'abort-message' ? control : null,
      };
    } catch (err) {
      const e = coerceError(err) as Error & { code?: string; cause?: unknown };
      const cause = (e.cause ?? e) as Error & { code?: string };
      const kind: SendResult['errorKind'] =
        e instanceof SsrfBlockedError || cause instanceof SsrfBlockedError
          ? 'ssrf'
          : /TIMEOUT/.test(e.code ?? '')
            ? 'timeout'
            : ['ENOTFOUND', 'EAI_AGAIN'].includes(cause.code ?? e.code ?? '')
              ? 'dns'
              : /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|UND_ERR_SOCKET|UND_ERR_CONNECT/.test(
                    `${e.code} ${cause.code}`,
                  )
                ? 'connect'
                : 'other';
      return {
        statusCode: null,
        durationMs: performance.now() - started,
        excerpt: null,
        error: `${e.code ? `${e.code}: ` : ''}${e.message}`.slice(0, 1000),
        errorKind: kind,
        retryAfterMs: null,
        deliveryControl: null,
      };
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.guarded.close(), this.local.close()]);
  }
}

async function readExcerpt(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string | null> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.length;
    if (keptBytes < RESPONSE_EXCERPT_BYTES) {
      const part = chunk.subarray(0, RESPONSE_EXCERPT_BYTES - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    }
    if (seen > DRAIN_LIMIT_BYTES) {
      body.destroy();
      break;
    }
  }
  return keptBytes ? Buffer.concat(kept).toString('utf8') : null;
}
