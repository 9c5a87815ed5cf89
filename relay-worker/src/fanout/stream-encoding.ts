import { toRelayEvent } from '@3cx-relay/events';
import type { StoredEvent } from '../events/event-store.js';
import { eventFrame, jsonFrame } from './ws-frame.js';

/** A control message of a stream (`hello`, `snapshot`, `history_lost`, `resumed`). */
export type StreamMessage = { kind: string } & Record<string, unknown>;

/**
 * How a transport frames what the hub sends. The hub frames each event once per encoding in
 * use and writes the same bytes to every client of that encoding.
 */
export interface StreamEncoding {
  event(e: StoredEvent): Buffer;
  /** A control message; `id` (a sequence) lets an SSE client resume from it (`Last-Event-ID`). */
  message(msg: StreamMessage, id?: bigint): Buffer;
}

/** WebSocket: one unmasked text frame per message (see ws-frame.ts). */
export const WS_ENCODING: StreamEncoding = {
  event: eventFrame,
  message: (msg) => jsonFrame(msg),
};

/**
 * Server-Sent Events: each relay event is an unnamed event (EventSource's `onmessage`) whose
 * `id` is its sequence, so a reconnecting EventSource resumes with `Last-Event-ID`; control
 * messages are named events (`event: snapshot`). `data` is the same JSON as on the WebSocket.
 */
export const SSE_ENCODING: StreamEncoding = {
  event: (e) =>
    Buffer.from(`id: ${e.sequence}\ndata: ${JSON.stringify({ kind: 'event', ...toRelayEvent(e) })}\n\n`),
  message: (msg, id) =>
    Buffer.from(
      `${id === undefined ? '' : `id: ${id}\n`}event: ${msg.kind}\ndata: ${JSON.stringify(msg)}\n\n`,
    ),
};
