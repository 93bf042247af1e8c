/**
 * The form POSTs to Zoho's accounts server (the refresh grant, the code exchange, revoke) and
 * what their failures mean. Same transport rules as every other call (transport.ts): no
 * redirects, no proxy lookup, an answer cut at 64 KiB while it streams in, a silence timeout and
 * a whole-answer deadline, and the caller's signal.
 *
 * client_id and client_secret travel in the form body, where Zoho reads them (Zoho's SDK does
 * the same: @zohocrm/nodejs-sdk-8.0 lib/models/authenticator/oauth_token.js refreshAccessToken
 * and generateAccessToken). Neither the form nor axios's error ever reaches an error here.
 */
import { LocalCodes, ZohoError } from './errors';
import { MAX_TOKEN_RESPONSE_BYTES, decodeBody, responseTooLarge } from './response';
import { DeadlineExceeded, withDeadline } from './signals';
import { transport } from './transport';
import { textOf } from './validate';

export type TokenGrant = 'refresh_token' | 'authorization_code';

export interface TokenRequest {
  /** The accounts server as configured (a path prefix, as a proxy may add, is kept). */
  accountsUrl: string;
  /** Below `{accounts}/oauth/v2/`: `token` (both grants) or `token/revoke`. */
  endpoint: 'token' | 'token/revoke';
  form: Record<string, string>;
  /** Which grant the request serves: it decides how Zoho's `invalid_code` is worded. */
  grant: TokenGrant;
  /** Longest silence of the server; default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/** Zoho's token answer is a few hundred bytes: a minute for all of it is ample. */
const TOKEN_DEADLINE_MS = 60_000;
/** The signal of a request nobody cancels (the refresh is shared by every caller). */
const NEVER_ABORTED = new AbortController().signal;

/** Posts `form` to the accounts server; Zoho's JSON answer of a 2xx, else a ZohoError. */
export async function postTokenForm(request: TokenRequest): Promise<Record<string, unknown>> {
  const timeout = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let response;
  try {
    const client = await transport();
    const base = new URL(request.accountsUrl);
    const url = `${base.origin}${base.pathname.replace(/\/+$/, '')}/oauth/v2/${request.endpoint}`;
    const deadline = Math.max(TOKEN_DEADLINE_MS, timeout);
    response = await withDeadline(request.signal ?? NEVER_ABORTED, deadline, (signal) =>
      client.request<ArrayBuffer>({
        method: 'POST',
        url,
        data: new URLSearchParams(request.form).toString(),
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        timeout,
        signal,
        responseType: 'arraybuffer',
        maxContentLength: MAX_TOKEN_RESPONSE_BYTES,
      }),
    );
  } catch (thrown) {
    throw transportFailure(thrown);
  }
  const contentType = String(response.headers['content-type'] ?? '');
  const body = decodeBody(Buffer.from(response.data ?? new ArrayBuffer(0)), 'json', contentType);
  return answerOf(response.status, body, request.grant);
}

/** Zoho's answer as a token body, or the error it stands for. */
function answerOf(status: number, body: unknown, grant: TokenGrant): Record<string, unknown> {
  const parsed =
    body !== null && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined;
  if (status >= 200 && status < 300) return parsed ?? { error: `http_${status}` };
  if (status >= 500 && !(parsed && 'error' in parsed)) {
    // Zoho's own failure, not a verdict on the client or the token: say so, and that it passes.
    throw new ZohoError({
      code: 'ACCOUNTS_SERVER_ERROR',
      status,
      message: `Zoho's accounts server failed (HTTP ${status}): token requests are tried again after a short pause`,
    });
  }
  throw tokenError(parsed ?? { error: `http_${status}` }, grant, status);
}

/** What axios threw (no answer came, or it was cut), without the request it holds. */
function transportFailure(thrown: unknown): ZohoError {
  if (thrown instanceof ZohoError) return thrown;
  const err = thrown as { code?: string; message?: string };
  if (/maxContentLength size of \d+ exceeded/.test(err?.message ?? '')) {
    return responseTooLarge(MAX_TOKEN_RESPONSE_BYTES, "The accounts server's answer");
  }
  const reason =
    thrown instanceof DeadlineExceeded
      ? `no complete answer within ${thrown.ms} ms`
      : (err?.message ?? String(thrown));
  return new ZohoError({
    code: LocalCodes.NETWORK_ERROR,
    // No `cause`: axios's error holds the request, client secret included.
    message: `Could not reach Zoho's accounts server: ${reason}`,
    details: err?.code ? { errno: err.code } : undefined,
  });
}

/** The token failures Zoho names, as a code and what to do about it. */
function knownTokenFailure(
  error: string,
  description: string,
  grant: TokenGrant,
): { code: string; message: string } | undefined {
  if (/too many requests/i.test(description) || /access denied/i.test(error)) {
    return {
      code: LocalCodes.TOKEN_THROTTLED,
      message:
        'Zoho is throttling token requests for this client (too many in a short time). ' +
        'Requests resume automatically in a few minutes; avoid authorising again repeatedly.',
    };
  }
  if (error === 'invalid_client' || error === 'invalid_client_secret') {
    return {
      code: LocalCodes.INVALID_CLIENT,
      message:
        `Zoho rejected the client (${error}): check the client id and client secret, and that ` +
        'the client was registered in the same data centre as the region chosen.',
    };
  }
  if (error === 'invalid_code' && grant === 'refresh_token') {
    return {
      code: LocalCodes.TOKEN_REVOKED,
      message:
        'The refresh token was revoked or has expired, or belongs to another data centre ' +
        '(Zoho: invalid_code): authorise the client again.',
    };
  }
  if (error === 'invalid_code') {
    return {
      code: 'INVALID_CODE',
      message:
        'Zoho rejected the grant code (invalid_code): it was already used or has expired ' +
        '(Self Client codes live only a few minutes). Generate a new one and try again.',
    };
  }
  if (error === 'invalid_redirect_uri') {
    return {
      code: 'INVALID_REDIRECT_URI',
      message:
        'Zoho rejected the redirect URI: it must be exactly one of the redirect URIs registered ' +
        'for this client in the Zoho API console.',
    };
  }
  return undefined;
}

/**
 * Zoho answers many token failures with HTTP 200 and an `error` field; others come as 4xx.
 * Each becomes an error that tells the user what to do.
 */
export function tokenError(raw: unknown, grant: TokenGrant, status?: number): ZohoError {
  const body = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const error = textOf(body.error) || 'unknown_error';
  const description = typeof body.error_description === 'string' ? body.error_description : '';
  const known = knownTokenFailure(error, description, grant);
  if (known) {
    const throttled = known.code === LocalCodes.TOKEN_THROTTLED;
    const details = throttled ? { error, error_description: description } : { error };
    return new ZohoError({ ...known, status, details });
  }
  return new ZohoError({
    code: error.toUpperCase(),
    status,
    message: `Zoho's accounts server refused the token request: ${error}${description ? ` (${description})` : ''}`,
    details: { error, error_description: description || undefined },
  });
}
