/**
 * Webhook receiver for the end-to-end latency benchmark (its own process): verifies each
 * request's Standard Webhooks signature with the subscription's secret, then records when a
 * `call.ringing` for (callId, extension) arrived, with its `ringingAt`. Answers 204.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { wallMs } from './stats.js';
import { serve } from './child.js';

let verifier: Webhook | undefined;
let receipts: { key: string; at: number; ringingAt: number }[] = [];
let badSignatures = 0;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = wallMs();
    try {
      const body = Buffer.concat(chunks).toString('utf8');
      const e = verifier!.verify(body, req.headers as Record<string, string>) as {
        type: string;
        data: { callId: string; extension: string; ringingAt: string };
      };
      if (e.type === 'call.ringing')
        receipts.push({
          key: `${e.data.callId}|${e.data.extension}`,
          at,
          ringingAt: Date.parse(e.data.ringingAt),
        });
    } catch {
      badSignatures++;
    }
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  serve(
    {
      configure: (m) => {
        verifier = new Webhook(String(m.secret));
        return true;
      },
      /** The receipts so far (and forgets them). */
      take: () => {
        const out = { receipts, badSignatures };
        receipts = [];
        badSignatures = 0;
        return out;
      },
    },
    { port: (server.address() as AddressInfo).port },
  );
});
