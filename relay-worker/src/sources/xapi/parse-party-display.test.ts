import { describe, expect, it } from 'vitest';
import { parsePartyDisplay } from './parse-party-display.js';
import { stateOfStatus, xapiToActiveCall } from './xapi-active-call.js';

describe('parsePartyDisplay (XAPI ActiveCalls Caller/Callee)', () => {
  it('reads "DN Name" as a DN with its name (reference: "101 John Smith", "101 Steve Jenner Home")', () => {
    expect(parsePartyDisplay('101 John Smith')).toEqual({
      number: '101',
      name: 'John Smith',
      dn: '101',
      kind: 'unknown',
    });
    expect(parsePartyDisplay('101 Steve Jenner Home')).toMatchObject({
      dn: '101',
      name: 'Steve Jenner Home',
    });
  });

  it('reads a long bare number as an outside number without a DN (reference: "0123456789")', () => {
    expect(parsePartyDisplay('0123456789')).toEqual({
      number: '0123456789',
      name: null,
      dn: null,
      kind: 'external',
    });
    expect(parsePartyDisplay('+4930123456')).toMatchObject({
      number: '+4930123456',
      dn: null,
      kind: 'external',
    });
  });

  it('reads a bare name as a name only (reference: "Voicemail Menu")', () => {
    expect(parsePartyDisplay('Voicemail Menu')).toEqual({
      number: null,
      name: 'Voicemail Menu',
      dn: null,
      kind: 'unknown',
    });
  });

  it('keeps the name of an outside number and reads a short bare number as a DN', () => {
    expect(parsePartyDisplay('+4930123456 Acme GmbH')).toEqual({
      number: '+4930123456',
      name: 'Acme GmbH',
      dn: null,
      kind: 'external',
    });
    expect(parsePartyDisplay('102')).toMatchObject({ number: '102', dn: '102', name: null });
    expect(parsePartyDisplay('  800   Support  ')).toMatchObject({ dn: '800', name: 'Support' });
  });

  it('returns null for null, blank and non-string values', () => {
    expect(parsePartyDisplay(null)).toBeNull();
    expect(parsePartyDisplay('   ')).toBeNull();
    expect(parsePartyDisplay(101)).toBeNull();
  });
});

describe('xapiToActiveCall', () => {
  const row = {
    Id: 1234,
    Caller: '101 John Smith',
    Callee: '0123456789',
    Status: 'Talking',
    LastChangeStatus: '2026-01-10T09:15:03Z',
    EstablishedAt: '2026-01-10T10:14:55+01:00',
    ServerNow: '2026-01-10T09:15:30Z',
  };

  it('maps the reference example: outbound from DN 101, talking, started at EstablishedAt in UTC', () => {
    expect(xapiToActiveCall(row)).toEqual({
      callId: '1234',
      callHistoryId: null,
      direction: 'outbound',
      state: 'talking',
      caller: { number: '101', name: 'John Smith', dn: '101', kind: 'unknown' },
      callee: { number: '0123456789', name: null, dn: null, kind: 'external' },
      did: null,
      queue: null,
      extensions: ['101'],
      startedAt: '2026-01-10T09:14:55.000Z',
      answeredAt: null,
      answeredBy: null,
      participants: [],
    });
  });

  it('derives inbound and internal calls, and answeredBy while talking', () => {
    const inbound = xapiToActiveCall({
      ...row,
      Caller: '0123456789',
      Callee: '800 Support',
      Status: 'Routing',
    });
    expect(inbound).toMatchObject({
      direction: 'inbound',
      state: 'routing',
      extensions: ['800'],
      answeredBy: null,
    });
    const internal = xapiToActiveCall({ ...row, Caller: '101 Ben', Callee: '102 Clara' });
    expect(internal).toMatchObject({ direction: 'internal', extensions: ['101', '102'], answeredBy: '102' });
    expect(xapiToActiveCall({ ...row, Caller: null, Callee: null })).toMatchObject({
      direction: 'unknown',
      caller: null,
      extensions: [],
    });
  });

  it('reads Status case-insensitively; unknown statuses count as routing', () => {
    expect(
      ['TALKING', 'connected', 'Ringing', 'dialing', 'Transferring', 'OnHoldSomething', null].map(
        stateOfStatus,
      ),
    ).toEqual(['talking', 'talking', 'ringing', 'dialing', 'routing', 'routing', 'routing']);
  });

  it('falls back to LastChangeStatus when EstablishedAt is missing or unparseable', () => {
    expect(xapiToActiveCall({ ...row, EstablishedAt: null }).startedAt).toBe('2026-01-10T09:15:03.000Z');
    expect(xapiToActiveCall({ ...row, EstablishedAt: 'soon' }).startedAt).toBe('2026-01-10T09:15:03.000Z');
  });
});
