/**
 * Webhook receiver for the delivery benchmark (its own process, like a real receiver): answers
 * 200 at once; for each request reads `"t0":<ms>` from the body and records receipt − t0.
 * Optionally refuses the first attempt of a share of the deliveries (500), and checks per-call
 * order the way an integrator would: for every webhook-id it accepts (2xx) for the first time,
 * a `relay-sequence` lower than one already accepted for its `relay-order-key` (per path, i.e.
 * per subscription) is an order violation. Duplicates (at-least-once) are not.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Samples, percentile, wallMs } from './stats.js';
import { serve } from './child.js';

const latencies = new Samples(2_000_000);
const ids = new Set<string>();
/** Deliveries whose first attempt was refused. */
const retried = new Set<string>();
const newest = new Map<string, bigint>();
let received = 0;
let duplicates = 0;
let refused = 0;
let violations = 0;
let first = 0;
let last = 0;
/** Share of webhook-ids whose first attempt is answered 500 (0 = none). */
let failShare = 0;
const T0 = Buffer.from('"t0":');

/** A stable pseudo-random share of ids (FNV-1a). */
function inShare(id: string): boolean {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h % 10_000 < failShare * 10_000;
}

function accept(path: string, headers: http.IncomingHttpHeaders): void {
  const key = headers['relay-order-key'];
  const seq = headers['relay-sequence'];
  if (typeof key !== 'string' || typeof seq !== 'string') return;
  const k = `${path}|${key}`;
  const s = BigInt(seq);
  const top = newest.get(k);
  if (top !== undefined && s < top) violations++;
  else newest.set(k, s);
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const now = wallMs();
    const id = String(req.headers['webhook-id'] ?? '');
    const k = `${req.url}|${id}`; // one subscription per path
    received++;
    if (!first) first = now;
    last = now;
    if (failShare > 0 && !ids.has(k) && !retried.has(k) && inShare(id)) {
      retried.add(k);
      refused++;
      res.writeHead(500, { 'content-length': '2' });
      res.end('no');
      return;
    }
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const at = body.indexOf(T0);
    if (at >= 0) {
      const end = body.indexOf(0x2c /* , */, at + 5);
      latencies.add(now - Number(body.subarray(at + 5, end > 0 ? end : undefined).toString()));
    }
    if (ids.has(k)) duplicates++;
    else {
      ids.add(k);
      accept(req.url ?? '', req.headers);
    }
    res.writeHead(200, { 'content-length': '2' });
    res.end('ok');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  serve(
    {
      reset: (m) => {
        latencies.reset();
        ids.clear();
        retried.clear();
        newest.clear();
        received = duplicates = refused = violations = first = last = 0;
        failShare = Number(m.failShare ?? 0);
        return true;
      },
      count: () => received,
      /** Every receipt latency of the run (ms), for percentiles pooled over several runs. */
      samples: () => Array.from(latencies.values()),
      /** Distinct deliveries accepted (2xx). */
      accepted: () => ids.size,
      stats: () => {
        const v = latencies.values();
        return {
          received,
          accepted: ids.size,
          duplicates,
          refused,
          violations,
          keys: newest.size,
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
