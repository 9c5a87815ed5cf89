/**
 * Webhook receiver for the delivery benchmark (its own process, like a real receiver): answers
 * 200 at once; for each request reads `"t0":<ms>` from the body and records receipt − t0.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Samples, percentile, wallMs } from './stats.js';
import { serve } from './child.js';

const latencies = new Samples(2_000_000);
const ids = new Set<string>();
let received = 0;
let duplicates = 0;
let first = 0;
let last = 0;
const T0 = Buffer.from('"t0":');

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const now = wallMs();
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const at = body.indexOf(T0);
    if (at >= 0) {
      const end = body.indexOf(0x2c /* , */, at + 5);
      latencies.add(now - Number(body.subarray(at + 5, end > 0 ? end : undefined).toString()));
    }
    const id = req.headers['webhook-id'];
    if (typeof id === 'string') {
      const k = `${req.url}|${id}`; // one subscription per path
      if (ids.has(k)) duplicates++;
      else ids.add(k);
    }
    received++;
    if (!first) first = now;
    last = now;
    res.writeHead(200, { 'content-length': '2' });
    res.end('ok');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  serve(
    {
      reset: () => {
        latencies.reset();
        ids.clear();
        received = duplicates = first = last = 0;
        return true;
      },
      count: () => received,
      stats: () => {
        const v = latencies.values();
        return {
          received,
          duplicates,
          first,
          last,
          p50: percentile(v, 50),
          p99: percentile(v, 99),
          max: percentile(v, 100),
        };
      },
    },
    { port: (server.address() as AddressInfo).port },
  );
});
