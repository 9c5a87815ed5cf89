import { randomBytes } from 'node:crypto';
import net from 'node:net';
import WebSocket from 'ws';
import { bumpTally as bump, type Tally } from './tally.js';

/** Sends `bytes` to 127.0.0.1:`port` on a fresh socket; resolves with the first answer line (or how it ended). */
function rawExchange(port: number, bytes: Buffer, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let answer = '';
    const done = (how: string) => {
      clearTimeout(timer);
      s.destroy();
      resolve(answer.split('\r\n')[0]?.split(' ')[1] ?? how);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    s.on('connect', () => s.write(bytes));
    s.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
      if (answer.includes('\r\n')) done('answered');
    });
    s.on('error', () => done('reset'));
    s.on('close', () => done('closed'));
  });
}

/** Random bytes, HTTP-looking junk and broken upgrade requests at the worker's port. */
export async function garbageOnPort(port: number, count: number): Promise<Tally> {
  const t: Tally = new Map();
  const shapes = [
    () => randomBytes(4096),
    () =>
      Buffer.from(
        `GET /relay/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${'!'.repeat(30)}\r\n\r\n`,
      ),
    () =>
      Buffer.from(
        `GET /relay/ws?since=-1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
      ),
    () =>
      Buffer.concat([Buffer.from('POST /relay/ws HTTP/1.1\r\nContent-Length: 5\r\n\r\n'), randomBytes(64)]),
    () => Buffer.from(`GET /${'%'.repeat(2000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
  ];
  for (let i = 0; i < count; i += 10) {
    const batch = Array.from({ length: Math.min(10, count - i) }, (_, j) =>
      rawExchange(port, shapes[(i + j) % shapes.length]!()),
    );
    for (const r of await Promise.all(batch)) bump(t, r);
  }
  return t;
}

/** Opens an authenticated fan-out socket and writes raw invalid frames into it; resolves with close codes. */
export async function garbageFrames(baseUrl: string, apiKey: string, count: number): Promise<Tally> {
  const t: Tally = new Map();
  const frames = [
    () => randomBytes(512), // not a valid frame header at all (unmasked, reserved bits)
    () =>
      Buffer.concat([Buffer.from([0x81, 0xff, 0, 0, 0, 0, 0, 0x10, 0, 0, 1, 2, 3, 4]), randomBytes(1024)]), // text frame claiming 1 MiB (> 64 KiB limit)
    () => Buffer.from([0x81, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]), // unmasked client frame (clients must mask)
  ];
  for (let i = 0; i < count; i++) {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/relay/ws`, {
      headers: { authorization: `Bearer ${apiKey}` },
      handshakeTimeout: 5000,
    });
    const code = await new Promise<string>((resolve) => {
      const timer = setTimeout(() => (ws.terminate(), resolve('timeout')), 3000);
      ws.on('open', () =>
        (ws as unknown as { _socket: net.Socket })._socket.write(frames[i % frames.length]!()),
      );
      ws.on('close', (c) => (clearTimeout(timer), resolve(String(c))));
      ws.on('error', () => undefined);
      ws.on(
        'unexpected-response',
        (_req, res) => (clearTimeout(timer), ws.terminate(), resolve(`http ${res.statusCode}`)),
      );
    });
    bump(t, code);
  }
  return t;
}

/** Oversized and malformed REST requests, with and without a valid key; resolves with statuses. */
export async function restAbuse(baseUrl: string, apiKey: string, rounds: number): Promise<Tally> {
  const t: Tally = new Map();
  const auth = { authorization: `Bearer ${apiKey}` };
  const requests: [string, RequestInit][] = [
    [
      '/relay/active-calls',
      { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"broken": ' },
    ],
    [
      '/relay/active-calls',
      {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: 'x'.repeat(2 * 1024 * 1024),
      },
    ],
    ['/relay/call-history?from=yesterday&top=-5', { headers: auth }],
    ['/relay/call-history?top=99999999999999999999', { headers: auth }],
    ['/relay/active-calls', { headers: { ...auth, 'x-junk': 'j'.repeat(20_000) } }],
    ['/relay/%E0%A4%A', { headers: auth }],
    ['/relay/active-calls', { headers: { authorization: `Bearer ${'A'.repeat(10_000)}` } }],
    [
      '/relay/health',
      {
        method: 'PUT',
        headers: { 'content-type': 'text/plain' },
        body: randomBytes(70_000).toString('latin1'),
      },
    ],
  ];
  for (let r = 0; r < rounds; r++) {
    for (const [path, init] of requests) {
      try {
        const res = await fetch(`${baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        bump(t, res.status);
      } catch {
        bump(t, 'reset');
      }
    }
  }
  return t;
}
