import { NEW_EVENTS_CHANNEL } from '../events/new-events-channel.js';
import { SQL_SUBSCRIPTION_MATCHES_EVENT } from './event-filter.js';

/** Event types never fanned out to subscriptions automatically (sent to one subscription on request). */
export const DIRECT_ONLY_TYPES = ['relay.test'];

/**
 * The newest event of key `${a}.ekey` before `${a}.prev_event` that has a delivery to
 * subscription `${a}.sid`, or 0: the previous sequence when the subscription filtered the key's
 * previous event out (one backward walk of events(order_key, sequence)).
 */
const searchBack = (a: string) => `coalesce((
      SELECT e2.sequence FROM events e2
       WHERE e2.order_key = ${a}.ekey AND e2.sequence < ${a}.prev_event
         AND EXISTS (SELECT 1 FROM deliveries d2 WHERE d2.subscription_id = ${a}.sid AND d2.event_sequence = e2.sequence)
       ORDER BY e2.sequence DESC LIMIT 1), 0)`;

/**
 * `prev_sequence` of a new delivery of event `c.sequence` (key `c.ekey`) to subscription
 * `c.sid`: the newest earlier event of the same key that has a delivery to that subscription,
 * or 0. `c.prev_event` (the newest earlier event of the key, whatever it was routed to) answers
 * the usual case with one probe of the unique (subscription, event) index; only a subscription
 * that filtered that event out searches further back. Rows of the same statement are not
 * visible here; callers take `lag()` over their own batch first.
 */
export const SQL_PREVIOUS_SEQUENCE = `CASE
    WHEN c.prev_event IS NULL THEN 0
    WHEN EXISTS (SELECT 1 FROM deliveries d2 WHERE d2.subscription_id = c.sid AND d2.event_sequence = c.prev_event)
      THEN c.prev_event
    ELSE ${searchBack('c')} END`;

/**
 * Which pending keyed rows the lane index (`deliveries_lane_idx`, migration 20261205150000)
 * holds, as a condition on the alias `q`: every one except a row leased to a worker for a
 * scheduled attempt (the outbox's fast path, the claim loop). Those are nearly all rows, each an
 * index entry written and vacuumed for nothing: with them indexed, ordered deliveries cost
 * PostgreSQL measurably more than unordered ones (2026-12-05). They are found another way: a
 * lane is sent in sequence order, so while any leased row of a lane is pending, so is the lane's
 * newest row; a lane lookup reads the index plus the newest row (its `prev_sequence` through the
 * unique (subscription, event) index), and the claim's head-of-line rule the index plus the
 * row's own previous row. Rows made pending by a manual retry or a recovery (`trigger`
 * 'manual'/'recover') stay in the index while leased: they can lie behind rows already sent,
 * and still hold back the later rows of their call.
 */
export const laneIndexed = (q: string) => `(${q}.locked_by IS NULL OR ${q}.trigger <> 'scheduled')`;

/** The newest earlier event of `e`'s order key (one backward probe of events(order_key, sequence)). */
export const SQL_PREVIOUS_EVENT = `(SELECT e2.sequence FROM events e2
   WHERE e2.order_key = e.order_key AND e2.sequence < e.sequence ORDER BY e2.sequence DESC LIMIT 1)`;

/**
 * The outbox's deliveries for the events of `ev` (the events, one row each): a `deliveries`
 * row for every enabled subscription whose filters match each event (never a `subscription.*`
 * event for the subscription it is about), with its order key (ordering subscriptions only)
 * and previous sequence. Parameters: `$2` event types never fanned out, `$3` lease ms (null: no
 * lease), `$4` subscriptions with a full backlog, `$5` this worker's lease owner id.
 *
 * The lease decision per row, when `$3` (lease ms) is given:
 * - unordered rows are leased to this worker unless their subscription is in `$4` (full);
 * - a keyed row is leased when its lane (same subscription and key) has no pending row or only
 *   rows this worker holds (it *joins* the lane); otherwise another worker or a retry holds the
 *   lane, and the row waits, due no earlier than the lane's waiting rows, for the claim loop's
 *   head-of-line rule.
 * Leased rows get next_attempt_at = the lease's end, so the claim loop skips them until then;
 * a row that joined a lane gets it one microsecond earlier, which is how RETURNING tells the
 * dispatcher (a join back to the CTE would cost a nested loop over the batch).
 */
function outboxCtes(ev: string): { ctes: string; insert: string } {
  const ctes = `subs AS (
  -- the lock a foreign-key check took per row, once per subscription (migration 20261205090000):
  -- a subscription being deleted is waited for and skipped, or its cascade sees these rows
  SELECT * FROM webhook_subscriptions WHERE enabled FOR KEY SHARE),
ev AS MATERIALIZED (
  -- once per event, not per subscription
  SELECT e.*, CASE WHEN e.order_key IS NOT NULL THEN ${SQL_PREVIOUS_EVENT} END AS prev_event
    FROM ${ev} AND e.type <> ALL($2::text[])),
c AS (
  SELECT e.sequence, s.id AS sid, e.order_key AS ekey,
         CASE WHEN s.ordering = 'per-call' THEN e.order_key END AS okey,
         s.id = ANY($4::uuid[]) AS full_backlog, e.prev_event
    FROM ev e
    JOIN subs s ON ${SQL_SUBSCRIPTION_MATCHES_EVENT}
     AND NOT (starts_with(e.type, 'subscription.') AND e.data->>'subscriptionId' = s.id::text)),
p0 AS (
  -- The newest row before this statement (the rows of this statement are not visible to it, so
  -- a batch's second event of a call sees the same one as its first): nearly always the row of
  -- the key's previous event, read here once with what the lane lookup needs of it (it was
  -- read twice, and the lookup also ran for unordered rows, only to be dropped by its ON).
  SELECT c.*, lag(c.sequence) OVER (PARTITION BY c.sid, c.ekey ORDER BY c.sequence) AS batch_prev,
         nr.id AS nr_id, nr.status AS nr_status, nr.locked_by AS nr_locked_by,
         nr.locked_until AS nr_locked_until, nr.next_attempt_at AS nr_next_attempt_at
    FROM c
    LEFT JOIN LATERAL (
      SELECT d2.id, d2.status, d2.locked_by, d2.locked_until, d2.next_attempt_at FROM deliveries d2
       WHERE c.prev_event IS NOT NULL AND d2.subscription_id = c.sid AND d2.event_sequence = c.prev_event
    ) nr ON true),
p AS MATERIALIZED (
  -- materialized: the lane lookup and the insert read \`last\` as a value, not a copy of its subquery
  SELECT p0.*,
         CASE WHEN p0.ekey IS NULL THEN NULL
              WHEN p0.prev_event IS NULL THEN 0
              WHEN p0.nr_id IS NOT NULL THEN p0.prev_event
              -- the subscription filtered the previous event out: search further back
              ELSE ${searchBack('p0')} END AS last
    FROM p0),
r AS (
  SELECT p.*,
         coalesce(lane.n > 0, false) AS joined,
         coalesce($3::float8 IS NOT NULL AND NOT p.full_backlog AND (p.okey IS NULL OR lane.n = 0 OR lane.mine), false) AS leased,
         lane.wait_until
    FROM p
    LEFT JOIN LATERAL (
      SELECT count(*) AS n,
             -- unleased rows have locked_by NULL: not mine (a NULL here would make the lease decision NULL)
             bool_and(coalesce(q.locked_by = $5 AND q.locked_until > now(), false)) AS mine,
             max(q.next_attempt_at) FILTER (WHERE q.locked_until IS NULL OR q.locked_until < now()) AS wait_until
        FROM (
          -- the lane's pending rows the lane index holds …
          SELECT q.id, q.locked_by, q.locked_until, q.next_attempt_at FROM deliveries q
           WHERE p.okey IS NOT NULL
             AND q.subscription_id = p.sid AND q.order_key = p.okey AND q.status = 'pending' AND ${laneIndexed('q')}
          UNION
          -- … and its newest row, pending whenever any leased row of the lane is (see laneIndexed):
          -- the one read above, or (the previous event filtered out) the one found further back
          SELECT p.nr_id, p.nr_locked_by, p.nr_locked_until, p.nr_next_attempt_at
           WHERE p.okey IS NOT NULL AND p.nr_status = 'pending'
          UNION
          SELECT q.id, q.locked_by, q.locked_until, q.next_attempt_at FROM deliveries q
           WHERE p.okey IS NOT NULL AND p.nr_id IS NULL AND p.last > 0
             AND q.subscription_id = p.sid AND q.event_sequence = p.last AND q.status = 'pending') q
      ) lane ON p.okey IS NOT NULL)`;
  const insert = `INSERT INTO deliveries (event_sequence, subscription_id, order_key, prev_sequence, next_attempt_at, locked_until, locked_by)
SELECT r.sequence, r.sid, r.okey, CASE WHEN r.ekey IS NOT NULL THEN coalesce(r.batch_prev, r.last) END,
       CASE WHEN NOT r.leased THEN GREATEST(now(), r.wait_until)
            WHEN r.joined THEN now() + $3 * interval '1 millisecond' - interval '1 microsecond'
            ELSE now() + $3 * interval '1 millisecond' END,
       CASE WHEN r.leased THEN now() + $3 * interval '1 millisecond' END,
       CASE WHEN r.leased THEN $5 END
  FROM r
ON CONFLICT (subscription_id, event_sequence) DO NOTHING
RETURNING id::text, subscription_id::text, event_sequence::text, order_key, prev_sequence::text,
          locked_until IS NOT NULL AS leased, next_attempt_at < locked_until AS joined`;
  return { ctes, insert };
}

/**
 * The outbox for events already stored (`$1`: their sequences): one INSERT … SELECT, see
 * {@link outboxCtes}. The live path runs the same CTEs inside {@link APPEND_SQL}; this form is
 * what backlog-plans checks the lane lookups' plans with.
 */
export const OUTBOX_INSERT_SQL = (() => {
  const o = outboxCtes('events e WHERE e.sequence = ANY($1::bigint[])');
  return `WITH ${o.ctes}\n${o.insert}`;
})();

/** The prepared statement behind {@link APPEND_SQL} (server-side, one per connection). */
export const APPEND_STATEMENT = 'relay_append_v1';

/**
 * A whole append in one statement: the events (`$1`, a JSON array in log order, see
 * `appendJson` in event-store.ts) inserted, ids that already exist skipped, their outbox
 * deliveries when `$6` is true ({@link outboxCtes}, parameters `$2`–`$5`), and the NOTIFY of the
 * highest new sequence (sent at COMMIT). Returns one row: `events`, the new events' ids and
 * sequences, `leased`, the deliveries leased to this worker, and `unleased`, how many were left
 * to the claim loop.
 *
 * The event store sends it as `BEGIN; <advisory lock>; EXECUTE …; COMMIT` in one simple-query
 * round trip instead of four: each statement of the string takes its own snapshot, so this one
 * sees every append committed before the lock was granted (the lanes and previous events of the
 * outbox need exactly that). The rows it inserts are not visible to its own later parts; the
 * outbox reads the events from the INSERT's RETURNING, and `lag()` over the batch covers the
 * batch's own earlier events, as in the standalone statement.
 */
export const APPEND_SQL = (() => {
  const o = outboxCtes('ins e WHERE $6');
  return `WITH j AS MATERIALIZED (
  SELECT x, ord FROM jsonb_array_elements($1) WITH ORDINALITY AS t(x, ord)),
ins AS (
  -- in list order: sequences follow the array's order
  INSERT INTO events (id, type, occurred_at, call_id, call_history_id, extensions, dids, queues, departments, data, order_key)
  SELECT x->>'id', x->>'type', (x->>'occurredAt')::timestamptz, x->>'callId', x->>'callHistoryId',
         ARRAY(SELECT jsonb_array_elements_text(x->'extensions')),
         ARRAY(SELECT jsonb_array_elements_text(x->'dids')),
         ARRAY(SELECT jsonb_array_elements_text(x->'queues')),
         ARRAY(SELECT jsonb_array_elements_text(x->'departments')),
         x->'data', x->>'orderKey'
    FROM j ORDER BY ord
  ON CONFLICT (id) DO NOTHING
  RETURNING *),
${o.ctes},
dl AS (
${o.insert}),
nt AS (
  SELECT pg_notify('${NEW_EVENTS_CHANNEL}', max(sequence)::text) FROM ins HAVING count(*) > 0)
SELECT (SELECT coalesce(json_agg(json_build_object('id', id, 'sequence', sequence::text)), '[]') FROM ins) AS events,
       (SELECT coalesce(json_agg(dl), '[]') FROM dl WHERE dl.leased) AS leased,
       (SELECT count(*)::int FROM dl WHERE NOT dl.leased) AS unleased,
       (SELECT count(*) FROM nt) AS notified`;
})();

/** A delivery the outbox created already leased to this process. */
export interface LeasedRow {
  id: string;
  subscription_id: string;
  event_sequence: string;
  order_key: string | null;
  prev_sequence: string | null;
  /** Its lane already had pending rows (all held by this worker) when it was inserted. */
  joined: boolean;
}

/**
 * The in-process fast path: when the local dispatcher has room, the outbox inserts the new
 * deliveries already leased to it and hands them over after the commit (see
 * DeliveryService), skipping a claim query and an UPDATE per delivery. If this process dies
 * first, the lease runs out and any worker claims them: still durable.
 */
export interface OutboxFastPath {
  /** This worker's lease owner id (`deliveries.locked_by`). */
  readonly instanceId: string;
  /** The lease to take and the subscriptions to leave out (full backlog), or null to leave every row to the claim loop. */
  leaseMsIfCapacity(): { leaseMs: number; skipSubscriptions: string[] } | null;
  /**
   * After the append committed, before its `'appended'`: the rows inserted leased to this
   * process, how many others were left to the claim loop (a lane held elsewhere), and a time
   * (ms) no later than the start of their lease.
   */
  leased(rows: LeasedRow[], unleased: number, since: number): void;
}

/**
 * The outbox's place for the dispatcher, so that the hook can join the event store before any
 * source starts (main.ts): sources start, and catch up on what happened while the worker was
 * down, before the delivery service exists, and an event appended without its deliveries would
 * never be sent. Until {@link attach}, new deliveries are left unleased for the claim loop.
 */
export class OutboxSlot implements OutboxFastPath {
  private fastPath: OutboxFastPath | undefined;

  /** Hands new deliveries to `fastPath` from now on. */
  attach(fastPath: OutboxFastPath): void {
    this.fastPath = fastPath;
  }

  get instanceId(): string {
    return this.fastPath?.instanceId ?? '';
  }

  leaseMsIfCapacity(): { leaseMs: number; skipSubscriptions: string[] } | null {
    return this.fastPath?.leaseMsIfCapacity() ?? null;
  }

  leased(rows: LeasedRow[], unleased: number, since: number): void {
    this.fastPath?.leased(rows, unleased, since);
  }
}
