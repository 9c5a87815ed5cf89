import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { api, connectWs, getToken, startTestSim } from './helpers.js';

/**
 * A reader that is slow on purpose: it GETs each participant 200 ms after its Upsert, while the
 * whole `internal` call lasts a few ms at this timeScale. Returns the states it read of `dn`'s legs.
 */
async function slowReader(sim: Simulator, dn: string) {
  const token = await getToken(sim);
  const ws = await connectWs(sim, token);
  const seen: string[] = [];
  const pending: Promise<void>[] = [];
  ws.ws.on('message', (d: Buffer) => {
    const f = JSON.parse(d.toString('utf8')) as { event: { event_type: number; entity: string } };
    if (f.event.event_type !== 0) return;
    pending.push(
      new Promise<void>((resolve) => setTimeout(resolve, 200)).then(async () => {
        const r = await api(sim, token, f.event.entity);
        if (!f.event.entity.startsWith(`/callcontrol/${dn}/`)) return;
        seen.push(r.status === 200 ? String((r.body as { status: string }).status) : String(r.status));
      }),
    );
  });
  return { seen, settled: () => Promise.all(pending), close: () => ws.close() };
}

describe('option waitForReaders (test determinism)', () => {
  let gated: Simulator;
  let plain: Simulator;
  beforeAll(async () => {
    gated = await startTestSim('readers', { waitForReaders: true, duplicateUpsertProbability: 0 });
    plain = await startTestSim('noreaders', { duplicateUpsertProbability: 0 });
  });
  afterAll(async () => {
    await gated?.stop();
    await plain?.stop();
  });

  it('holds each scripted step until a watching client has read the legs: a slow reader sees 102 ring', async () => {
    const r = await slowReader(gated, '102');
    await gated.runScenario('internal');
    await r.settled();
    r.close();
    expect(r.seen[0]).toBe('Ringing');
    expect(r.seen).toContain('Connected');
  });

  it('without it the call does not wait: the same reader is too late to see the ring', async () => {
    const r = await slowReader(plain, '102');
    await plain.runScenario('internal');
    await r.settled();
    r.close();
    expect(r.seen).not.toContain('Ringing');
  });

  it('never holds a call for a client that does not read: the step goes on after waitForReadersMaxMs', async () => {
    const sim = await startTestSim('deafreader', { waitForReaders: true, waitForReadersMaxMs: 50 });
    try {
      const ws = await connectWs(sim, await getToken(sim)); // watches, never GETs
      const s = await sim.runScenario('internal');
      expect(s.aborted).toBe(false);
      ws.close();
    } finally {
      await sim.stop();
    }
  });
});
