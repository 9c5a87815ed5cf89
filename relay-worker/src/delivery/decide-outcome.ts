import type { RetryPolicy } from './retry-policy.js';
import type { SendResult } from './webhook-client.js';

/** What happens to a delivery after an attempt. */
export interface Outcome {
  status: 'pending' | 'succeeded' | 'failed';
  /** When the next attempt is due (pending only). */
  nextAttemptAt: Date | null;
  succeeded: boolean;
  /** Set when the receiver asked us to stop sending to the whole endpoint. */
  disableSubscription: string | null;
}

/**
 * 2xx is success; 410 Gone and `webhook-delivery: disable` disable the subscription;
 * `webhook-delivery: abort-message` ends this delivery; anything else (other statuses,
 * timeouts, DNS and connect errors) is retried on the schedule, with Retry-After honoured.
 */
export function decideOutcome(
  result: SendResult,
  attemptsMade: number,
  policy: RetryPolicy,
  now = Date.now(),
): Outcome {
  const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  if (result.deliveryControl === 'disable' || result.statusCode === 410) {
    const reason =
      result.statusCode === 410 ? 'receiver answered 410 Gone' : 'receiver sent webhook-delivery: disable';
    return {
      status: ok ? 'succeeded' : 'failed',
      nextAttemptAt: null,
      succeeded: ok,
      disableSubscription: reason,
    };
  }
  if (ok) return { status: 'succeeded', nextAttemptAt: null, succeeded: true, disableSubscription: null };
  if (result.deliveryControl === 'abort-message')
    return { status: 'failed', nextAttemptAt: null, succeeded: false, disableSubscription: null };
  const delay = policy.nextDelayMs(attemptsMade, result.retryAfterMs);
  if (delay === null)
    return { status: 'failed', nextAttemptAt: null, succeeded: false, disableSubscription: null };
  return {
    status: 'pending',
    nextAttemptAt: new Date(now + delay),
    succeeded: false,
    disableSubscription: null,
  };
}
