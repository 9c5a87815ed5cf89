import type { Licence } from '../faults/fault-controller.js';
import { versionAtLeast } from '../options.js';
import type { SimContext } from '../sim-context.js';

/** `GET /xapi/v1/Defs`: the singleton's `Id` (navigation collections need `$expand`). */
export function defsBody(ctx: SimContext, select: string[] | undefined): Record<string, unknown> {
  const ctxUrl = `${ctx.baseUrl}/xapi/v1/$metadata#Defs${select ? `(${select.join(',')})` : ''}`;
  return { '@odata.context': ctxUrl, Id: 1 };
}

/** `GET /xapi/v1/SystemStatus`: a subset of `Pbx.SystemStatus`; 20.0.9 and later add `UserExtensions`/`MaxUserExtensions`. */
export function systemStatusBody(ctx: SimContext): Record<string, unknown> {
  const { dir, state, opts } = ctx;
  const later = versionAtLeast(opts.version, '20.0.9')
    ? { UserExtensions: dir.extensions.length, MaxUserExtensions: 50 }
    : {};
  return {
    '@odata.context': `${ctx.baseUrl}/xapi/v1/$metadata#SystemStatus`,
    Id: 1,
    FQDN: 'pbx.example.com',
    Version: opts.version,
    Activated: true,
    ...licenceFields(ctx.faults.settings.licence),
    MaxSimCalls: 16,
    CallsActive: state.calls.size,
    ExtensionsRegistered: dir.extensions.length,
    ExtensionsTotal: dir.extensions.length,
    TrunksRegistered: 1,
    TrunksTotal: 1,
    HasNotRunningServices: false,
    DiskUsage: 12,
    FreeDiskSpace: 53687091200,
    TotalDiskSpace: 64424509440,
    IpV4: '127.0.0.1',
    Ip: '127.0.0.1',
    AutoUpdateEnabled: false,
    Support: true,
    ...later,
  };
}

/** Product codes per simulated licence: PRO as seen on partner orders ([FIELD]); ENT [UNVERIFIED]. */
const PRODUCT_CODE: Record<Licence, string> = {
  enterprise: '3CXPSENT',
  pro: '3CXPSPROFSPLA',
  expired: '3CXPSENT',
};

/** `SystemStatus` licence fields per simulated licence. */
function licenceFields(licence: Licence): Record<string, unknown> {
  if (licence === 'pro')
    return { LicenseActive: true, ProductCode: PRODUCT_CODE.pro, ExpirationDate: '2027-12-31T00:00:00Z' };
  if (licence === 'expired')
    return { LicenseActive: false, ProductCode: '3CXPSENT', ExpirationDate: '2026-01-31T00:00:00Z' };
  return { LicenseActive: true, ProductCode: '3CXPSENT', ExpirationDate: '2027-12-31T00:00:00Z' };
}

/**
 * `GET /xapi/v1/Defs/Pbx.GetLicenseParameters()` (`Pbx.License`, 20.0.8+): product code, maximum
 * simultaneous calls, maintenance and country; 20.0.10 adds `IsEnterprise`, `IsProfessional`,
 * `IsCfdEnabled` and `IsBrandingEnabled` ([OFFICIAL] swagger diff `ee3de05` → `ceb6d0d`).
 */
export function licenseParametersBody(ctx: SimContext): Record<string, unknown> {
  const licence = ctx.faults.settings.licence;
  const editionFlags = versionAtLeast(ctx.opts.version, '20.0.10')
    ? {
        IsEnterprise: licence !== 'pro',
        IsProfessional: licence === 'pro',
        IsCfdEnabled: licence !== 'pro',
        IsBrandingEnabled: false,
      }
    : {};
  return {
    '@odata.context': `${ctx.baseUrl}/xapi/v1/$metadata#Pbx.License`,
    ProductCode: PRODUCT_CODE[licence],
    MaxSimCalls: 16,
    IsMaintainceExpired: licence === 'expired',
    CountryCode: 'DE',
    ...editionFlags,
  };
}
