import type { Simulator } from '@3cx-relay/simulator';

/** The scenarios a call driver cycles through (every one ends with a visible call.ended). */
export const CALL_MIX = [
  'internal',
  'inbound-missed',
  'inbound-queue-answered',
  'outbound',
  'ring-group-fanout',
  'queue-abandoned',
  'blind-transfer',
];

/** What {@link driveCalls} reports. */
export interface DrivenCalls {
  callIds: string[];
  aborted: number;
  failed: number;
}

/**
 * Runs `count` simulator calls, at most `concurrency` at a time, cycling through
 * {@link CALL_MIX}; resolves when every flow has ended and its CDRs are committed (or the
 * deadline passed, or `stop` was aborted: calls already started still finish).
 */
export async function driveCalls(
  sim: Simulator,
  count: number,
  concurrency: number,
  deadlineMs: number,
  stop?: AbortSignal,
): Promise<DrivenCalls> {
  const out: DrivenCalls = { callIds: [], aborted: 0, failed: 0 };
  const end = Date.now() + deadlineMs;
  let next = 0;
  const lane = async () => {
    while (next < count && Date.now() < end && !stop?.aborted) {
      const name = CALL_MIX[next++ % CALL_MIX.length]!;
      try {
        const s = await sim.runScenario(name);
        if (s.aborted) out.aborted++;
        else if (s.callid !== undefined && s.callid !== null) out.callIds.push(String(s.callid));
      } catch {
        out.failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return out;
}
