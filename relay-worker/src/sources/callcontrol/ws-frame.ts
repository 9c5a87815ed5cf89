/** A Call Control WebSocket event the relay acts on. */
export interface CallControlFrame {
  sequence: number | null;
  /** 0 Upsert, 1 Remove, 2 DTMF, 3 PromptPlaybackFinished, 4 Response. */
  eventType: number;
  /** REST path of the entity, e.g. `/callcontrol/101/participants/8106`. */
  entity: string;
}

/** Why a frame was skipped. */
export type FrameProblem = 'not-json' | 'wrong-shape' | 'oversized' | 'unknown-entity';

/** Frames larger than this are skipped: 3CX's events are small (attached_data is null for Upsert/Remove). */
export const MAX_FRAME_BYTES = 256 * 1024;

/** Parses a frame; returns the problem instead of throwing. */
export function parseFrame(text: string): CallControlFrame | { problem: FrameProblem } {
  if (text.length > MAX_FRAME_BYTES) return { problem: 'oversized' };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { problem: 'not-json' };
  }
  const ev = (v as { event?: { event_type?: unknown; entity?: unknown } } | null)?.event;
  if (
    !ev ||
    typeof ev.event_type !== 'number' ||
    typeof ev.entity !== 'string' ||
    ev.event_type < 0 ||
    ev.event_type > 4
  ) {
    return { problem: 'wrong-shape' };
  }
  const seq = (v as { sequence?: unknown }).sequence;
  return { sequence: typeof seq === 'number' ? seq : null, eventType: ev.event_type, entity: ev.entity };
}

/** `/callcontrol/{dn}/participants/{id}` → {dn, id}; null for other entities (devices, …). */
export function parseParticipantEntity(entity: string): { dn: string; id: number } | null {
  const m = /^\/callcontrol\/([^/]+)\/participants\/(\d+)$/.exec(entity);
  if (!m) return null;
  return { dn: decodeURIComponent(m[1]!), id: Number(m[2]) };
}
