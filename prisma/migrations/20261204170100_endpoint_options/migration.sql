-- Endpoint options per subscription: request timeout, delivery rate limit, allowed private
-- CIDRs (replacing the all-or-nothing allow_local_network) and extra request headers.

-- AlterTable: NULL timeout = the worker's DELIVERY_TIMEOUT_MS; NULL rate = no limit.
ALTER TABLE "webhook_subscriptions" ADD COLUMN "timeout_ms" INTEGER,
ADD COLUMN "rate_limit_per_second" DOUBLE PRECISION,
ADD COLUMN "allowed_cidrs" TEXT[];

ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_timeout_ms_check" CHECK ("timeout_ms" IS NULL OR "timeout_ms" BETWEEN 100 AND 600000);
ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_rate_limit_check" CHECK ("rate_limit_per_second" IS NULL OR "rate_limit_per_second" > 0);
ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_max_concurrency_check" CHECK ("max_concurrency" >= 1);

-- A subscription that allowed the local network keeps exactly that: every address except cloud
-- metadata and 0.0.0.0/::, which stay refused whatever the list says.
UPDATE "webhook_subscriptions" SET "allowed_cidrs" = ARRAY['0.0.0.0/0', '::/0'] WHERE "allow_local_network";
ALTER TABLE "webhook_subscriptions" DROP COLUMN "allow_local_network";

-- CreateTable: extra request headers; values AES-256-GCM encrypted like signing secrets.
CREATE TABLE "webhook_headers" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "subscription_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "value_ciphertext" TEXT NOT NULL,
    "key_id" TEXT NOT NULL DEFAULT 'k1',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_headers_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "webhook_headers_subscription_id_name_key" ON "webhook_headers"("subscription_id", "name");

-- AddForeignKey
ALTER TABLE "webhook_headers" ADD CONSTRAINT "webhook_headers_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
