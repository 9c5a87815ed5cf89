/**
 * WebSocket server for the fan-out benchmark, in its own process so its RSS is its own.
 * BENCH_WS_MODE=relay runs the relay's WsHub (API-key auth, filters, one frame per event);
 * BENCH_WS_MODE=naive runs a plain `ws` server that calls `client.send(msg)` for every client.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import pino from 'pino';
import { WebSocketServer, WebSocket } from 'ws';
import type { StoredEvent } from '../../../relay-worker/src/events/event-store.js';
import { ApiKeyVerifier } from '../../../relay-worker/src/auth/api-key-verifier.js';
import { RateLimiter } from '../../../relay-worker/src/auth/rate-limiter.js';
import { UsageRecorder } from '../../../relay-worker/src/auth/usage-recorder.js';
import { RelayMetrics } from '../../../relay-worker/src/stats/relay-metrics.js';
import { WsHub } from '../../../relay-worker/src/fanout/ws-hub.js';
import { serve } from './child.js';
import { wallMs } from './stats.js';

const mode = process.env.BENCH_WS_MODE === 'naive' ? 'naive' : 'relay';
const silent = pino({ level: 'silent' });
const server = http.createServer((_req, res) => res.writeHead(404).end());
let publish: (e: StoredEvent) => void;
let clientCount: () => number;
let maxBuffered: () => number;

if (mode === 'relay') {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  const metrics = new RelayMetrics();
  const hub = new WsHub(
    {
      pool,
      verifier: new ApiKeyVerifier(pool, silent),
      limiter: new RateLimiter(1e9),
      usage: new UsageRecorder(pool, silent),
      metrics,
      log: silent,
      retentionMs: 30 * 86_400_000,
    },
    // Every benchmark client shares one key.
    { pingIntervalMs: 25_000, maxConnectionsPerKey: 1e9 },
  );
  server.on('upgrade', (req, socket, head) => {
    if (!hub.handleUpgrade(req, socket, head)) socket.destroy();
  });
  publish = (e) => hub.broadcast([e]);
  clientCount = () => hub.clients.size;
  maxBuffered = () => {
    let m = 0;
    for (const c of hub.clients)
      m = Math.max(m, (c.socket as unknown as { writableLength: number }).writableLength);
    return m;
  };
} else {
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  publish = (e) => {
    const msg = JSON.stringify({
      kind: 'event',
      sequence: String(e.sequence),
      id: e.id,
      type: e.type,
      occurredAt: e.occurredAt.toISOString(),
      extensions: e.extensions,
      dids: e.dids,
      queues: e.queues,
      data: e.data,
    });
    for (const c of wss.clients) if (c.readyState === WebSocket.OPEN) c.send(msg);
  };
  clientCount = () => wss.clients.size;
  maxBuffered = () => {
    let m = 0;
    for (const c of wss.clients) m = Math.max(m, c.bufferedAmount);
    return m;
  };
}

let seq = 0n;
function event(): StoredEvent {
  seq++;
  return {
    sequence: seq,
    id: `evt_bench${seq}`,
    type: 'call.ringing',
    occurredAt: new Date(),
    callId: String(seq),
    callHistoryId: null,
    extensions: ['101'],
    dids: ['+4930999'],
    queues: [],
    data: {
      t0: wallMs(),
      callId: String(seq),
      direction: 'inbound',
      caller: { number: '+4930123456', name: 'Caller', dn: null, kind: 'external' },
      callee: { number: '101', name: 'Agent 101', dn: '101', kind: 'extension' },
      did: '+4930999',
      queue: null,
      extension: '101',
    },
  };
}

server.listen(0, '127.0.0.1', () => {
  serve(
    {
      clients: () => clientCount(),
      rss: () => {
        global.gc?.();
        return process.memoryUsage().rss;
      },
      /** Publishes at a fixed rate (events/s) for `ms`. */
      rate: async (m) => {
        const cpu = process.cpuUsage();
        const perTick = Math.max(1, Math.round(m.eventsPerSecond / 100));
        const t = performance.now();
        let sent = 0;
        for (let tick = 0; tick < m.ms / 10 && sent < 1_000_000; tick++) {
          for (let i = 0; i < perTick; i++) publish(event());
          sent += perTick;
          const wait = t + (tick + 1) * 10 - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        const used = process.cpuUsage(cpu);
        return { sent, seconds: (performance.now() - t) / 1000, cpuMs: (used.user + used.system) / 1000 };
      },
      /** Publishes as fast as the slowest client takes it (at most 256 KB buffered), for `ms`. */
      saturate: async (m) => {
        const cpu = process.cpuUsage();
        const end = performance.now() + m.ms;
        let sent = 0;
        while (performance.now() < end && sent < 1_000_000) {
          if (maxBuffered() < 256 * 1024) {
            publish(event());
            sent++;
          }
          if (sent % 4 === 0) await new Promise((r) => setImmediate(r));
        }
        const used = process.cpuUsage(cpu);
        return { sent, cpuMs: (used.user + used.system) / 1000 };
      },
    },
    { port: (server.address() as AddressInfo).port, mode },
  );
});
