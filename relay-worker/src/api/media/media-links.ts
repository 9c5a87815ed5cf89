import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MediaLink } from '@3cx-relay/events';

/** What a relay media URL serves: call recordings or voicemail messages. */
export type MediaKind = 'recordings' | 'voicemails';

/**
 * The relay URLs of recordings and voicemails, and their signed form. A signed link is
 * `…/relay/<kind>/<id>?expires=<unix s>&sig=<base64url HMAC-SHA256 of "<kind>/<id>|<expires>">`
 * under a key derived from RELAY_ENCRYPTION_KEY (never the key itself), so a receiver can fetch
 * the audio without an API key until it expires, and no one can make one for another id.
 * Without an encryption key, or with a TTL of 0, links are unsigned only.
 */
export class MediaLinks {
  private readonly key: Buffer | null;

  constructor(
    encryptionKey: Buffer | undefined,
    /** Public origin for absolute links (`RELAY_PUBLIC_URL`), or '' for paths. */
    private readonly publicBase: string,
    /** How long a signed link works, ms (0: no signed links). */
    private readonly ttlMs: number,
  ) {
    this.key =
      encryptionKey && ttlMs > 0
        ? createHmac('sha256', encryptionKey).update('media-links-v1').digest()
        : null;
  }

  /** The path of a media item (`/relay/recordings/12`). */
  static path(kind: MediaKind, id: string): string {
    return `/relay/${kind}/${encodeURIComponent(id)}`;
  }

  /** The link an event carries for a media item, signed until now + TTL when signing is on. */
  link(kind: MediaKind, id: string, now: Date, contentType = 'audio/wav'): MediaLink {
    const url = `${this.publicBase}${MediaLinks.path(kind, id)}`;
    if (!this.key) return { url, signedUrl: null, expiresAt: null, contentType };
    const expires = Math.floor((now.getTime() + this.ttlMs) / 1000);
    return {
      url,
      signedUrl: `${url}?expires=${expires}&sig=${this.sign(kind, id, expires)}`,
      expiresAt: new Date(expires * 1000).toISOString(),
      contentType,
    };
  }

  /** `ok`, or why a presented signature is refused. */
  check(
    kind: MediaKind,
    id: string,
    expires: unknown,
    sig: unknown,
    now: Date,
  ): 'ok' | 'expired' | 'invalid' {
    if (!this.key || typeof expires !== 'string' || typeof sig !== 'string' || !/^\d{1,12}$/.test(expires))
      return 'invalid';
    const want = Buffer.from(this.sign(kind, id, Number(expires)));
    const got = Buffer.from(sig);
    if (got.length !== want.length || !timingSafeEqual(got, want)) return 'invalid';
    return Number(expires) * 1000 < now.getTime() ? 'expired' : 'ok';
  }

  private sign(kind: MediaKind, id: string, expires: number): string {
    return createHmac('sha256', this.key!).update(`${kind}/${id}|${expires}`).digest('base64url');
  }
}
