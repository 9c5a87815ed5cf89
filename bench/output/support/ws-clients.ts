/**
 * WebSocket clients for the fan-out benchmark, in their own process: connects N clients,
 * counts messages and samples send→receive latency from each message's `"t0":`.
 */
import WebSocket from 'ws';
import { Samples, percentile, wallMs } from './stats.js';
import { serve } from './child.js';

const T0 = Buffer.from('"t0":');
const sockets: WebSocket[] = [];
const latency = new Samples(1_000_000);
let received = 0;
let last = 0;

function onMessage(data: Buffer): void {
  // Count event messages only (they carry t0); read t0 without parsing the whole JSON.
  const at = data.indexOf(T0);
  if (at < 0) return;
  received++;
  if ((received & 7) === 0) {
    const end = data.indexOf(0x2c, at + 5);
    latency.add(wallMs() - Number(data.subarray(at + 5, end).toString()));
  }
  last = wallMs();
}

serve(
  {
    connect: async (m) => {
      const headers = m.key ? { authorization: `Bearer ${m.key}` } : {};
      for (let i = 0; i < m.count; i += 200) {
        await Promise.all(
          Array.from(
            { length: Math.min(200, m.count - i) },
            () =>
              new Promise<void>((resolve, reject) => {
                const ws = new WebSocket(m.url, { headers, perMessageDeflate: false });
                ws.on('message', (d: Buffer) => onMessage(d));
                ws.once('open', () => resolve());
                ws.once('error', reject);
                sockets.push(ws);
              }),
          ),
        );
      }
      return sockets.length;
    },
    reset: () => {
      received = 0;
      latency.reset();
      return true;
    },
    stats: () => ({
      received,
      last,
      p50: percentile(latency.values(), 50),
      p99: percentile(latency.values(), 99),
    }),
    close: () => {
      for (const s of sockets) s.terminate();
      sockets.length = 0;
      return true;
    },
  },
  true,
);
