import {
  OPT_IN_EVENT_TYPES,
  OPT_IN_EVENT_TYPE_PREFIXES,
  isOptInEventType,
  typePatternMatches,
} from '@3cx-relay/events';

/**
 * Filters shared by webhook subscriptions and WebSocket connections. An empty list means "no
 * filter on that field"; a non-empty list matches when the event shares at least one value.
 * Event types match exactly or by a trailing wildcard (`call.*`). Opt-in types (the `relay.*`,
 * `subscription.*`, `agent.*`, `queue.*` and `voicemail.*` families and `call.recording_ready`) only match a
 * pattern that names them, their name or their own family's wildcard: neither an empty type
 * list, nor `*`, nor `call.*` selects them, so existing integrations see no new kind of event.
 */
export interface EventFilter {
  eventTypes: readonly string[];
  extensions: readonly string[];
  dids: readonly string[];
  queues: readonly string[];
  /** 3CX departments (cdroutput group names); absent or empty: no filter. */
  departments?: readonly string[] | undefined;
}

/** The fields of an event a filter looks at. */
export interface FilterableEvent {
  type: string;
  extensions: readonly string[];
  dids: readonly string[];
  queues: readonly string[];
  /** Absent (events stored before departments existed, live events): none. */
  departments?: readonly string[] | undefined;
}

export const MATCH_ALL: EventFilter = { eventTypes: [], extensions: [], dids: [], queues: [] };

function typeMatches(patterns: readonly string[], type: string): boolean {
  if (patterns.length === 0) return !isOptInEventType(type);
  return patterns.some((p) => typePatternMatches(p, type));
}

function overlaps(wanted: readonly string[], have: readonly string[]): boolean {
  return wanted.length === 0 || have.some((v) => wanted.includes(v));
}

/** Whether an event passes a filter. */
export function matchesFilter(filter: EventFilter, event: FilterableEvent): boolean {
  return (
    typeMatches(filter.eventTypes, event.type) &&
    overlaps(filter.extensions, event.extensions) &&
    overlaps(filter.dids, event.dids) &&
    overlaps(filter.queues, event.queues) &&
    overlaps(filter.departments ?? [], event.departments ?? [])
  );
}

// The type names are constants of this code base (no quote in them), never input.
const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** An opt-in event type, in SQL (see isOptInEventType). */
const SQL_OPT_IN = `(${OPT_IN_EVENT_TYPE_PREFIXES.map((p) => `starts_with(e.type, '${p}')`).join(' OR ')}
  OR e.type IN (${sqlList(OPT_IN_EVENT_TYPES)}))`;

/**
 * The same predicate in SQL, for `webhook_subscriptions s` against `events e` (the outbox
 * builds deliveries with it inside the append transaction). Keep in step with {@link matchesFilter}.
 * The filter columns are nullable: NULL means no filter, like an empty list.
 */
export const SQL_SUBSCRIPTION_MATCHES_EVENT = `
  ((coalesce(cardinality(s.event_types), 0) = 0 AND NOT ${SQL_OPT_IN}) OR EXISTS (
     SELECT 1 FROM unnest(s.event_types) AS t(p)
     WHERE t.p = e.type OR (t.p = '*' AND NOT ${SQL_OPT_IN})
        OR (right(t.p, 2) = '.*' AND left(e.type, length(t.p) - 1) = left(t.p, -1)
            AND (NOT ${SQL_OPT_IN} OR left(t.p, -1) IN (${sqlList(OPT_IN_EVENT_TYPE_PREFIXES)})))))
  AND (coalesce(cardinality(s.extensions), 0) = 0 OR s.extensions && e.extensions)
  AND (coalesce(cardinality(s.dids), 0) = 0 OR s.dids && e.dids)
  AND (coalesce(cardinality(s.queues), 0) = 0 OR s.queues && e.queues)
  AND (coalesce(cardinality(s.departments), 0) = 0 OR coalesce(s.departments && e.departments, false))`;

/**
 * Reads a filter from query-string style values (`types=call.*,cdr.created&extensions=101`).
 * Department names may hold spaces (`departments=Sales,Hotline CH`); commas separate them.
 */
export function filterFromQuery(q: Record<string, unknown>): EventFilter {
  const list = (v: unknown): string[] =>
    (Array.isArray(v) ? v : v == null ? [] : [v])
      .flatMap((x) => String(x).split(','))
      .map((s) => s.trim())
      .filter(Boolean);
  return {
    eventTypes: list(q.types ?? q.eventTypes),
    extensions: list(q.extensions),
    dids: list(q.dids),
    queues: list(q.queues),
    departments: list(q.departments),
  };
}
