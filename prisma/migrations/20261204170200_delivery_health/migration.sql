-- Delivery health per subscription: hourly attempt statistics and the subscription.failing
-- notification state.

-- AlterTable: when subscription.failing was sent for the current failure run (NULL = not sent).
ALTER TABLE "webhook_subscriptions" ADD COLUMN "failing_notified_at" TIMESTAMPTZ(6);

-- CreateTable: attempts per subscription, hour and outcome (HTTP status, or timeout | connect |
-- dns | ssrf | other), with a latency histogram over the bounds in
-- relay-worker/src/delivery/delivery-stats.ts.
CREATE TABLE "delivery_stats" (
    "subscription_id" UUID NOT NULL,
    "bucket" TIMESTAMPTZ(6) NOT NULL,
    "outcome" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "succeeded" INTEGER NOT NULL DEFAULT 0,
    "total_ms" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "latency_histogram" INTEGER[],

    CONSTRAINT "delivery_stats_pkey" PRIMARY KEY ("subscription_id","bucket","outcome")
);

-- CreateIndex
CREATE INDEX "delivery_stats_bucket_idx" ON "delivery_stats"("bucket");

-- AddForeignKey
ALTER TABLE "delivery_stats" ADD CONSTRAINT "delivery_stats_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
