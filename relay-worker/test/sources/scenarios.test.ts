import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EVENT_TYPES,
  eventJsonSchema,
  relayEventSchema,
  toRelayEvent,
  type EventType,
} from '@3cx-relay/events';
import { scenarioNames } from '@3cx-relay/simulator';
import { startHarness, until, type EventRow, type Harness } from './sim-harness.js';

// The published catalogue (JSON Schema 2020-12) must accept every event these flows produce.
const catalogue = new Ajv2020({ strict: false });
addFormats.default(catalogue);
for (const t of EVENT_TYPES) catalogue.addSchema(eventJsonSchema(t));

/** The events of one call: live ones by callid, CDR ones by call_history_id. */
async function callEvents(
  h: Harness,
  callid: number,
  callHistoryId: string,
): Promise<{ live: EventRow[]; cdr: EventRow[] }> {
  const live = await h.events("call_id = $1 AND type <> 'call.completed'", [String(callid)]);
  const cdr = await h.events('call_history_id = $1', [callHistoryId]);
  return { live, cdr };
}

/** Event types and scenarios (`scenario:<name>`) validated against the catalogue, per harness. */
const walkedBy = new Map<Harness, Set<string>>();

async function runAndCollect(h: Harness, scenario: string) {
  const s = await h.sim.runScenario(scenario);
  expect(s.aborted).toBe(false);
  const callid = s.callid!;
  const chid = s.callHistoryId!;
  await until(
    async () => (await h.events("type = 'call.ended' AND call_id = $1", [String(callid)])).length,
    20_000,
    `${scenario} call.ended`,
  );
  await until(
    async () => (await h.events("type = 'call.completed' AND call_history_id = $1", [chid])).length,
    20_000,
    `${scenario} call.completed`,
  );
  const ev = await callEvents(h, callid, chid);
  for (const e of [...ev.live, ...ev.cdr]) {
    const wire = toRelayEvent({
      id: e.id,
      type: e.type as EventType,
      occurredAt: new Date(),
      callId: e.call_id,
      callHistoryId: e.call_history_id,
      extensions: e.extensions,
      dids: e.dids,
      queues: e.queues,
      data: e.data,
      sequence: BigInt(e.sequence),
    });
    expect(relayEventSchema.safeParse(wire).error?.issues ?? []).toEqual([]);
    const validate = catalogue.getSchema(eventJsonSchema(wire.type).$id as string)!;
    expect(validate(JSON.parse(JSON.stringify(wire))), JSON.stringify(validate.errors)).toBe(true);
    walked(h).add(wire.type);
  }
  walked(h).add(`scenario:${scenario}`);
  const types = ev.live.map((e) => `${e.type}${e.data.extension ? `:${e.data.extension}` : ''}`);
  const completed = ev.cdr.find((e) => e.type === 'call.completed')!;
  const cdrCount = ev.cdr.filter((e) => e.type === 'cdr.created').length;
  return { s, ev, types, completed, cdrCount, ended: ev.live.find((e) => e.type === 'call.ended')! };
}

type Collected = Awaited<ReturnType<typeof runAndCollect>>;

function walked(h: Harness): Set<string> {
  let w = walkedBy.get(h);
  if (!w) walkedBy.set(h, (w = new Set()));
  return w;
}

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
        outcome: 'answered',
        answeredBy: agent,
        queue: '800',
        did: '32655144',
        callId: String(r.s.callid),
      });
    });

    it('inbound missed: ringing at 103, ended missed, call.missed, completed missed', async () => {
      const r = await collected('inbound-missed');
      expect(r.types).toEqual(['call.ringing:103', 'call.ended', 'call.missed']);
      expect(r.ended.data).toMatchObject({ outcome: 'missed', answeredAt: null, talkDurationSeconds: 0 });
      expect(r.completed.data.outcome).toBe('missed');
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
      expect(r.completed.data.outcome).toBe('abandoned');
    });

    it('ring group fan-out: every visible member rings under one call id, one answers, no missed', async () => {
      const r = await collected('ring-group-fanout');
      expect(r.types).toEqual(expect.arrayContaining(['call.ringing:103', 'call.ringing:104', 'call.ended']));
      expect(r.types).not.toContain('call.missed');
      expect(r.ended.data.outcome).toBe('answered');
      expect(r.completed.data.outcome).toBe('answered');
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
      expect(r.completed.data).toMatchObject({ direction: 'outbound', outcome: 'answered' });
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
      expect(r.completed.data).toMatchObject({ direction: 'internal', outcome: 'answered' });
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

    // Runs last: walks the scenarios no test above ran, then checks every one went through the catalogue.
    it('every event of every simulator scenario validates against the published JSON Schema catalogue', async () => {
      await Promise.allSettled([...runs.values()]);
      for (const name of scenarioNames())
        if (!walked(h).has(`scenario:${name}`)) await runAndCollect(h, name);
      expect(scenarioNames().filter((n) => !walked(h).has(`scenario:${n}`))).toEqual([]);
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
