import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CDR_COLUMNS, decodeCdrId, type Simulator } from '../src/index.js';
import { startTestSim } from './helpers.js';

let sim: Simulator;
let ro: pg.Client;
beforeAll(async () => {
  sim = await startTestSim('db');
  ro = new pg.Client({ connectionString: sim.readonlyDbUrl });
  await ro.connect();
});
afterAll(async () => {
  await ro?.end();
  await sim?.stop();
});

type Row = Record<string, any>;
const rowsOf = async (callHistoryId: string): Promise<Row[]> =>
  (
    await ro.query('SELECT * FROM cdroutput WHERE call_history_id = $1 ORDER BY cdr_started_at, cdr_id', [
      callHistoryId,
    ])
  ).rows;

describe('database_single', () => {
  it('has public.cdroutput with all 42 columns and their types', async () => {
    const { rows } = await ro.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'cdroutput' ORDER BY ordinal_position`,
    );
    const pgType: Record<string, string> = {
      uuid: 'uuid',
      varchar: 'character varying',
      boolean: 'boolean',
      timestamptz: 'timestamp with time zone',
      bigint: 'bigint',
    };
    expect(rows.map((r) => [r.column_name, r.data_type])).toEqual(
      Object.entries(CDR_COLUMNS).map(([c, t]) => [c, pgType[t]]),
    );
    expect(rows).toHaveLength(42);
  });

  it('has the legacy cl_* tables and callcent_queuecalls', async () => {
    const { rows } = await ro.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(rows.map((r) => r.table_name)).toEqual([
      'callcent_queuecalls',
      'cdroutput',
      'cl_calls',
      'cl_participants',
      'cl_party_info',
      'cl_segments',
      's_voicemail',
    ]);
  });

  it('logsreader_single can SELECT but not INSERT/UPDATE/DELETE/TRUNCATE/CREATE', async () => {
    await expect(ro.query('SELECT count(*) FROM cdroutput')).resolves.toBeDefined();
    for (const sql of [
      `INSERT INTO cdroutput (cdr_id) VALUES ('00000000-0000-0000-0000-000000000001')`,
      `UPDATE cdroutput SET processed = true`,
      `DELETE FROM cl_calls`,
      `TRUNCATE cdroutput`,
      `CREATE TABLE evil (id int)`,
    ]) {
      await expect(ro.query(sql), sql).rejects.toThrow(/permission denied/);
    }
  });
});

describe('CDRs per scenario', () => {
  it('inbound-queue-answered: inbound_routing (the DID) → IVR → queue → route_to/polling children; the queue ends continued_in/polling; the loser ends cancelled/completed_elsewhere', async () => {
    const s = await sim.runScenario('inbound-queue-answered');
    expect(s.cdrsWritten).toBe(true);
    const rows = await rowsOf(s.callHistoryId as string);
    expect(rows.map((r) => r.destination_dn_number)).toEqual(['32655144', '600', '800', '101', '102']);
    const [routing, ivr, queue, ...polls] = rows as [Row, Row, Row, ...Row[]];
    expect(routing).toMatchObject({
      destination_entity_type: 'inbound_routing',
      creation_method: 'call_init',
      termination_reason: 'continued_in',
      termination_reason_details: 'by_did',
      continued_in_cdr_id: ivr.cdr_id,
      cdr_answered_at: null,
    });
    expect(ivr).toMatchObject({
      creation_forward_reason: 'by_did',
      termination_reason: 'continued_in',
      continued_in_cdr_id: queue.cdr_id,
      destination_participant_group_name: '__DEFAULT__',
    });
    expect(ivr.source_entity_type).toBe('external_line');
    expect(ivr.source_dn_name).toBe('GW - 32655144');
    expect(ivr.source_participant_trunk_did).toBe('32655144');
    // source_presentation is the display name shown to the destination, or the CLI without one.
    expect(['Nathan Jones', 'Mia Keller', 'Luca Rossi', ivr.source_participant_phone_number]).toContain(
      ivr.source_presentation,
    );
    expect(queue).toMatchObject({
      termination_reason: 'continued_in',
      termination_reason_details: 'polling',
    });
    for (const p of polls)
      expect(p).toMatchObject({
        creation_method: 'route_to',
        creation_forward_reason: 'polling',
        originating_cdr_id: queue.cdr_id,
      });
    const winner = polls.find((p) => p.destination_dn_number === s.answeredBy) as Row;
    const loser = polls.find((p) => p !== winner) as Row;
    expect(winner.cdr_answered_at).not.toBeNull();
    expect(winner.termination_reason).toBe('src_participant_terminated');
    expect(loser).toMatchObject({
      termination_reason: 'cancelled',
      termination_reason_details: 'completed_elsewhere',
      cdr_answered_at: null,
    });
    expect(queue.continued_in_cdr_id).toBe(winner.cdr_id);
    expect(new Set(rows.map((r) => r.main_call_history_id))).toEqual(new Set([s.callHistoryId]));
    expect(rows.every((r) => r.processed === false && r.cdr_ended_at !== null)).toBe(true);
    const q = await ro.query(
      'SELECT call_result, count_polls FROM callcent_queuecalls WHERE call_history_id = $1',
      [s.callHistoryId],
    );
    expect(q.rows).toEqual([{ call_result: 'ANSWERED', count_polls: 2 }]);
  });

  it('queue-abandoned: polls cancelled, the queue row ends by the caller, nothing answered by an agent', async () => {
    const s = await sim.runScenario('queue-abandoned');
    const rows = await rowsOf(s.callHistoryId as string);
    const polls = rows.filter((r) => r.originating_cdr_id);
    expect(polls).toHaveLength(2);
    expect(polls.every((p) => p.termination_reason === 'cancelled' && p.cdr_answered_at === null)).toBe(true);
    expect(rows.find((r) => r.destination_dn_number === '800')?.termination_reason).toBe(
      'src_participant_terminated',
    );
  });

  it('inbound-missed, ring-group-fanout, outbound, internal and blind-transfer write the rows of their flow', async () => {
    const missed = await rowsOf((await sim.runScenario('inbound-missed')).callHistoryId as string);
    expect(missed).toHaveLength(2);
    expect(missed[0]).toMatchObject({
      destination_dn_number: '32655145',
      termination_reason_details: 'by_did',
    });
    expect(missed[1]).toMatchObject({
      destination_dn_number: '103',
      cdr_answered_at: null,
      termination_reason: 'cancelled',
      termination_reason_details: 'terminated_by_originator',
    });

    const rg = await sim.runScenario('ring-group-fanout');
    const rgRows = await rowsOf(rg.callHistoryId as string);
    expect(rgRows[1]?.destination_entity_type).toBe('ring_group_ring_all');
    const members = rgRows.filter((r) => r.originating_cdr_id === rgRows[1]?.cdr_id);
    expect(members).toHaveLength(3);
    expect(members.every((r) => r.creation_forward_reason === 'polling')).toBe(true);
    expect(rgRows.filter((r) => r.cdr_answered_at)).toHaveLength(1);
    expect(rgRows[1]).toMatchObject({
      termination_reason: 'continued_in',
      termination_reason_details: 'polling',
    });

    const out = await rowsOf((await sim.runScenario('outbound')).callHistoryId as string);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      source_dn_number: '100',
      destination_entity_type: 'external_line',
      destination_participant_phone_number: '0123456789',
      termination_reason: 'src_participant_terminated',
    });

    const internal = await rowsOf((await sim.runScenario('internal')).callHistoryId as string);
    expect(internal[0]).toMatchObject({
      source_dn_number: '101',
      destination_dn_number: '102',
      termination_reason: 'dst_participant_terminated',
    });

    const bt = await rowsOf((await sim.runScenario('blind-transfer')).callHistoryId as string);
    expect(bt.map((r) => [r.destination_dn_number, r.creation_method])).toEqual([
      ['32655144', 'call_init'],
      ['101', 'divert'],
      ['102', 'transfer'],
    ]);
    expect(bt[1]?.continued_in_cdr_id).toBe(bt[2]?.cdr_id);
    expect(bt[2]?.base_cdr_id).toBe(bt[1]?.cdr_id);
    expect(bt[2]?.source_participant_is_already_connected).toBe(true);
  });

  it("attended-transfer: the caller's flow continues in a join row to 102; the consultation is a flow of its own", async () => {
    const at = await sim.runScenario('attended-transfer');
    const rows = await rowsOf(at.callHistoryId as string);
    expect(rows.map((r) => [r.destination_dn_number, r.creation_method])).toEqual([
      ['32655144', 'call_init'],
      ['101', 'divert'],
      ['102', 'join'],
    ]);
    expect(rows[1]?.continued_in_cdr_id).toBe(rows[2]?.cdr_id);
    expect(rows.slice(1).every((r) => r.cdr_answered_at)).toBe(true);
    const consult = await ro.query(
      `SELECT * FROM cdroutput WHERE source_dn_number = '101' AND destination_dn_number = '102'
       AND call_history_id <> $1 AND cdr_started_at > $2 ORDER BY cdr_started_at`,
      [at.callHistoryId, rows[1]?.cdr_started_at],
    );
    expect(consult.rows).toHaveLength(1);
    expect(consult.rows[0]).toMatchObject({ creation_method: 'call_init' });
    expect(consult.rows[0].cdr_answered_at).not.toBeNull();
  });

  it('writes legacy cl_calls/cl_segments rows joined as integrators query them', async () => {
    const { rows } =
      await ro.query(`SELECT count(*)::int AS n FROM cl_segments s JOIN cl_participants sp ON sp.id = s.src_part_id
      JOIN cl_party_info si ON si.id = sp.info_id JOIN cl_calls c ON c.id = s.call_id WHERE s.action_id = 1`);
    expect(rows[0].n).toBeGreaterThan(5);
  });

  it('ids use 3CX format (4 zero bytes, timestamp, counter) and the counter resets to 1 on a PBX restart', async () => {
    const { rows } = await ro.query('SELECT cdr_id::text AS id FROM cdroutput');
    for (const r of rows) {
      expect(r.id).toMatch(/^00000000-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(Math.abs(decodeCdrId(r.id).at.getTime() - Date.now())).toBeLessThan(10 * 60_000);
    }
    expect(sim.state().cdrCounter).toBeGreaterThan(20);
    await sim.restart();
    const s = await sim.runScenario('internal');
    expect(decodeCdrId(s.callHistoryId as string).counter).toBeLessThanOrEqual(2);
    expect(Math.max(...(s.cdrIds ?? []).map((id) => decodeCdrId(id).counter))).toBeLessThan(10);
  });
});
