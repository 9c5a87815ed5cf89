import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioNames } from '@3cx-relay/simulator';
import { startHarness, until, type Harness } from './sim-harness.js';
import { CDR_FLOW_SCENARIOS, runAndCollect as collect, type Collected } from './scenario-run.js';

/** Event types and scenarios (`scenario:<name>`) validated against the catalogue, per harness. */
const walkedBy = new Map<Harness, Set<string>>();

function walked(h: Harness): Set<string> {
  let w = walkedBy.get(h);
  if (!w) walkedBy.set(h, (w = new Set()));
  return w;
}

const runAndCollect = (h: Harness, scenario: string) => collect(h, scenario, walked(h));

/** An outside caller on trunk 10007: the number from the participant, never a display name. */
const OUTSIDE = { number: expect.stringMatching(/^\+49\d{9,}$/), dn: '10007', kind: 'external' };

/** The scenarios every version mode runs, all at once (each is checked on its own callid). */
const SCENARIO_SET = [
  'inbound-queue-answered',
  'inbound-missed',
  'queue-abandoned',
  'ring-group-fanout',
  'outbound',
  'internal',
  'blind-transfer',
  'attended-transfer',
];

// The main call flows against each 3CX version the relay must expect in the field (20.0.8,
// 20.0.9 and 20.0.10: token lifetimes, ini layouts and XAPI shapes differ). Two flows of a mode
// run at a time, so three modes cost about what one sequential run did. (More at once would
// outpace the worker's one-at-a-time participant GETs at this compressed clock: a caller's leg
// first seen Connected instead of Dialing cannot be told from a callee's.)
describe.each(['20.0.8', '20.0.9', '20.0.10'] as const)(
  'event sequences per call flow, 3CX %s',
  (version) => {
    let h: Harness;
    const runs = new Map<string, Promise<Collected>>();
    beforeAll(async () => {
      h = await startHarness(`scen${version.replace(/\./g, '')}`, { seed: 7, version });
      await h.startWorker();
      await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up');
      await until(() => h.worker!.status.get('db3cx')?.status === 'up', 20_000, 'db3cx up');
      await until(() => h.worker!.status.get('xapi')?.status === 'up', 20_000, 'xapi up');
      const lanes: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
      SCENARIO_SET.forEach((name, i) => {
        const run = lanes[i % 2]!.then(() => runAndCollect(h, name));
        run.catch(() => undefined); // reported by the test that awaits it
        runs.set(name, run);
        lanes[i % 2] = run.catch(() => undefined);
      });
    }, 30_000);
    afterAll(async () => h?.stop());
    const collected = (name: string) => runs.get(name)!;
    /** Callids of every scenario call of this mode (to tell a consultation call from them). */
    const scenarioCallIds = async () =>
      (await Promise.allSettled([...runs.values()])).flatMap((r) =>
        r.status === 'fulfilled' ? [String(r.value.s.callid)] : [],
      );

    it('inbound → IVR → queue → agent answers: ringing per agent, one answer, ended answered, CDRs, completed', async () => {
      const r = await collected('inbound-queue-answered');
      const agent = r.s.answeredBy!;
      expect(r.types).toEqual(
        expect.arrayContaining([
          'call.ringing:101',
          'call.ringing:102',
          `call.answered:${agent}`,
          'call.ended',
        ]),
      );
      expect(r.types.filter((t) => t.startsWith('call.answered'))).toEqual([`call.answered:${agent}`]);
      expect(r.types).not.toContain('call.missed');
      expect(r.ended.data).toMatchObject({
        outcome: 'answered',
        answeredBy: agent,
        queue: '800',
        did: '32655144',
        direction: 'inbound',
      });
      expect(r.ended.queues).toEqual(['800']);
      expect(r.cdrCount).toBe(r.s.cdrIds!.length);
      expect(r.completed.data).toMatchObject({
        direction: 'inbound',
        caller: OUTSIDE,
        callee: { number: agent, dn: agent, kind: 'extension' },
        outcome: 'answered',
        disposition: 'answered',
        answeredBy: agent,
        handledBy: agent,
        queue: '800',
        queueVisits: 1,
        did: '32655144',
        didRaw: '32655144',
        department: 'Support',
        transfers: [],
        callback: null,
        partial: false,
        callId: String(r.s.callid),
      });
      expect(r.completed.data.caller.number).toMatch(/^\+4915\d{8}$/);
      expect(r.completed.departments).toEqual(expect.arrayContaining(['__DEFAULT__', 'Support']));
    });

    it('inbound missed: ringing at 103, ended missed, call.missed, completed missed', async () => {
      const r = await collected('inbound-missed');
      expect(r.types).toEqual(['call.ringing:103', 'call.ended', 'call.missed']);
      expect(r.ended.data).toMatchObject({ outcome: 'missed', answeredAt: null, talkDurationSeconds: 0 });
      expect(r.completed.data).toMatchObject({
        direction: 'inbound',
        caller: OUTSIDE,
        callee: { number: '103', dn: '103', kind: 'extension' },
        outcome: 'missed',
        disposition: 'missed',
        answeredBy: null,
        handledBy: null,
        queue: null,
        department: 'Sales',
        did: '32655145',
        didRaw: '32655145',
      });
    });

    it('queue abandoned: agents ring, caller gives up: ended abandoned and call.missed(abandoned)', async () => {
      const r = await collected('queue-abandoned');
      expect(r.types).toEqual(
        expect.arrayContaining(['call.ringing:101', 'call.ringing:102', 'call.ended', 'call.missed']),
      );
      expect(r.ended.data.outcome).toBe('abandoned');
      expect(r.ev.live.find((e) => e.type === 'call.missed')!.data).toMatchObject({
        outcome: 'abandoned',
        ringingExtensions: expect.arrayContaining(['101', '102']),
      });
      expect(r.completed.data).toMatchObject({
        direction: 'inbound',
        caller: OUTSIDE,
        // Nobody answered: the first agent that rang.
        callee: { number: expect.stringMatching(/^10[12]$/), kind: 'extension' },
        outcome: 'abandoned',
        disposition: 'abandoned',
        answeredBy: null,
        handledBy: null,
        queue: '800',
        queueVisits: 1,
        did: '32655144',
        department: 'Support',
        callback: null,
      });
    });

    it('ring group fan-out: every visible member rings under one call id, one answers, no missed', async () => {
      const r = await collected('ring-group-fanout');
      expect(r.types).toEqual(expect.arrayContaining(['call.ringing:103', 'call.ringing:104', 'call.ended']));
      expect(r.types).not.toContain('call.missed');
      expect(r.ended.data.outcome).toBe('answered');
      const member = r.s.answeredBy!;
      expect(['103', '104', '105']).toContain(member);
      expect(r.completed.data).toMatchObject({
        direction: 'inbound',
        caller: OUTSIDE,
        callee: { number: member, dn: member, kind: 'extension' },
        outcome: 'answered',
        disposition: 'answered',
        answeredBy: member,
        handledBy: member,
        queue: null,
        did: '32655145',
        department: 'Sales',
      });
    });

    it('outbound: answered by the far end, no DID, ended answered', async () => {
      const r = await collected('outbound');
      expect(r.types).toEqual(['call.answered:100', 'call.ended']);
      expect(r.ended.data).toMatchObject({
        direction: 'outbound',
        outcome: 'answered',
        did: null,
        callee: { number: '0123456789', kind: 'external' },
      });
      expect(r.completed.data).toMatchObject({
        direction: 'outbound',
        caller: { number: '100', name: 'Anna Berger', dn: '100', kind: 'extension' },
        callee: { number: '0123456789', kind: 'external' },
        outcome: 'answered',
        disposition: 'answered',
        answeredBy: '0123456789',
        handledBy: '100',
        department: '__DEFAULT__',
        did: null,
      });
    });

    it('internal: 101 calls 102, 102 rings and answers once', async () => {
      const r = await collected('internal');
      expect(r.types).toEqual(['call.ringing:102', 'call.answered:102', 'call.ended']);
      expect(r.ended.data).toMatchObject({
        direction: 'internal',
        outcome: 'answered',
        answeredBy: '102',
        caller: { number: '101' },
      });
      expect(r.completed.data).toMatchObject({
        direction: 'internal',
        outcome: 'answered',
        disposition: 'answered',
        caller: { number: '101', name: 'Ben Carter', dn: '101', kind: 'extension' },
        callee: { number: '102', name: 'Clara Diaz', dn: '102', kind: 'extension' },
        did: null,
        department: 'Support',
        answeredBy: '102',
        handledBy: '102',
      });
    });

    it('blind transfer: 101 answers, transfers to 102 (call.transferred from 101), 102 answers', async () => {
      const r = await collected('blind-transfer');
      expect(r.types).toEqual(
        expect.arrayContaining([
          'call.ringing:101',
          'call.answered:101',
          'call.ringing:102',
          'call.transferred',
          'call.answered:102',
          'call.ended',
        ]),
      );
      expect(r.ev.live.find((e) => e.type === 'call.transferred')!.data).toMatchObject({
        from: '101',
        to: '102',
        kind: 'blind',
      });
      expect(r.ended.data).toMatchObject({ outcome: 'answered', answeredBy: '101' });
      expect(r.completed.data).toMatchObject({
        direction: 'inbound',
        caller: OUTSIDE,
        callee: { number: '101', dn: '101', kind: 'extension' },
        outcome: 'answered',
        disposition: 'answered',
        answeredBy: '101',
        handledBy: '102',
        did: '32655144',
        department: 'Support',
        transfers: [{ kind: 'blind', from: '101', to: '102' }],
      });
    });

    it("attended transfer: 102 moves from the consultation call to the caller's call (call.transferred attended); the consultation ends at the join, not with the call", async () => {
      const r = await collected('attended-transfer');
      expect(r.ev.live.find((e) => e.type === 'call.transferred')!.data).toMatchObject({
        from: '101',
        to: '102',
        kind: 'attended',
      });
      expect(r.ended.data).toMatchObject({
        direction: 'inbound',
        outcome: 'answered',
        answeredBy: '101',
        participants: ['101', '102'],
      });
      expect(r.completed.data).toMatchObject({
        direction: 'inbound',
        caller: OUTSIDE,
        callee: { number: '101', dn: '101', kind: 'extension' },
        outcome: 'answered',
        disposition: 'answered',
        did: '32655144',
        answeredBy: '101',
        handledBy: '102',
        transfers: [{ kind: 'attended', from: '101', to: '102' }],
        department: 'Support',
      });
      // The consultation: an internal call from 101 that is none of the scenario calls.
      const others = await scenarioCallIds();
      const consult = await until(
        async () =>
          (
            await h.events(
              "type = 'call.ended' AND data->>'direction' = 'internal' AND data->'caller'->>'number' = '101' AND sequence > $1::bigint AND NOT (call_id = ANY($2))",
              [r.ev.live[0]!.sequence, others],
            )
          )[0],
        20_000,
        'the consultation call.ended',
      );
      expect(consult.data).toMatchObject({ outcome: 'answered', answeredBy: '102' });
      // Ended when 101 joined the calls, well before the caller hung up (15 s simulated later).
      expect(Date.parse(r.ended.data.endedAt) - Date.parse(consult.data.endedAt)).toBeGreaterThan(200);
    });

    // Runs last: walks the scenarios no test above ran, then checks every one went through the
    // catalogue (the CDR-flow scenarios are walked by cdr-flows.test.ts, in one mode).
    it('every event of every simulator scenario validates against the published JSON Schema catalogue', async () => {
      await Promise.allSettled([...runs.values()]);
      const mine = scenarioNames().filter((n) => !CDR_FLOW_SCENARIOS.includes(n));
      for (const name of mine) if (!walked(h).has(`scenario:${name}`)) await runAndCollect(h, name);
      expect(mine.filter((n) => !walked(h).has(`scenario:${n}`))).toEqual([]);
      for (const t of [
        'call.ringing',
        'call.answered',
        'call.transferred',
        'call.ended',
        'call.missed',
        'cdr.created',
        'call.completed',
      ])
        expect(walked(h).has(t), t).toBe(true);
    });
  },
);
