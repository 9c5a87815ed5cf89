import { z } from 'zod';
import { isoDate } from './common.js';

/* Delivery-health events about webhook subscriptions. Opt-in (see OPT_IN_EVENT_TYPE_PREFIXES):
 * only subscriptions and WebSocket clients that name them (`subscription.*` or the exact type)
 * receive them, and never the subscription they are about. */

const subject = {
  /** The subscription the event is about. */
  subscriptionId: z.string(),
  /** Its name in the admin panel. */
  name: z.string(),
  /** Scheme and host of its URL (`https://crm.example.com`); path and query are left out (they may hold tokens). */
  origin: z.string(),
};

/**
 * `subscription.failing`: a subscription has had only failed attempts for a while
 * (`DELIVERY_FAILING_AFTER_MS`, default 5 minutes). Sent once per failure run, before the
 * relay disables the endpoint at `disableAt` if nothing succeeds by then.
 */
export const subscriptionFailingData = z.object({
  ...subject,
  /** Start of the run of failures. */
  failingSince: isoDate,
  /** Failed attempts in a row when the event was sent. */
  consecutiveFailures: z.number().int(),
  /** HTTP status of the latest failed attempt, or null when no answer came (timeout, refused connection). */
  lastStatusCode: z.number().int().nullable(),
  /** The latest failure's error text (timeout, DNS, connect), else null. */
  lastError: z.string().nullable(),
  /** When the relay disables the subscription if every attempt keeps failing. */
  disableAt: isoDate,
  at: isoDate,
});

/**
 * `subscription.disabled`: the relay disabled a subscription: only failures for
 * `DELIVERY_DISABLE_AFTER_MS`, or the receiver answered 410 / `webhook-delivery: disable`.
 * Its pending deliveries are cancelled; an admin re-enables it and recovers from a time.
 */
export const subscriptionDisabledData = z.object({
  ...subject,
  reason: z.string(),
  /** Start of the failure run that led to it, or null (a receiver's own request). */
  failingSince: isoDate.nullable(),
  at: isoDate,
});

/** `subscription.recovered`: a delivery succeeded again after a `subscription.failing`. */
export const subscriptionRecoveredData = z.object({
  ...subject,
  /** Start of the failure run that ended (as in its `subscription.failing`). */
  failingSince: isoDate,
  at: isoDate,
});
