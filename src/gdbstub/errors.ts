/**
 * Typed errors of the RSP client. Every failure the client reports carries one of these
 * fixed codes, so callers branch on `code`, never on message text.
 */
export type RspErrorCode =
  | 'RSP_BAD_CHECKSUM' // a packet whose checksum did not match (after retries)
  | 'RSP_MALFORMED' // a packet that cannot be decoded (bad escape, bad run-length)
  | 'RSP_TIMEOUT' // no reply within the deadline
  | 'RSP_DISCONNECTED' // the stub closed the connection
  | 'RSP_CONNECT' // the stub could not be reached
  | 'RSP_NACK' // the stub kept rejecting our packet
  | 'RSP_ERROR_REPLY' // the stub answered `Exx`
  | 'RSP_UNSUPPORTED' // the stub answered with an empty packet
  | 'RSP_PROTOCOL'; // a reply that does not fit the request

export class RspError extends Error {
  readonly code: RspErrorCode;
  constructor(code: RspErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RspError';
    this.code = code;
  }
}

export function isRspError(e: unknown, code?: RspErrorCode): e is RspError {
  return e instanceof RspError && (code === undefined || e.code === code);
}
