/**
 * zoho-raw's input: editor properties and msg overrides (strings from the editor, anything
 * from msg) turned into the client's typed RawRequest. Only coercion and the msg conventions
 * live here (numeric strings, "true"/"false", a query string, msg.fileData beside
 * msg.fileNames, response headers written by an earlier zoho-raw); the client checks the
 * values themselves before anything is sent.
 */
import { createHash } from 'node:crypto';
import { invalidInput } from '../../zoho/core/errors';
import type { HttpMethod, QueryValue } from '../../zoho/core/http';
import type { RawBodyType, RawFile, RawRequest } from '../../zoho/core/raw';
import type { Product } from '../../zoho/core/regions';
import type { ResponseType } from '../../zoho/core/response';
import { isPlainObject } from '../../zoho/core/validate';

/** Marks msg.headers written by zoho-raw, so a second zoho-raw does not send them back. */
export const RESPONSE_MARK = 'x-zoho-raw-response';

/** The loose values of one message: each may come from the editor or from msg. */
export interface RawInput {
  product?: unknown;
  method?: unknown;
  url?: unknown;
  query?: unknown;
  headers?: unknown;
  body?: unknown;
  bodyType?: unknown;
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

/** A lower- or upper-cased word (product, method, body and response type), as given otherwise. */
function word<T extends string>(v: unknown, upper = false): T | undefined {
  if (!given(v)) return undefined;
  const text = String(v).trim();
  return (upper ? text.toUpperCase() : text.toLowerCase()) as T;
}

function bool(v: unknown, param: string): boolean | undefined {
  if (!given(v)) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw invalidInput(`${JSON.stringify(v)} is not a boolean: use true or false`, param);
}

function number(v: unknown, param: string): number | undefined {
  if (!given(v)) return undefined;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (Number.isNaN(n))
    throw invalidInput(`${param} must be a whole number, not ${String(v)}`, param);
  return n;
}

export function rawUrl(v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') {
    throw invalidInput('No URL: give a path such as "/crm/v8/org" or set msg.url', 'url');
  }
  return v;
}

/** Query as an object, or as a query string "a=1&b=2". */
export function rawQuery(v: unknown): Record<string, QueryValue> | undefined {
  if (!given(v)) return undefined;
  if (typeof v === 'string') return Object.fromEntries(new URLSearchParams(v.replace(/^\?/, '')));
  if (!isPlainObject(v))
    throw invalidInput('The query must be an object of names to values', 'query');
  return v as Record<string, QueryValue>;
}

/** Headers as an object; the client checks names and values. */
export function rawHeaders(v: unknown): Record<string, string> | undefined {
  if (!given(v)) return undefined;
  if (!isPlainObject(v))
    throw invalidInput('The headers must be an object of names to values', 'headers');
  return v as Record<string, string>;
}

/** msg.fileData (one or a list of Buffers/strings) with msg.fileNames beside it. */
export function rawFiles(fileData: unknown, fileNames: unknown, fileField?: unknown): RawFile[] {
  if (!given(fileData)) return [];
  const datas: unknown[] = Array.isArray(fileData) ? fileData : [fileData];
  const names: unknown[] = Array.isArray(fileNames)
    ? fileNames
    : given(fileNames)
      ? [fileNames]
      : [];
  const fields: unknown[] = Array.isArray(fileField) ? fileField : datas.map(() => fileField);
  return datas.map((data, i) => {
    const name = names[i];
    if (typeof name !== 'string' || name.trim() === '' || /[\r\n\0]/.test(name)) {
      throw invalidInput(
        `File ${i + 1} needs a name: set msg.fileNames (a list beside msg.fileData)`,
        'fileNames',
      );
    }
    if (!Buffer.isBuffer(data) && typeof data !== 'string' && !(data instanceof Uint8Array)) {
      throw invalidInput(`File ${i + 1} (msg.fileData) must be a Buffer or a string`, 'fileData');
    }
    const field = given(fields[i]) ? String(fields[i]) : 'file';
    return { field, fileName: name, data };
  });
}

/** The typed request of one message's values. */
export function rawRequestOf(v: RawInput): RawRequest {
  const files = rawFiles(v.fileData, v.fileNames, v.fileField);
  return {
    product: word<Product>(v.product),
    method: word<HttpMethod>(v.method, true),
    url: rawUrl(v.url),
    query: rawQuery(v.query),
    headers: rawHeaders(v.headers),
    body: v.body,
    bodyType: word<RawBodyType>(v.bodyType),
    files: files.length > 0 ? files : undefined,
    responseType: word<ResponseType>(v.responseType),
    timeout: number(v.timeout, 'timeout'),
    maxRetries: number(v.maxRetries, 'maxRetries'),
    retryDelay: number(v.retryDelay, 'retryDelay'),
    exponentialBackoff: bool(v.exponentialBackoff, 'exponentialBackoff'),
    retryOnAllErrors: bool(v.retryOnAllErrors, 'retryOnAllErrors'),
    passThroughErrors: bool(v.passThroughErrors, 'passThroughErrors'),
    signal: v.signal,
  };
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
