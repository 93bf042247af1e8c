/**
 * The one error type of the client. Every failure — bad input, HTTP error, Zoho error body,
 * network fault, auth failure — becomes a ZohoError, so a caller has one shape to handle.
 */

/** Codes this library adds beside Zoho's own (INVALID_DATA, INVALID_TOKEN, …). */
export const LocalCodes = {
  /** Input rejected before any request was sent. */
  INVALID_INPUT: 'INVALID_INPUT',
  /** No refresh token yet: the connection was never authorised. */
  NOT_CONNECTED: 'NOT_CONNECTED',
  /** The refresh token was revoked, expired or never valid. */
  TOKEN_REVOKED: 'TOKEN_REVOKED',
  /** The connection's region, environment or accounts URL changed since it was authorised. */
  RECONNECT_NEEDED: 'RECONNECT_NEEDED',
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

/**
 * What sort of failure an error is, so a caller can react without parsing codes or text:
 * - `input`: refused before anything was sent (the offending option is in `param`);
 * - `config`: the connection's settings are wrong or it was never authorised;
 * - `auth`: the token could not be had or was refused (authorising again may be needed);
 * - `scope`: the token lacks the OAuth scope or permission the call needs;
 * - `limit`: a rate, concurrency or credit limit (waiting is the cure);
 * - `network`, `timeout`, `aborted`: the call did not complete;
 * - `zoho`: Zoho answered with an error of its own (its code is in `code`);
 * - `http`: an HTTP error without a Zoho code.
 */
export type ErrorKind =
  | 'input'
  | 'config'
  | 'auth'
  | 'scope'
  | 'limit'
  | 'network'
  | 'timeout'
  | 'aborted'
  | 'zoho'
  | 'http';

export interface ZohoErrorInit {
  message: string;
  code: string;
  /** Derived from the code when not given (see kindOf). */
  kind?: ErrorKind;
  /** The option at fault (`module`, `recordId`, `records`, …), for input errors. */
  param?: string;
  status?: number;
  details?: unknown;
  requestId?: string;
  cause?: unknown;
}

/** The plain shape of a ZohoError (its toJSON), safe to serialise. */
export interface ZohoErrorShape {
  message: string;
  code: string;
  kind?: ErrorKind;
  param?: string;
  status?: number;
  details?: unknown;
  requestId?: string;
}

export class ZohoError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly param?: string;
  readonly status?: number;
  readonly details?: unknown;
  readonly requestId?: string;
  /**
   * Set by the request path (http.ts) when the call failed because Zoho could not be reached or
   * was unavailable: true when Zoho cannot have acted on it (refused, DNS, 429/503, the accounts
   * server unreachable), false when it may have (reset or timeout after sending, 500/502/504).
   * Absent for every other failure. Not part of toJSON: it is for callers, not users.
   */
  notSent?: boolean;

  constructor(init: ZohoErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ZohoError';
    this.code = init.code;
    this.kind = init.kind ?? kindOf(init.code, init.status);
    if (init.param !== undefined) this.param = init.param;
    this.status = init.status;
    this.details = init.details;
    this.requestId = init.requestId;
  }

  toJSON(): ZohoErrorShape {
    const shape: ZohoErrorShape = { message: this.message, code: this.code, kind: this.kind };
    if (this.param !== undefined) shape.param = this.param;
    if (this.status !== undefined) shape.status = this.status;
    if (this.details !== undefined) shape.details = this.details;
    if (this.requestId !== undefined) shape.requestId = this.requestId;
    return shape;
  }
}

export function isZohoError(value: unknown): value is ZohoError {
  return value instanceof ZohoError;
}

const KIND_OF_CODE: Readonly<Record<string, ErrorKind>> = {
  INVALID_INPUT: 'input',
  NOT_CONNECTED: 'config',
  INVALID_CLIENT: 'config',
  RECONNECT_NEEDED: 'config',
  ENVIRONMENT_UNSUPPORTED: 'config',
  FORBIDDEN_HOST: 'config',
  TOKEN_REVOKED: 'auth',
  INVALID_TOKEN: 'auth',
  AUTHENTICATION_FAILURE: 'auth',
  OAUTH_SCOPE_MISMATCH: 'scope',
  NO_PERMISSION: 'scope',
  TOKEN_THROTTLED: 'limit',
  RATE_LIMITED: 'limit',
  TOO_MANY_REQUESTS: 'limit',
  LIMIT_EXCEEDED: 'limit',
  CREDIT_BUDGET_REACHED: 'limit',
  DAILY_LIMIT_REACHED: 'limit',
  NETWORK_ERROR: 'network',
  TIMEOUT: 'timeout',
  ABORTED: 'aborted',
  HTTP_ERROR: 'http',
};

/**
 * Codes that say the connection itself needs attention (authorise again, fix the client id or
 * secret, wait out the token throttle): a caller shows them on the connection rather than on one
 * call. A missing scope (OAUTH_SCOPE_MISMATCH) is not one: it fails the calls that need the
 * scope, and every other call of the connection works.
 */
export const CONNECTION_CODES: ReadonlySet<string> = new Set([
  LocalCodes.NOT_CONNECTED,
  LocalCodes.TOKEN_REVOKED,
  LocalCodes.INVALID_CLIENT,
  LocalCodes.TOKEN_THROTTLED,
  LocalCodes.RECONNECT_NEEDED,
  'INVALID_TOKEN',
  'AUTHENTICATION_FAILURE',
]);

/** True when an error's code says the connection needs attention (see CONNECTION_CODES). */
export function isConnectionProblem(error: { code: string } | string): boolean {
  return CONNECTION_CODES.has(typeof error === 'string' ? error : error.code);
}

/** The kind a code implies; any other code is Zoho's own refusal. */
export function kindOf(code: string, status?: number): ErrorKind {
  const known = KIND_OF_CODE[code];
  if (known) return known;
  if (status === 429) return 'limit';
  return 'zoho';
}

/**
 * Whether a failure means "Zoho could not be reached or was unavailable" (the outbox's test):
 * 'not-sent' when Zoho cannot have acted on the call, 'maybe-sent' when it may have, undefined
 * for every other failure (bad input, Zoho's refusals, auth and scope errors, a cancelled call).
 */
export function unreachable(error: unknown): 'not-sent' | 'maybe-sent' | undefined {
  if (!(error instanceof ZohoError) || error.notSent === undefined) return undefined;
  return error.notSent ? 'not-sent' : 'maybe-sent';
}

/**
 * Input that must be refused before anything is sent. `param` names the option at fault (as the
 * client's own options call it), so a caller can say where to fix it in its own words.
 */
export function invalidInput(message: string, param?: string, details?: unknown): ZohoError {
  return new ZohoError({ message, code: LocalCodes.INVALID_INPUT, kind: 'input', param, details });
}
