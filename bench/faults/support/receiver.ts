import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** A webhook request as one endpoint saw it. */
export interface Hit {
  /** Receive time, ms since epoch. */
  at: number;
  webhookId: string;
  type: string;
  /** The answer status this receiver gave. */
  status: number;
}

/** Decides the status of each request (default 200). */
export type Responder = (hit: Omit<Hit, 'status'>) => number;

/** One receiving endpoint: a path, its signing secret and what it saw. */
export class Endpoint {
  /** Requests per webhook-id (the receiver's idempotency key). */
  readonly ids = new Map<string, number>();
  /** Every request, when `keepHits` is on (bounded by the scenario's event count). */
  readonly hits: Hit[] = [];
  requests = 0;
  /** Requests whose Standard Webhooks signature did not verify. */
  badSignatures = 0;
  respond: Responder = () => 200;
  private readonly verifier: Webhook;

  constructor(
    readonly path: string,
    secret: string,
    private readonly keepHits: boolean,
  ) {
    this.verifier = new Webhook(secret);
  }

  /** Distinct webhook-ids answered 2xx. */
  readonly delivered = new Set<string>();
  /** Newest `relay-sequence` accepted per `relay-order-key` (call). */
  private readonly newest = new Map<string, bigint>();
  /**
   * Deliveries accepted (2xx, first time for their webhook-id) after a later event of the same
   * call had been accepted: per-call order violations. At-least-once duplicates are not counted.
   */
  readonly orderViolations: string[] = [];

  handle(headers: http.IncomingHttpHeaders, body: string): number {
    this.requests++;
    const webhookId = String(headers['webhook-id'] ?? '');
    let type = '';
    try {
      type = (this.verifier.verify(body, headers as Record<string, string>) as { type: string }).type;
    } catch {
      this.badSignatures++;
    }
    const seen = { at: Date.now(), webhookId, type };
    const status = this.respond(seen);
    this.ids.set(webhookId, (this.ids.get(webhookId) ?? 0) + 1);
    if (status >= 200 && status < 300 && !this.delivered.has(webhookId)) {
      this.delivered.add(webhookId);
      this.checkOrder(headers);
    }
    if (this.keepHits) this.hits.push({ ...seen, status });
    return status;
  }

  private checkOrder(headers: http.IncomingHttpHeaders): void {
    const key = headers['relay-order-key'];
    const seq = headers['relay-sequence'];
    if (typeof key !== 'string' || typeof seq !== 'string') return;
    const s = BigInt(seq);
    const top = this.newest.get(key);
    if (top !== undefined && s < top) this.orderViolations.push(`${this.path} ${key} #${s} after #${top}`);
    else this.newest.set(key, s);
  }

  /** Calls (order keys) this endpoint accepted events of. */
  get callsSeen(): number {
    return this.newest.size;
  }

  /** Requests beyond the first for an id: the at-least-once duplicates. */
  get duplicates(): number {
    let n = 0;
    for (const c of this.ids.values()) n += c - 1;
    return n;
  }
}

/**
 * A webhook receiver on 127.0.0.1 with one {@link Endpoint} per path, each verifying the
 * Standard Webhooks signature with its own secret. Bodies larger than 1 MiB are refused.
 */
export class Receiver {
  private readonly endpoints = new Map<string, Endpoint>();
  private server: http.Server | undefined;
  private total = 0;
  port = 0;

  /** Adds an endpoint at `/hook/<name>`; keep every hit with `keepHits` (for timing checks). */
  endpoint(name: string, secret: string, keepHits = false): Endpoint {
    const ep = new Endpoint(`/hook/${name}`, secret, keepHits);
    this.endpoints.set(ep.path, ep);
    return ep;
  }

  /** Requests to any path, known or not. */
  requestCount(): number {
    return this.total;
  }

  urlOf(ep: Endpoint): string {
    return `http://127.0.0.1:${this.port}${ep.path}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 1 << 20) chunks.push(c);
      });
      req.on('end', () => {
        this.total++;
        const ep = this.endpoints.get(req.url ?? '');
        const status = !ep
          ? 404
          : size > 1 << 20
            ? 413
            : ep.handle(req.headers, Buffer.concat(chunks).toString('utf8'));
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
      });
    });
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
