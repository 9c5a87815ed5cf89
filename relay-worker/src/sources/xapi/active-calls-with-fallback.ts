import type { ActiveCall } from '@3cx-relay/events';
import { AppError, coerceError } from '../../errors.js';
import type { StatusBoard } from '../../status/status-board.js';
import type { XapiClient } from './xapi-client.js';
import { xapiToActiveCall } from './xapi-active-call.js';

export interface ActiveCallsWithFallbackOptions {
  /** The worker's live Call Control state. */
  live: { activeCalls(): ActiveCall[] };
  status: Pick<StatusBoard, 'get'>;
  /** The XAPI client; undefined when the worker has none (then `unavailable` says why). */
  xapi: Pick<XapiClient, 'activeCalls'> | undefined;
  /** Why there is no XAPI client, for the 503 answer. */
  unavailable?: string;
  /** How long one XAPI answer, or failure, serves every caller (ms). Default 1000. */
  maxAgeMs?: number;
}

/** One XAPI request and when it settled (undefined while in flight). */
interface Fetch {
  calls: Promise<ActiveCall[]>;
  settledAt: number | undefined;
}

/**
 * Where `/relay/active-calls` gets its calls: the live Call Control state while the
 * `callcontrol` component is `up`, else XAPI `ActiveCalls` on demand. At most one XAPI request
 * is in flight; its answer, or its failure, serves every caller for `maxAgeMs`, so a burst of
 * clients (or pollers during an outage) costs one PBX request per period.
 */
export class ActiveCallsWithFallback {
  private last: Fetch | undefined;

  constructor(private readonly o: ActiveCallsWithFallbackOptions) {}

  activeCalls(): ActiveCall[] {
    return this.o.live.activeCalls();
  }

  /** True while Call Control is up: its live state is then the answer. */
  isLive(): boolean {
    return this.o.status.get('callcontrol')?.status === 'up';
  }

  /**
   * True while Call Control is `degraded`: its socket is open (events still arrive) but a
   * snapshot failed, so the live state may lag. XAPI is asked first; if XAPI fails too, this
   * state is still a better answer than an error.
   */
  isLiveDegraded(): boolean {
    return this.o.status.get('callcontrol')?.status === 'degraded';
  }

  /**
   * The PBX's calls from XAPI. Rejects with `UNAVAILABLE` (503) without an XAPI client and
   * with `UPSTREAM_ERROR` (502) when XAPI fails.
   */
  fallbackCalls(): Promise<ActiveCall[]> {
    const cc = this.o.status.get('callcontrol')?.status ?? 'not started';
    if (!this.o.xapi)
      return Promise.reject(
        new AppError(
          'UNAVAILABLE',
          `active calls need Call Control or XAPI: Call Control is ${cc} and XAPI is not available (${this.o.unavailable ?? 'no XAPI client'})`,
        ),
      );
    const last = this.last;
    const fresh = last && (last.settledAt === undefined || Date.now() - last.settledAt < this.maxAgeMs);
    if (fresh) return last.calls;
    return this.fetch(this.o.xapi, cc);
  }

  private get maxAgeMs(): number {
    return this.o.maxAgeMs ?? 1000;
  }

  private fetch(xapi: Pick<XapiClient, 'activeCalls'>, cc: string): Promise<ActiveCall[]> {
    const entry: Fetch = { calls: Promise.resolve([]), settledAt: undefined };
    // Both branches record settledAt: a derived .finally() promise would reject unhandled.
    entry.calls = xapi.activeCalls().then(
      (rows) => {
        entry.settledAt = Date.now();
        return rows.map(xapiToActiveCall);
      },
      (err: unknown) => {
        entry.settledAt = Date.now();
        const e = coerceError(err);
        throw new AppError(
          'UPSTREAM_ERROR',
          `active calls unavailable: Call Control is ${cc} and XAPI ActiveCalls failed: ${e.message}`,
          undefined,
          { cause: err },
        );
      },
    );
    this.last = entry;
    return entry.calls;
  }
}
