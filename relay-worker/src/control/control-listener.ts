import pg from 'pg';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';

/** Channel the admin NOTIFYs with `{id, command, args}` after inserting a `control_commands` row. */
export const CONTROL_CHANNEL = 'relay_control';

/** Handles one command; the returned string is stored as the command's `result`. */
export type ControlHandler = (args: Record<string, unknown>) => Promise<string | void>;

export interface ControlListenerOptions {
  /** Own database URL; the listener holds one dedicated connection. */
  databaseUrl: string;
  /** Re-scan for unhandled rows this often, in case a NOTIFY was lost (ms, default 15000). */
  rescanMs?: number;
  /** Commands older than this are marked expired instead of run (ms, default 1 h). */
  maxAgeMs?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
}

/**
 * Commands from the admin to the worker. States: `stopped` → `connecting` (open a dedicated
 * client, LISTEN, then run every unhandled `control_commands` row) → `listening` (run each
 * NOTIFY; rescan periodically) → on connection loss back to `connecting` after an
 * exponential backoff. Each row is claimed with `UPDATE … WHERE handled_at IS NULL` before
 * its handler runs, so a NOTIFY and a rescan never run the same command twice.
 */
export class ControlListener {
  private readonly handlers = new Map<string, ControlHandler>();
  private client: pg.Client | undefined;
  private stopped = true;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly opts: ControlListenerOptions,
    private readonly log: Logger,
  ) {}

  /** Registers the handler of a command (replaces an earlier one for the same name). */
  on(command: string, handler: ControlHandler): void {
    this.handlers.set(command, handler);
  }

  /** Starts listening; resolves after the first connection attempt (reconnects on its own). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
    this.rescanTimer = setInterval(() => void this.processPending(), this.opts.rescanMs ?? 15_000);
    this.rescanTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.rescanTimer);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.opts.databaseUrl,
      application_name: '3cx-relay-control',
    });
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.log.warn({ err }, 'control listener lost its connection');
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (msg) => {
      if (msg.channel === CONTROL_CHANNEL) void this.onNotify(msg.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CONTROL_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      this.log.warn({ err: coerceError(err) }, 'control listener could not connect');
      this.scheduleReconnect();
      return;
    }
    this.client = client;
    this.attempt = 0;
    this.log.debug('listening for control commands');
    await this.processPending();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const base = this.opts.reconnectBaseMs ?? 500;
    const delay =
      Math.min(this.opts.reconnectMaxMs ?? 30_000, base * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private async onNotify(payload: string): Promise<void> {
    let msg: { id?: unknown; command?: unknown; args?: unknown };
    try {
      msg = JSON.parse(payload) as typeof msg;
    } catch {
      this.log.warn({ payload }, 'ignoring malformed control notification');
      return;
    }
    if (typeof msg.id === 'string' || typeof msg.id === 'number') {
      await this.claimAndRun(String(msg.id));
    } else if (typeof msg.command === 'string') {
      await this.run(msg.command, asArgs(msg.args));
    }
  }

  /** Runs every unhandled row, oldest first. */
  private async processPending(): Promise<void> {
    const c = this.client;
    if (!c) return;
    try {
      const res = await c.query<{ id: string }>(
        'SELECT id::text FROM control_commands WHERE handled_at IS NULL ORDER BY id',
      );
      for (const row of res.rows) await this.claimAndRun(row.id);
    } catch (err) {
      this.log.warn({ err: coerceError(err) }, 'could not read pending control commands');
    }
  }

  private async claimAndRun(id: string): Promise<void> {
    const c = this.client;
    if (!c) return;
    try {
      const claimed = await c.query<{ command: string; args: unknown; age_ms: number }>(
        `UPDATE control_commands SET handled_at = now() WHERE id = $1 AND handled_at IS NULL
         RETURNING command, args, extract(epoch FROM now() - requested_at) * 1000 AS age_ms`,
        [id],
      );
      const row = claimed.rows[0];
      if (!row) return; // handled already (by a rescan, another worker, or before)
      const result =
        Number(row.age_ms) > (this.opts.maxAgeMs ?? 3_600_000)
          ? 'expired: not run'
          : await this.run(row.command, asArgs(row.args));
      await c.query('UPDATE control_commands SET result = $2 WHERE id = $1', [id, result.slice(0, 2000)]);
    } catch (err) {
      this.log.warn({ id, err: coerceError(err) }, 'could not process control command');
    }
  }

  private async run(command: string, args: Record<string, unknown>): Promise<string> {
    const handler = this.handlers.get(command);
    if (!handler) {
      this.log.warn({ command }, 'unknown control command');
      return `error: unknown command ${command}`;
    }
    try {
      this.log.info({ command, args }, 'control command');
      return (await handler(args)) ?? 'ok';
    } catch (err) {
      const e = coerceError(err);
      this.log.warn({ command, err: e }, 'control command failed');
      return `error: ${e.message}`;
    }
  }
}

function asArgs(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
