import { MALFORMED_RESPONSE_KINDS, type MalformedResponseKind } from '@3cx-relay/simulator';
import { driveCalls } from './calls.js';
import type { Lab } from './lab.js';
import { bumpTally, type Tally } from './tally.js';
import { sleep } from './wait.js';

/** What {@link malformedResponses} reports. */
export interface BadResponses {
  /** Broken bodies the simulator served in this run, per kind. */
  served: Partial<Record<MalformedResponseKind, number>>;
  /** Status of the worker's `/relay/call-history` (an XAPI read on demand) per kind phase. */
  history: Tally;
}

/**
 * Serves every kind of broken 200 body (truncated JSON, wrong shape, HTML, empty, 8 MiB
 * oversized) on Call Control REST and XAPI, `phaseMs` per kind, while the caller drives calls
 * (participant GETs) and the worker probes XAPI; each phase also asks the worker's call-history
 * API once, so XAPI sees every kind. Then `/connect/token` answers garbage while every token is
 * revoked (at most 1.5 s, so the token backoff stays short). Leaves the faults cleared.
 */
export async function malformedResponses(lab: Lab, apiKey: string, phaseMs: number): Promise<BadResponses> {
  const before = { ...lab.sim.state().malformedResponsesServed };
  const history: Tally = new Map();
  for (const [i, kind] of MALFORMED_RESPONSE_KINDS.entries()) {
    await lab.sim.faults.set({
      httpErrors: [],
      malformedResponses: [
        { pathPrefix: '/callcontrol', kind },
        { pathPrefix: '/xapi', kind },
      ],
    });
    const res = await fetch(`${lab.worker.url}/relay/call-history?number=hostile${i}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    }).catch(() => undefined);
    await res?.body?.cancel();
    bumpTally(history, res ? `${kind}:${res.status}` : `${kind}:reset`);
    await sleep(phaseMs);
  }
  await lab.sim.faults.set({
    httpErrors: [],
    malformedResponses: [{ pathPrefix: '/connect/token', kind: 'html' }],
    revokeTokens: true,
  });
  await sleep(Math.min(phaseMs, 1500));
  await lab.sim.faults.clear();
  const after = lab.sim.state().malformedResponsesServed;
  const served: BadResponses['served'] = {};
  for (const kind of MALFORMED_RESPONSE_KINDS) served[kind] = (after[kind] ?? 0) - (before[kind] ?? 0);
  return { served, history };
}

/** What {@link responseFlood} reports. */
export interface ResponseFlood {
  /** Broken bodies the simulator served during the flood, per kind. */
  served: Partial<Record<MalformedResponseKind, number>>;
  /** All of them. */
  total: number;
  /** Repeated Upsert frames sent to make the worker ask. */
  upserts: number;
}

/**
 * Waits until `count()` reaches `wanted`, or has not moved for 250 ms (the worker asked all it
 * will for this batch), or `end` (epoch ms) passes.
 */
async function askedFor(count: () => number, wanted: number, end: number): Promise<void> {
  let last = count();
  let since = Date.now();
  while (last < wanted && Date.now() < end && Date.now() - since < 250) {
    await sleep(10);
    const now = count();
    if (now !== last) [last, since] = [now, Date.now()];
  }
}

/** Kinds the flood rotates through; one batch in 25 (the 5th, 30th, …) is four 8 MiB bodies instead. */
const FLOOD_KINDS = MALFORMED_RESPONSE_KINDS.filter((k) => k !== 'oversized');

/**
 * Thousands of broken Call Control REST answers: while calls run, the simulator floods the
 * worker's socket with repeated Upserts of live participants (the repeated-Upsert quirk, in
 * bulk), and every participant GET they cause gets a broken 200 body. Batches of `batch`
 * rotate through the kinds; each batch waits until the worker has asked for all of it (or,
 * since repeated Upserts of one participant share one waiting GET, until it stops asking), so
 * nothing piles up. Stops at `target` broken answers or after `maxMs`. Leaves faults cleared.
 */
export async function responseFlood(
  lab: Lab,
  target: number,
  maxMs: number,
  batch = 250,
): Promise<ResponseFlood> {
  const servedNow = () => lab.sim.state().malformedResponsesServed;
  const total = (m: Partial<Record<MalformedResponseKind, number>>) =>
    Object.values(m).reduce((a, b) => a + b, 0);
  const before = { ...servedNow() };
  const upsertsBefore = lab.sim.state().upsertsRepeated;
  const stop = new AbortController();
  const driver = driveCalls(lab.sim, 100_000, 3, maxMs + 10_000, stop.signal);
  const end = Date.now() + maxMs;
  try {
    let b = 0;
    while (total(servedNow()) - total(before) < target && Date.now() < end) {
      const oversized = b % 25 === 4;
      const kind = oversized ? 'oversized' : FLOOD_KINDS[b % FLOOD_KINDS.length]!;
      await lab.sim.faults.set({ malformedResponses: [{ pathPrefix: '/callcontrol', kind }] });
      const asked = total(servedNow());
      const sentBefore = lab.sim.state().upsertsRepeated;
      await lab.sim.faults.set({ repeatUpserts: oversized ? 4 : batch });
      const sent = lab.sim.state().upsertsRepeated - sentBefore;
      if (sent === 0) {
        await sleep(20); // no live participant at this instant: wait for the next call to ring
        continue;
      }
      await askedFor(() => total(servedNow()), asked + sent, end);
      b++;
    }
  } finally {
    stop.abort();
    await lab.sim.faults.clear();
    await driver;
  }
  const after = servedNow();
  const served: ResponseFlood['served'] = {};
  for (const kind of MALFORMED_RESPONSE_KINDS) served[kind] = (after[kind] ?? 0) - (before[kind] ?? 0);
  return { served, total: total(served), upserts: lab.sim.state().upsertsRepeated - upsertsBefore };
}
