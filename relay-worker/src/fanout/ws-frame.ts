import { toRelayEvent } from '@3cx-relay/events';
import type { StoredEvent } from '../events/event-store.js';

/**
 * One unmasked, final WebSocket text frame (RFC 6455 §5.2) around `payload`. Servers never
 * mask, so the same bytes are valid for every client: the hub frames each event once and
 * writes this one buffer to every matching socket, instead of letting `ws` frame (and copy)
 * the message once per client.
 */
export function encodeTextFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const headerLength = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + n);
  frame[0] = 0x81; // FIN + opcode 1 (text)
  if (n < 126) frame[1] = n;
  else if (n < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(frame, headerLength);
  return frame;
}

/** A JSON message, framed once for any number of clients. */
export function jsonFrame(msg: object): Buffer {
  return encodeTextFrame(Buffer.from(JSON.stringify(msg)));
}

/** The `event` message for a stored event, framed (live broadcast and `?since=` replay). */
export function eventFrame(e: StoredEvent): Buffer {
  return jsonFrame({ kind: 'event', ...toRelayEvent(e) });
}
