-- The lane index leaves out rows leased to a worker for a scheduled attempt (the outbox's fast
-- path, the claim loop): nearly every keyed delivery was an entry written at insert, dead at
-- its first update and left for vacuum, measurably more PostgreSQL work per ordered delivery
-- than per unordered one (2026-12-05, 4,000 deliveries/s, fsync off). Lookups find those rows
-- through the lane's newest row instead (relay-worker/src/delivery/outbox.ts, laneIndexed).
-- Rows made pending by a manual retry or a recovery stay indexed while leased.
DROP INDEX "deliveries_lane_idx";
CREATE INDEX "deliveries_lane_idx" ON "deliveries"("subscription_id", "order_key", "event_sequence") WHERE "status" = 'pending' AND "order_key" IS NOT NULL AND ("locked_by" IS NULL OR "trigger" <> 'scheduled');
