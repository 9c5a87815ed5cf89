import { z } from 'zod';
import { isoDate } from './common.js';

/** The PBX sources whose link state `relay.status_changed` reports. */
export const pbxSourceSchema = z.enum(['db3cx', 'xapi', 'callcontrol']);
export type PbxSource = z.infer<typeof pbxSourceSchema>;

/** The states of a PBX source that `relay.status_changed` reports (`connecting` and `disabled` are not reported). */
export const sourceStateSchema = z.enum(['up', 'degraded', 'down']);
export type SourceState = z.infer<typeof sourceStateSchema>;

/**
 * `relay.status_changed`: the relay lost or regained one of its 3CX sources. Sent only to
 * subscriptions and WebSocket clients that ask for it (`relay.status_changed` or `relay.*`).
 */
export const relayStatusChangedData = z.object({
  /** `db3cx` (3CX database), `xapi` (configuration API) or `callcontrol` (live call WebSocket). */
  component: pbxSourceSchema,
  /** The previous state, or null when the relay has no earlier state on record (first report). */
  from: sourceStateSchema.nullable(),
  to: sourceStateSchema,
  /** The error that caused a `down` or `degraded` state, else null. */
  error: z.string().nullable(),
  /** When the relay saw the change (ISO 8601 UTC; also the envelope's `occurredAt`). */
  at: isoDate,
});

/**
 * Prefixes of the opt-in event families: a subscription or WebSocket client receives their
 * types only when it names them, exactly or by the family's wildcard (`relay.*`,
 * `subscription.*`, `agent.*`, `queue.*`, `voicemail.*`). An empty type filter and `*` mean "all call and CDR events", not
 * these, so existing integrations see nothing new.
 */
export const OPT_IN_EVENT_TYPE_PREFIXES = [
  'relay.',
  'subscription.',
  'agent.',
  'queue.',
  'voicemail.',
] as const;

/**
 * Opt-in types outside those families: named exactly only. `call.*` keeps meaning the live call
 * events it meant before these existed, so it does not select them.
 */
export const OPT_IN_EVENT_TYPES = ['call.recording_ready'] as const;

/** Whether an event type is only delivered to filters that name it (see {@link OPT_IN_EVENT_TYPE_PREFIXES}). */
export function isOptInEventType(type: string): boolean {
  return (
    OPT_IN_EVENT_TYPE_PREFIXES.some((p) => type.startsWith(p)) ||
    (OPT_IN_EVENT_TYPES as readonly string[]).includes(type)
  );
}

/**
 * Whether a type pattern selects an event type: the exact name; `*` for every type that is not
 * opt-in; `family.*` for the family's types, but for an opt-in type only when `family.` is an
 * opt-in family (so `call.*` never selects `call.recording_ready`).
 */
export function typePatternMatches(pattern: string, type: string): boolean {
  if (pattern === type) return true;
  const optIn = isOptInEventType(type);
  if (pattern === '*') return !optIn;
  if (!pattern.endsWith('.*')) return false;
  const family = pattern.slice(0, -1);
  return (
    type.startsWith(family) && (!optIn || (OPT_IN_EVENT_TYPE_PREFIXES as readonly string[]).includes(family))
  );
}
