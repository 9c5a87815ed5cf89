import { randomBytes } from 'node:crypto';
import type { Licence } from '../faults/fault-controller.js';
import { Es256Signer } from './jwt.js';

/** An API client as configured under Admin Console → Integrations → API. */
export interface ApiClient {
  clientId: string;
  clientSecret: string;
  role: 'System Owner' | 'System Admin';
  /** The route point DN of the client (3CX: the client id is that DN). */
  routePoint: string;
  /** "Extensions to monitor": with the route point, the only DNs it sees and gets events for. */
  monitored: string[];
}

/** An issued token. */
export interface IssuedToken {
  accessToken: string;
  /** Lifetime in seconds. */
  lifetimeSec: number;
}

/**
 * Issues and checks access tokens. One active token per client ([OFFICIAL S1]: "only one
 * access token can be active at a time"): a new token for a client invalidates the previous.
 */
export class TokenStore {
  private signer = new Es256Signer();
  private readonly active = new Map<string, string>();
  /** Called after a token is issued for a client (the previous one is dead by then). */
  onIssue: ((clientId: string) => void) | undefined;

  constructor(
    private readonly clients: ApiClient[],
    private readonly lifetimeSec: number,
    private readonly issuer: () => string,
    /** The PBX's licence when a token is issued (its role claims show it). */
    private readonly licence: () => Licence = () => 'enterprise',
  ) {}

  /** Checks credentials; null when they are wrong. */
  issue(clientId: string, clientSecret: string): IssuedToken | null {
    const client = this.clients.find((c) => c.clientId === clientId && c.clientSecret === clientSecret);
    if (!client) return null;
    const now = Math.floor(Date.now() / 1000);
    const jti = randomBytes(16).toString('hex');
    const accessToken = this.signer.sign({
      iss: this.issuer(),
      nbf: now,
      iat: now,
      exp: now + this.lifetimeSec,
      client_id: client.clientId,
      sub: client.clientId,
      jti,
      ...roleClaims(client, this.licence()),
    });
    this.active.set(client.clientId, jti);
    this.onIssue?.(client.clientId);
    return { accessToken, lifetimeSec: this.lifetimeSec };
  }

  /** The client a bearer token belongs to, or null (bad signature, expired, replaced, revoked). */
  verify(token: string): ApiClient | null {
    const claims = this.signer.verify(token);
    if (!claims) return null;
    const { client_id: clientId, jti, exp } = claims as { client_id?: string; jti?: string; exp?: number };
    if (typeof exp !== 'number' || exp * 1000 <= Date.now()) return null;
    if (!clientId || this.active.get(clientId) !== jti) return null;
    return this.clients.find((c) => c.clientId === clientId) ?? null;
  }

  /** Invalidates the active token of one client, or of all. */
  revoke(clientId?: string): void {
    if (clientId) this.active.delete(clientId);
    else this.active.clear();
  }

  /** PBX restart: new signing key, every token invalid. */
  reset(): void {
    this.signer = new Es256Signer();
    this.active.clear();
  }
}

/**
 * The role claims 3CX puts into its tokens: `role` (a list that includes `Paid` and
 * `Enterprise` on an Enterprise licence) and `MaxRole` (`system_owners` …) ([FIELD] 20.0.8.1109
 * web-client token, field review §1.7). That API clients' tokens carry the same claims, and the
 * exact lists, are [INFERRED].
 */
function roleClaims(client: ApiClient, licence: Licence): Record<string, unknown> {
  const owner = client.role === 'System Owner';
  const paid =
    licence === 'enterprise' ? ['Paid', 'Enterprise'] : licence === 'pro' ? ['Paid'] : ['Enterprise'];
  return {
    role: [
      'SingleCompany',
      'Reports',
      'PhoneSystemAdmin',
      'Admin',
      ...(owner ? ['GlobalAdmin'] : []),
      ...paid,
    ],
    MaxRole: owner ? 'system_owners' : 'system_admins',
  };
}
