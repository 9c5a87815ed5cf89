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

describe('filterFromQuery', () => {
  it('splits comma lists and repeated parameters', () => {
    expect(filterFromQuery({ types: 'call.*,cdr.created', extensions: ['101', '102,103'] })).toEqual({
      eventTypes: ['call.*', 'cdr.created'],
      extensions: ['101', '102', '103'],
      dids: [],
      queues: [],
    });
  });
});
