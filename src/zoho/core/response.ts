/**
 * Decoding Zoho's answers and shaping its failures. Zoho speaks several dialects: CRM
 * `{code:'INVALID_DATA', message, details, status:'error'}`, Books `{code: 1002, message}`,
 * the accounts server `{error:'invalid_code'}`, and plain HTML from a proxy. All become one
 * ZohoError with a message that says what to do.
 */
import { LocalCodes, ZohoError } from './errors';

/**
 * `stream`: a 2xx answer's body is handed over unread as a Readable (a Bulk Read ZIP of any
 * size); the caller must read it to the end or destroy it. Error answers are still read whole.
 */
export type ResponseType = 'json' | 'text' | 'binary' | 'stream';

export function decodeBody(raw: Buffer, type: ResponseType, contentType: string): unknown {
  if (type === 'binary') return raw;
  const text = raw.toString('utf8');
  if (type === 'text') return text;
  if (text.trim() === '') return undefined;
  if (/json/i.test(contentType) || /^[[{]/.test(text.trim())) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * The error for a successful status whose body is not the JSON asked for (an HTML page from a
 * proxy or captive portal, a cut body): never handed on as if it were Zoho's data.
 */
export function notJsonError(
  status: number,
  data: unknown,
  type: ResponseType,
  contentType: string,
): ZohoError | undefined {
  if (type !== 'json' || typeof data !== 'string') return undefined;
  return new ZohoError({
    code: 'UNEXPECTED_RESPONSE',
    kind: 'http',
    status,
    message: `Zoho answered HTTP ${status} with a body that is not JSON (${contentType || 'no content type'})`,
    details: { contentType, start: data.slice(0, 200) },
  });
}

/** Hints for codes a user can act on; Zoho's own message is kept beside them. */
const HINTS: Record<string, string> = {
  INVALID_TOKEN:
    'Zoho rejected the access token even after a refresh: check that the connection uses the data centre of the account, or authorise the client again.',
  AUTHENTICATION_FAILURE: 'Zoho could not authenticate the request: authorise the client again.',
  OAUTH_SCOPE_MISMATCH:
    'The connection lacks the OAuth scope this call needs: add the scope and authorise the client again.',
  NO_PERMISSION:
    'The Zoho user behind this connection has no permission for this: check their profile in Zoho.',
  TOO_MANY_REQUESTS:
    "Zoho's rate limit was reached and retries were exhausted: lower the connection's max concurrency or slow the flow.",
  INVALID_URL_PATTERN: 'Zoho does not know this URL: check the module name or the path.',
};

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function parseMaybe(body: unknown): unknown {
  if (Buffer.isBuffer(body)) return decodeBody(body, 'json', 'application/json');
  if (typeof body === 'string') return decodeBody(Buffer.from(body), 'json', '');
  return body;
}

/** What Zoho's OAuth scopes look like (https://www.zoho.com/accounts/protocol/oauth/scope.html). */
const SCOPE_RE = /^Zoho[A-Za-z]+\.[A-Za-z0-9_.]+$/;

/**
 * The scopes a scope error names, wherever in its details Zoho puts them (CRM's exact field for
 * OAUTH_SCOPE_MISMATCH is not documented, so any scope-shaped string a few levels down counts).
 */
export function scopesNamed(details: unknown): string[] {
  const found = new Set<string>();
  const queue: Array<{ value: unknown; depth: number }> = [{ value: details, depth: 0 }];
  while (queue.length > 0 && found.size < 10) {
    const { value, depth } = queue.shift()!;
    if (typeof value === 'string') {
      for (const part of value.split(/[\s,]+/)) if (SCOPE_RE.test(part)) found.add(part);
    } else if (value && typeof value === 'object' && depth < 4) {
      for (const item of Object.values(value)) queue.push({ value: item, depth: depth + 1 });
    }
  }
  return [...found];
}

function scopeHint(details: unknown): string {
  const scopes = scopesNamed(details);
  return scopes.length > 0 ? ` The call needs the scope ${scopes.join(' or ')}.` : '';
}

function withHint(code: string, zohoMessage: string): string {
  const hint = HINTS[code];
  if (!hint) return zohoMessage;
  return zohoMessage ? `${hint} (Zoho: ${zohoMessage})` : hint;
}

export function httpError(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): ZohoError {
  const parsed = parseMaybe(body);
  const record = asRecord(parsed);
  const requestId = headers['x-request-id'] ?? headers['x-zoho-request-id'];
  // CRM answers a multi-record write failure as { data: [ {code, message, details} ] }.
  const first = Array.isArray(record?.data) ? asRecord((record.data as unknown[])[0]) : undefined;
  const source = record && 'code' in record ? record : (first ?? record);
  if (source && typeof source.code === 'string') {
    const zohoMessage = typeof source.message === 'string' ? source.message : '';
    const scopes = source.code === 'OAUTH_SCOPE_MISMATCH' ? scopeHint(source.details) : '';
    return new ZohoError({
      code: source.code,
      status,
      message:
        (withHint(source.code, zohoMessage) || `Zoho answered HTTP ${status} ${source.code}`) +
        scopes,
      // A refused multi-record write names a reason per record: keep them all.
      details: first ? record : source.details,
      requestId,
    });
  }
  if (source && typeof source.code === 'number') {
    // Zoho Books: code 0 is success; anything else is its error number.
    const zohoMessage = typeof source.message === 'string' ? source.message : 'error';
    // Books' 57 "not authorized to perform this operation" (on 401): the token lacks a scope.
    const scope = source.code === 57 && status === 401;
    return new ZohoError({
      code: String(source.code),
      kind: scope ? 'scope' : undefined,
      status,
      message: scope
        ? `${withHint('OAUTH_SCOPE_MISMATCH', `Zoho Books error 57: ${zohoMessage}`)}${scopeHint(source)}`
        : `Zoho Books error ${source.code}: ${zohoMessage}`,
      details: source,
      requestId,
    });
  }
  if (source && typeof source.error === 'string') {
    return new ZohoError({
      code: source.error.toUpperCase(),
      status,
      message: `Zoho answered HTTP ${status}: ${source.error}`,
      details: source,
      requestId,
    });
  }
  const text = typeof parsed === 'string' ? parsed.slice(0, 200) : undefined;
  return new ZohoError({
    code: status === 429 ? 'TOO_MANY_REQUESTS' : LocalCodes.HTTP_ERROR,
    status,
    message:
      status === 429
        ? withHint('TOO_MANY_REQUESTS', '')
        : `Zoho answered HTTP ${status}${text ? `: ${text}` : ''}`,
    details: text ? { body: text } : undefined,
    requestId,
  });
}

/** Socket-level error codes for which the request never reached Zoho. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface NetworkFailure {
  error: ZohoError;
  /** True when Zoho cannot have acted on the request. */
  notSent: boolean;
  /** True when another attempt would fail the same way (an answer over the size limit). */
  final?: boolean;
}

/**
 * How much one answer may weigh before it is cut, so a broken or hostile server cannot exhaust
 * the memory of the process (an endless answer once grew Node-RED past 1.7 GB in 10 s).
 * - JSON and text: 32 MiB. A CRM page holds at most 200 records (`per_page` maximum, CRM v8
 *   Get Records), and a record at most a few hundred fields of which only multi-line and rich
 *   text ones are large (32,000 characters for a multi-line field, CRM's field limits): 200
 *   records with five such fields full is 32 MB.
 * - Binary (downloads): 25 MiB, Zoho's 20 MB limit for one attachment ("File size should not
 *   exceed 20 MB", CRM uploadFile; MAX_ATTACHMENT_BYTES in crm/attachments.ts) with room for
 *   the encoding. A bulk-read ZIP can be larger: raise the connection's limit for it.
 * - Token answers: 64 KiB (Zoho's is a few hundred bytes).
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_DOWNLOAD_BYTES = 25 * 1024 * 1024;
export const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

/** The error of an answer cut at `limit` bytes. */
export function responseTooLarge(limit: number, what = "Zoho's answer"): ZohoError {
  return new ZohoError({
    code: 'RESPONSE_TOO_LARGE',
    kind: 'http',
    message:
      `${what} was larger than ${limit} bytes and was cut off: ask for less (fewer records ` +
      "per page, one file at a time), or raise the connection's response size limit.",
    details: { limit },
  });
}

function overLimit(message: string | undefined): number | undefined {
  const match = /maxContentLength size of (\d+) exceeded/.exec(message ?? '');
  return match ? Number(match[1]) : undefined;
}

export function networkError(thrown: unknown, timeoutMs: number): NetworkFailure {
  const err = thrown as { code?: string; message?: string };
  const code = err?.code ?? '';
  const limit = overLimit(err?.message);
  if (limit !== undefined) return { notSent: false, final: true, error: responseTooLarge(limit) };
  if (/maxBodyLength/.test(err?.message ?? '')) {
    return {
      notSent: true,
      final: true,
      error: new ZohoError({
        code: 'REQUEST_TOO_LARGE',
        kind: 'input',
        message: "The request body is larger than the connection's limit: send less in one call.",
      }),
    };
  }
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(err?.message ?? '')) {
    return {
      notSent: false,
      error: new ZohoError({
        code: LocalCodes.TIMEOUT,
        message: `Zoho did not answer within ${timeoutMs} ms`,
      }),
    };
  }
  return {
    notSent: NOT_SENT.has(code),
    error: new ZohoError({
      code: LocalCodes.NETWORK_ERROR,
      message: `Network error talking to Zoho${code ? ` (${code})` : ''}: ${err?.message ?? String(thrown)}`,
      details: code ? { errno: code } : undefined,
    }),
  };
}

/** Seconds or an HTTP date, as Retry-After allows; undefined when absent or nonsense. */
export function retryAfterMs(headers: Record<string, string>, now: number): number | undefined {
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface CreditInfo {
  /** Credits left in Zoho's rolling 24 hours. */
  remaining: number;
  /** The allowance, when known (Zoho's answers do not carry it). */
  limit?: number;
  /** Epoch ms when the window resets, when known (Zoho's answers do not carry it). */
  resetAt?: number;
}

/**
 * CRM's credits from an answer: `X-API-CREDITS-REMAINING`, which Zoho sends once half of the
 * org's daily credits (add-ons aside) are used (v8 `api-limits.html`, docs/ZOHO-FACTS.md). The
 * `X-RATELIMIT-*` headers seen in recordings of Zoho answers were a proxy's own and are not read.
 */
export function creditHeaders(headers: Record<string, string>): CreditInfo | undefined {
  const raw = headers['x-api-credits-remaining'];
  const remaining = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isFinite(remaining) && remaining >= 0 ? { remaining } : undefined;
}
