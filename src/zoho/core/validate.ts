/**
 * Input checks shared by the client functions and the nodes. Every check throws a ZohoError
 * with code INVALID_INPUT and a message that says what to fix, before any request is sent.
 */
import { invalidInput } from './errors';

/** Zoho module API names: a letter, then letters, digits and underscores, at most 50. */
export const MODULE_NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,49}$/;
/** Zoho record ids are digits (19 at most); never anything else reaches a URL path. */
export const RECORD_ID_RE = /^\d{1,19}$/;
/** Field API names in `fields`, `sort_by` and criteria: letters, digits, `_`, `$`, `.` (lookups). */
export const FIELD_NAME_RE = /^[A-Za-z$][A-Za-z0-9_$.]{0,99}$/;

export type CrmRecordInput = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (Buffer.isBuffer(value)) return 'a Buffer';
  if (typeof value === 'string')
    return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return `a ${typeof value}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  if (Buffer.isBuffer(value) || value instanceof Date) return false;
  // Objects built in a Node-RED function node come from another realm, with another
  // Object.prototype: accept any object whose prototype is some realm's Object.prototype.
  if (Object.prototype.toString.call(value) !== '[object Object]') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** A module API name such as `Leads` or `Custom_Module1`. */
export function checkModule(value: unknown): string {
  if (value === undefined || value === null || value === '') {
    throw invalidInput('No module given: set the module (e.g. "Leads") in the node or msg.module');
  }
  if (typeof value !== 'string' || !MODULE_NAME_RE.test(value)) {
    throw invalidInput(
      `${describe(value)} is not a Zoho module API name: use the API name, e.g. "Leads" or "Custom_Module1"`,
    );
  }
  return value;
}

/** A Zoho record id: 1–19 digits. Numbers are accepted only when they are exact integers. */
export function checkRecordId(value: unknown, what = 'record id'): string {
  if (value === undefined || value === null || value === '') {
    throw invalidInput(`No ${what} given`);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw invalidInput(
        `The ${what} ${value} is not exact as a number: pass Zoho ids as strings (they exceed JavaScript's safe integers)`,
      );
    }
    value = String(value);
  } else if (typeof value === 'bigint') {
    value = value.toString();
  }
  if (typeof value !== 'string' || !RECORD_ID_RE.test(value)) {
    throw invalidInput(`${describe(value)} is not a Zoho ${what}: Zoho ids are 1 to 19 digits`);
  }
  return value;
}

/** Ids as an array, a single id, or a comma-separated string; at least one. */
export function checkRecordIds(value: unknown, what = 'record id'): string[] {
  let list: unknown[];
  if (Array.isArray(value)) list = value;
  else if (typeof value === 'string') list = value.split(',').map((s) => s.trim());
  else if (value === undefined || value === null) list = [];
  else list = [value];
  if (list.length === 0 || (list.length === 1 && list[0] === '')) {
    throw invalidInput(`No ${what}s given`);
  }
  return list.map((id, i) => {
    try {
      return checkRecordId(id, what);
    } catch (e) {
      throw invalidInput(`Item ${i}: ${(e as Error).message}`, what, { index: i });
    }
  });
}

/** One record to write: a plain object. */
export function checkRecord(value: unknown, index?: number): CrmRecordInput {
  if (!isPlainObject(value)) {
    const where = index === undefined ? 'The record' : `Record ${index}`;
    throw invalidInput(
      `${where} is ${describe(value)}: a record must be an object of field API names to values`,
      'payload',
      index === undefined ? undefined : { index },
    );
  }
  return value;
}

/** A record or an array of records; at least one. */
export function checkRecords(value: unknown): CrmRecordInput[] {
  if (value === undefined || value === null) {
    throw invalidInput('No records given: put a record or an array of records in msg.payload');
  }
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw invalidInput('The array of records is empty');
  return list.map((r, i) => checkRecord(r, Array.isArray(value) ? i : undefined));
}

/** Field API names for `fields=`; an array or a comma-separated string. */
export function checkFieldNames(value: unknown, what = 'field'): string[] {
  const list = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : undefined;
  if (!list) throw invalidInput(`The ${what} names must be an array or a comma-separated string`);
  for (const name of list) {
    if (typeof name !== 'string' || !FIELD_NAME_RE.test(name)) {
      throw invalidInput(`${describe(name)} is not a Zoho field API name`);
    }
  }
  return list as string[];
}

/** The part of Zoho's field metadata (settings/fields) these checks read. */
export interface FieldMeta {
  api_name: string;
  data_type: string;
}

const SINGLE_LOOKUPS = new Set(['lookup', 'ownerlookup', 'userlookup']);

/**
 * A lookup field needs `{ id: "…" }`; a plain string (a name, or an id without the wrapper)
 * is refused with the fix in the message. Fields without metadata are not checked.
 */
export function checkLookupFields(
  records: readonly CrmRecordInput[],
  fields: readonly FieldMeta[],
): void {
  const lookups = new Map<string, string>();
  for (const f of fields) if (SINGLE_LOOKUPS.has(f.data_type)) lookups.set(f.api_name, f.data_type);
  if (lookups.size === 0) return;
  records.forEach((record, index) => {
    for (const [name, value] of Object.entries(record)) {
      if (!lookups.has(name) || value === null || value === undefined) continue;
      if (typeof value === 'string' || typeof value === 'number') {
        throw invalidInput(
          `Record ${index}: ${name} is a lookup field and needs an object with the related record's id, e.g. { "${name}": { "id": "4150868000000224005" } }, not ${describe(value)}`,
          'payload',
          { index, field: name },
        );
      }
      if (!isPlainObject(value)) {
        throw invalidInput(
          `Record ${index}: ${name} is a lookup field and needs { "id": "…" }, not ${describe(value)}`,
          'payload',
          {
            index,
            field: name,
          },
        );
      }
    }
  });
}

/** A positive integer option within [1, max]. */
export function checkPositiveInt(
  value: unknown,
  what: string,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max) {
    throw invalidInput(`${what} must be a whole number from 1 to ${max}, not ${describe(value)}`);
  }
  return n;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** A Date as Zoho writes date-times: `2024-01-31T10:00:00+00:00` (UTC). */
export function toZohoDateTime(value: Date): string {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw invalidInput('Invalid date');
  return (
    `${pad(value.getUTCFullYear(), 4)}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}` +
    `T${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}:${pad(value.getUTCSeconds())}+00:00`
  );
}

/** A Date, epoch ms, or an ISO 8601 string, as a Zoho date-time (for If-Modified-Since and criteria). */
export function checkDateTime(value: unknown, what: string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalidInput(`${what} is an invalid date`);
    return toZohoDateTime(value);
  }
  if (typeof value === 'number' && Number.isFinite(value)) return toZohoDateTime(new Date(value));
  if (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)
  ) {
    const time = Date.parse(value);
    if (Number.isNaN(time)) throw invalidInput(`${what} "${value}" is not a valid date-time`);
    // Zoho wants an explicit offset and no fractions: normalise `…Z` and `.123` to UTC seconds.
    return /Z$|\.\d/.test(value) ? toZohoDateTime(new Date(time)) : value;
  }
  throw invalidInput(
    `${what} must be a Date or an ISO 8601 date-time like 2024-01-31T10:00:00+00:00, not ${describe(value)}`,
  );
}
