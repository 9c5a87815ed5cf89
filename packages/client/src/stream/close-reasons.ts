import { RelayStreamError } from './relay-stream-error.js';

/** Close code the relay uses when an API key is revoked while connected. */
export const CLOSE_REVOKED = 4001;

/**
 * The error that ends the stream for good, or undefined when reconnecting can help (drops,
 * 1001 shutdown, 4008 slow consumer, 429/5xx at the upgrade).
 */
export function fatalErrorOf(
  httpStatus: number,
  closeCode: number,
  reason: string,
): RelayStreamError | undefined {
  switch (httpStatus) {
    case 400:
      return new RelayStreamError('bad_request', 'the relay refused the stream request (HTTP 400)', true);
    case 401:
      return new RelayStreamError('unauthorized', 'the relay refused the API key (HTTP 401)', true);
    case 403:
      return new RelayStreamError('forbidden', 'the API key lacks scope events:subscribe (HTTP 403)', true);
    case 404:
      return new RelayStreamError(
        'not_found',
        'no relay WebSocket at that URL (HTTP 404): check baseUrl',
        true,
      );
  }
  if (closeCode === CLOSE_REVOKED)
    return new RelayStreamError('revoked', `the API key was revoked${reason ? `: ${reason}` : ''}`, true);
  return undefined;
}
