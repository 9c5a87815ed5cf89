import type { PbxHttp } from './pbx-http.js';
import { licenceFromParameters, licenceFromToken, type PbxLicence } from './pbx-licence.js';

/** Where {@link LicenceInfo} reads the current token. */
interface TokenSource {
  readonly current: string | undefined;
}

/**
 * What the relay knows about the PBX's licence, the official way first: the answer of
 * `Defs/Pbx.GetLicenseParameters()`, else the role claims of the current API token. A 403's
 * own wording (which 3CX does not document) is only the last resort, in {@link errorForStatus}.
 */
export class LicenceInfo {
  private fromParameters: PbxLicence | undefined;
  /** The roles of the last token that carried any: kept while a token is being renewed. */
  private fromToken: PbxLicence | undefined;

  constructor(private readonly tokens: TokenSource) {}

  /**
   * The best current knowledge, or undefined. Between a token's end and the next (Call Control
   * renews the shared token when its socket reconnects) the last token's roles still answer:
   * the licence did not change because a token did.
   */
  get current(): PbxLicence | undefined {
    if (this.fromParameters) return this.fromParameters;
    const token = this.tokens.current;
    const now = token ? licenceFromToken(token) : null;
    if (now) this.fromToken = now;
    return this.fromToken;
  }

  /**
   * Reads `GetLicenseParameters` (one small request). When it fails (a build before 20.0.8, a
   * refusal, an outage) the last answer is kept and the token's roles fill in. Never throws.
   */
  async refresh(http: PbxHttp): Promise<PbxLicence | undefined> {
    try {
      const res = await http.getJson<unknown>('/xapi/v1/Defs/Pbx.GetLicenseParameters()');
      this.fromParameters = licenceFromParameters(res.body) ?? this.fromParameters;
    } catch {
      // the fallbacks below answer
    }
    return this.current;
  }
}
