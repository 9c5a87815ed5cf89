import { MALFORMED_RESPONSE_KINDS, type MalformedResponseKind } from '@3cx-relay/simulator';
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
