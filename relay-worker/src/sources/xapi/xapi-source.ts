import type { Logger } from '../../logger.js';
import { coerceError } from '../../errors.js';
import type { StatusBoard } from '../../status/status-board.js';
import { PbxError } from '../pbx-error.js';
import { describeLicence, type PbxLicence } from './pbx-licence.js';
import type { XapiClient } from './xapi-client.js';

export interface XapiSourceOptions {
  client: XapiClient;
  status: StatusBoard;
  /** Probe period (ms). */
  intervalMs: number;
  /** A probe slower than this (ms) marks XAPI `degraded`. */
  degradedLatencyMs: number;
  /** Invalidates the shared token (control command `reconnect`). */
  invalidateToken: () => void;
  /**
   * The PBX's licence: `refresh` reads `GetLicenseParameters` before each probe; `current` (that
   * answer, else the token's roles) is read after it, when the probe's own token is known.
   */
  licence?: { refresh(): Promise<PbxLicence | undefined>; readonly current: PbxLicence | undefined };
}

/**
 * XAPI health. Every `intervalMs`: `GET /xapi/v1/Defs?$select=Id` (latency) plus a one-row
 * `CallHistoryView` read that proves the role allows history. States: `connecting` → `up`,
 * `degraded` when the probe answers but slower than `degradedLatencyMs` or with a malformed or
 * oversized body, or
 * `down` with an actionable error (bad credentials, 403 → System Owner role, licence) and an
 * error-log entry. A failing probe waits for the next period: no tight retry loop.
 */
export class XapiSource {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly o: XapiSourceOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    // Recorded before the first probe, so a fast failure is not overwritten by 'connecting'.
    this.running = this.o.status
      .set('xapi', { status: 'connecting' })
      .then(() => this.probe())
      .finally(() => (this.running = undefined)); // else `??=` below never probes again
    this.timer = setInterval(() => {
      this.running ??= this.probe().finally(() => (this.running = undefined));
    }, this.o.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Control command `reconnect`: fresh token and an immediate probe. */
  async reconnect(): Promise<string> {
    this.o.invalidateToken();
    await this.o.status.set('xapi', { status: 'connecting' });
    await this.probe();
    return `xapi ${this.o.status.get('xapi')?.status ?? 'unknown'}`;
  }

  /** Probes now and records the status. */
  async probe(): Promise<void> {
    await this.o.licence?.refresh();
    try {
      const started = performance.now();
      const latencyMs = await this.o.client.probe();
      const now = new Date();
      await this.o.client.getCallHistory({
        from: new Date(now.getTime() - 3600_000),
        to: now,
        top: 1,
        skip: 0,
      });
      const slowest = Math.max(latencyMs, (performance.now() - started) / 2);
      if (slowest > this.o.degradedLatencyMs) {
        const message = `XAPI answers slowly: ${Math.round(slowest)} ms (threshold ${this.o.degradedLatencyMs} ms)`;
        await this.o.status.set('xapi', {
          status: 'degraded',
          latencyMs: Math.round(latencyMs),
          error: message,
          details: this.licenceDetails(),
        });
        await this.o.status.reportError('xapi', 'warning', 'XAPI_SLOW', message);
        return;
      }
      await this.o.status.set('xapi', {
        status: 'up',
        latencyMs: Math.round(latencyMs),
        details: this.licenceDetails(),
      });
    } catch (err) {
      const e = coerceError(err);
      const kind = err instanceof PbxError ? err.kind : 'HTTP';
      const severity =
        kind === 'FORBIDDEN' || kind === 'LICENSE' || kind === 'BAD_CREDENTIALS' ? 'critical' : 'error';
      // A garbled answer still proves the PBX is there: degraded, not down.
      const garbled = kind === 'MALFORMED' || kind === 'TOO_LARGE';
      this.log.debug({ err: e }, 'XAPI probe failed');
      await this.o.status.set('xapi', {
        status: garbled ? 'degraded' : 'down',
        error: e.message,
        details: this.licenceDetails(),
      });
      await this.o.status.reportError('xapi', severity, `XAPI_${kind}`, e.message);
    }
  }

  /**
   * Shown with the status: which licence the relay sees and where that came from, as known
   * after the probe (so the same knowledge as the probe's error message, which names it).
   */
  private licenceDetails(): { licence: string } | undefined {
    const licence = this.o.licence?.current;
    return licence ? { licence: describeLicence(licence) } : undefined;
  }
}
