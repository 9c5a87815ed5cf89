-- AlterTable: asymmetric (Standard Webhooks `v1a`, ed25519) signing keys beside HMAC (`v1`).
-- Existing rows are HMAC secrets: they get scheme 'v1' and no public key, and sign as before.
ALTER TABLE "webhook_secrets" ADD COLUMN "scheme" TEXT NOT NULL DEFAULT 'v1',
ADD COLUMN "public_key" TEXT;

-- A v1a key always carries its whpk_ public key; a v1 secret never has one.
ALTER TABLE "webhook_secrets" ADD CONSTRAINT "webhook_secrets_scheme_check" CHECK ("scheme" IN ('v1', 'v1a'));
ALTER TABLE "webhook_secrets" ADD CONSTRAINT "webhook_secrets_public_key_check" CHECK (("scheme" = 'v1a') = ("public_key" IS NOT NULL));
