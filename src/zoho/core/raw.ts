/**
 * Raw Zoho API calls: turns typed options into one checked RequestSpec for ZohoHttp.request.
 * Everything that could send the token somewhere else, replace it, smuggle a second request or
 * fail half-way through serialisation is refused here, before anything is sent. The host check
 * of absolute URLs and the path checks (`..`, `?`, `#`) are http.ts's, which runs them before
 * any request as well.
 */
import { invalidInput } from './errors';
import { HttpMethod, QueryValue, RequestSpec, RetryPolicy } from './http';
import { Product, isProduct, PRODUCT_IDS } from './regions';
import { redactText, redactUrl, redactValue } from './redact';
import type { ResponseType } from './response';
import { isPlainObject, textOf } from './validate';

export const RAW_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];
export const RAW_BODY_TYPES = ['json', 'form', 'multipart', 'none'] as const;
export type RawBodyType = (typeof RAW_BODY_TYPES)[number];
export const RAW_RESPONSE_TYPES: readonly ResponseType[] = ['json', 'text', 'binary'];

/**
 * Headers a raw call may not set. authorization / proxy-authorization: the token is the
 * connection's, never the flow's. host: names another virtual host than the one checked.
 * cookie: Zoho's APIs authenticate by token only; a cookie could carry a web session.
 * content-length, transfer-encoding, connection, upgrade, expect, te, trailer: message framing,
 * set by the HTTP client; a wrong one desynchronises the connection (request smuggling).
 */
export const FORBIDDEN_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'host',
  'cookie',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
]);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const MAX_TIMEOUT_MS = 600_000;

export interface RawFile {
  /** Form field name; default "file". */
  field?: string;
  fileName: string;
  data: Buffer | Uint8Array | string;
  contentType?: string;
}

/** A raw call: a product, a method, a path (or a Zoho URL) and what goes with them. */
export interface RawRequest {
  /** Default `crm`. */
  product?: Product;
  /** Default GET. */
  method?: HttpMethod;
  /** A path under the product's base (`/crm/v8/org`), or an absolute URL of a Zoho host of this connection. */
  url: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** JSON: any JSON value, JSON text or a Buffer; form and multipart: an object of fields. */
  body?: unknown;
  /** Default json. */
  bodyType?: RawBodyType;
  /** Multipart files. */
  files?: readonly RawFile[];
  /** Default json. */
  responseType?: ResponseType;
  /** Milliseconds, 1 to 600000. */
  timeout?: number;
  maxRetries?: number;
  /** Milliseconds. */
  retryDelay?: number;
  exponentialBackoff?: boolean;
  retryOnAllErrors?: boolean;
  /** Answer HTTP errors as responses instead of throwing. */
  passThroughErrors?: boolean;
  signal?: AbortSignal;
}

function oneOf<T extends string>(
  value: T | undefined,
  allowed: readonly T[],
  fallback: T,
  what: string,
  param: string,
): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) {
    throw invalidInput(`Unknown ${what} "${String(value)}": use ${allowed.join(', ')}`, param);
  }
  return value;
}

function whole(v: number | undefined, param: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw invalidInput(
      `${param} must be a whole number from ${min} to ${max}, not ${String(v)}`,
      param,
    );
  }
  return v;
}

function bool(v: boolean | undefined, param: string): boolean | undefined {
  if (v === undefined || typeof v === 'boolean') return v;
  throw invalidInput(`${param} is ${JSON.stringify(v)}, not a boolean: use true or false`, param);
}

function product(v: Product | undefined): Product {
  if (v === undefined) return 'crm';
  if (!isProduct(v)) {
    throw invalidInput(
      `Unknown Zoho product "${String(v)}": use one of ${PRODUCT_IDS.join(', ')}`,
      'product',
    );
  }
  return v;
}

/** `{ url }` for an absolute URL (host checked by http.ts), else `{ path }`. */
export function rawTarget(v: string): { url: string } | { path: string } {
  if (typeof v !== 'string' || v.trim() === '') {
    throw invalidInput('No URL given: give a path such as "/crm/v8/org" or a full Zoho URL', 'url');
  }
  const text = v.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      throw invalidInput(`"${redactUrl(text)}" is not a URL`, 'url');
    }
    if (parsed.username || parsed.password) {
      throw invalidInput('The URL may not hold a user name or password', 'url');
    }
    return { url: text };
  }
  if (text.startsWith('//')) {
    throw invalidInput(
      `"${text}" is neither a path nor a full URL: write "/path" or "https://…"`,
      'url',
    );
  }
  return { path: text.startsWith('/') ? text : `/${text}` };
}

const isScalar = (x: unknown): x is string | number | boolean =>
  typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';

/** Query values: strings, numbers, booleans or lists of them; null and undefined left out. */
export function checkQuery(
  v: Record<string, QueryValue> | undefined,
): Record<string, QueryValue> | undefined {
  if (v === undefined) return undefined;
  if (!isPlainObject(v))
    throw invalidInput('The query must be an object of names to values', 'query');
  const out: Record<string, QueryValue> = {};
  for (const [key, value] of Object.entries(v)) {
    if (value === undefined || value === null) continue;
    if (isScalar(value)) out[key] = value;
    else if (Array.isArray(value) && value.every(isScalar)) out[key] = value.map(String);
    else
      throw invalidInput(
        `Query value "${key}" must be a string, number, boolean or a list`,
        'query',
      );
  }
  return out;
}

/** Headers of names to strings, without the ones only the connection sets. */
export function checkHeaders(v: Record<string, string> | undefined): Record<string, string> {
  if (v === undefined) return {};
  if (!isPlainObject(v))
    throw invalidInput('The headers must be an object of names to values', 'headers');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(v)) {
    if (value === undefined || value === null) continue;
    if (!HEADER_NAME.test(name))
      throw invalidInput(`"${name}" is not a valid header name`, 'headers');
    if (FORBIDDEN_HEADERS.has(name.toLowerCase())) {
      throw invalidInput(
        `The ${name} header may not be set: the connection sends the Zoho token itself and the HTTP client frames the request`,
        'headers',
      );
    }
    if (!isScalar(value)) throw invalidInput(`Header "${name}" must be a string`, 'headers');
    const text = String(value);
    if (/[\r\n\0]/.test(text)) throw invalidInput(`Header "${name}" holds a line break`, 'headers');
    out[name] = text;
  }
  return out;
}

function toBuffer(data: unknown, what: string): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return Buffer.from(data);
  throw invalidInput(`${what} must be a Buffer or a string`, 'files');
}

interface CheckedFile {
  field: string;
  fileName: string;
  data: Buffer;
  contentType?: string;
}

function checkFiles(files: readonly RawFile[] | undefined): CheckedFile[] {
  if (files === undefined) return [];
  if (!Array.isArray(files))
    throw invalidInput('The files must be a list of { fileName, data }', 'files');
  return files.map((f: RawFile, i): CheckedFile => {
    const name: unknown = isPlainObject(f) ? f.fileName : undefined;
    if (typeof name !== 'string' || name.trim() === '' || /[\r\n\0]/.test(name)) {
      throw invalidInput(`File ${i + 1} needs a name (fileName, without line breaks)`, 'files');
    }
    const field = f.field === undefined || f.field === '' ? 'file' : String(f.field);
    return { ...f, field, fileName: name, data: toBuffer(f.data, `File ${i + 1}`) };
  });
}

/** JSON text of a value, or a clear error for what JSON cannot hold (cycles, BigInt, functions). */
export function toJsonText(value: unknown, what = 'The body', param = 'body'): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw invalidInput(
      `${what} cannot be sent as JSON: ${(err as Error).message.split('\n')[0]} (circular references and BigInt values cannot be serialised)`,
      param,
    );
  }
  if (text === undefined)
    throw invalidInput(`${what} cannot be sent as JSON (a ${typeof value})`, param);
  return text;
}

function fieldText(key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // Books takes a JSON object in a form field (JSONString): objects are sent as JSON text.
  return toJsonText(value, `Field "${key}"`);
}

function fields(body: unknown, kind: string): [string, string][] {
  if (body === undefined || body === null) return [];
  if (body instanceof URLSearchParams) return [...body.entries()];
  if (typeof body === 'string' && kind === 'form') return [...new URLSearchParams(body).entries()];
  if (!isPlainObject(body))
    throw invalidInput(`A ${kind} body must be an object of field names`, 'body');
  const out: [string, string][] = [];
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value])
      out.push([key, fieldText(key, item)]);
  }
  return out;
}

function contentTypeOf(headers: Record<string, string>): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === 'content-type');
  return key ? headers[key] : undefined;
}

function multipartBody(
  body: unknown,
  files: CheckedFile[],
  headers: Record<string, string>,
): FormData {
  if (contentTypeOf(headers) !== undefined) {
    throw invalidInput('Remove the Content-Type header: a multipart body sets its own', 'headers');
  }
  const entries = fields(body, 'multipart');
  if (entries.length === 0 && files.length === 0) {
    throw invalidInput('A multipart body needs fields in the body or files', 'body');
  }
  const form = new FormData();
  for (const [k, v] of entries) form.append(k, v);
  for (const f of files) {
    const blob = new Blob([new Uint8Array(f.data)], {
      type: f.contentType ?? 'application/octet-stream',
    });
    form.append(f.field, blob, f.fileName);
  }
  return form;
}

/** The body as http.ts takes it; sets the content type it needs in `headers`. */
function rawBody(
  type: RawBodyType,
  body: unknown,
  files: CheckedFile[],
  headers: Record<string, string>,
): unknown {
  if (type === 'none') return undefined;
  if (type === 'multipart') return multipartBody(body, files, headers);
  if (body === undefined || body === null) return undefined;
  if (type === 'form') return new URLSearchParams(fields(body, 'form'));
  if (Buffer.isBuffer(body)) {
    if (contentTypeOf(headers) === undefined) headers['Content-Type'] = 'application/octet-stream';
    return body;
  }
  if (contentTypeOf(headers) === undefined) headers['Content-Type'] = 'application/json';
  if (typeof body === 'string') {
    try {
      JSON.parse(body);
    } catch {
      throw invalidInput(
        'A string body of type JSON must be JSON text; give an object or another body type',
        'body',
      );
    }
    return body;
  }
  return toJsonText(body);
}

function retryPolicy(o: RawRequest): Partial<RetryPolicy> {
  const retry: Partial<RetryPolicy> = {};
  const maxRetries = whole(o.maxRetries, 'maxRetries', 0, 10);
  const retryDelay = whole(o.retryDelay, 'retryDelay', 0, 60_000);
  const exponential = bool(o.exponentialBackoff, 'exponentialBackoff');
  const onAll = bool(o.retryOnAllErrors, 'retryOnAllErrors');
  if (maxRetries !== undefined) retry.maxRetries = maxRetries;
  if (retryDelay !== undefined) retry.retryDelayMs = retryDelay;
  if (exponential !== undefined) retry.exponentialBackoff = exponential;
  if (onAll !== undefined) retry.retryOnAllErrors = onAll;
  return retry;
}

/** Every raw option checked, as one RequestSpec; throws INVALID_INPUT on anything wrong. */
export function buildRawRequest(o: RawRequest): RequestSpec {
  const method = oneOf(o.method, RAW_METHODS, 'GET', 'HTTP method', 'method');
  const target = rawTarget(o.url);
  const query = checkQuery(o.query);
  const headers = checkHeaders(o.headers);
  const bodyType = oneOf(o.bodyType, RAW_BODY_TYPES, 'json', 'body type', 'bodyType');
  const responseType = oneOf(
    o.responseType,
    RAW_RESPONSE_TYPES,
    'json',
    'response type',
    'responseType',
  );
  const files = checkFiles(o.files);
  if (files.length > 0 && bodyType !== 'multipart') {
    throw invalidInput('Files are only sent with the multipart body type', 'files');
  }
  // GET and HEAD carry no body.
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return {
    product: product(o.product),
    method,
    ...target,
    query,
    headers,
    body: hasBody ? rawBody(bodyType, o.body, files, headers) : undefined,
    responseType,
    timeoutMs: whole(o.timeout, 'timeout', 1, MAX_TIMEOUT_MS),
    retry: retryPolicy(o),
    passThroughErrors: bool(o.passThroughErrors, 'passThroughErrors') ?? false,
    signal: o.signal,
  };
}

function describeBody(body: unknown, secrets: readonly string[]): string {
  if (body === undefined) return 'no body';
  if (body instanceof FormData) {
    const parts: string[] = [];
    body.forEach((v, k) =>
      parts.push(
        typeof v === 'string'
          ? `${k}=<${v.length} chars>`
          : `${k}=<file ${v.name}, ${v.size} bytes>`,
      ),
    );
    return `multipart ${parts.join(', ')}`;
  }
  if (body instanceof URLSearchParams) {
    return `form ${redactUrl(`http://x/?${body.toString()}`, secrets).slice('http://x/?'.length)}`;
  }
  if (Buffer.isBuffer(body)) return `<Buffer ${body.length} bytes>`;
  let text = textOf(body);
  try {
    text = JSON.stringify(redactValue(JSON.parse(text), secrets));
  } catch {
    text = redactText(text, secrets);
  }
  return text.length > 1000 ? `${text.slice(0, 1000)}… (${text.length} chars)` : text;
}

/** One line for the debug log: no token, no secret, secret-named values masked. */
export function describeRawRequest(spec: RequestSpec, secrets: readonly string[] = []): string {
  const target = spec.url ?? `${spec.product ?? 'crm'}:${spec.path ?? ''}`;
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(spec.query ?? {})) {
    if (v !== undefined && v !== null) query.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const qs = query.toString();
  const where = redactUrl(`http://x/?${qs}`, secrets).slice('http://x/?'.length);
  const headers = JSON.stringify(redactValue(spec.headers ?? {}, secrets));
  return redactText(
    `→ ${spec.method} ${spec.url ? redactUrl(target, secrets) : target}${qs ? `?${where}` : ''} headers ${headers}; ${describeBody(spec.body, secrets)}`,
    secrets,
  );
}
