/** What XAPI and Call Control need: Enterprise (ENT, AI), not Professional or the free editions. */
export type Edition = 'enterprise' | 'professional' | 'other';

/** The PBX's licence as far as the relay could tell, and how it found out. */
export interface PbxLicence {
  /** Null when the source names no edition (e.g. an unknown product code). */
  edition: Edition | null;
  /** 3CX's product code, e.g. `3CXPSPROFSPLA` (Professional annual). */
  productCode: string | null;
  maintenanceExpired: boolean | null;
  /**
   * `GetLicenseParameters`: `Defs/Pbx.GetLicenseParameters()` (20.0.8+, [OFFICIAL]);
   * `token`: the role claims of the API token (`Enterprise` among them, [FIELD]).
   */
  source: 'GetLicenseParameters' | 'token';
}

/** The API client's role from its token claims (`MaxRole`: `system_owners`, `system_admins`, …). */
export interface PbxRole {
  maxRole: string | null;
  roles: string[];
}

/** The edition a product code names: `…PROF…` Professional, `…ENT…`/`…AI…` Enterprise. */
export function editionOfProductCode(code: string | null | undefined): Edition | null {
  if (!code) return null;
  if (/PROF/i.test(code)) return 'professional';
  if (/ENT|AI/i.test(code)) return 'enterprise';
  if (/FREE|STD|STARTUP|SMB/i.test(code)) return 'other';
  return null;
}

/**
 * Reads `Pbx.License`: 20.0.10's `IsEnterprise`/`IsProfessional` when present, else the
 * product code. Null when the body is not a licence.
 */
export function licenceFromParameters(body: unknown): PbxLicence | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const b = body as Record<string, unknown>;
  const productCode = typeof b.ProductCode === 'string' ? b.ProductCode : null;
  if (productCode === null && typeof b.IsEnterprise !== 'boolean') return null;
  const edition =
    b.IsEnterprise === true
      ? 'enterprise'
      : b.IsProfessional === true
        ? 'professional'
        : b.IsEnterprise === false && b.IsProfessional === false
          ? 'other'
          : editionOfProductCode(productCode);
  return {
    edition,
    productCode,
    maintenanceExpired: typeof b.IsMaintainceExpired === 'boolean' ? b.IsMaintainceExpired : null,
    source: 'GetLicenseParameters',
  };
}

/** The payload of a JWT, unverified (the relay only reads hints from its own token). */
function jwtClaims(token: string): Record<string, unknown> | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const ROLE_CLAIMS = ['role', 'roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];

/** The role claims of a token (`role` as ASP.NET writes it, a string or a list), or null. */
export function roleFromToken(token: string): PbxRole | null {
  const c = jwtClaims(token);
  if (!c) return null;
  const raw = ROLE_CLAIMS.map((k) => c[k]).find((v) => v !== undefined);
  const roles = (Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : []).filter(
    (r): r is string => typeof r === 'string',
  );
  const maxRole =
    typeof c.MaxRole === 'string' ? c.MaxRole : typeof c.max_role === 'string' ? c.max_role : null;
  return roles.length || maxRole ? { roles, maxRole } : null;
}

/**
 * The licence the token's roles show: `Enterprise` among them means Enterprise; `Paid` without
 * it a paid edition that is not (Professional). Null when the token carries no role claims.
 */
export function licenceFromToken(token: string): PbxLicence | null {
  const role = roleFromToken(token);
  if (!role?.roles.length) return null;
  const edition = role.roles.includes('Enterprise')
    ? 'enterprise'
    : role.roles.includes('Paid')
      ? 'professional'
      : null;
  return edition ? { edition, productCode: null, maintenanceExpired: null, source: 'token' } : null;
}

const EDITION_NAME: Record<Edition, string> = {
  enterprise: 'Enterprise',
  professional: 'Professional',
  other: 'a free or small edition',
};

/** "Professional (3CXPSPROFSPLA), from GetLicenseParameters". */
export function describeLicence(l: PbxLicence): string {
  const name = l.edition ? EDITION_NAME[l.edition] : 'unknown edition';
  const code = l.productCode ? ` (${l.productCode})` : '';
  const from = l.source === 'token' ? "the API token's roles" : 'GetLicenseParameters';
  return `${name}${code}, from ${from}`;
}
