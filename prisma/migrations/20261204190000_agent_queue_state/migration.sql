-- CreateTable: the current state of every extension as the worker last read it from XAPI
-- (Users + Queues/Agents). The admin's wallboard and agent pages read it.
CREATE TABLE "agent_states" (
    "extension" TEXT NOT NULL,
    "name" TEXT,
    "profile_name" TEXT,
    "presence" TEXT NOT NULL,
    "dnd" BOOLEAN NOT NULL,
    "queue_status" TEXT NOT NULL,
    "registered" BOOLEAN NOT NULL,
    "queues" TEXT[],
    "since" TIMESTAMPTZ(6) NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "agent_states_pkey" PRIMARY KEY ("extension")
);

-- CreateTable: every agent.status_changed, kept as history (what 3CX itself has no table for).
CREATE TABLE "agent_state_history" (
    "id" BIGSERIAL NOT NULL,
    "event_id" TEXT NOT NULL,
    "extension" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(6) NOT NULL,
    "name" TEXT,
    "profile_name" TEXT,
    "presence" TEXT NOT NULL,
    "dnd" BOOLEAN NOT NULL,
    "queue_status" TEXT NOT NULL,
    "registered" BOOLEAN NOT NULL,
    "queues" TEXT[],
    "changed" TEXT[],
    "previous" JSONB,

    CONSTRAINT "agent_state_history_pkey" PRIMARY KEY ("id")
);

-- CreateTable: each queue's current figures (the last queue.stats).
CREATE TABLE "queue_states" (
    "queue" TEXT NOT NULL,
    "name" TEXT,
    "waiting" INTEGER NOT NULL,
    "longest_waiting_since" TIMESTAMPTZ(6),
    "agents" INTEGER NOT NULL,
    "agents_logged_in" INTEGER NOT NULL,
    "agents_available" INTEGER NOT NULL,
    "answered_today" INTEGER NOT NULL,
    "abandoned_today" INTEGER NOT NULL,
    "day" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "queue_states_pkey" PRIMARY KEY ("queue")
);

-- CreateTable: live views the worker publishes for the admin panel (the wallboard's calls in
-- progress), at most once a second, with NOTIFY relay_events {"kind":"wallboard"}.
CREATE TABLE "live_snapshots" (
    "name" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "live_snapshots_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "agent_state_history_event_id_key" ON "agent_state_history"("event_id");

-- CreateIndex
CREATE INDEX "agent_state_history_extension_occurred_at_idx" ON "agent_state_history"("extension", "occurred_at");

-- CreateIndex
CREATE INDEX "agent_state_history_occurred_at_idx" ON "agent_state_history"("occurred_at");
