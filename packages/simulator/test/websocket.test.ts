import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator, WsFrame } from '../src/index.js';
import { connectWs, getToken, startTestSim } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSim('ws', { duplicateUpsertProbability: 0 });
});
afterAll(() => sim?.stop());

const dnOf = (f: WsFrame) => f.event.entity.split('/')[2];

describe('WebSocket /callcontrol/ws', () => {
  it('refuses the upgrade with 401 without a token and with an invalidated token', async () => {
    await expect(connectWs(sim, 'nope')).rejects.toThrow('HTTP 401');
    const old = await getToken(sim);
    await getToken(sim);
    await expect(connectWs(sim, old)).rejects.toThrow('HTTP 401');
  });

  it('a client that resets while its upgrade is refused does not crash the simulator', async () => {
    const { port } = new URL(sim.baseUrl);
    const old = await getToken(sim);
    await getToken(sim); // invalidates `old`: its upgrade gets 401
    for (let i = 0; i < 20; i++)
      await new Promise<void>((resolve) => {
        const s = net.connect(Number(port), '127.0.0.1', () => {
          s.write(
            `GET /callcontrol/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
              `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
              `Authorization: Bearer ${old}\r\n\r\n`,
          );
          // reset as soon as the refusal starts to arrive, while the simulator may still write
          s.once('data', () => s.resetAndDestroy());
        });
        s.on('error', () => undefined);
        s.on('close', () => resolve());
      });
    await expect(connectWs(sim, old)).rejects.toThrow('HTTP 401');
    const ws = await connectWs(sim, await getToken(sim));
    ws.close();
  });

  it('pushes {sequence, event:{event_type, entity, attached_data:null}} frames without timestamps', async () => {
    const ws = await connectWs(sim, await getToken(sim));
    await sim.runScenario('internal');
    await ws.waitFor((f) => f.event.event_type === 1 && dnOf(f) === '102');
    expect(ws.frames.map((f) => f.sequence)).toEqual(ws.frames.map((_, i) => i + 1));
    for (const f of ws.frames) {
      expect(Object.keys(f)).toEqual(['sequence', 'event']);
      expect(Object.keys(f.event)).toEqual(['event_type', 'entity', 'attached_data']);
      expect(f.event.attached_data).toBeNull();
      expect(f.event.entity).toMatch(/^\/callcontrol\/\d+\/participants\/\d+$/);
    }
    expect(new Set(ws.frames.map(dnOf))).toEqual(new Set(['101', '102']));
    ws.close();
  });

  it('quirk: only the route point and monitored extensions emit (105 and other clients stay silent)', async () => {
    const owner = await connectWs(sim, await getToken(sim, 'owner'));
    const admin = await connectWs(sim, await getToken(sim, 'admin'));
    await sim.runScenario('ring-group-fanout');
    await owner.waitFor((f) => f.event.event_type === 1);
    await new Promise((r) => setTimeout(r, 50));
    const dns = new Set(owner.frames.map(dnOf));
    expect(dns.has('105')).toBe(false);
    expect([...dns].every((d) => ['103', '104'].includes(d ?? ''))).toBe(true);
    expect(admin.frames).toEqual([]);
    owner.close();
    admin.close();
  });

  it('answers a client request {RequestID, Path, RequestData} with an event_type 4 Response', async () => {
    const ws = await connectWs(sim, await getToken(sim));
    ws.ws.send(JSON.stringify({ RequestID: '42', Path: '/callcontrol/101', RequestData: '' }));
    const res = await ws.waitFor((f) => f.event.event_type === 4);
    const data = res.event.attached_data as {
      RequestID: string;
      Path: string;
      StatusCode: number;
      Response: string;
    };
    expect(data.RequestID).toBe('42');
    expect(data.Path).toBe('/callcontrol/101');
    expect(data.StatusCode).toBe(200);
    expect(JSON.parse(data.Response).dn).toBe('101');
    ws.ws.send(JSON.stringify({ RequestID: '43', Path: '/callcontrol/101/participants/1', RequestData: '' }));
    const missing = await ws.waitFor(
      (f) => (f.event.attached_data as { RequestID?: string } | null)?.RequestID === '43',
    );
    expect((missing.event.attached_data as { StatusCode: number }).StatusCode).toBe(404);
    ws.close();
  });
});

describe('duplicate Upserts', () => {
  async function framesOf(tag: string, seed: number, p: number): Promise<[number, string][]> {
    const s = await startTestSim(`wsdup_${tag}`, { seed, duplicateUpsertProbability: p });
    try {
      const ws = await connectWs(s, await getToken(s));
      await s.runScenario('inbound-queue-answered');
      await ws.waitFor(
        (f) => f.event.event_type === 1 && ws.frames.filter((x) => x.event.event_type === 1).length >= 2,
      );
      ws.close();
      return ws.frames.map((f) => [f.event.event_type, f.event.entity]);
    } finally {
      await s.stop();
    }
  }

  it('quirk: the same Upsert is sometimes sent twice, identically for the same seed', async () => {
    const [a, b, always] = await Promise.all([
      framesOf('a', 7, 0.5),
      framesOf('b', 7, 0.5),
      framesOf('c', 8, 1),
    ]);
    expect(a).toEqual(b);
    const consecutiveDupes = (fs: [number, string][]) =>
      fs.filter((f, i) => i > 0 && f[0] === 0 && f[1] === fs[i - 1]?.[1]).length;
    expect(consecutiveDupes(a)).toBeGreaterThan(0);
    expect(consecutiveDupes(always)).toBe(always.filter((f) => f[0] === 0).length / 2);
  });
});

describe('onCallControlFrame (benchmark instrumentation)', () => {
  it('reports each Upsert and Remove with its callid once the frames are on the sockets', async () => {
    const ws = await connectWs(sim, await getToken(sim));
    const seen: { eventType: number; dn: string; callId: string | null }[] = [];
    const off = sim.onCallControlFrame((f) =>
      seen.push({ eventType: f.eventType, dn: f.dn, callId: f.callId }),
    );
    await sim.runScenario('internal');
    await ws.waitFor((f) => f.event.event_type === 1 && dnOf(f) === '102');
    off();
    const upserts = seen.filter((f) => f.eventType === 0);
    expect(upserts.length).toBeGreaterThan(0);
    expect(upserts.every((f) => /^\d+$/.test(f.callId ?? ''))).toBe(true);
    expect(seen.filter((f) => f.eventType === 1).every((f) => f.callId === null)).toBe(true);
    expect(new Set(seen.map((f) => f.dn))).toEqual(new Set(['101', '102']));
    ws.close();
  });
});
