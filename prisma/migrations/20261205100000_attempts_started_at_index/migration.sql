-- Only the admin dashboard read attempts by start time (deliveries ok / failed over 24 h and
-- per hour), by counting attempt rows: millions a day at modest rates. It now reads the hourly
-- counters the worker writes with every attempt record (delivery_stats), so no query needs this
-- index, and each attempt record no longer pays for an insert into it.
DROP INDEX "delivery_attempts_started_at_idx";
