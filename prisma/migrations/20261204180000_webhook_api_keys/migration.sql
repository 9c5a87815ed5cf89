-- AlterTable: subscriptions made through the worker's /relay/webhooks API remember the API key
-- that made it (a key with scope webhooks:manage sees and changes only its own subscriptions).
ALTER TABLE "webhook_subscriptions" ADD COLUMN "created_by_api_key_id" UUID;

-- AlterTable: audit entries of API-key actions name the key (actor_id stays the admin user).
ALTER TABLE "audit_log" ADD COLUMN "actor_api_key_id" UUID;

-- CreateIndex
CREATE INDEX "webhook_subscriptions_created_by_api_key_id_idx" ON "webhook_subscriptions"("created_by_api_key_id");

-- AddForeignKey
ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_created_by_api_key_id_fkey" FOREIGN KEY ("created_by_api_key_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_api_key_id_fkey" FOREIGN KEY ("actor_api_key_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;
