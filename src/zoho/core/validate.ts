/**
 * Input checks every product shares: plain objects, record ids, positive whole numbers and
 * date-times. Each check throws a ZohoError with code INVALID_INPUT, the option at fault in
 * `param` and a message that says what to fix, before any request is sent.
 */
import { invalidInput } from './errors';

/** Zoho record ids are digits (19 at most); never anything else reaches a URL path. */
export const RECORD_ID_RE = /^\d{1,19}$/;

/** A short description of a value for an error message: `the string "abc"`, `an array`, … */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (Buffer.isBuffer(value)) return 'a Buffer';
  if (typeof value === 'string')
    return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return `a ${typeof value}`;
}

/** A value as text for a message: strings as they are, objects as JSON, nothing as ''. */
export function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return Object.prototype.toString.call(value);
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  if (Buffer.isBuffer(value) || value instanceof Date) return false;
  // Objects built in another vm context (a sandboxed script) have another Object.prototype:
  // accept any object whose prototype is some realm's Object.prototype.
  if (Object.prototype.toString.call(value) !== '[object Object]') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * A Zoho record id: 1–19 digits. Numbers are accepted only when they are exact integers.
 * `param` is the option that held it, `what` how the message names it.
 */
export function checkRecordId(value: unknown, param = 'recordId', what = 'record id'): string {
  if (value === undefined || value === null || value === '') {
    throw invalidInput(`No ${what} given`, param);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw invalidInput(
        `The ${what} ${value} is not exact as a number: pass Zoho ids as strings (they exceed JavaScript's safe integers)`,
        param,
      );
    }
    value = String(value);
  } else if (typeof value === 'bigint') {
    value = value.toString();
  }
  if (typeof value !== 'string' || !RECORD_ID_RE.test(value)) {
    throw invalidInput(
      `${describeValue(value)} is not a Zoho ${what}: Zoho ids are 1 to 19 digits`,
      param,
    );
  }
  return value;
}

/** Ids as an array, a single id, or a comma-separated string; at least one. */
export function checkRecordIds(value: unknown, param = 'ids', what = 'record id'): string[] {
  let list: unknown[];
  if (Array.isArray(value)) list = value;
  else if (typeof value === 'string') list = value.split(',').map((s) => s.trim());
  else if (value === undefined || value === null) list = [];
  else list = [value];
  if (list.length === 0 || (list.length === 1 && list[0] === '')) {
    throw invalidInput(`No ${what}s given`, param);
  }
  return list.map((id, i) => {
    try {
      return checkRecordId(id, param, what);
    } catch (e) {
      throw invalidInput(`Item ${i}: ${(e as Error).message}`, param, { index: i });
    }
  });
}

/** A positive whole number option within [1, max]; `param` names it in the message too. */
export function checkPositiveInt(
  value: unknown,
  param: string,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max) {
    throw invalidInput(
      `${param} must be a whole number from 1 to ${max}, not ${describeValue(value)}`,
      param,
    );
  }
  return n;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** A Date as Zoho writes date-times: `2024-01-31T10:00:00+00:00` (UTC). */
export function toZohoDateTime(value: Date, param = 'date'): string {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw invalidInput('Invalid date', param);
  return (
    `${pad(value.getUTCFullYear(), 4)}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}` +
    `T${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}:${pad(value.getUTCSeconds())}+00:00`
  );
}

/** A Date, epoch ms, or an ISO 8601 string, as a Zoho date-time (for If-Modified-Since and criteria). */
export function checkDateTime(value: unknown, param: string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalidInput(`${param} is an invalid date`, param);
    return toZohoDateTime(value, param);
  }
  if (typeof value === 'number' && Number.isFinite(value))
    return toZohoDateTime(new Date(value), param);
  if (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)
  ) {
    const time = Date.parse(value);
    if (Number.isNaN(time))
      throw invalidInput(`${param} "${value}" is not a valid date-time`, param);
    // Zoho wants an explicit offset and no fractions: normalise `…Z` and `.123` to UTC seconds.
    return /Z$|\.\d/.test(value) ? toZohoDateTime(new Date(time), param) : value;
  }
  throw invalidInput(
    `${param} must be a Date or an ISO 8601 date-time like 2024-01-31T10:00:00+00:00, not ${describeValue(value)}`,
    param,
  );
}
