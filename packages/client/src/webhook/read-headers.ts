import { WebhookVerificationError } from './webhook-error.js';

/**
 * Request headers in any of the shapes frameworks hand out: Node's `IncomingHttpHeaders`
 * (Express, Fastify), a Fetch `Headers` (Next.js route handlers, Hono, Workers) or a plain
 * object with any key casing.
 */
export type HeaderSource =
  { get(name: string): string | null } | Record<string, string | readonly string[] | undefined>;

/** The three Standard Webhooks headers, trimmed. */
export interface WebhookHeaders {
  id: string;
  timestamp: string;
  signature: string;
}

/** One header's value (a repeated header joined with spaces), any casing; undefined when absent. */
export function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | readonly string[] | undefined>;
  let value = record[name];
  if (value === undefined) {
    const key = Object.keys(record).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : record[key];
  }
  // A header repeated by a proxy arrives as an array in Node; signatures lists join with a space.
  return Array.isArray(value) ? value.join(' ') : (value as string | undefined);
}

/** Reads `webhook-id`, `webhook-timestamp` and `webhook-signature`; throws `missing_headers`. */
export function readWebhookHeaders(headers: HeaderSource): WebhookHeaders {
  const id = headerValue(headers, 'webhook-id')?.trim();
  const timestamp = headerValue(headers, 'webhook-timestamp')?.trim();
  const signature = headerValue(headers, 'webhook-signature')?.trim();
  if (!id || !timestamp || !signature) {
    const missing = [
      !id && 'webhook-id',
      !timestamp && 'webhook-timestamp',
      !signature && 'webhook-signature',
    ].filter(Boolean);
    throw new WebhookVerificationError('missing_headers', `missing ${missing.join(', ')}`);
  }
  return { id, timestamp, signature };
}
