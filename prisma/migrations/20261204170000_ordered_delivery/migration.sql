-- Per-call ordering of webhook deliveries (packages/events/src/order-key.ts).

-- AlterTable: the order key of an event: 'call:<callid>' for live call events,
-- 'history:<call_history_id>' for cdr.created and call.completed, NULL for events of no call.
-- The event store fills it on insert; events of the last hour are backfilled so that calls in
-- progress during the upgrade keep their chain of previous sequences.
ALTER TABLE "events" ADD COLUMN "order_key" TEXT;
UPDATE "events" SET "order_key" = CASE
    WHEN "type" IN ('cdr.created', 'call.completed') THEN 'history:' || "call_history_id"
    WHEN "type" LIKE 'call.%' THEN 'call:' || "call_id"
  END
 WHERE "created_at" > now() - interval '1 hour';

-- CreateIndex: the previous event of a call, for relay-previous-sequence.
CREATE INDEX "events_order_key_sequence_idx" ON "events"("order_key", "sequence");

-- AlterTable: 'per-call' sends the deliveries of one order key one at a time in sequence order;
-- 'none' sends as before. Subscriptions that exist keep 'none' (their receivers see no change in
-- behaviour, and a receiver that answers non-2xx to one event type would otherwise hold that
-- call's later events for the whole retry schedule); new subscriptions default to 'per-call'.
ALTER TABLE "webhook_subscriptions" ADD COLUMN "ordering" TEXT NOT NULL DEFAULT 'none';
ALTER TABLE "webhook_subscriptions" ALTER COLUMN "ordering" SET DEFAULT 'per-call';
ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_ordering_check" CHECK ("ordering" IN ('per-call', 'none'));

-- AlterTable: deliveries of an ordering subscription carry the order key (NULL = unordered);
-- every delivery of a keyed event carries the sequence of the previous event of that key routed
-- to the subscription (0 = none); the lease names the worker holding it.
ALTER TABLE "deliveries" ADD COLUMN "order_key" TEXT,
ADD COLUMN "prev_sequence" BIGINT,
ADD COLUMN "locked_by" TEXT;

-- CreateIndex: the head-of-line rule. A delivery with an order key is claimable only when no
-- pending delivery of the same subscription and key has a lower sequence; only pending keyed
-- rows are indexed, so the check stays small however long the delivery log grows.
CREATE INDEX "deliveries_lane_idx" ON "deliveries"("subscription_id", "order_key", "event_sequence") WHERE "status" = 'pending' AND "order_key" IS NOT NULL;
