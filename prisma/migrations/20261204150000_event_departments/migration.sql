-- AlterTable: the 3CX departments (cdroutput *_participant_group_name) an event concerns, a
-- filter field like extensions/dids/queues; events stored before carry the empty list.
ALTER TABLE "events" ADD COLUMN "departments" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable: a subscription's department filter (empty = no filter).
ALTER TABLE "webhook_subscriptions" ADD COLUMN "departments" TEXT[] DEFAULT ARRAY[]::TEXT[];
