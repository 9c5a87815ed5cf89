/** Machine-readable error codes of the admin JSON API. */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CROSS_ORIGIN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'INVALID_CREDENTIALS'
  | 'WRONG_PASSWORD'
  | 'LAST_ADMIN'
  | 'INTERNAL';

const STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  CROSS_ORIGIN: 403,
  WRONG_PASSWORD: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  LAST_ADMIN: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

/** An error whose code and message are safe to show to the caller. */
export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  /** Seconds, sent as `Retry-After` with RATE_LIMITED. */
  retryAfter?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    opts: { retryAfter?: number; details?: unknown } = {},
  ) {
    super(message);
    this.status = STATUS[code];
    this.retryAfter = opts.retryAfter;
    this.details = opts.details;
  }

  readonly details?: unknown;
}

/** Turns anything thrown into an Error (for logging and mapping). */
export function coerceError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : JSON.stringify(err));
}

/** Shortcut for a 404 with a short subject, e.g. `notFound('API key')`. */
export function notFound(what: string): AppError {
  return new AppError('NOT_FOUND', `${what} not found`);
}
