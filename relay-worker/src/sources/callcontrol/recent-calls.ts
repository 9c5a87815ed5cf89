import type { TrackedCall } from './tracked-call.js';

/** A finished call kept briefly so CDR summaries can be matched to the live callid. */
interface RecentCall {
  callId: string;
  startedAt: number;
  /** Caller, callee and every DN, without repeats. */
  numbers: string[];
}

/**
 * The last calls that ended live (at most `max`), indexed by number: a CDR poll matches every
 * flow it summarizes (about 100 a second on a busy PBX), and scanning all the kept calls for
 * each, building a set per call, cost the worker ~6 ms of one event-loop turn per poll. Only
 * calls that share a number with the flow are looked at now.
 */
export class RecentCalls {
  /** Oldest first. */
  private readonly calls: RecentCall[] = [];
  private readonly byNumber = new Map<string, Set<RecentCall>>();

  constructor(private readonly max = 500) {}

  /** Remembers an ended call with its numbers (caller, callee and every DN). */
  record(call: TrackedCall): void {
    const numbers = [call.caller?.number, call.callee?.number, ...call.dns].filter((n): n is string => !!n);
    const r: RecentCall = {
      callId: String(call.callid),
      startedAt: call.startedAt,
      numbers: [...new Set(numbers)],
    };
    this.calls.push(r);
    for (const n of r.numbers) {
      const set = this.byNumber.get(n);
      if (set) set.add(r);
      else this.byNumber.set(n, new Set([r]));
    }
    while (this.calls.length > this.max) this.evict(this.calls.shift()!);
  }

  /**
   * The callid of the ended call that started within `toleranceMs` of `startedAt` and shares a
   * number. Several may (a busy queue rings the same agents): the one that shares the most
   * numbers (the caller's CLI among them), then the closest start, then the latest ended, wins.
   */
  find(startedAt: number, numbers: string[], toleranceMs: number): string | null {
    const shared = new Map<RecentCall, number>();
    for (const n of new Set(numbers.filter(Boolean)))
      for (const r of this.byNumber.get(n) ?? []) shared.set(r, (shared.get(r) ?? 0) + 1);
    let best: { r: RecentCall; shared: number; gap: number } | null = null;
    for (const [r, count] of shared) {
      const gap = Math.abs(r.startedAt - startedAt);
      if (gap > toleranceMs) continue;
      if (
        !best ||
        count > best.shared ||
        (count === best.shared && (gap < best.gap || (gap === best.gap && this.endedAfter(r, best.r))))
      )
        best = { r, shared: count, gap };
    }
    return best?.r.callId ?? null;
  }

  /** `a` ended after `b` (both kept). */
  private endedAfter(a: RecentCall, b: RecentCall): boolean {
    return this.calls.lastIndexOf(a) > this.calls.lastIndexOf(b);
  }

  private evict(r: RecentCall): void {
    for (const n of r.numbers) {
      const set = this.byNumber.get(n);
      set?.delete(r);
      if (set?.size === 0) this.byNumber.delete(n);
    }
  }
}
