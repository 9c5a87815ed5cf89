import WebSocket from 'ws';
import { sleep } from './wait.js';

/** A message of the relay's WebSocket fan-out. */
interface FanoutMessage {
  kind: 'hello' | 'event' | 'resumed' | 'history_lost';
  sequence?: string;
  id?: string;
}

/**
 * A fan-out client that never wants to miss an event: it connects to `/relay/ws?since=<last
 * sequence seen>` and, whenever the socket closes (worker killed, restarted), reconnects with
 * the same `since` after a short backoff, until {@link ResumingWsClient.close}. It records
 * every sequence it received and how often it saw each one.
 */
export class ResumingWsClient {
  /** Event sequences received → times received. */
  readonly seen = new Map<string, number>();
  lastSequence = 0n;
  connects = 0;
  historyLost = 0;
  /** Upgrade refusals and socket errors while reconnecting. */
  errors = 0;
  private ws: WebSocket | undefined;
  private closed = false;
  private loop: Promise<void> | undefined;

  /**
   * @param baseUrl - the worker's `http://127.0.0.1:<port>`
   * @param apiKey - a key with `events:subscribe`
   * @param since - sequence to resume after (0 = everything still retained)
   */
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    since = 0n,
  ) {
    this.lastSequence = since;
  }

  /** Starts the connect/reconnect loop. */
  start(): this {
    this.loop = this.run();
    return this;
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (!this.closed) {
      const opened = await this.connectOnce();
      if (this.closed) break;
      backoff = opened ? 100 : Math.min(backoff * 2, 1000);
      await sleep(backoff);
    }
  }

  /** One connection's life; resolves when it closes. True if it was ever open. */
  private connectOnce(): Promise<boolean> {
    const url = `${this.baseUrl.replace(/^http/, 'ws')}/relay/ws?since=${this.lastSequence}`;
    return new Promise((resolve) => {
      let opened = false;
      const ws = new WebSocket(url, {
        headers: { authorization: `Bearer ${this.apiKey}` },
        handshakeTimeout: 5000,
      });
      this.ws = ws;
      ws.on('open', () => {
        opened = true;
        this.connects++;
      });
      ws.on('message', (data: Buffer) => this.onMessage(data));
      ws.on('error', () => this.errors++);
      ws.on('close', () => resolve(opened));
    });
  }

  private onMessage(data: Buffer): void {
    let msg: FanoutMessage;
    try {
      msg = JSON.parse(data.toString()) as FanoutMessage;
    } catch {
      this.errors++;
      return;
    }
    if (msg.kind === 'history_lost') this.historyLost++;
    if (msg.kind !== 'event' || !msg.sequence) return;
    this.seen.set(msg.sequence, (this.seen.get(msg.sequence) ?? 0) + 1);
    const seq = BigInt(msg.sequence);
    if (seq > this.lastSequence) this.lastSequence = seq;
  }

  /** Events received more than once (allowed, but counted). */
  get duplicates(): number {
    let n = 0;
    for (const c of this.seen.values()) n += c - 1;
    return n;
  }

  /** Of `expected` sequences, the ones this client never received. */
  missing(expected: Iterable<string>): string[] {
    const out: string[] = [];
    for (const s of expected) if (!this.seen.has(s)) out.push(s);
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ws?.close(1000);
    this.ws?.terminate();
    await this.loop;
  }
}
