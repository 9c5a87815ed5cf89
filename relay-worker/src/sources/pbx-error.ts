import { AppError } from '../errors.js';
import { describeLicence, type PbxLicence } from './xapi/pbx-licence.js';

/** Why a PBX request failed; `kind` becomes the error-log code suffix. */
export type PbxErrorKind =
  | 'BAD_CREDENTIALS'
  | 'FORBIDDEN'
  | 'LICENSE'
  | 'NOT_FOUND'
  | 'HTTP'
  | 'NETWORK'
  /** The body did not parse as JSON or had the wrong shape. */
  | 'MALFORMED'
  /** The body exceeded the response size cap and was not read. */
  | 'TOO_LARGE';

/** A failed request to the PBX, classified so status and error log can say what to fix. */
export class PbxError extends AppError {
  constructor(
    readonly kind: PbxErrorKind,
    message: string,
    readonly httpStatus?: number,
    options?: { cause?: unknown },
  ) {
    super(
      kind === 'FORBIDDEN' || kind === 'LICENSE'
        ? 'FORBIDDEN'
        : kind === 'NOT_FOUND'
          ? 'NOT_FOUND'
          : 'UPSTREAM_ERROR',
      message,
      { kind, httpStatus },
      options,
    );
  }
}

const LICENCE = /licen[cs]e|enterprise|edition/i;

const LICENCE_NEEDED =
  'XAPI and Call Control need a 3CX Enterprise/AI licence (a PRO system can run on the 3CX database alone: SOURCE_XAPI_ENABLED=false, SOURCE_CALLCONTROL_ENABLED=false; call history then comes from cdroutput)';

/**
 * Classifies a non-2xx answer of the PBX into a {@link PbxError} with an actionable message. A
 * 403 is a licence problem when the known `licence` (from `GetLicenseParameters` or the token's
 * roles) is not Enterprise, or, failing that knowledge, when 3CX's text names the licence.
 */
export function errorForStatus(
  status: number,
  path: string,
  body: string,
  licence?: PbxLicence | null,
): PbxError {
  const detail = extractMessage(body);
  const suffix = detail ? `: ${detail}` : '';
  if (status === 403 && licence?.edition && licence.edition !== 'enterprise')
    return new PbxError(
      'LICENSE',
      `PBX refused ${path} (403) for a licence reason${suffix}: this 3CX is ${describeLicence(licence)}; ${LICENCE_NEEDED}`,
      status,
    );
  if (status === 401)
    return new PbxError(
      'BAD_CREDENTIALS',
      `PBX rejected the credentials for ${path} (401)${suffix}; check the API client id and secret`,
      status,
    );
  if (status === 403 && LICENCE.test(detail)) {
    return new PbxError(
      'LICENSE',
      `PBX refused ${path} (403) for a licence reason${suffix}; ${LICENCE_NEEDED}`,
      status,
    );
  }
  if (status === 403) {
    return new PbxError(
      'FORBIDDEN',
      `PBX refused ${path} (403)${suffix}; the API client needs the System Owner role and XAPI/Call Control access enabled`,
      status,
    );
  }
  if (status === 404) return new PbxError('NOT_FOUND', `PBX has no ${path} (404)`, status);
  return new PbxError('HTTP', `PBX answered ${status} to ${path}${suffix}`, status);
}

/** Pulls a human message out of an OAuth (`error_description`) or OData (`error.message`) error body. */
export function extractMessage(body: string): string {
  if (!body) return '';
  try {
    const j = JSON.parse(body) as { error?: unknown; error_description?: unknown; message?: unknown };
    if (typeof j.error_description === 'string') return j.error_description;
    if (
      j.error &&
      typeof j.error === 'object' &&
      typeof (j.error as { message?: unknown }).message === 'string'
    ) {
      return (j.error as { message: string }).message;
    }
    if (typeof j.error === 'string') return j.error;
    if (typeof j.message === 'string') return j.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 200);
}
