/**
 * Raw Zoho API calls (the zoho-raw node): turns loosely typed options (editor properties and
 * msg overrides) into one checked RequestSpec for ZohoHttp.request. Everything that could send
 * the token somewhere else, replace it, smuggle a second request or fail half-way through
 * serialisation is refused here, before anything is sent. The host check of absolute URLs and
 * the path checks (`..`, `?`, `#`) are http.ts's, which runs them before any request as well.
 */
import { createHash } from 'node:crypto';
import { invalidInput } from './errors';
import { HttpMethod, QueryValue, RequestSpec, RetryPolicy } from './http';
import { PRODUCT_IDS, Product, isProduct } from './regions';
import { redactText, redactUrl, redactValue } from './redact';
import type { ResponseType } from './response';
import { isPlainObject } from './validate';

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

/** Marks msg.headers written by zoho-raw, so a second zoho-raw does not send them back. */
export const RESPONSE_MARK = 'x-zoho-raw-response';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const MAX_TIMEOUT_MS = 600_000;

export interface RawFile {
  /** Form field name; default "file". */
  field: string;
  fileName: string;
  data: Buffer;
  contentType?: string;
}

export interface RawOptions {
  product?: unknown;
  method?: unknown;
  /** A path under the product's base, or an absolute URL of a Zoho host of this connection. */
  url?: unknown;
  query?: unknown;
  headers?: unknown;
  body?: unknown;
  bodyType?: unknown;
  /** msg.fileData / msg.fileNames / msg.fileField, for multipart bodies. */
  fileData?: unknown;
  fileNames?: unknown;
  fileField?: unknown;
  responseType?: unknown;
  timeout?: unknown;
  maxRetries?: unknown;
  retryDelay?: unknown;
  exponentialBackoff?: unknown;
  retryOnAllErrors?: unknown;
  passThroughErrors?: unknown;
  signal?: AbortSignal;
}

function given(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

function bool(v: unknown): boolean | undefined {
  if (!given(v)) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw invalidInput(`${JSON.stringify(v)} is not a boolean: use true or false`);
}

function whole(v: unknown, what: string, min: number, max: number): number | undefined {
  if (!given(v)) return undefined;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isInteger(n) || n < min || n > max) {
    throw invalidInput(`${what} must be a whole number from ${min} to ${max}, not ${String(v)}`);
  }
  return n;
}

export function rawProduct(v: unknown): Product {
  if (!given(v)) return 'crm';
  const p = String(v).trim().toLowerCase();
  if (!isProduct(p)) {
    throw invalidInput(`Unknown Zoho product "${String(v)}": use one of ${PRODUCT_IDS.join(', ')}`);
  }
  return p;
}

export function rawMethod(v: unknown): HttpMethod {
  const m = given(v) ? String(v).trim().toUpperCase() : 'GET';
  if (!(RAW_METHODS as readonly string[]).includes(m)) {
    throw invalidInput(`Unknown HTTP method "${String(v)}": use ${RAW_METHODS.join(', ')}`);
  }
  return m as HttpMethod;
}

/** `{ url }` for an absolute URL (host checked by http.ts), else `{ path }`. */
export function rawTarget(v: unknown): { url: string } | { path: string } {
  if (!given(v) || typeof v !== 'string' || v.trim() === '') {
    throw invalidInput('No URL: give a path such as "/crm/v8/org" or set msg.url');
  }
  const text = v.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      throw invalidInput(`"${redactUrl(text)}" is not a URL`);
    }
    if (parsed.username || parsed.password) {
      throw invalidInput('The URL may not hold a user name or password');
    }
    return { url: text };
  }
  if (text.startsWith('//')) {
    throw invalidInput(`"${text}" is neither a path nor a full URL: write "/path" or "https://…"`);
  }
  return { path: text.startsWith('/') ? text : `/${text}` };
}

/** Query as an object (or "a=1&b=2"); values are strings, numbers, booleans or lists of them. */
export function rawQuery(v: unknown): Record<string, QueryValue> | undefined {
  if (!given(v)) return undefined;
  if (typeof v === 'string') return Object.fromEntries(new URLSearchParams(v.replace(/^\?/, '')));
  if (!isPlainObject(v)) throw invalidInput('The query must be an object of names to values');
  const out: Record<string, QueryValue> = {};
  for (const [key, value] of Object.entries(v)) {
    if (value === undefined || value === null) continue;
    const scalar = (x: unknown) => ['string', 'number', 'boolean'].includes(typeof x);
    if (scalar(value)) out[key] = value as string | number | boolean;
    else if (Array.isArray(value) && value.every(scalar)) out[key] = value.map(String);
    else throw invalidInput(`Query value "${key}" must be a string, number, boolean or a list`);
  }
  return out;
}

/** Headers as an object of names to strings, without the ones only the connection sets. */
export function rawHeaders(v: unknown): Record<string, string> {
  if (!given(v)) return {};
  if (!isPlainObject(v)) throw invalidInput('The headers must be an object of names to values');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(v)) {
    if (value === undefined || value === null) continue;
    if (!HEADER_NAME.test(name)) throw invalidInput(`"${name}" is not a valid header name`);
    if (FORBIDDEN_HEADERS.has(name.toLowerCase())) {
      throw invalidInput(
        `The ${name} header may not be set: the connection sends the Zoho token itself and the HTTP client frames the request`,
      );
    }
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw invalidInput(`Header "${name}" must be a string`);
    }
    const text = String(value);
    if (/[\r\n\0]/.test(text)) throw invalidInput(`Header "${name}" holds a line break`);
    out[name] = text;
  }
  return out;
}

function toBuffer(data: unknown, what: string): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return Buffer.from(data);
  throw invalidInput(`${what} must be a Buffer or a string`);
}

/** msg.fileData (one or a list of Buffers/strings) with msg.fileNames beside it. */
export function rawFiles(fileData: unknown, fileNames: unknown, fileField?: unknown): RawFile[] {
  if (!given(fileData)) return [];
  const datas = Array.isArray(fileData) ? fileData : [fileData];
  const names = Array.isArray(fileNames) ? fileNames : given(fileNames) ? [fileNames] : [];
  const fields = Array.isArray(fileField) ? fileField : datas.map(() => fileField);
  return datas.map((data, i) => {
    const name = names[i];
    if (typeof name !== 'string' || name.trim() === '' || /[\r\n\0]/.test(name)) {
      throw invalidInput(
        `File ${i + 1} needs a name: set msg.fileNames (a list beside msg.fileData)`,
      );
    }
    const field = given(fields[i]) ? String(fields[i]) : 'file';
    return { field, fileName: name, data: toBuffer(data, `File ${i + 1} (msg.fileData)`) };
  });
}

/** JSON text of a value, or a clear error for what JSON cannot hold (cycles, BigInt, functions). */
export function toJsonText(value: unknown, what = 'The body'): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw invalidInput(
      `${what} cannot be sent as JSON: ${(err as Error).message.split('\n')[0]} (circular references and BigInt values cannot be serialised)`,
    );
  }
  if (text === undefined) throw invalidInput(`${what} cannot be sent as JSON (a ${typeof value})`);
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
  if (!isPlainObject(body)) throw invalidInput(`A ${kind} body must be an object of field names`);
  const out: [string, string][] = [];
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value])
      out.push([key, fieldText(key, item)]);
  }
  return out;
}

function contentTypeOf(headers: Record<string, string>): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === 'content-type');
  return key ? headers[key] : undefined;
}

/** The body as http.ts takes it, and the content type it needs. */
export function rawBody(
  type: RawBodyType,
  body: unknown,
  files: RawFile[],
  headers: Record<string, string>,
): unknown {
  if (type === 'none') return undefined;
  if (type === 'multipart') {
    if (contentTypeOf(headers) !== undefined) {
      throw invalidInput('Remove the Content-Type header: a multipart body sets its own');
    }
    const entries = fields(body, 'multipart');
    if (entries.length === 0 && files.length === 0) {
      throw invalidInput('A multipart body needs fields in msg.payload or files in msg.fileData');
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
        'A string body of type JSON must be JSON text; use an object or set the body type',
      );
    }
    return body;
  }
  return toJsonText(body);
}

/** Every raw option checked, as one RequestSpec; throws INVALID_INPUT on anything wrong. */
export function buildRawRequest(o: RawOptions): RequestSpec {
  const product = rawProduct(o.product);
  const method = rawMethod(o.method);
  const target = rawTarget(o.url);
  const query = rawQuery(o.query);
  const headers = rawHeaders(o.headers);
  const bodyType = given(o.bodyType) ? String(o.bodyType).trim().toLowerCase() : 'json';
  if (!(RAW_BODY_TYPES as readonly string[]).includes(bodyType)) {
    throw invalidInput(
      `Unknown body type "${String(o.bodyType)}": use ${RAW_BODY_TYPES.join(', ')}`,
    );
  }
  const responseType = given(o.responseType) ? String(o.responseType).trim().toLowerCase() : 'json';
  if (!(RAW_RESPONSE_TYPES as readonly string[]).includes(responseType)) {
    throw invalidInput(
      `Unknown response type "${String(o.responseType)}": use json, text or binary`,
    );
  }
  const files = rawFiles(o.fileData, o.fileNames, o.fileField);
  if (files.length > 0 && bodyType !== 'multipart') {
    throw invalidInput('msg.fileData is only sent with the multipart body type');
  }
  // GET and HEAD carry no body: an inject node's timestamp payload is not sent.
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const body = hasBody ? rawBody(bodyType as RawBodyType, o.body, files, headers) : undefined;
  const retry: Partial<RetryPolicy> = {};
  const maxRetries = whole(o.maxRetries, 'maxRetries', 0, 10);
  const retryDelay = whole(o.retryDelay, 'retryDelay (ms)', 0, 60_000);
  const exponential = bool(o.exponentialBackoff);
  const onAll = bool(o.retryOnAllErrors);
  if (maxRetries !== undefined) retry.maxRetries = maxRetries;
  if (retryDelay !== undefined) retry.retryDelayMs = retryDelay;
  if (exponential !== undefined) retry.exponentialBackoff = exponential;
  if (onAll !== undefined) retry.retryOnAllErrors = onAll;
  const spec: RequestSpec = {
    product,
    method,
    ...target,
    query,
    headers,
    body,
    responseType: responseType as ResponseType,
    timeoutMs: whole(o.timeout, 'timeout (ms)', 1, MAX_TIMEOUT_MS),
    retry,
    passThroughErrors: bool(o.passThroughErrors) ?? false,
    signal: o.signal,
  };
  return spec;
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
  let text = String(body);
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

function hashHeaders(headers: Record<string, string>): string {
  const entries = Object.entries(headers)
    .filter(([k]) => k !== RESPONSE_MARK)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 16);
}

/** Response headers for msg.headers, marked so that they are not sent again as request headers. */
export function markResponseHeaders(headers: Record<string, string>): Record<string, string> {
  return { ...headers, [RESPONSE_MARK]: hashHeaders(headers) };
}

/** True when msg.headers are (unchanged) response headers of an earlier zoho-raw node. */
export function isResponseHeaders(headers: unknown): boolean {
  if (!isPlainObject(headers) || typeof headers[RESPONSE_MARK] !== 'string') return false;
  return headers[RESPONSE_MARK] === hashHeaders(headers as Record<string, string>);
}
