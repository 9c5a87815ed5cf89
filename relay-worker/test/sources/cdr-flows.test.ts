import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../support/api-keys.js';
import { collectWs, type CollectingClient } from '../support/stream-clients.js';
import { startHarness, until, type EventRow, type Harness } from './sim-harness.js';
import { CDR_FLOW_SCENARIOS, runAndCollect, type Collected } from './scenario-run.js';

const NAMES = ['Nathan Jones', 'Mia Keller', 'Luca Rossi'];

// The call flows of real V20 systems (field review §1.2, §1.4, §1.6, §1.10, §1.11, §1.13), each
// run once through the simulator and the relay, with the exact call.completed each must yield.
// PBX_DID_COUNTRY=CH: the Swiss trunk's DIDs come out in E.164 whatever form it delivers.
describe('call.completed of real V20 call flows', () => {
  let h: Harness;
  let ro: pg.Client;
  const walked = new Set<string>();
  const runs = new Map<string, Promise<Collected>>();
  let hotline: CollectingClient;
  beforeAll(async () => {
    h = await startHarness('cdrflows', { seed: 21 });
    ro = new pg.Client({ connectionString: h.sim.readonlyDbUrl });
    await ro.connect();
    await h.startWorker({ PBX_DID_COUNTRY: 'CH' });
    for (const c of ['callcontrol', 'db3cx', 'xapi'] as const)
      await until(() => h.worker!.status.get(c)?.status === 'up', 20_000, `${c} up`);
    // A stream that wants the Hotline department only (a department name with a space next to it).
    const key = (await createApiKey(h.worker!.pool, ['events:subscribe'])).key;
    const ws = `${h.worker!.url.replace(/^http/, 'ws')}/relay/ws?departments=Hotline,Hotline%20CH`;
    hotline = await collectWs(ws, key);
    // Two flows at a time (see scenarios.test.ts for why not more).
    const lanes: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
    CDR_FLOW_SCENARIOS.forEach((name, i) => {
      // A flow whose caller is an outside number on an unmonitored leg may end no live call
      // (busy: nothing rings on a monitored DN).
      const run = lanes[i % 2]!.then(() => runAndCollect(h, name, walked, name !== 'busy'));
      run.catch(() => undefined);
      runs.set(name, run);
      lanes[i % 2] = run.catch(() => undefined);
    });
  }, 40_000);
  afterAll(async () => {
    hotline?.close();
    await ro?.end();
    await h?.stop();
  });

  /** The scenario's call.completed, and the caller as 3CX stored it (number, presentation). */
  async function completed(name: string) {
    const r = await runs.get(name)!;
    const first = (
      await ro.query(
        'SELECT source_participant_phone_number AS number, source_presentation AS presentation FROM cdroutput WHERE call_history_id = $1 ORDER BY cdr_started_at LIMIT 1',
        [r.s.callHistoryId],
      )
    ).rows[0] as { number: string; presentation: string };
    return { r, c: r.completed, d: r.completed.data, first };
  }

  /** An outside caller: the number from the participant, the presentation only as a name. */
  function expectOutsideCaller(c: EventRow, first: { number: string; presentation: string }) {
    expect(c.data.caller).toEqual({
      number: first.number,
      name: NAMES.includes(first.presentation) ? first.presentation : null,
      dn: expect.stringMatching(/^1000[78]$/),
      kind: 'external',
    });
  }

  it('voicemail: 103 does not answer, its mailbox takes the call → disposition voicemail (outcome missed), DID +41… in E.164, department Sales', async () => {
    const { r, c, d, first } = await completed('voicemail');
    expectOutsideCaller(c, first);
    expect(d).toMatchObject({
      direction: 'inbound',
      did: '+41274842020',
      didRaw: '+41274842020',
      outcome: 'missed',
      disposition: 'voicemail',
      answeredBy: null,
      handledBy: null,
      queue: null,
      queueVisits: 0,
      callee: { number: '103', kind: 'extension' },
      department: 'Sales',
      partial: false,
    });
    expect(c.departments).toEqual(['Sales']);
    expect(c.dids).toEqual(['+41274842020']);
    // Live: 103 rang; the mailbox behind the trunk leg is out of Call Control's sight.
    expect(r.ended.data).toMatchObject({ outcome: 'missed', disposition: 'missed' });
  });

  it("internal-voicemail: 104's own leg reaches the voicemail menu (Wspecialmenu) → voicemail live and in call.completed", async () => {
    const { r, d } = await completed('internal-voicemail');
    expect(d).toMatchObject({
      direction: 'internal',
      caller: { number: '104', name: 'Eva Fischer', dn: '104', kind: 'extension' },
      callee: { number: '103', name: 'David Evans', dn: '103', kind: 'extension' },
      outcome: 'missed',
      disposition: 'voicemail',
      answeredBy: null,
      handledBy: null,
      did: null,
      didRaw: null,
      queueVisits: 0,
      department: 'Sales',
      partial: false,
    });
    expect(r.ended.data).toMatchObject({ outcome: 'missed', disposition: 'voicemail' });
    expect(r.ev.live.find((e) => e.type === 'call.missed')?.data.disposition).toBe('voicemail');
  });

  it('busy-to-queue and forward-all-to-queue: the extension passes the call to queue 800, an agent answers', async () => {
    for (const [name, did, skipped] of [
      ['busy-to-queue', '32655145', '104'],
      ['forward-all-to-queue', '32655144', '100'],
    ] as const) {
      const { r, c, d, first } = await completed(name);
      expectOutsideCaller(c, first);
      const agent = r.s.answeredBy!;
      expect(['101', '102']).toContain(agent);
      expect(d, name).toMatchObject({
        disposition: 'answered',
        outcome: 'answered',
        answeredBy: agent,
        handledBy: agent,
        queue: '800',
        queueVisits: 1,
        did,
        didRaw: did,
        department: 'Support',
        callee: { number: agent },
      });
      expect(d.extensions, name).toEqual(expect.arrayContaining([skipped, agent]));
      expect(r.ended.data.answeredBy).toBe(agent);
    }
  });

  it('busy: 105 is busy, nothing else → disposition busy (outcome rejected); a national DID in E.164 with the raw form kept', async () => {
    const { c, d, first } = await completed('busy');
    expectOutsideCaller(c, first);
    expect(d).toMatchObject({
      direction: 'inbound',
      callee: { number: '105', dn: '105', kind: 'extension' },
      disposition: 'busy',
      outcome: 'rejected',
      answeredBy: null,
      handledBy: null,
      queue: null,
      did: '+41274842022',
      didRaw: '0274842022',
      department: 'Sales',
    });
    expect(c.dids.sort()).toEqual(['+41274842022', '0274842022']);
  });

  it('queue-overflow: 800 → 093 (leading zero), 046 answers: two queue visits, department Hotline', async () => {
    const { r, c, d, first } = await completed('queue-overflow');
    expectOutsideCaller(c, first);
    expect(d).toMatchObject({
      direction: 'inbound',
      outcome: 'answered',
      disposition: 'answered',
      answeredBy: '046',
      handledBy: '046',
      queue: '800',
      queueVisits: 2,
      did: '+41274842020',
      didRaw: '+41274842020',
      department: 'Hotline',
      callee: { number: '046', dn: '046', kind: 'extension' },
    });
    expect(c.queues).toEqual(['800', '093']);
    expect(c.extensions).toEqual(expect.arrayContaining(['046']));
    expect(r.ended.data).toMatchObject({ answeredBy: '046', outcome: 'answered' });
  });

  it('queue-pingpong: the same queue three times, 102 answers; the IDD-form DID 0041… reads +41…', async () => {
    const { c, d, first } = await completed('queue-pingpong');
    expectOutsideCaller(c, first);
    expect(d).toMatchObject({
      direction: 'inbound',
      callee: { number: '102', dn: '102', kind: 'extension' },
      outcome: 'answered',
      disposition: 'answered',
      answeredBy: '102',
      handledBy: '102',
      queue: '800',
      queueVisits: 3,
      did: '+41274842021',
      didRaw: '0041274842021',
      department: 'Support',
    });
    expect(c.queues).toEqual(['800']);
  });

  it('pickup: 103 rings, 104 picks up → answered by 104, no transfer', async () => {
    const { r, c, d, first } = await completed('pickup');
    expectOutsideCaller(c, first);
    expect(d).toMatchObject({
      direction: 'inbound',
      callee: { number: '104', dn: '104', kind: 'extension' },
      outcome: 'answered',
      disposition: 'answered',
      answeredBy: '104',
      handledBy: '104',
      transfers: [],
      department: 'Sales',
      did: '32655145',
      didRaw: '32655145',
      queue: null,
    });
    expect(r.types).toEqual(expect.arrayContaining(['call.ringing:103', 'call.answered:104']));
    expect(r.ended.data).toMatchObject({ answeredBy: '104' });
  });

  it("barge-in: supervisor 105 listens and whispers into 101's call → still answered and handled by 101", async () => {
    const { c, d, first } = await completed('barge-in');
    expectOutsideCaller(c, first);
    expect(d).toMatchObject({
      direction: 'inbound',
      outcome: 'answered',
      disposition: 'answered',
      answeredBy: '101',
      handledBy: '101',
      transfers: [],
      department: 'Support',
      did: '32655144',
      callee: { number: '101', dn: '101', kind: 'extension' },
    });
    expect(d.extensions).toEqual(expect.arrayContaining(['101', '105']));
  });

  it('queue-callback: nobody answers in 800, the caller asks for a callback, 101 calls back → answered, callback answered', async () => {
    const { r, c, d, first } = await completed('queue-callback');
    expectOutsideCaller(c, first);
    expect(d).toMatchObject({
      direction: 'inbound',
      callee: { number: '101', dn: '101', kind: 'extension' },
      did: '32655144',
      outcome: 'answered',
      disposition: 'answered',
      callback: 'answered',
      answeredBy: '101',
      handledBy: '101',
      queue: '800',
      queueVisits: 1,
      department: 'Support',
    });
    // Live: the caller's call was abandoned in the queue; the callback is a call of its own.
    const first_ = String(r.s.relatedCallids![0]);
    const abandoned = await until(
      async () => (await h.events("type = 'call.ended' AND call_id = $1", [first_]))[0],
      20_000,
      "the caller's call.ended",
    );
    expect(abandoned.data.outcome).toBe('abandoned');
    expect(r.ended.data).toMatchObject({ outcome: 'answered', answeredBy: '101' });
  });

  it('queue-callback-failed: no agent takes the callback → abandoned, callback failed', async () => {
    const { c, d, first } = await completed('queue-callback-failed');
    expectOutsideCaller(c, first);
    expect(d).toMatchObject({
      direction: 'inbound',
      did: '32655144',
      // Nobody answered: the first agent that rang.
      callee: { number: expect.stringMatching(/^10[12]$/), kind: 'extension' },
      queue: '800',
      queueVisits: 1,
      disposition: 'abandoned',
      outcome: 'abandoned',
      callback: 'failed',
      answeredBy: null,
      handledBy: null,
      department: 'Support',
    });
  });

  it('api-makecall: the MakeCall row is not the caller: 100 calls 0123456789, outbound, answered by the far end, handled by 100', async () => {
    const { r, d } = await completed('api-makecall');
    expect(d).toMatchObject({
      direction: 'outbound',
      caller: { number: '100', name: 'Anna Berger', dn: '100', kind: 'extension' },
      callee: { number: '0123456789', kind: 'external' },
      outcome: 'answered',
      disposition: 'answered',
      answeredBy: '0123456789',
      handledBy: '100',
      department: '__DEFAULT__',
      did: null,
      queueVisits: 0,
      transfers: [],
    });
    expect(d.cdrIds).toHaveLength(2);
    expect(r.ended.data).toMatchObject({ direction: 'outbound', outcome: 'answered' });
  });

  it('a WebSocket department filter passes the CDR events of that department only (live events carry none)', async () => {
    const over = await runs.get('queue-overflow')!;
    await Promise.allSettled([...runs.values()]);
    const completed = over.completed;
    await until(
      () => hotline.messages.some((m) => m.kind === 'event' && m.type === 'call.completed'),
      20_000,
      'the Hotline call.completed on the stream',
    );
    const events = hotline.messages.filter((m) => m.kind === 'event');
    expect(events.every((m) => m.type === 'cdr.created' || m.type === 'call.completed')).toBe(true);
    expect(events.filter((m) => m.type === 'call.completed').map((m) => m.callHistoryId)).toEqual([
      completed.call_history_id,
    ]);
    expect(events.every((m) => (m.departments as string[]).includes('Hotline'))).toBe(true);
  });

  it('every event of these flows validates against the published JSON Schema catalogue', async () => {
    await Promise.allSettled([...runs.values()]);
    expect(CDR_FLOW_SCENARIOS.filter((n) => !walked.has(`scenario:${n}`))).toEqual([]);
    for (const t of [
      'call.ringing',
      'call.answered',
      'call.ended',
      'call.missed',
      'cdr.created',
      'call.completed',
    ])
      expect(walked.has(t), t).toBe(true);
  });
});
