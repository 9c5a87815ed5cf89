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

// The published catalogue (JSON Schema 2020-12) must accept every event these flows produce.
const catalogue = new Ajv2020({ strict: false });
addFormats.default(catalogue);
for (const t of EVENT_TYPES) catalogue.addSchema(eventJsonSchema(t));
const walked = new Set<string>();
import { startHarness, until, type EventRow, type Harness } from './sim-harness.js';

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
    walked.add(wire.type);
  }
  walked.add(`scenario:${scenario}`);
  const types = ev.live.map((e) => `${e.type}${e.data.extension ? `:${e.data.extension}` : ''}`);
  const completed = ev.cdr.find((e) => e.type === 'call.completed')!;
  const cdrCount = ev.cdr.filter((e) => e.type === 'cdr.created').length;
  return { s, ev, types, completed, cdrCount, ended: ev.live.find((e) => e.type === 'call.ended')! };
}

describe('event sequences per simulator call flow', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('scen', { seed: 7 });
    await h.startWorker();
    await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up');
    await until(() => h.worker!.status.get('db3cx')?.status === 'up', 20_000, 'db3cx up');
  });
  afterAll(async () => h?.stop());

  it('inbound → IVR → queue → agent answers: ringing per agent, one answer, ended answered, CDRs, completed', async () => {
    const r = await runAndCollect(h, 'inbound-queue-answered');
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
    const r = await runAndCollect(h, 'inbound-missed');
    expect(r.types).toEqual(['call.ringing:103', 'call.ended', 'call.missed']);
    expect(r.ended.data).toMatchObject({ outcome: 'missed', answeredAt: null, talkDurationSeconds: 0 });
    expect(r.completed.data.outcome).toBe('missed');
  });

  it('queue abandoned: agents ring, caller gives up: ended abandoned and call.missed(abandoned)', async () => {
    const r = await runAndCollect(h, 'queue-abandoned');
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
    const r = await runAndCollect(h, 'ring-group-fanout');
    expect(r.types).toEqual(expect.arrayContaining(['call.ringing:103', 'call.ringing:104', 'call.ended']));
    expect(r.types).not.toContain('call.missed');
    expect(r.ended.data.outcome).toBe('answered');
    expect(r.completed.data.outcome).toBe('answered');
  });

  it('outbound: answered by the far end, no DID, ended answered', async () => {
    const r = await runAndCollect(h, 'outbound');
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
    const r = await runAndCollect(h, 'internal');
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
    const r = await runAndCollect(h, 'blind-transfer');
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
    });
    expect(r.ended.data).toMatchObject({ outcome: 'answered', answeredBy: '101' });
  });

  // Runs last: walks the scenarios no test above ran, then checks every one went through the catalogue.
  it('every event of every simulator scenario validates against the published JSON Schema catalogue', async () => {
    for (const name of scenarioNames()) if (!walked.has(`scenario:${name}`)) await runAndCollect(h, name);
    expect(scenarioNames().filter((n) => !walked.has(`scenario:${n}`))).toEqual([]);
    for (const t of [
      'call.ringing',
      'call.answered',
      'call.transferred',
      'call.ended',
      'call.missed',
      'cdr.created',
      'call.completed',
    ])
      expect(walked.has(t), t).toBe(true);
  });
});
