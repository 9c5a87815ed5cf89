import { describe, expect, it } from 'vitest';
import { RecentCalls } from './recent-calls.js';
import type { TrackedCall } from './tracked-call.js';

/** The plain scan the index replaced: newest first, most shared numbers, then closest start. */
function reference(kept: { callId: string; startedAt: number; numbers: string[] }[]) {
  return (startedAt: number, numbers: string[], toleranceMs: number): string | null => {
    const wanted = new Set(numbers.filter(Boolean));
    let best: { callId: string; shared: number; gap: number } | null = null;
    for (const r of [...kept].reverse()) {
      const gap = Math.abs(r.startedAt - startedAt);
      const shared = new Set(r.numbers.filter((n) => wanted.has(n))).size;
      if (gap > toleranceMs || shared === 0) continue;
      if (!best || shared > best.shared || (shared === best.shared && gap < best.gap))
        best = { callId: r.callId, shared, gap };
    }
    return best?.callId ?? null;
  };
}

const call = (callid: number, startedAt: number, caller: string, callee: string, dns: string[]) =>
  ({
    callid,
    startedAt,
    caller: { number: caller },
    callee: { number: callee },
    dns,
  }) as unknown as TrackedCall;

describe('RecentCalls', () => {
  it('finds what a scan of every kept call finds, and forgets calls past its size', () => {
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const recent = new RecentCalls(50);
    const kept: { callId: string; startedAt: number; numbers: string[] }[] = [];
    const agents = ['100', '101', '102', '103', '104', '105'];
    for (let i = 1; i <= 400; i++) {
      // Repeated callers, shared agents and equal start times, so ties are common.
      const c = call(i, 1000 * rnd(40), `+4930${rnd(30)}`, agents[rnd(6)]!, [
        agents[rnd(6)]!,
        agents[rnd(6)]!,
      ]);
      recent.record(c);
      kept.push({
        callId: String(i),
        startedAt: c.startedAt,
        numbers: [c.caller!.number!, c.callee!.number!, ...c.dns],
      });
      if (kept.length > 50) kept.shift();
      const find = reference(kept);
      for (let q = 0; q < 5; q++) {
        const numbers = [`+4930${rnd(30)}`, agents[rnd(6)]!, ''];
        const at = 1000 * rnd(40);
        const tolerance = 1000 * rnd(8);
        expect(recent.find(at, numbers, tolerance)).toBe(find(at, numbers, tolerance));
      }
    }
    expect(recent.find(0, ['nobody'], 1e9)).toBeNull();
  });
});
