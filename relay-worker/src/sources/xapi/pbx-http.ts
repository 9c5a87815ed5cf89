import { Agent, request, type Dispatcher } from 'undici';
import { PbxError, errorForStatus } from '../pbx-error.js';
import { MAX_PBX_RESPONSE_BYTES, describeBody, readCappedBody } from '../read-capped-body.js';
import type { PbxLicence } from './pbx-licence.js';
import type { TokenHolder } from './token-holder.js';
import { pbxConnector } from '../pbx-tls.js';

/** A parsed JSON answer of the PBX. */
export interface PbxResponse<T = unknown> {
  status: number;
  body: T;
  latencyMs: number;
}

/**
 * Creates the HTTP dispatcher for the PBX (keep-alive). With `insecureTls`, a self-signed
 * certificate is accepted from the PBX at `pbxUrl` only; any other host is verified.
 */
export function createPbxDispatcher(opts: { pbxUrl?: string; insecureTls?: boolean } = {}): Agent {
  return new Agent({
    connect: pbxConnector(opts.pbxUrl, opts.insecureTls ?? false),
    keepAliveTimeout: 10_000,
    connections: 8,
  });
}

/**
 * Authenticated JSON requests to the PBX (XAPI and Call Control REST). Adds the Bearer token
 * of the shared {@link TokenHolder} and, on a 401, renews the token once and retries.
 */
export class PbxHttp {
  /** The PBX's licence as known, to tell a licence 403 from a role 403 (see {@link errorForStatus}). */
  licence: { readonly current: PbxLicence | undefined } | undefined;

  constructor(
    readonly baseUrl: string,
    readonly tokens: TokenHolder,
    private readonly dispatcher?: Dispatcher,
    private readonly timeoutMs = 10_000,
    /** Bodies larger than this (bytes) are abandoned with a `TOO_LARGE` error. */
    private readonly maxBodyBytes = MAX_PBX_RESPONSE_BYTES,
  ) {}

  /**
   * GET a JSON document; non-2xx answers throw a classified {@link PbxError}, a body that is
   * not JSON throws `MALFORMED` and one over the size cap `TOO_LARGE`.
   */
  async getJson<T = unknown>(path: string): Promise<PbxResponse<T>> {
    const first = await this.tokens.get();
    let res = await this.send(path, first);
    if (res.status === 401) res = await this.send(path, await this.tokens.renew(first));
    if (res.status < 200 || res.status >= 300)
      throw errorForStatus(res.status, path.split('?')[0] ?? path, res.text, this.licence?.current);
    try {
      return { status: res.status, body: JSON.parse(res.text) as T, latencyMs: res.latencyMs };
    } catch {
      throw new PbxError(
        'MALFORMED',
        `PBX answered ${path.split('?')[0]} with ${describeBody(res.text)}`,
        res.status,
      );
    }
  }

  /**
   * GET a binary resource (a recording) as a stream, with extra request headers (`Range`).
   * Answers of any status are returned with their body unread (the caller consumes or dumps
   * it); a 401 renews the token once. Network failures throw `NETWORK`.
   */
  async getStream(path: string, headers: Record<string, string> = {}): Promise<Dispatcher.ResponseData> {
    const open = async (token: string) => {
      try {
        return await request(new URL(path, this.baseUrl), {
          method: 'GET',
          headers: { ...headers, authorization: `Bearer ${token}` },
          dispatcher: this.dispatcher,
          headersTimeout: this.timeoutMs,
          // A slow listener may pause the stream for long; only a stalled PBX fails it.
          bodyTimeout: 5 * this.timeoutMs,
        });
      } catch (err) {
        throw new PbxError(
          'NETWORK',
          `cannot reach the PBX for ${path.split('?')[0]}: ${(err as Error).message}`,
          undefined,
          {
            cause: err,
          },
        );
      }
    };
    const first = await this.tokens.get();
    const res = await open(first);
    if (res.statusCode !== 401) return res;
    await res.body.dump();
    return open(await this.tokens.renew(first));
  }

  private async send(
    path: string,
    token: string,
  ): Promise<{ status: number; text: string; latencyMs: number }> {
    const started = performance.now();
    try {
      const res = await request(new URL(path, this.baseUrl), {
        method: 'GET',
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        dispatcher: this.dispatcher,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const text = await readCappedBody(res, path.split('?')[0] ?? path, this.maxBodyBytes);
      return { status: res.statusCode, text, latencyMs: performance.now() - started };
    } catch (err) {
      if (err instanceof PbxError) throw err;
      throw new PbxError(
        'NETWORK',
        `cannot reach the PBX for ${path.split('?')[0]}: ${(err as Error).message}`,
        undefined,
        { cause: err },
      );
    }
  }
}
