import { describe, expect, it } from 'vitest';
import { cdrHistorySegment, isoDuration, type CdrHistoryRow } from './cdr-history-segment.js';
import { likeContains } from './cdr-history.js';

const row = (over: Partial<CdrHistoryRow> = {}): CdrHistoryRow => ({
  cdr_id: '00000000-01db-aef6-c109-60ec0000004c',
  call_history_id: '00000000-01db-aef6-c109-60ec00000040',
  cdr_started_at: new Date('2026-01-05T10:00:00.000Z'),
  cdr_answered_at: new Date('2026-01-05T10:00:07.250Z'),
  cdr_ended_at: new Date('2026-01-05T10:01:19.500Z'),
  source_dn_number: '10007',
  source_dn_type: 'provider',
  source_dn_name: 'Trunk',
  source_entity_type: 'external_line',
  source_participant_name: 'GW - 32655144',
  source_participant_phone_number: '+4915112345678',
  destination_dn_number: '101',
  destination_dn_type: 'extension',
  destination_dn_name: 'Anna Agent',
  destination_entity_type: 'extension',
  destination_participant_name: '',
  destination_participant_phone_number: '101',
  ...over,
});

describe('cdroutput row → call-history segment', () => {
  it('maps an answered inbound row: ids, times, talk time from answer to end, parties', () => {
    expect(cdrHistorySegment(row())).toEqual({
      segmentId: null,
      cdrId: '00000000-01db-aef6-c109-60ec0000004c',
      callHistoryId: '00000000-01db-aef6-c109-60ec00000040',
      startedAt: '2026-01-05T10:00:00.000Z',
      endedAt: '2026-01-05T10:01:19.500Z',
      answered: true,
      duration: 'PT1M12.25S',
      source: { dn: '10007', number: '+4915112345678', name: 'GW - 32655144', external: true },
      // empty participant name: the DN's name instead
      destination: { dn: '101', number: '101', name: 'Anna Agent', external: false },
    });
  });

  it('an unanswered row is answered=false with PT0S; empty and null columns become null', () => {
    const s = cdrHistorySegment(
      row({
        cdr_answered_at: null,
        destination_dn_number: '',
        destination_dn_name: null,
        destination_participant_phone_number: null,
        destination_entity_type: 'queue',
        destination_dn_type: 'queue',
      }),
    );
    expect(s.answered).toBe(false);
    expect(s.duration).toBe('PT0S');
    expect(s.destination).toEqual({ dn: null, number: null, name: null, external: false });
  });

  it('a provider DN counts as external even when the entity type is missing', () => {
    const s = cdrHistorySegment(row({ source_entity_type: null }));
    expect(s.source.external).toBe(true);
  });

  it('formats durations like XAPI CallTime', () => {
    expect(isoDuration(0)).toBe('PT0S');
    expect(isoDuration(12_345)).toBe('PT12.345S');
    expect(isoDuration(3_723_000)).toBe('PT1H2M3S');
    expect(isoDuration(-5)).toBe('PT0S');
  });
});

describe('number filter pattern', () => {
  it('escapes LIKE wildcards and the escape character so they match literally', () => {
    expect(likeContains('4915')).toBe('%4915%');
    expect(likeContains('49%1_5!')).toBe('%49!%1!_5!!%');
  });
});
