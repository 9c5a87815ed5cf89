import type { Tone } from '@/components/ui';
import type { CallEventRow } from './call-events';

/** What the activity card shows for one event; every field is plain text for React to escape. */
export interface CallEventView {
  /** Short badge label: ringing, answered, transferred, ended, missed, cdr, completed. */
  label: string;
  tone: Tone;
  /** Who called, e.g. `Anna Meyer (+4915112345678)`; null when unknown. */
  from: string | null;
  /** Who was called (or the transfer target); null when unknown. */
  to: string | null;
  /** Extension / queue / DID involved, e.g. `ext 101 · queue 800 · DID 32655144`. */
  context: string;
  /**
   * Outcome and durations of finished calls, e.g. `answered · ring 4.3 s · talk 29.6 s`: the
   * disposition (`voicemail`, `busy`, `answered`, `abandoned`, `missed`, `rejected`) when the
   * event has one, else the schema-v1 outcome; then who handled it, transfers, callback, partial.
   */
  outcome: string | null;
  /** The disposition (or outcome) alone, shown as a badge on finished calls; null otherwise. */
  disposition: string | null;
  dispositionTone: Tone;
}

/** Badge colours of the outcome model: served green, a message to listen to blue, lost calls red. */
const DISPOSITION_TONES: Record<string, Tone> = {
  answered: 'green',
  voicemail: 'blue',
  busy: 'yellow',
  abandoned: 'red',
  missed: 'red',
  rejected: 'gray',
};

const LABELS: Record<string, { label: string; tone: Tone }> = {
  'call.ringing': { label: 'ringing', tone: 'yellow' },
  'call.answered': { label: 'answered', tone: 'green' },
  'call.transferred': { label: 'transferred', tone: 'blue' },
  'call.ended': { label: 'ended', tone: 'gray' },
  'call.missed': { label: 'missed', tone: 'red' },
  'cdr.created': { label: 'cdr', tone: 'gray' },
  'call.completed': { label: 'completed', tone: 'blue' },
};

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** `Name (number)`, or whichever of the two exists. */
function person(name: string | null, number: string | null): string | null {
  if (name && number && name !== number) return `${name} (${number})`;
  return name ?? number;
}

/** A Party of the event model (`{ number, name, dn, kind }`). */
const party = (v: unknown): string | null => {
  const p = obj(v);
  return person(str(p.name), str(p.number) ?? str(p.dn));
};

/** A CDR endpoint (`source` / `destination` of `cdr.created`). */
const cdrEnd = (v: unknown): string | null => {
  const p = obj(v);
  return person(str(p.participantName) ?? str(p.dnName), str(p.phoneNumber) ?? str(p.dnNumber));
};

const seconds = (v: unknown): string | null => {
  const n = num(v);
  return n === null ? null : `${Math.round(n * 10) / 10} s`;
};

const FINISHED = ['call.ended', 'call.missed', 'call.completed'];

/** The six-value disposition when the event carries one (events since December 2026), else the v1 outcome. */
const dispositionOf = (type: string, d: Obj): string | null =>
  FINISHED.includes(type) ? (str(d.disposition) ?? str(d.outcome)) : null;

function outcomeOf(type: string, d: Obj): string | null {
  if (!FINISHED.includes(type)) return null;
  const ring = seconds(d.ringDurationSeconds);
  const talk = seconds(d.talkDurationSeconds);
  const parts = [dispositionOf(type, d), ring && `ring ${ring}`, talk && `talk ${talk}`];
  const by = str(d.answeredBy);
  const handled = str(d.handledBy);
  if (by) parts.push(`by ${by}`);
  if (handled && handled !== by) parts.push(`handled by ${handled}`);
  const transfers = Array.isArray(d.transfers) ? d.transfers.map(obj) : [];
  for (const t of transfers)
    parts.push(`${str(t.kind) ?? ''} transfer ${str(t.from) ?? '?'} → ${str(t.to) ?? '?'}`);
  const visits = num(d.queueVisits);
  if (visits !== null && visits > 1) parts.push(`${visits} queue visits`);
  const callback = str(d.callback);
  if (callback) parts.push(`callback ${callback}`);
  if (d.partial === true) parts.push('partial (CDR rows purged)');
  const text = parts.filter(Boolean).join(' · ');
  return text || null;
}

function contextOf(e: CallEventRow, d: Obj): string {
  const ext = str(d.extension) ?? (e.extensions.length ? e.extensions.join(', ') : null);
  const queue = str(d.queue) ?? (e.queues.length ? e.queues.join(', ') : null);
  const did = str(d.did) ?? (e.dids.length ? e.dids.join(', ') : null);
  const dept = str(d.department);
  return [ext && `ext ${ext}`, queue && `queue ${queue}`, did && `DID ${did}`, dept && `dept ${dept}`]
    .filter(Boolean)
    .join(' · ');
}

/** Turns a stored event into the card's line; unknown or malformed `data` yields dashes, never throws. */
export function describeCallEvent(e: CallEventRow): CallEventView {
  const d = obj(e.data);
  const kind = LABELS[e.type] ?? { label: e.type, tone: 'gray' as Tone };
  let from = party(d.caller);
  let to = party(d.callee);
  if (e.type === 'cdr.created') {
    from = cdrEnd(d.source);
    to = cdrEnd(d.destination);
  } else if (e.type === 'call.transferred') {
    from = str(d.from) ?? from;
    to = str(d.to) ?? to;
  }
  const disposition = dispositionOf(e.type, d);
  return {
    ...kind,
    from,
    to,
    context: contextOf(e, d),
    outcome: outcomeOf(e.type, d),
    disposition,
    dispositionTone: DISPOSITION_TONES[disposition ?? ''] ?? 'gray',
  };
}
