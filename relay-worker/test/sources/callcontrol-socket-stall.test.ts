import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CallControlSocket } from '../../src/sources/callcontrol/callcontrol-socket.js';
import type { TokenHolder } from '../../src/sources/xapi/token-holder.js';
import { until } from './sim-harness.js';

// A WebSocket peer on its own thread (its own event loop), so it keeps answering pings and
// sending frames while the test blocks the main thread's loop.
const PEER = `
const { parentPort } = require('node:worker_threads');
const { WebSocketServer } = require('ws');
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => parentPort.postMessage(wss.address().port));
wss.on('connection', (ws) => {
  const t = setInterval(() => ws.send(JSON.stringify({ sequence: 0, event: { event_type: 3, entity: '/callcontrol/900/participants/1', attached_data: null } })), 20);
  ws.on('close', () => clearInterval(t));
});
`;

let peer: Worker;
let port: number;
beforeAll(async () => {
  peer = new Worker(PEER, { eval: true });
  port = await new Promise<number>((resolve) => peer.once('message', resolve));
});
afterAll(async () => {
  await peer.terminate();
});

it('a stalled event loop is not a dead PBX: frames that waited in the socket count before the no-pong verdict', async () => {
  // The token holder is not what this test is about: a fixed token stands in for it.
  const tokens = {
    get: () => Promise.resolve('t'),
    renew: () => Promise.resolve('t'),
    current: 't',
    fetching: false,
  };
  const socket = new CallControlSocket(
    {
      baseUrl: `http://127.0.0.1:${port}`,
      tokens: tokens as unknown as TokenHolder,
      pingIntervalMs: 100, // silence verdict after 1.2 s
      reconnectBaseMs: 50,
      reconnectMaxMs: 100,
    },
    pino({ level: 'silent' }),
  );
  const downs: string[] = [];
  let frames = 0;
  socket.on('down', (reason) => downs.push(reason));
  socket.on('message', () => frames++);
  socket.start();
  try {
    await until(() => socket.isOpen && frames > 0, undefined, 'open with frames');
    const end = Date.now() + 2000;
    while (Date.now() < end); // the loop stalls for 2 s while the peer keeps sending
    const before = frames;
    await until(() => frames > before + 5, undefined, 'frames after the stall');
    expect(downs).toEqual([]);
    expect(socket.isOpen).toBe(true);
  } finally {
    socket.stop();
  }
});
