import { describe, expect, it } from 'vitest';
import { CallState } from '../../src/sources/call-state.js';
import type { Participant } from '../../src/sources/callcontrol/normalize-participant.js';

function inbound(id: number, dn: string, status: string, extra: Partial<Participant> = {}): Participant {
  return {
    id,
    status,
    dn,
    party_caller_name: '+4915111111',
    party_dn: '10007',
    party_caller_id: '+4915111111',
    party_did: '',
    device_id: `sip:${dn}@127.0.0.1`,
    party_dn_type: 'Wexternalline',
    direct_control: false,
    originated_by_dn: 'ROUTER',
    originated_by_type: 'Wroutepoint',
    referred_by_dn: '',
    referred_by_type: 'None',
    on_behalf_of_dn: '800',
    on_behalf_of_type: 'Wqueue',
    callid: 7,
    legid: id,
    ...extra,
  };
}

function setup() {
  let now = 1_000_000;
  const state = new CallState({ trunkDids: { '10007': '32655144' }, endGraceMs: 2000, now: () => now });
  return { state, tick: (ms: number) => (now += ms) };
}

describe('CallState', () => {
  it('yields one call.ringing for duplicate Upserts of the same participant', () => {
    const { state } = setup();
    const first = state.upsert(inbound(1, '101', 'Ringing'));
    const again = state.upsert(inbound(1, '101', 'Ringing'));
    expect(first.map((e) => e.type)).toEqual(['call.ringing']);
    expect(again).toEqual([]);
    expect(first[0]).toMatchObject({ callId: '7', dids: ['32655144'], queues: ['800'], extensions: ['101'] });
    expect(first[0]!.data).toMatchObject({
      direction: 'inbound',
      did: '32655144',
      caller: { number: '+4915111111', kind: 'external' },
    });
  });

  it('does not end a queue call while the next polling wave refills within the grace period', () => {
    const { state, tick } = setup();
    state.upsert(inbound(1, '101', 'Ringing'));
    state.remove('101', 1);
    tick(1500);
    expect(state.sweep()).toEqual([]);
    state.upsert(inbound(2, '102', 'Ringing'));
    const answered = state.upsert(inbound(2, '102', 'Connected'));
    expect(answered.map((e) => e.type)).toEqual(['call.answered']);
    tick(2000);
    state.remove('102', 2);
    tick(2000);
    const end = state.sweep();
    expect(end.map((e) => e.type)).toEqual(['call.ended']);
    expect(end[0]!.data).toMatchObject({
      outcome: 'answered',
      answeredBy: '102',
      participants: ['101', '102'],
      reconciled: false,
      talkDurationSeconds: 2,
    });
  });

  it('ends an unanswered queue call as abandoned and sends call.missed', () => {
    const { state, tick } = setup();
    state.upsert(inbound(1, '101', 'Ringing'));
    state.upsert(inbound(2, '102', 'Ringing'));
    state.remove('101', 1);
    state.remove('102', 2);
    tick(2500);
    const out = state.sweep();
    expect(out.map((e) => e.type)).toEqual(['call.ended', 'call.missed']);
    expect(out[1]!.data).toMatchObject({ outcome: 'abandoned', ringingExtensions: ['101', '102'] });
  });

  it('keeps a call the PBX still reports active although no participant is visible', () => {
    const { state, tick } = setup();
    state.upsert(inbound(1, '101', 'Ringing'));
    state.remove('101', 1);
    tick(3000);
    expect(state.sweep((id) => id === 7)).toEqual([]);
    expect(state.activeCalls()[0]).toMatchObject({ callId: '7', state: 'routing' });
    tick(3000);
    expect(state.sweep(() => false).map((e) => e.type)).toEqual(['call.ended', 'call.missed']);
  });

  it('an unknown end check (null) keeps the call open with its end time; confirmed gone ends it then', () => {
    const { state, tick } = setup();
    state.upsert(inbound(1, '101', 'Ringing'));
    state.remove('101', 1);
    const emptyAt = new Date(1_000_000).toISOString();
    tick(3000);
    expect(state.sweep(() => null)).toEqual([]);
    tick(60_000);
    expect(state.sweep(() => null)).toEqual([]);
    const out = state.sweep(() => false);
    expect(out.map((e) => e.type)).toEqual(['call.ended', 'call.missed']);
    expect(out[0]!.data).toMatchObject({ endedAt: emptyAt, reconciled: false });
  });

  it('a call whose end stays unconfirmed for maxUnconfirmedMs ends anyway, marked reconciled', () => {
    let now = 1_000_000;
    const state = new CallState({
      trunkDids: {},
      endGraceMs: 2000,
      maxUnconfirmedMs: 10_000,
      now: () => now,
    });
    state.upsert(inbound(1, '101', 'Ringing'));
    state.remove('101', 1);
    now += 9000;
    expect(state.sweep(() => null)).toEqual([]);
    now += 1000;
    const out = state.sweep(() => null);
    expect(out[0]).toMatchObject({ type: 'call.ended', data: { reconciled: true } });
  });

  it('ends a call missed during a disconnect after the reconcile, marked reconciled, and never twice', () => {
    const { state, tick } = setup();
    const ring = state.upsert(inbound(1, '101', 'Connected'));
    expect(ring.map((e) => e.type)).toEqual(['call.answered']);
    expect(state.reconcile([])).toEqual([]);
    tick(2000);
    const out = state.sweep();
    expect(out.map((e) => e.type)).toEqual(['call.ended']);
    expect(out[0]!.data).toMatchObject({ reconciled: true, outcome: 'answered' });
    expect(state.sweep()).toEqual([]);
    expect(state.activeCalls()).toEqual([]);
  });

  it('keeps event ids across a restart through the persisted snapshot', () => {
    const a = setup();
    const ids = a.state.upsert(inbound(1, '101', 'Ringing')).map((e) => e.id);
    const b = setup();
    b.state.restore(JSON.parse(JSON.stringify(a.state.snapshot())));
    b.state.remove('101', 1);
    const again = b.state.reconcile([inbound(1, '101', 'Ringing')]);
    expect(again.map((e) => e.id)).toEqual(ids); // same transition, same id: the event store drops it
    const c = setup();
    c.tick(10);
    expect(c.state.upsert(inbound(1, '101', 'Ringing')).map((e) => e.id)).not.toEqual(ids); // a new epoch (callid reuse) gives new ids
  });

  it('reports an outbound call, answered by the outside party', () => {
    const { state, tick } = setup();
    const dial = {
      ...inbound(5, '100', 'Dialing'),
      party_caller_id: '+4930999',
      party_caller_name: '',
      originated_by_dn: '',
      on_behalf_of_dn: '',
      on_behalf_of_type: 'None',
      callid: 9,
    };
    expect(state.upsert(dial)).toEqual([]);
    tick(3000);
    const ans = state.upsert({ ...dial, status: 'Connected' });
    expect(ans.map((e) => e.type)).toEqual(['call.answered']);
    expect(ans[0]!.data).toMatchObject({
      direction: 'outbound',
      caller: { number: '100' },
      callee: { number: '+4930999', kind: 'external' },
      did: null,
      ringDurationSeconds: 3,
    });
  });

  it('a makecall leg first seen unrouted (party_dn_type None) is classified by the Upsert that routes it: outbound, answered by the outside party', () => {
    const { state, tick } = setup();
    const unrouted = {
      ...inbound(5, '100', 'Dialing'),
      party_dn: '',
      party_dn_type: 'None',
      party_caller_id: '0123456789',
      party_caller_name: '',
      originated_by_dn: '',
      originated_by_type: 'None',
      on_behalf_of_dn: '',
      on_behalf_of_type: 'None',
      callid: 9,
    };
    expect(state.upsert(unrouted)).toEqual([]);
    expect(state.activeCalls()[0]).toMatchObject({
      direction: 'unknown',
      callee: { number: '0123456789', kind: 'unknown' },
    });
    expect(state.upsert({ ...unrouted, party_dn: '10007', party_dn_type: 'Wexternalline' })).toEqual([]);
    tick(2000);
    const ans = state.upsert({
      ...unrouted,
      party_dn: '10007',
      party_dn_type: 'Wexternalline',
      status: 'Connected',
    });
    expect(ans.map((e) => e.type)).toEqual(['call.answered']);
    expect(ans[0]!.data).toMatchObject({
      direction: 'outbound',
      callee: { number: '0123456789', dn: '10007', kind: 'external' },
    });
    state.remove('100', 5);
    tick(2500);
    expect(state.sweep()[0]!.data).toMatchObject({ outcome: 'answered', answeredBy: '0123456789' });
  });

  it('a caller leg moving to a special menu (Wspecialmenu) reaches voicemail: callee kind voicemail, no answer, ended missed', () => {
    const { state, tick } = setup();
    const dial = {
      ...inbound(5, '100', 'Dialing'),
      party_dn: '101',
      party_dn_type: 'Wextension',
      party_caller_id: '101',
      party_caller_name: 'Ben Carter',
      originated_by_dn: '',
      on_behalf_of_dn: '',
      on_behalf_of_type: 'None',
      callid: 11,
    };
    state.upsert(dial);
    const ring = {
      ...inbound(6, '101', 'Ringing'),
      party_dn: '100',
      party_dn_type: 'Wextension',
      on_behalf_of_dn: '',
      on_behalf_of_type: 'None',
      callid: 11,
    };
    state.upsert(ring);
    state.remove('101', 6);
    const menu = { ...dial, party_dn: '666', party_dn_type: 'Wspecialmenu' };
    expect(state.upsert(menu)).toEqual([]);
    expect(state.upsert({ ...menu, status: 'Connected' })).toEqual([]);
    expect(state.activeCalls()[0]).toMatchObject({
      direction: 'internal',
      state: 'talking',
      callee: { number: '101', name: 'Ben Carter', dn: '666', kind: 'voicemail' },
    });
    state.remove('100', 5);
    tick(2500);
    const end = state.sweep();
    expect(end.map((e) => e.type)).toEqual(['call.ended', 'call.missed']);
    expect(end[0]!.data).toMatchObject({
      outcome: 'missed',
      answeredBy: null,
      callee: { kind: 'voicemail', dn: '666' },
    });
  });

  it('a participant that moves to another callid (attended-transfer join) leaves its old call, which ends after the grace period', () => {
    const { state, tick } = setup();
    const plain = { on_behalf_of_dn: '', on_behalf_of_type: 'None' };
    state.upsert({ ...inbound(1, '101', 'Connected'), ...plain, callid: 7 }); // the caller talks to 101
    const consult = {
      ...inbound(2, '101', 'Dialing'),
      ...plain,
      party_dn: '102',
      party_dn_type: 'Wextension',
      party_caller_id: '102',
      originated_by_dn: '',
      callid: 8,
    };
    state.upsert(consult);
    const target = {
      ...inbound(3, '102', 'Ringing'),
      ...plain,
      party_dn: '101',
      party_dn_type: 'Wextension',
      callid: 8,
    };
    state.upsert(target);
    state.upsert({ ...consult, status: 'Connected' });
    state.upsert({ ...target, status: 'Connected' });
    // Join: 102's participant (same id) now belongs to the caller's call; 101 leaves both.
    const moved = state.upsert({ ...inbound(3, '102', 'Connected'), ...plain, callid: 7 });
    expect(moved.map((e) => e.type)).toEqual(['call.transferred', 'call.answered']);
    expect(moved[0]!.data).toMatchObject({ from: '101', to: '102', kind: 'attended' });
    state.remove('101', 2);
    state.remove('101', 1);
    tick(2500);
    const ends = state.sweep();
    expect(ends.map((e) => [e.type, e.callId])).toEqual([['call.ended', '8']]);
    expect(state.activeCalls().map((c) => c.callId)).toEqual(['7']);
  });

  it('matches a CDR flow to the ended live call sharing the most numbers, then the closest start (two queue calls at once)', () => {
    const { state, tick } = setup();
    const a = {
      ...inbound(1, '101', 'Ringing'),
      callid: 21,
      party_caller_id: '+4911',
      party_caller_name: '',
    };
    const b = {
      ...inbound(2, '101', 'Ringing'),
      callid: 22,
      party_caller_id: '+4922',
      party_caller_name: '',
    };
    state.upsert(a);
    tick(1000);
    state.upsert(b);
    state.remove('101', 1);
    state.remove('101', 2);
    tick(2500);
    expect(state.sweep().filter((e) => e.type === 'call.ended')).toHaveLength(2);
    // Both calls rang 101 within the tolerance; only call 22 had the caller +4922.
    expect(state.findRecentCall(1_000_000, ['+4922', '101'])).toBe('22');
    expect(state.findRecentCall(1_000_000, ['+4911', '101'])).toBe('21');
    expect(state.findRecentCall(1_001_000, ['101'])).toBe('22'); // a tie on numbers: the closest start
  });

  it('reports a transfer from the referring extension', () => {
    const { state } = setup();
    state.upsert(inbound(1, '101', 'Connected', { on_behalf_of_dn: '', on_behalf_of_type: 'None' }));
    const out = state.upsert(
      inbound(2, '103', 'Ringing', {
        referred_by_dn: '101',
        referred_by_type: 'Wextension',
        on_behalf_of_dn: '',
        on_behalf_of_type: 'None',
      }),
    );
    expect(out.map((e) => e.type)).toEqual(['call.ringing', 'call.transferred']);
    expect(out[1]!.data).toMatchObject({ from: '101', to: '103' });
  });
});
