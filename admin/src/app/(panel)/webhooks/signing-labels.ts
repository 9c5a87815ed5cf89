/** How the panel names a subscription's signing choice (`signing` of the webhook API). */
export const SIGNING_LABEL = { hmac: 'HMAC (v1)', ed25519: 'ed25519 (v1a)', both: 'HMAC + ed25519' } as const;

/** How the panel names a stored key's scheme (`webhook_secrets.scheme`). */
export const SCHEME_LABEL: Record<string, string> = { v1: SIGNING_LABEL.hmac, v1a: SIGNING_LABEL.ed25519 };
