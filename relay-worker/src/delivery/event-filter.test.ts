import { describe, expect, it } from 'vitest';
import { MATCH_ALL, filterFromQuery, matchesFilter } from './event-filter.js';

const ev = { type: 'call.ringing', extensions: ['101', '102'], dids: ['+4930123'], queues: [] };

describe('matchesFilter', () => {
  it('matches everything with empty lists', () => {
    expect(matchesFilter(MATCH_ALL, ev)).toBe(true);
  });
  it('matches types exactly or by trailing wildcard', () => {
    expect(matchesFilter({ ...MATCH_ALL, eventTypes: ['call.ringing'] }, ev)).toBe(true);
    expect(matchesFilter({ ...MATCH_ALL, eventTypes: ['call.*'] }, ev)).toBe(true);
    expect(matchesFilter({ ...MATCH_ALL, eventTypes: ['cdr.*', 'call.ended'] }, ev)).toBe(false);
    expect(matchesFilter({ ...MATCH_ALL, eventTypes: ['call'] }, ev)).toBe(false);
  });
  it('needs one shared value per non-empty field', () => {
    expect(matchesFilter({ ...MATCH_ALL, extensions: ['102', '200'] }, ev)).toBe(true);
    expect(matchesFilter({ ...MATCH_ALL, extensions: ['200'] }, ev)).toBe(false);
    expect(matchesFilter({ ...MATCH_ALL, queues: ['800'] }, ev)).toBe(false);
    expect(matchesFilter({ ...MATCH_ALL, dids: ['+4930123'], extensions: ['101'] }, ev)).toBe(true);
  });
});

describe('opt-in relay.* types', () => {
  const change = { type: 'relay.status_changed', extensions: [], dids: [], queues: [] };
  it('reach only filters that name them exactly or as relay.*', () => {
    expect(matchesFilter({ ...MATCH_ALL, eventTypes: ['relay.status_changed'] }, change)).toBe(true);
    expect(matchesFilter({ ...MATCH_ALL, eventTypes: ['call.*', 'relay.*'] }, change)).toBe(true);
  });
  it('are not selected by an empty type list, by * or by other types', () => {
    expect(matchesFilter(MATCH_ALL, change)).toBe(false);
    expect(matchesFilter({ ...MATCH_ALL, eventTypes: ['*'] }, change)).toBe(false);
    expect(matchesFilter({ ...MATCH_ALL, eventTypes: ['call.*', 'cdr.created'] }, change)).toBe(false);
    expect(matchesFilter({ ...MATCH_ALL, extensions: ['101'] }, change)).toBe(false);
  });
  it('leave * and the empty list matching call events as before', () => {
    expect(matchesFilter({ ...MATCH_ALL, eventTypes: ['*'] }, ev)).toBe(true);
    expect(matchesFilter({ ...MATCH_ALL, eventTypes: ['relay.*'] }, ev)).toBe(false);
  });
});

describe('opt-in subscription.* types', () => {
  const failing = { type: 'subscription.failing', extensions: [], dids: [], queues: [] };
  it('reach only filters that name them, like relay.*', () => {
    expect(matchesFilter({ ...MATCH_ALL, eventTypes: ['subscription.*'] }, failing)).toBe(true);
    expect(matchesFilter({ ...MATCH_ALL, eventTypes: ['subscription.failing'] }, failing)).toBe(true);
    expect(matchesFilter(MATCH_ALL, failing)).toBe(false);
    expect(matchesFilter({ ...MATCH_ALL, eventTypes: ['*'] }, failing)).toBe(false);
    expect(matchesFilter({ ...MATCH_ALL, eventTypes: ['relay.*'] }, failing)).toBe(false);
  });
});

describe('filterFromQuery', () => {
  it('splits comma lists and repeated parameters; department names keep their spaces', () => {
    expect(
      filterFromQuery({
        types: 'call.*,cdr.created',
        extensions: ['101', '102,103'],
        departments: 'Sales, Hotline CH',
      }),
    ).toEqual({
      eventTypes: ['call.*', 'cdr.created'],
      extensions: ['101', '102', '103'],
      dids: [],
      queues: [],
      departments: ['Sales', 'Hotline CH'],
    });
  });
});
