import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayEventSchema, toRelayEvent, type EventType } from '@3cx-relay/events';
import { startHarness, until, type EventRow, type Harness } from './sim-harness.js';
import { createApiKey } from '../support/api-keys.js';
import { MediaLinks } from '../../src/api/media/media-links.js';

const KEY = randomBytes(32).toString('hex');
const ENV = {
  RECORDING_POLL_MS: '500',
  RECORDING_MATCH_WAIT_MS: '8000',
  RELAY_ENCRYPTION_KEY: KEY,
  AGENT_STATE_ENABLED: 'false',
};

let h: Harness;
let pool: pg.Pool;
let reader: string;
let ready: EventRow;

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

/**
 * The simulator's own file, read straight from its XAPI (what the relay must pass on).
 * Recordings are Owner-only and the worker holds the Owner client, and 3CX keeps one token per
 * client: when the worker takes a new token between ours being issued and used, ours answers 401
 * (empty body). That is the PBX's rule, not a failure, so take a fresh token and ask again.
 */
async function pbxFile(sim: Harness['sim'], id: string): Promise<Buffer> {
  for (let attempt = 1; ; attempt++) {
    const token = await fetch(`${sim.baseUrl}/connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: sim.clients.owner.clientId,
        client_secret: sim.clients.owner.clientSecret,
        grant_type: 'client_credentials',
      }),
    }).then(async (r) => ((await r.json()) as { access_token: string }).access_token);
    const res = await fetch(`${sim.baseUrl}/xapi/v1/Recordings/Pbx.DownloadRecording(recId=${id})`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status === 401 && attempt < 20) {
      await res.arrayBuffer();
      continue;
    }
    if (res.status !== 200) throw new Error(`PBX answered ${res.status} for recording ${id}`);
    return Buffer.from(await res.arrayBuffer());
  }
}

beforeAll(async () => {
  h = await startHarness('recordings');
  await h.startWorker(ENV);
  pool = new pg.Pool({ connectionString: h.db.url, max: 2 });
  reader = (await createApiKey(pool, ['recordings:read'])).key;
  // The first run starts after the newest recording (none yet); then a queue call is recorded.
  await until(
    async () => (await pool.query(`SELECT 1 FROM source_cursors WHERE name = 'xapi:recordings'`)).rowCount,
  );
  await h.sim.runScenario('inbound-queue-answered');
  ready = await until(async () => (await h.events(`type = 'call.recording_ready'`))[0]);
});
afterAll(async () => {
  await pool?.end();
  await h?.stop();
});

describe('call.recording_ready', () => {
  it('names the call (callid and call_history_id), its parties, DID, queue and 3CX transcription', async () => {
    expect(relayEventSchema.safeParse(wire(ready)).error?.issues ?? []).toEqual([]);
    const ended = (await h.events(`type = 'call.ended'`)).at(-1)!;
    const completed = (await h.events(`type = 'call.completed'`)).at(-1)!;
    const d = ready.data;
    expect(d).toMatchObject({
      recordingId: '1',
      callId: ended.call_id,
      callHistoryId: completed.call_history_id,
      direction: 'inbound',
      did: '32655144',
      queue: '800',
      from: { kind: 'external', dn: '10007' },
      to: { kind: 'extension' },
    });
    expect(d.from.number).toMatch(/^\+49/);
    expect([ended.data.answeredBy]).toContain(d.to.dn);
    expect(d.transcription).toEqual(expect.any(String));
    expect(d.sentimentScore).toEqual(expect.any(Number));
    expect(d.audio).toMatchObject({ url: '/relay/recordings/1', contentType: 'audio/wav' });
    expect(d.audio.signedUrl).toMatch(/^\/relay\/recordings\/1\?expires=\d+&sig=[\w-]+$/);
    expect(ready.extensions).toEqual([d.to.dn]);
    expect(ready.queues).toEqual(['800']);
    expect(ready.call_history_id).toBe(completed.call_history_id);
  });

  it('is sent once: a restarted relay carries on from its cursor', async () => {
    await h.startWorker(ENV);
    await h.sim.runScenario('internal');
    await until(async () => (await h.events(`type = 'call.recording_ready'`)).length === 2);
    const ids = (await h.events(`type = 'call.recording_ready'`)).map((e) => e.data.recordingId);
    expect(ids).toEqual(['1', '2']);
  });
});

describe('GET /relay/recordings/{id}', () => {
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${h.worker!.url}${path}`, { headers });

  it('streams the PBX file to a key with recordings:read, whole and by range', async () => {
    const original = await pbxFile(h.sim, '1');
    const whole = await get('/relay/recordings/1', { authorization: `Bearer ${reader}` });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('audio/wav');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(original);
    const part = await get('/relay/recordings/1', {
      authorization: `Bearer ${reader}`,
      range: 'bytes=100-199',
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${original.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(original.subarray(100, 200));
    const past = await get('/relay/recordings/1', {
      authorization: `Bearer ${reader}`,
      range: 'bytes=99999999-',
    });
    expect(past.status).toBe(416);
  });

  it('refuses no key (401), a key without the scope (403), an unknown id (404)', async () => {
    expect((await get('/relay/recordings/1')).status).toBe(401);
    const other = (await createApiKey(pool, ['calls:read'])).key;
    expect((await get('/relay/recordings/1', { authorization: `Bearer ${other}` })).status).toBe(403);
    expect((await get('/relay/recordings/99', { authorization: `Bearer ${reader}` })).status).toBe(404);
  });

  it('opens with the signed link from the event, without a key; a changed, borrowed or expired link is refused', async () => {
    const signed = ready.data.audio.signedUrl as string;
    const res = await get(signed);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(44);
    // Another first character (the signature starts with 'A' one time in 64: then 'B').
    const tampered = signed.replace(/sig=(.)/, (_, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`);
    expect(tampered).not.toBe(signed);
    expect((await get(tampered)).status).toBe(403);
    expect((await get(signed.replace('/recordings/1?', '/recordings/2?'))).status).toBe(403);
    const expired = new MediaLinks(Buffer.from(KEY, 'hex'), '', 1000).link(
      'recordings',
      '1',
      new Date(Date.now() - 60_000),
    );
    const gone = await get(expired.signedUrl!);
    expect(gone.status).toBe(403);
    expect(((await gone.json()) as { error: { message: string } }).error.message).toBe(
      'this link has expired',
    );
  });
});

describe('a PBX that ignores Range', () => {
  it('still gets the client its byte range: the relay slices the whole file', async () => {
    const plain = await startHarness('recordings_norange', { recordingRangeRequests: false });
    try {
      await plain.startWorker({ ...ENV, RECORDING_MATCH_WAIT_MS: '0' });
      const p = new pg.Pool({ connectionString: plain.db.url, max: 1 });
      const key = (await createApiKey(p, ['recordings:read'])).key;
      await p.end();
      await until(
        async () => (await plain.events(`type = 'call.recording_ready'`)).length === 0 && plain.worker,
      );
      await plain.sim.runScenario('internal');
      const original = await pbxFile(plain.sim, '1');
      const res = await fetch(`${plain.worker!.url}/relay/recordings/1`, {
        headers: { authorization: `Bearer ${key}`, range: 'bytes=-20' },
      });
      expect(res.status).toBe(206);
      expect(res.headers.get('content-range')).toBe(
        `bytes ${original.length - 20}-${original.length - 1}/${original.length}`,
      );
      expect(Buffer.from(await res.arrayBuffer())).toEqual(original.subarray(original.length - 20));
    } finally {
      await plain.stop();
    }
  });
});
