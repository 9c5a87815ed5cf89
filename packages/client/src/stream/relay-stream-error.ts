/** Why the stream reported a problem. */
export type RelayStreamErrorCode =
  /** The key was refused at the upgrade (HTTP 401). Fatal. */
  | 'unauthorized'
  /** The key lacks scope `events:subscribe` (HTTP 403). Fatal. */
  | 'forbidden'
  /** No relay WebSocket at that URL (HTTP 404): check `baseUrl`. Fatal. */
  | 'not_found'
  /** The relay refused the request (HTTP 400: a bad `since` or filter). Fatal. */
  | 'bad_request'
  /** The key was revoked while connected (close 4001). Fatal. */
  | 'revoked'
  /** A message was not valid JSON or not a valid event; it was skipped. */
  | 'malformed_message'
  /** An `event` listener threw; the stream carries on. */
  | 'listener_failed';

/** Errors of {@link RelayEventStream}; `fatal` ones end the stream. */
export class RelayStreamError extends Error {
  override name = 'RelayStreamError';

  constructor(
    readonly code: RelayStreamErrorCode,
    message: string,
    /** True when the stream has stopped for good because of it. */
    readonly fatal = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
