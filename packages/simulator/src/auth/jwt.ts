import { generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** An ES256 signer with a fresh P-256 key; a PBX restart gets a new one. */
export class Es256Signer {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  readonly kid = randomBytes(16).toString('hex').toUpperCase();

  constructor() {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  /** A compact JWS with header `{"alg":"ES256","kid":...,"typ":"at+jwt"}`. */
  sign(claims: Record<string, unknown>): string {
    const head = b64(JSON.stringify({ alg: 'ES256', kid: this.kid, typ: 'at+jwt' }));
    const body = b64(JSON.stringify(claims));
    const sig = sign('sha256', Buffer.from(`${head}.${body}`), {
      key: this.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return `${head}.${body}.${b64(sig)}`;
  }

  /** The claims of a token this signer issued, or null when the signature does not check out. */
  verify(token: string): Record<string, unknown> | null {
    const [head, body, sig] = token.split('.');
    if (!head || !body || !sig) return null;
    const ok = verify(
      'sha256',
      Buffer.from(`${head}.${body}`),
      { key: this.publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(sig, 'base64url'),
    );
    if (!ok) return null;
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return null;
    }
  }
}
