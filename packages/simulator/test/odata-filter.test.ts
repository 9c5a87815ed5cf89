import { describe, expect, it } from 'vitest';
import { compileFilter, ODataQueryError } from '../src/xapi/odata-filter.js';

const rows = [
  { Id: 1, Name: "O'Brien", At: '2025-03-01T10:00:00.000Z', Ok: true },
  { Id: 2, Name: 'Anna', At: '2025-03-15T23:30:00.000Z', Ok: false },
  { Id: 3, Name: null, At: '2025-04-01T00:00:00.000Z', Ok: true },
];
const ids = (f: string) => rows.filter(compileFilter(f, ['Id', 'Name', 'At', 'Ok'])).map((r) => r.Id);

describe('$filter', () => {
  it('compares numbers, strings with escaped quotes, booleans and null', () => {
    expect(ids('Id gt 1')).toEqual([2, 3]);
    expect(ids("Name eq 'O''Brien'")).toEqual([1]);
    expect(ids('Ok eq false')).toEqual([2]);
    expect(ids('Name eq null')).toEqual([3]);
    expect(ids('Name ne null and Id le 2')).toEqual([1, 2]);
  });

  it('compares date-times and date(Field) with date literals (the S5 query form)', () => {
    expect(ids('At ge 2025-03-15T00:00:00Z')).toEqual([2, 3]);
    expect(ids('date(At) ge 2025-03-01 and date(At) le 2025-03-15')).toEqual([1, 2]);
  });

  it('supports or, not, parentheses, contains/startswith/endswith, tolower', () => {
    expect(ids('(Id eq 1 or Id eq 3) and not (Ok eq false)')).toEqual([1, 3]);
    expect(ids("contains(Name,'nn')")).toEqual([2]);
    expect(ids("startswith(tolower(Name),'o')")).toEqual([1]);
    expect(ids("endswith(Name,'na')")).toEqual([2]);
  });

  it('rejects unknown fields, functions and bad syntax', () => {
    for (const f of ['Nope eq 1', "substringof('a',Name)", 'Id eq', 'Id eq 1)']) {
      expect(() => ids(f), f).toThrow(ODataQueryError);
    }
  });
});
