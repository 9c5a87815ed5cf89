-- AlterTable: what started the next attempt of a delivery (scheduled | manual | recover | test),
-- copied onto the delivery_attempts row when the attempt is recorded.
ALTER TABLE "deliveries" ADD COLUMN "trigger" TEXT NOT NULL DEFAULT 'scheduled';
