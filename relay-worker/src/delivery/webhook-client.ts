import type { Readable } from 'node:stream';
import { Agent } from 'undici';
import { coerceError } from '../errors.js';
import { parseRetryAfter } from './retry-policy.js';
import { SsrfBlockedError, allowListFor, guardedConnector } from './ssrf-guard.js';
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
  /** Time to response headers, ms (default 15 000); a subscription's own timeout wins. */
  timeoutMs?: number;
  /**
   * Keep-alive connections per origin; default none of its own (null). Each subscription's
   * `maxConcurrency` (its p-queue) and the dispatcher's in-flight cap bound the requests, and
   * subscriptions sharing an origin each get theirs: a cap per origin below their sum queued
   * requests inside the pool, where the wait counted against each attempt's timeout and
   * throttled every subscription on that origin (10 subscriptions × 16 on one receiver got 64).
   */
  connections?: number | null;
}

/** Per-subscription options of a send. */
export interface SendOptions {
  /** Private CIDRs the target may resolve to (canonical); empty = public addresses only. */
  allowedCidrs: readonly string[];
  /** This subscription's timeout, ms; null = the client's default. */
  timeoutMs?: number | null;
  /** Extra request headers (the subscription's own); the signed and relay headers win. */
  headers?: Record<string, string>;
}

/**
 * Sends signed webhook requests with undici (Node's own HTTP engine), over keep-alive
 * connections pooled per origin. One agent per distinct list of allowed CIDRs (the empty list:
 * public addresses only), each refusing what its list does not allow and cloud metadata
 * always. Redirects are never followed.
 */
export class WebhookClient {
  private readonly agents = new Map<string, Agent>();
  private readonly targets = new Map<string, { origin: string; path: string }>();
  private readonly timeoutMs: number;
  private readonly connections: number | null;

  constructor(opts: WebhookClientOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.connections = opts.connections ?? null;
  }

  private agentFor(cidrs: readonly string[]): Agent {
    const key = cidrs.join(',');
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({
        connections: this.connections,
        keepAliveTimeout: 30_000,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        maxRedirections: 0,
        connect: guardedConnector(allowListFor(cidrs), { timeoutMs: this.timeoutMs }),
      });
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Origin and path of a subscription URL, parsed once (a URL per delivery was measurable). */
  private target(url: string): { origin: string; path: string } {
    let t = this.targets.get(url);
    if (!t) {
      const u = new URL(url);
      t = { origin: u.origin, path: u.pathname + u.search };
      if (this.targets.size >= 1000) this.targets.clear(); // edited URLs: never grows without bound
      this.targets.set(url, t);
    }
    return t;
  }

  /** POSTs `req` to `url`; never throws (failures come back as a result). */
  async send(url: string, req: SignedRequest, opts: SendOptions): Promise<SendResult> {
    const started = performance.now();
    const agent = this.agentFor(opts.allowedCidrs);
    const timeoutMs = opts.timeoutMs ?? null;
    // A subscription's own timeout bounds the whole attempt (connect included), not only the wait for headers.
    const abort = timeoutMs !== null ? new AbortController() : null;
    const timer = abort ? setTimeout(() => abort.abort(timeoutError(timeoutMs!)), timeoutMs!) : undefined;
    try {
      const u = this.target(url);
      const res = await agent.request({
        origin: u.origin,
        path: u.path,
        method: 'POST',
        headers: { ...opts.headers, ...req.headers, 'user-agent': '3cx-relay-webhooks/1' },
        body: req.body,
        ...(abort ? { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: abort.signal } : {}),
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
          : /TIMEOUT/.test(e.code ?? '') || e.name === 'TimeoutError'
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
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close()));
    this.agents.clear();
  }
}

function timeoutError(ms: number): Error {
  return Object.assign(new Error(`no answer within the subscription's timeout of ${ms} ms`), {
    name: 'TimeoutError',
    code: 'UND_ERR_TIMEOUT',
  });
}

/**
 * The first {@link RESPONSE_EXCERPT_BYTES} of a response body; reads on to
 * {@link DRAIN_LIMIT_BYTES} so the connection can be reused, and drops it beyond that.
 * Event listeners rather than `for await`: an async iterator per response was 2-3 % of the
 * dispatcher's CPU at 10,000 deliveries/s, most answers being a few bytes.
 */
function readExcerpt(body: Readable): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let seen = 0;
    const done = () => resolve(keptBytes ? Buffer.concat(kept).toString('utf8') : null);
    body.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (keptBytes < RESPONSE_EXCERPT_BYTES) {
        const part = chunk.subarray(0, RESPONSE_EXCERPT_BYTES - keptBytes);
        kept.push(part);
        keptBytes += part.length;
      }
      if (seen > DRAIN_LIMIT_BYTES) {
        body.destroy();
        done();
      }
    });
    body.once('end', done);
    body.once('error', reject);
  });
}
