import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createApiKey } from '../support/api-keys.js';
import { startHarness, until, type Harness } from '../sources/sim-harness.js';

// A 3CX PRO system refuses XAPI and Call Control; its call history comes from cdroutput,
// read by the worker on 3CX's database. The simulator writes real cdroutput rows per call.

const PRO = { SOURCE_XAPI_ENABLED: 'false', SOURCE_CALLCONTROL_ENABLED: 'false' };

interface CdrRow {
  cdr_id: string;
  call_history_id: string;
  cdr_started_at: Date;
  cdr_answered_at: Date | null;
  cdr_ended_at: Date | null;
  [column: string]: unknown;
}

/** `PT1H2M3.5S` → ms (parsed here, independently of the worker's formatter). */
function durationMs(iso: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)$/.exec(iso);
  if (!m) throw new Error(`not an ISO 8601 duration: ${iso}`);
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

const orNull = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);

describe('GET /relay/call-history from 3CX cdroutput (XAPI disabled)', () => {
  let h: Harness;
  let pool: pg.Pool;
  let key: string;
  let rows: CdrRow[];
  let midpoint: string;

  const get = async (path: string) => {
    const res = await fetch(`${h.worker!.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    h = await startHarness('chcdr', { seed: 23 });
    await h.startWorker(PRO);
    pool = new pg.Pool({ connectionString: h.db.url, max: 2 });
    key = (await createApiKey(pool, ['history:read'])).key;
    for (const name of ['outbound', 'inbound-missed'])
      expect((await h.sim.runScenario(name)).cdrsWritten).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    midpoint = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    for (const name of ['internal', 'inbound-queue-answered'])
      expect((await h.sim.runScenario(name)).cdrsWritten).toBe(true);
    const sim3cx = new pg.Client({ connectionString: h.sim.readonlyDbUrl });
    await sim3cx.connect();
    rows = (
      await sim3cx.query<CdrRow>(
        `SELECT *, cdr_id::text AS cdr_id, call_history_id::text AS call_history_id FROM cdroutput`,
      )
    ).rows;
    await sim3cx.end();
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await h?.stop();
  });

  it('lists every ended cdroutput row as a segment, newest first, with ids, parties, answered and talk time', async () => {
    expect(rows.length).toBeGreaterThan(4);
    const page = await get('/relay/call-history?limit=1000');
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ source: 'cdroutput', total: rows.length, offset: 0, nextOffset: null });
    const items = page.body.items as Record<string, any>[];
    expect(items.map((s) => s.cdrId).sort()).toEqual(rows.map((r) => r.cdr_id).sort());
    const starts = items.map((s) => Date.parse(s.startedAt));
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    for (const s of items) {
      const r = rows.find((x) => x.cdr_id === s.cdrId)!;
      expect(s.segmentId).toBeNull();
      expect(s.callHistoryId).toBe(r.call_history_id);
      expect(s.startedAt).toBe(r.cdr_started_at.toISOString());
      expect(s.endedAt).toBe(r.cdr_ended_at!.toISOString());
      expect(s.answered).toBe(r.cdr_answered_at !== null);
      const talk = r.cdr_answered_at ? r.cdr_ended_at!.getTime() - r.cdr_answered_at.getTime() : 0;
      expect(durationMs(s.duration)).toBeCloseTo(talk, 0);
      for (const side of ['source', 'destination'] as const)
        expect(s[side]).toEqual({
          dn: orNull(r[`${side}_dn_number`]),
          number: orNull(r[`${side}_participant_phone_number`]),
          name: orNull(r[`${side}_participant_name`]) ?? orNull(r[`${side}_dn_name`]),
          external: r[`${side}_entity_type`] === 'external_line' || r[`${side}_dn_type`] === 'provider',
        });
    }
    // The scenarios cover answered and unanswered segments, and external parties.
    expect(items.some((s) => s.answered) && items.some((s) => !s.answered)).toBe(true);
    expect(items.some((s) => s.source.external || s.destination.external)).toBe(true);
  });

  it('pages with limit/offset and nextOffset; total counts every match', async () => {
    const all = (await get('/relay/call-history?limit=1000')).body.items.map((s: any) => s.cdrId);
    const p1 = await get('/relay/call-history?limit=2');
    const p2 = await get('/relay/call-history?limit=2&offset=2');
    expect(p1.body).toMatchObject({ total: rows.length, limit: 2, offset: 0, nextOffset: 2 });
    expect(p2.body).toMatchObject({ total: rows.length, offset: 2 });
    expect([...p1.body.items, ...p2.body.items].map((s: any) => s.cdrId)).toEqual(all.slice(0, 4));
    const past = await get(`/relay/call-history?limit=5&offset=${rows.length + 10}`);
    expect(past.body).toMatchObject({ total: rows.length, items: [], nextOffset: null });
  });

  it('filters by from/to on the segment start', async () => {
    const later = rows.filter((r) => r.cdr_started_at.toISOString() >= midpoint);
    expect(later.length).toBeGreaterThan(0);
    expect(later.length).toBeLessThan(rows.length);
    const after = await get(`/relay/call-history?limit=1000&from=${encodeURIComponent(midpoint)}`);
    expect(after.body.total).toBe(later.length);
    expect(after.body.items.map((s: any) => s.cdrId).sort()).toEqual(later.map((r) => r.cdr_id).sort());
    const before = await get(
      `/relay/call-history?limit=1000&to=${encodeURIComponent(midpoint)}&from=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}`,
    );
    expect(before.body.total).toBe(rows.length - later.length);
    const future = new Date(Date.now() + 3_600_000);
    const none = await get(
      `/relay/call-history?from=${future.toISOString()}&to=${new Date(future.getTime() + 60_000).toISOString()}`,
    );
    expect(none.body).toMatchObject({ total: 0, items: [] });
  });

  it('filters by extension (source or destination DN)', async () => {
    const ext = rows.find((r) => r.destination_entity_type === 'extension')!.destination_dn_number as string;
    const expected = rows.filter((r) => r.source_dn_number === ext || r.destination_dn_number === ext);
    expect(expected.length).toBeLessThan(rows.length);
    const res = await get(`/relay/call-history?limit=1000&extension=${encodeURIComponent(ext)}`);
    expect(res.body.total).toBe(expected.length);
    expect(res.body.items.map((s: any) => s.cdrId).sort()).toEqual(expected.map((r) => r.cdr_id).sort());
  });

  it('filters by a substring of a phone number; % and _ in it match only themselves', async () => {
    const phone = rows
      .map((r) => r.source_participant_phone_number)
      .find((n): n is string => typeof n === 'string' && n.startsWith('+') && n.length > 8)!;
    const part = phone.slice(3, 9);
    const has = (r: CdrRow, n: string) =>
      [r.source_participant_phone_number, r.destination_participant_phone_number].some(
        (v) => typeof v === 'string' && v.includes(n),
      );
    const res = await get(`/relay/call-history?limit=1000&number=${encodeURIComponent(part)}`);
    expect(res.body.total).toBe(rows.filter((r) => has(r, part)).length);
    expect(res.body.total).toBeGreaterThan(0);
    // As LIKE wildcards these would match the phone above (and `%` every row).
    for (const n of [
      '%',
      `${phone.slice(0, 4)}_${phone.slice(5)}`,
      `${phone.slice(0, 3)}%${phone.slice(-3)}`,
    ]) {
      const wild = await get(`/relay/call-history?limit=1000&number=${encodeURIComponent(n)}`);
      expect(wild.status).toBe(200);
      expect({ n, total: wild.body.total }).toEqual({ n, total: 0 });
    }
  });

  it('3CX database down: 502 UPSTREAM_ERROR naming cdroutput, then answers again once it is back', async () => {
    await h.sim.faults.set({ dbDown: true });
    try {
      // A query not asked before: never a cached answer.
      const down = await get('/relay/call-history?limit=7');
      expect(down.status).toBe(502);
      expect(down.body.error).toMatchObject({
        code: 'UPSTREAM_ERROR',
        message: expect.stringMatching(/3CX's database \(cdroutput\) failed: .+/),
      });
    } finally {
      await h.sim.faults.set({ dbDown: false });
    }
    let n = 100;
    const back = await until(
      async () => {
        const r = await get(`/relay/call-history?limit=${n++}`);
        return r.status === 200 ? r : undefined;
      },
      20_000,
      'call history after the database is back',
    );
    expect(back.body).toMatchObject({ source: 'cdroutput', total: rows.length });
  });
});
