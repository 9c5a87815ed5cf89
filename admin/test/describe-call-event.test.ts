import { describe, expect, it } from 'vitest';
import type { CallEventRow } from '../src/lib/data/call-events.js';
import { describeCallEvent } from '../src/lib/data/describe-call-event.js';

const row = (type: string, data: unknown, extra: Partial<CallEventRow> = {}): CallEventRow => ({
  sequence: '1',
  type,
  occurredAt: new Date('2026-01-10T09:14:57Z'),
  callId: '1264',
  extensions: [],
  dids: [],
  queues: [],
  data,
  ...extra,
});

const caller = { number: '+4915112345678', name: 'Anna Meyer', dn: '10007', kind: 'external' };
const callee = { number: '101', name: null, dn: '101', kind: 'extension' };

describe('describeCallEvent', () => {
  it('shows caller → callee and extension, queue and DID of a ringing call', () => {
    const v = describeCallEvent(
      row('call.ringing', { caller, callee, did: '32655144', queue: '800', extension: '101' }),
    );
    expect(v).toMatchObject({
      label: 'ringing',
      tone: 'yellow',
      from: 'Anna Meyer (+4915112345678)',
      to: '101',
    });
    expect(v.context).toBe('ext 101 · queue 800 · DID 32655144');
    expect(v.outcome).toBeNull();
  });

  it('gives call.ended its outcome and durations', () => {
    const v = describeCallEvent(
      row('call.ended', {
        caller,
        callee,
        outcome: 'answered',
        ringDurationSeconds: 4.34,
        talkDurationSeconds: 29.6,
        answeredBy: '101',
      }),
    );
    expect(v.label).toBe('ended');
    expect(v.outcome).toBe('answered · ring 4.3 s · talk 29.6 s · by 101');
  });

  it('shows the disposition of the outcome model with handler, transfers, queue visits, callback and partial', () => {
    const v = describeCallEvent(
      row('call.completed', {
        caller,
        callee,
        outcome: 'missed',
        disposition: 'voicemail',
        ringDurationSeconds: 15,
        talkDurationSeconds: 0,
        answeredBy: null,
        department: 'Sales',
        did: '+41274842020',
      }),
    );
    expect(v).toMatchObject({ disposition: 'voicemail', dispositionTone: 'blue' });
    expect(v.outcome).toBe('voicemail · ring 15 s · talk 0 s');
    expect(v.context).toBe('DID +41274842020 · dept Sales');
    const w = describeCallEvent(
      row('call.completed', {
        outcome: 'answered',
        disposition: 'answered',
        answeredBy: '101',
        handledBy: '102',
        transfers: [{ kind: 'attended', from: '101', to: '102' }],
        queueVisits: 3,
        callback: 'answered',
        partial: true,
      }),
    );
    expect(w.outcome).toBe(
      'answered · by 101 · handled by 102 · attended transfer 101 → 102 · 3 queue visits · callback answered · partial (CDR rows purged)',
    );
    // Events stored before the disposition existed show their outcome.
    expect(describeCallEvent(row('call.ended', { outcome: 'abandoned' }))).toMatchObject({
      disposition: 'abandoned',
      dispositionTone: 'red',
    });
    expect(describeCallEvent(row('call.ringing', {})).disposition).toBeNull();
  });

  it('reads CDR endpoints and falls back to the envelope filter fields', () => {
    const v = describeCallEvent(
      row(
        'cdr.created',
        {
          source: { dnName: 'Support', dnNumber: '800' },
          destination: { participantName: 'Ben', phoneNumber: '101' },
        },
        { extensions: ['101'], queues: ['800'] },
      ),
    );
    expect(v).toMatchObject({
      label: 'cdr',
      from: 'Support (800)',
      to: 'Ben (101)',
      context: 'ext 101 · queue 800',
    });
  });

  it('never throws on malformed data', () => {
    for (const data of [null, 42, 'x', [], { caller: 'nope', ringDurationSeconds: 'x' }]) {
      const v = describeCallEvent(row('call.missed', data));
      expect(v).toMatchObject({ label: 'missed', from: null, to: null, context: '', outcome: null });
    }
  });
});
