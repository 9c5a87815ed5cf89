/** Outcome of one doctor check. `warn` is advice (licence hints) and does not fail the run. */
export type CheckStatus = 'ok' | 'fail' | 'warn' | 'skip';

/** One line of the doctor's report, in plain words, with the fix when it is not ok. */
export interface CheckResult {
  /** Stable identifier, e.g. `xapi.role`. */
  id: string;
  /** What was checked, e.g. "XAPI System Owner role". */
  title: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** What to do about it (present for fail and warn). */
  fix?: string;
}

/** What to do when 3CX refuses XAPI or Call Control for a licence reason. */
export const LICENCE_FIX =
  'XAPI and Call Control need a 3CX Enterprise (ENT) or AI licence: upgrade or renew it (3CX Admin Console, or your 3CX partner), then run doctor again. A PRO system can run on the 3CX database alone: SOURCE_XAPI_ENABLED=false, SOURCE_CALLCONTROL_ENABLED=false; call history then comes from cdroutput';

export const ok = (id: string, title: string, detail: string): CheckResult => ({
  id,
  title,
  status: 'ok',
  detail,
});
export const fail = (id: string, title: string, detail: string, fix: string): CheckResult => ({
  id,
  title,
  status: 'fail',
  detail,
  fix,
});
export const warn = (id: string, title: string, detail: string, fix: string): CheckResult => ({
  id,
  title,
  status: 'warn',
  detail,
  fix,
});
export const skip = (id: string, title: string, detail: string): CheckResult => ({
  id,
  title,
  status: 'skip',
  detail,
});

/** Network error codes turned into words. */
export function describeNetworkError(err: unknown): string {
  const e = err as { code?: string; cause?: { code?: string }; message?: string };
  const code = e.code ?? e.cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing listens there)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
      return 'no answer (timed out)';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS certificate not accepted (${code})`;
    default:
      return code ? `${code}: ${e.message ?? ''}`.trim() : (e.message ?? String(err));
  }
}
