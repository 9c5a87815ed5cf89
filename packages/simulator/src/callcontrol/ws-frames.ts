/** The server → client frame envelope ([OFFICIAL S2] `WSEvent`; [FIELD S4/S6]). No timestamps. */
export interface WsFrame {
  sequence: number;
  event: {
    /** 0 Upsert, 1 Remove, 2 DTMFstring, 3 PromptPlaybackFinished, 4 Response. */
    event_type: 0 | 1 | 2 | 3 | 4;
    entity: string;
    /** Null for Upsert/Remove in practice ([FIELD S6]); `WebSocketResponse` for Response. */
    attached_data: unknown;
  };
}

/** A client → server request ([OFFICIAL S2] `WebSocketRequest`). */
export interface WsRequest {
  RequestID: string;
  Path: string;
  RequestData: string;
}

/** Kinds of deliberately broken frames the `malformedFrame` fault sends. */
export type MalformedKind = 'non-json' | 'wrong-shape' | 'oversized';

/** The text of a broken frame. */
export function malformedFrame(kind: MalformedKind, sequence: number): string {
  switch (kind) {
    case 'non-json':
      return `{"sequence":${sequence},"event":{"event_type":0,"entity":`;
    case 'wrong-shape':
      return JSON.stringify({ sequence: String(sequence), event: { event_type: 9, entity: 42 } });
    case 'oversized':
      return JSON.stringify({
        sequence,
        event: {
          event_type: 0,
          entity: '/callcontrol/100/participants/1',
          attached_data: 'x'.repeat(2 * 1024 * 1024),
        },
      });
  }
}

/** Parses a client request; null when it is not one. */
export function parseWsRequest(text: string): WsRequest | null {
  try {
    const v = JSON.parse(text) as Partial<WsRequest>;
    if (typeof v.Path !== 'string') return null;
    return {
      RequestID: String(v.RequestID ?? ''),
      Path: v.Path,
      RequestData: typeof v.RequestData === 'string' ? v.RequestData : '',
    };
  } catch {
    return null;
  }
}
