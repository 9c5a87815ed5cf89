import type { TrackedCall } from './tracked-call.js';

/** A finished call kept briefly so CDR summaries can be matched to the live callid. */
interface RecentCall {
  callId: string;
  startedAt: number;
  numbers: string[];
}

/** The last calls that ended live, newest first (at most `max`). */
export class RecentCalls {
  private readonly calls: RecentCall[] = [];

  constructor(private readonly max = 500) {}

  /** Remembers an ended call with its numbers (caller, callee and every DN). */
  record(call: TrackedCall): void {
    this.calls.unshift({
      callId: String(call.callid),
      startedAt: call.startedAt,
      numbers: [call.caller?.number, call.callee?.number, ...call.dns].filter((n): n is string => !!n),
    });
    this.calls.length = Math.min(this.calls.length, this.max);
  }

  /**
   * The callid of the ended call that started within `toleranceMs` of `startedAt` and shares a
   * number. Several may (a busy queue rings the same agents): the one that shares the most
   * numbers (the caller's CLI among them), then the closest start, wins.
   */
  find(startedAt: number, numbers: string[], toleranceMs: number): string | null {
    const wanted = new Set(numbers.filter(Boolean));
    let best: { callId: string; shared: number; gap: number } | null = null;
    for (const r of this.calls) {
      const gap = Math.abs(r.startedAt - startedAt);
      const shared = new Set(r.numbers.filter((n) => wanted.has(n))).size;
      if (gap > toleranceMs || shared === 0) continue;
      if (!best || shared > best.shared || (shared === best.shared && gap < best.gap))
        best = { callId: r.callId, shared, gap };
    }
    return best?.callId ?? null;
  }
}
