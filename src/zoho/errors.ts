/**
 * The one error type of the client. Every failure — bad input, HTTP error, Zoho error body,
 * network fault, auth failure — becomes a ZohoError, so a node has one shape to put on msg.error.
 */

/** Codes this library adds beside Zoho's own (INVALID_DATA, INVALID_TOKEN, …). */
export const LocalCodes = {
  /** Input rejected before any request was sent. */
  INVALID_INPUT: 'INVALID_INPUT',
  /** No refresh token yet: the connection was never authorised. */
  NOT_CONNECTED: 'NOT_CONNECTED',
  /** The refresh token was revoked, expired or never valid. */
  TOKEN_REVOKED: 'TOKEN_REVOKED',
  /** Client id or secret rejected by Zoho's accounts server. */
  INVALID_CLIENT: 'INVALID_CLIENT',
  /** Zoho's token endpoint throttled us; waiting is the only cure. */
  TOKEN_THROTTLED: 'TOKEN_THROTTLED',
  /** Socket-level failure (refused, reset, DNS). */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** No answer within the timeout. */
  TIMEOUT: 'TIMEOUT',
  /** The call was aborted by its caller (node closed, flow stopped). */
  ABORTED: 'ABORTED',
  /** A host that is not Zoho's for this connection was about to receive the token. */
  FORBIDDEN_HOST: 'FORBIDDEN_HOST',
  /** HTTP error with no Zoho code in the body. */
  HTTP_ERROR: 'HTTP_ERROR',
} as const;

export interface ZohoErrorInit {
  message: string;
  code: string;
  status?: number;
  details?: unknown;
  requestId?: string;
  cause?: unknown;
}

/** The plain shape that goes on msg.error, safe to serialise. */
export interface ZohoErrorShape {
  message: string;
  code: string;
  status?: number;
  details?: unknown;
  requestId?: string;
}

export class ZohoError extends Error {
  readonly code: string;
  readonly status?: number;
  readonly details?: unknown;
  readonly requestId?: string;

  constructor(init: ZohoErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ZohoError';
    this.code = init.code;
    this.status = init.status;
    this.details = init.details;
    this.requestId = init.requestId;
  }

  toJSON(): ZohoErrorShape {
    const shape: ZohoErrorShape = { message: this.message, code: this.code };
    if (this.status !== undefined) shape.status = this.status;
    if (this.details !== undefined) shape.details = this.details;
    if (this.requestId !== undefined) shape.requestId = this.requestId;
    return shape;
  }
}

export function isZohoError(value: unknown): value is ZohoError {
  return value instanceof ZohoError;
}

/** Input that must be refused before anything is sent. */
export function invalidInput(message: string, details?: unknown): ZohoError {
  return new ZohoError({ message, code: LocalCodes.INVALID_INPUT, details });
}
