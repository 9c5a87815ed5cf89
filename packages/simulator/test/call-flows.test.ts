import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { startTestSim } from './helpers.js';

let sim: Simulator;
let ro: pg.Client;
beforeAll(async () => {
  sim = await startTestSim('flows', { seed: 5 });
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
/** The main path: [destination dn, creation_method, termination_reason, termination_reason_details]. */
const path = (rows: Row[]) =>
  rows
    .filter((r) => !r.originating_cdr_id)
    .map((r) => [
      r.destination_dn_number,
      r.creation_method,
      r.termination_reason,
      r.termination_reason_details,
    ]);
const run = async (name: string) => {
  const s = await sim.runScenario(name);
  expect(s.cdrsWritten, name).toBe(true);
  return { s, rows: await rowsOf(s.callHistoryId!) };
};

// Each flow's cdroutput rows as the field review describes them (§1.2, §1.4, §1.11, §1.13).
describe('call flows of real V20 systems', () => {
  it('voicemail: the extension row continues (no_answer) in an answered mailbox row; an s_voicemail row links to it', async () => {
    const { rows } = await run('voicemail');
    expect(path(rows)).toEqual([
      ['+41274842020', 'call_init', 'continued_in', 'by_did'],
      ['103', 'divert', 'continued_in', 'no_answer'],
      ['103', 'divert', 'src_participant_terminated', null],
    ]);
    const mailbox = rows[2]!;
    expect(mailbox).toMatchObject({ destination_entity_type: 'voicemail', destination_dn_type: 'extension' });
    expect(mailbox.cdr_answered_at).not.toBeNull();
    const vm = await ro.query('SELECT * FROM s_voicemail WHERE cdr_participant_id = $1', [
      mailbox.destination_participant_id,
    ]);
    expect(vm.rows).toHaveLength(1);
    expect(vm.rows[0]).toMatchObject({ callee: '103', caller: rows[0]!.source_participant_phone_number });
    expect(vm.rows[0].wav_file).toMatch(/^vmail_103_\d+_\d{14}\.wav$/);
    expect(vm.rows[0].duration).toBeGreaterThan(0);
  });

  it('busy-to-queue, forward-all-to-queue and busy: the extension row ends continued_in/busy|forward_all; busy alone ends rejected/busy', async () => {
    const busy = await run('busy-to-queue');
    expect(path(busy.rows).slice(0, 3)).toEqual([
      ['32655145', 'call_init', 'continued_in', 'by_did'],
      ['104', 'divert', 'continued_in', 'busy'],
      ['800', 'divert', 'continued_in', 'polling'],
    ]);
    expect(busy.rows[2]!.creation_forward_reason).toBe('busy');
    const fwd = await run('forward-all-to-queue');
    expect(path(fwd.rows)[1]).toEqual(['100', 'divert', 'continued_in', 'forward_all']);
    expect(
      fwd.rows.filter((r) => r.cdr_answered_at && r.destination_entity_type === 'extension'),
    ).toHaveLength(1);
    const alone = await run('busy');
    expect(path(alone.rows)).toEqual([
      ['0274842022', 'call_init', 'continued_in', 'by_did'],
      ['105', 'divert', 'rejected', 'busy'],
    ]);
  });

  it('queue-overflow redirects from 800 to 093 (leading zero) where 046 answers; queue-pingpong passes 800 three times', async () => {
    const over = await run('queue-overflow');
    expect(path(over.rows)).toEqual([
      ['+41274842020', 'call_init', 'continued_in', 'by_did'],
      ['800', 'divert', 'redirected', 'no_answer'],
      ['093', 'divert', 'continued_in', 'polling'],
    ]);
    expect(over.rows.find((r) => r.destination_dn_number === '046')).toMatchObject({
      creation_forward_reason: 'polling',
      destination_participant_group_name: 'Hotline',
    });
    expect(over.s.answeredBy).toBe('046');
    const pp = await run('queue-pingpong');
    expect(
      pp.rows.filter((r) => r.destination_entity_type === 'queue').map((r) => r.destination_dn_number),
    ).toEqual(['800', '800', '800']);
    expect(pp.rows[0]!.destination_dn_number).toBe('0041274842021');
    expect(pp.s.answeredBy).toBe('102');
  });

  it('pickup: 103 rings, 104 picks up (creation_method pickup); barge-in: listen then whisper rows from 105 into 101', async () => {
    const pu = await run('pickup');
    expect(path(pu.rows).map((p) => [p[0], p[1]])).toEqual([
      ['32655145', 'call_init'],
      ['103', 'divert'],
      ['104', 'pickup'],
    ]);
    expect(pu.rows[1]!.continued_in_cdr_id).toBe(pu.rows[2]!.cdr_id);
    const bi = await run('barge-in');
    const barge = bi.rows.filter((r) => r.creation_method.startsWith('barge_in'));
    expect(barge.map((r) => [r.creation_method, r.source_dn_number, r.destination_dn_number])).toEqual([
      ['barge_in_listen', '105', '101'],
      ['barge_in_whisper', '105', '101'],
    ]);
    expect(barge[0]!.continued_in_cdr_id).toBe(barge[1]!.cdr_id);
  });

  it('queue-callback: queue → QCB (callback_requested) → QCB rings 101 → 101 calls the caller back; failed: the QCB row ends polling', async () => {
    const ok = await run('queue-callback');
    expect(ok.s.relatedCallids).toHaveLength(1);
    const qcb = ok.rows.find((r) => r.destination_dn_number === 'QCB')!;
    expect(qcb).toMatchObject({
      source_entity_type: 'queue',
      destination_entity_type: 'ivr',
      creation_forward_reason: 'callback_requested',
      termination_reason: 'continued_in',
    });
    expect(ok.rows.find((r) => r.continued_in_cdr_id === qcb.cdr_id)?.termination_reason_details).toBe(
      'callback_requested',
    );
    const cb = ok.rows.find((r) => r.cdr_id === qcb.continued_in_cdr_id)!;
    expect(cb).toMatchObject({
      source_dn_number: 'QCB',
      destination_dn_number: '101',
      termination_reason_details: 'callback',
    });
    const back = ok.rows.find((r) => r.cdr_id === cb.continued_in_cdr_id)!;
    expect(back).toMatchObject({ source_dn_number: '101', destination_entity_type: 'external_line' });
    expect(back.cdr_answered_at).not.toBeNull();
    const failed = await run('queue-callback-failed');
    expect(failed.rows.find((r) => r.destination_dn_number === 'QCB')).toMatchObject({
      termination_reason_details: 'polling',
      continued_in_cdr_id: null,
    });
  });

  it('api-makecall starts with a MakeCall row (source ivr MakeCall) to 100 that continues in 100 → the outside number', async () => {
    const { rows } = await run('api-makecall');
    expect(rows.map((r) => [r.source_entity_type, r.source_dn_number, r.destination_dn_number])).toEqual([
      ['ivr', 'MakeCall', '100'],
      ['extension', '100', '10007'],
    ]);
    expect(rows[1]!.destination_participant_phone_number).toBe('0123456789');
    expect(rows[0]!.continued_in_cdr_id).toBe(rows[1]!.cdr_id);
  });

  it('dataConnector: synced rows get an offload_id; with purgeAfterSync they are deleted', async () => {
    await sim.faults.set({ dataConnector: { afterMs: 0, purgeAfterSync: false } });
    const kept = await run('internal');
    await expect.poll(async () => (await rowsOf(kept.s.callHistoryId!))[0]?.offload_id).not.toBeNull();
    await sim.faults.set({ dataConnector: { afterMs: 0, purgeAfterSync: true } });
    const before = sim.state().cdrsPurged;
    const gone = await run('internal');
    await expect.poll(async () => (await rowsOf(gone.s.callHistoryId!)).length).toBe(0);
    expect(sim.state().cdrsPurged).toBe(before + gone.s.cdrIds!.length);
    await sim.faults.clear();
  });
});
