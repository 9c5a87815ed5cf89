import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '@3cx-relay/db/testing';
import { sqlLiteral } from './sql-literal.js';

/** A deterministic generator (mulberry32), so that a failure names a reproducible input. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('sqlLiteral', () => {
  it('writes what pg.escapeLiteral writes, for the cases that matter', () => {
    const cases = [
      '',
      'plain',
      "O'Brien",
      "''",
      "'",
      '\\',
      "\\'",
      "'\\",
      'a\\b',
      "it's a \\ back'slash\\\\",
      '{"t0":1,"name":"Caller \\"Q\\""}',
      JSON.stringify({ x: "'; DROP TABLE events; --", y: '\u0000\n\t\\', z: 'ü€😀' }),
      "E'already'",
      '$$dollar$$',
    ];
    for (const c of cases) expect(sqlLiteral(c), JSON.stringify(c)).toBe(pg.escapeLiteral(c));
  });

  it('writes what pg.escapeLiteral writes for 20,000 random strings of quotes, backslashes and others', () => {
    const next = random(17);
    const alphabet = ["'", '\\', '"', 'a', ' ', 'E', '$', ';', '\n', '\u0000', 'ß', '😀'];
    for (let n = 0; n < 20_000; n++) {
      const len = Math.floor(next() * 12);
      let s = '';
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(next() * alphabet.length)];
      expect(sqlLiteral(s), JSON.stringify(s)).toBe(pg.escapeLiteral(s));
    }
  });

  it('a literal it writes reads back as the same string in PostgreSQL', async () => {
    const t = await createTestDatabase('sqlliteral');
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    try {
      const values = ["O'Brien", 'a\\b', "\\'", '{"q":"\\"x\\""}', 'ü€😀', ''];
      const res = await client.query<Record<string, string>>(
        `SELECT ${values.map((v, i) => `${sqlLiteral(v)} AS c${i}`).join(', ')}`,
      );
      expect(values.map((_, i) => res.rows[0]![`c${i}`])).toEqual(values);
    } finally {
      await client.end();
      await t.drop();
    }
  });
});
