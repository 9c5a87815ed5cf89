import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESPONSE_EXCERPT_BYTES, WebhookClient } from '../../src/delivery/webhook-client.js';

// The response side of an attempt: what is kept of the body, and what a hostile or broken
// receiver's body does to the attempt.
describe('WebhookClient response bodies', () => {
  let server: http.Server;
  let base: string;
  const client = new WebhookClient({ timeoutMs: 5000 });
  const req = { body: Buffer.from('{}'), headers: { 'content-type': 'application/json' } };
  const opts = { allowedCidrs: ['127.0.0.0/8'] };

  beforeAll(async () => {
    server = http.createServer((rq, rs) => {
      rq.resume();
      rq.on('end', () => {
        if (rq.url === '/small') return rs.end('ok');
        if (rq.url === '/empty') return rs.writeHead(204).end();
        if (rq.url === '/large') return rs.end('é'.repeat(5000)); // 10,000 bytes, 2-byte characters
        if (rq.url === '/huge') {
          // an endless body: the client must stop reading, not wait for its end
          rs.writeHead(200, { 'content-type': 'text/plain' });
          const chunk = Buffer.alloc(64 * 1024, 'a');
          let open = true;
          rs.on('close', () => (open = false));
          rs.on('error', () => {});
          const more = () => {
            while (open) if (!rs.write(chunk)) return void rs.once('drain', more);
          };
          return more();
        }
        if (rq.url === '/cut') {
          rs.writeHead(200, { 'content-length': '100' });
          rs.write('partial');
          return setImmediate(() => rs.socket?.destroy());
        }
        rs.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await client.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('keeps a short body whole and an empty one as null', async () => {
    expect((await client.send(`${base}/small`, req, opts)).excerpt).toBe('ok');
    const empty = await client.send(`${base}/empty`, req, opts);
    expect([empty.statusCode, empty.excerpt]).toEqual([204, null]);
  });

  it(`keeps the first ${RESPONSE_EXCERPT_BYTES} bytes of a longer body`, async () => {
    const r = await client.send(`${base}/large`, req, opts);
    expect(r.statusCode).toBe(200);
    expect(Buffer.byteLength(r.excerpt!)).toBe(RESPONSE_EXCERPT_BYTES);
    expect(r.excerpt).toBe('é'.repeat(RESPONSE_EXCERPT_BYTES / 2));
  });

  it('stops reading an endless body and still reports the answer', async () => {
    const r = await client.send(`${base}/huge`, req, opts);
    expect(r.statusCode).toBe(200);
    expect(r.excerpt).toBe('a'.repeat(RESPONSE_EXCERPT_BYTES));
    // the same client goes on working afterwards
    expect((await client.send(`${base}/small`, req, opts)).excerpt).toBe('ok');
  });

  it('a body cut off mid-way is a failed attempt, not a hang', async () => {
    const r = await client.send(`${base}/cut`, req, opts);
    expect(r.statusCode).toBeNull();
    expect(r.errorKind).not.toBeNull();
    expect(r.error).toMatch(/\S/);
  });
});
