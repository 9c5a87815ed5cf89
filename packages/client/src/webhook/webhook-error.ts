/** Why a webhook was refused. */
export type WebhookErrorCode =
  /** `webhook-id`, `webhook-timestamp` or `webhook-signature` is absent or empty. */
  | 'missing_headers'
  /** `webhook-timestamp` is not a whole number of Unix seconds. */
  | 'bad_timestamp'
  /** The signed timestamp is further in the past than the tolerance. */
  | 'too_old'
  /** The signed timestamp is further in the future than the tolerance. */
  | 'too_new'
  /** No `v1`/`v1a` entry of `webhook-signature` matches any current secret or public key. */
  | 'bad_signature'
  /** This exact request (same `webhook-id` and signed timestamp) was already accepted. */
  | 'replayed'
  /** Correctly signed, but the body is not a relay event (bad JSON, unknown type, schema mismatch). */
  | 'malformed_payload';

/**
 * A webhook that must not be trusted. Answer it with a 4xx (400 for every code; `replayed`
 * may also be answered 2xx, the original was accepted). `code` is stable; `message` is for logs.
 */
export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';

  constructor(
    readonly code: WebhookErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
