import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayEventSchema, toRelayEvent, type EventType } from '@3cx-relay/events';
import { startHarness, until, type EventRow, type Harness } from './sim-harness.js';
import { createApiKey } from '../support/api-keys.js';

const KEY = randomBytes(32).toString('hex');
let dir: string;
let env: Record<string, string>;
let h: Harness;
let pool: pg.Pool;
let reader: string;
let vm: EventRow;

const wire = (r: EventRow) =>
  toRelayEvent({
    id: r.id,
    type: r.type as EventType,
    sequence: r.sequence,
    occurredAt: new Date(),
    callId: r.call_id,
    callHistoryId: r.call_history_id,
    extensions: r.extensions,
    dids: r.dids,
    queues: r.queues,
    data: r.data,
  });

const voicemails = () => h.events(`type = 'voicemail.received'`);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'relay-vm-'));
  // Steps wait less for readers: one scenario runs while the worker is stopped.
  h = await startHarness('voicemail', { voicemailDir: dir, waitForReadersMaxMs: 300 });
  env = {
    RELAY_ENCRYPTION_KEY: KEY,
    AGENT_STATE_ENABLED: 'false',
    RECORDINGS_ENABLED: 'false',
    PBX_VOICEMAIL_DIR: dir,
    VOICEMAIL_MATCH_WAIT_MS: '15000',
  };
  await h.startWorker(env);
  pool = new pg.Pool({ connectionString: h.db.url, max: 2 });
  reader = (await createApiKey(pool, ['recordings:read'])).key;
  // The first run starts after the newest message (none yet); then a caller leaves one.
  await until(
    async () => (await pool.query(`SELECT 1 FROM source_cursors WHERE name = 'db3cx:s_voicemail'`)).rowCount,
  );
  await h.sim.runScenario('voicemail');
  vm = await until(async () => (await voicemails())[0]);
});
afterAll(async () => {
  await pool?.end();
  await h?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('voicemail.received', () => {
  it('names the mailbox, the caller, duration, transcription and the call it came from', async () => {
    expect(relayEventSchema.safeParse(wire(vm)).error?.issues ?? []).toEqual([]);
    const completed = await until(async () => (await h.events(`type = 'call.completed'`)).at(-1));
    const row = (
      await pool.query(
        `SELECT data FROM events WHERE type = 'cdr.created' AND data->'destination'->>'entityType' = 'voicemail'`,
      )
    ).rows[0].data;
    const d = vm.data;
    expect(d).toMatchObject({
      voicemailId: '1',
      mailbox: '103',
      mailboxName: row.destination.dnName,
      callHistoryId: completed.call_history_id,
      callId: completed.call_id,
      did: completed.data.did,
      caller: { kind: 'external' },
    });
    expect(d.callId).toEqual(expect.any(String));
    expect(d.caller.number).toBe(completed.data.caller.number);
    expect(d.durationSeconds).toBeGreaterThan(0);
    expect(d.transcription).toMatch(/\w+ \w+/);
    expect(d.audio).toMatchObject({ url: '/relay/voicemails/1', contentType: 'audio/wav' });
    expect(d.audio.signedUrl).toMatch(/^\/relay\/voicemails\/1\?expires=\d+&sig=[\w-]+$/);
    expect(vm.extensions).toEqual(['103']);
    expect(vm.call_history_id).toBe(completed.call_history_id);
  });

  it('streams the message audio from the PBX disk to a key with recordings:read, whole and by range, and by the signed link', async () => {
    const original = await readFile(path.join(dir, '103', (await pbxRow()).wav_file));
    const get = (p: string, headers: Record<string, string> = {}) =>
      fetch(`${h.worker!.url}${p}`, { headers });
    const whole = await get('/relay/voicemails/1', { authorization: `Bearer ${reader}` });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(original);
    const part = await get('/relay/voicemails/1', {
      authorization: `Bearer ${reader}`,
      range: 'bytes=44-99',
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 44-99/${original.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(original.subarray(44, 100));
    expect((await get('/relay/voicemails/1')).status).toBe(401);
    expect((await get('/relay/voicemails/99', { authorization: `Bearer ${reader}` })).status).toBe(404);
    const signed = await get(vm.data.audio.signedUrl as string);
    expect(signed.status).toBe(200);
    expect((await signed.arrayBuffer()).byteLength).toBe(original.length);
  });

  it('is sent once: a restarted relay carries on from its durable cursor, and a message left while it was stopped is reported', async () => {
    await h.stopWorker();
    await h.sim.runScenario('internal-voicemail');
    await h.startWorker(env);
    await until(async () => (await voicemails()).length === 2);
    const all = await voicemails();
    expect(all.map((e) => e.data.voicemailId)).toEqual(['1', '2']);
    expect(all[1]!.data).toMatchObject({ mailbox: '103', caller: { number: '104', kind: 'extension' } });
    const cursor = await pool.query(`SELECT value FROM source_cursors WHERE name = 'db3cx:s_voicemail'`);
    expect(cursor.rows[0].value).toEqual({ after: 2 });
  });
});

describe('a removed message', () => {
  /** What 3CX does when a user deletes a message: the row stays, `removed` is set ([FIELD] §1.13). */
  const remove = async (id: number) => {
    const url = new URL(process.env.RELAY_TEST_PG_URL!);
    url.pathname = `/${h.sim.dbName}`;
    const pbx = new pg.Client({ connectionString: url.toString() });
    await pbx.connect();
    try {
      await pbx.query(`UPDATE s_voicemail SET removed = '1' WHERE id = $1`, [id]);
    } finally {
      await pbx.end();
    }
  };

  it('has no audio (404), and one removed before the relay read it gets no event while the cursor moves past it', async () => {
    const get = () =>
      fetch(`${h.worker!.url}/relay/voicemails/1`, { headers: { authorization: `Bearer ${reader}` } });
    expect((await get()).status).toBe(200);
    await remove(1);
    expect((await get()).status).toBe(404);
    // Message 3 is removed while the relay is stopped; message 4 follows it.
    await h.stopWorker();
    await h.sim.runScenario('voicemail');
    await remove(3);
    await h.sim.runScenario('internal-voicemail');
    await h.startWorker(env);
    await until(async () => (await voicemails()).length === 3);
    expect((await voicemails()).map((e) => e.data.voicemailId)).toEqual(['1', '2', '4']);
    await until(async () => {
      const c = await pool.query(`SELECT value FROM source_cursors WHERE name = 'db3cx:s_voicemail'`);
      return c.rows[0].value.after === 4;
    });
  });
});

describe('a PBX without s_voicemail', () => {
  it('says so once in the error feed, sends no voicemail.received and goes on with its calls', async () => {
    const old = await startHarness('voicemail_none', { voicemailTable: false, waitForReadersMaxMs: 300 });
    try {
      await old.startWorker({ ...env, PBX_VOICEMAIL_DIR: dir });
      const p = new pg.Pool({ connectionString: old.db.url, max: 1 });
      try {
        for (let i = 1; i <= 2; i++) {
          await old.sim.runScenario('voicemail');
          await until(async () => (await old.events(`type = 'call.completed'`)).length === i);
        }
        const missing = () =>
          p.query(`SELECT severity, message FROM error_log WHERE code = 'VOICEMAIL_TABLE_MISSING'`);
        await until(async () => (await missing()).rowCount === 1);
        expect((await missing()).rows[0]).toMatchObject({
          severity: 'info',
          message: expect.stringContaining('s_voicemail'),
        });
        expect(await old.events(`type = 'voicemail.received'`)).toEqual([]);
        // The second call's mailbox row did not ask again.
        expect((await missing()).rowCount).toBe(1);
      } finally {
        await p.end();
      }
    } finally {
      await old.stop();
    }
  }, 90_000);
});

async function pbxRow(): Promise<{ wav_file: string }> {
  const ro = new pg.Client({ connectionString: h.sim.readonlyDbUrl });
  await ro.connect();
  try {
    return (await ro.query('SELECT wav_file FROM s_voicemail WHERE id = 1')).rows[0];
  } finally {
    await ro.end();
  }
}
