import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { SSE_ENCODING, WS_ENCODING, type StreamEncoding } from './stream-encoding.js';

/** How the hub drives one client's connection, WebSocket or Server-Sent Events. */
export interface StreamTransport {
  readonly kind: 'ws' | 'sse';
  readonly encoding: StreamEncoding;
  /** The TCP socket (its `drain` paces replays). */
  readonly socket: Duplex;
  isOpen(): boolean;
  /** Writes pre-framed bytes. */
  write(frame: Buffer): void;
  /** Bytes waiting to go out. */
  buffered(): number;
  /** Closes politely: a WebSocket close frame with `code`; SSE a final `close` event and the end of the response. */
  close(code: number, reason: string): void;
  terminate(): void;
  /** Keep-alive: a WebSocket ping (answered by a pong) or an SSE comment line. */
  ping(): void;
  /** Whether the peer answers pings (WebSocket); an SSE peer is alive while its socket is. */
  readonly answersPings: boolean;
}

/** A WebSocket client: the hub writes whole frames straight to the socket. */
export function wsTransport(ws: WebSocket, socket: Duplex): StreamTransport {
  return {
    kind: 'ws',
    encoding: WS_ENCODING,
    socket,
    answersPings: true,
    isOpen: () => ws.readyState === WebSocket.OPEN,
    // ws writes its own frames (ping, close) synchronously to the same socket without
    // compression, so whole frames never interleave.
    write: (frame) => socket.write(frame),
    buffered: () => (socket as Duplex & { writableLength: number }).writableLength,
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    ping: () => ws.ping(),
  };
}

/** An SSE client: a `text/event-stream` response the hub writes events into. */
export function sseTransport(res: ServerResponse): StreamTransport {
  const socket = res.socket!;
  return {
    kind: 'sse',
    encoding: SSE_ENCODING,
    socket,
    answersPings: false,
    isOpen: () => !res.writableEnded && !res.destroyed,
    write: (frame) => void res.write(frame),
    buffered: () => res.writableLength + socket.writableLength,
    close: (code, reason) => {
      if (!res.writableEnded) res.end(SSE_ENCODING.message({ kind: 'close', code, reason }));
    },
    terminate: () => res.destroy(),
    ping: () => void res.write(': ping\n\n'),
  };
}
