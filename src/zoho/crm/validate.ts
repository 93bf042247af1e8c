/**
 * Input checks of Zoho CRM: module and field API names, records to write and lookup fields.
 * Each throws a ZohoError with code INVALID_INPUT and the option at fault in `param`, before
 * any request is sent.
 */
import { invalidInput } from '../core/errors';
import { describeValue, isPlainObject } from '../core/validate';

/** Zoho module API names: a letter, then letters, digits and underscores, at most 50. */
export const MODULE_NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,49}$/;
/** Field API names in `fields`, `sort_by` and criteria: letters, digits, `_`, `$`, `.` (lookups). */
export const FIELD_NAME_RE = /^[A-Za-z$][A-Za-z0-9_$.]{0,99}$/;

/** One record to write: field API names to values. */
export type CrmRecordInput = Record<string, unknown>;

/** A module API name such as `Leads` or `Custom_Module1`. */
export function checkModule(value: unknown, param = 'module'): string {
  if (value === undefined || value === null || value === '') {
    throw invalidInput('No module given: name a module by its API name, e.g. "Leads"', param);
  }
  if (typeof value !== 'string' || !MODULE_NAME_RE.test(value)) {
    throw invalidInput(
      `${describeValue(value)} is not a Zoho module API name: use the API name, e.g. "Leads" or "Custom_Module1"`,
      param,
    );
  }
  return value;
}

/** One record to write: a plain object. */
export function checkRecord(value: unknown, index?: number, param = 'records'): CrmRecordInput {
  if (!isPlainObject(value)) {
    const where = index === undefined ? 'The record' : `Record ${index}`;
    throw invalidInput(
      `${where} is ${describeValue(value)}: a record must be an object of field API names to values`,
      param,
      index === undefined ? undefined : { index },
    );
  }
  return value;
}

/** A record or an array of records; at least one. */
export function checkRecords(value: unknown, param = 'records'): CrmRecordInput[] {
  if (value === undefined || value === null) {
    throw invalidInput('No records given: pass a record or an array of records', param);
  }
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw invalidInput('The array of records is empty', param);
  return list.map((r, i) => checkRecord(r, Array.isArray(value) ? i : undefined, param));
}

/** Field API names for `fields=`; an array or a comma-separated string. */
export function checkFieldNames(value: unknown, param = 'fields', what = 'field'): string[] {
  const list: unknown[] | undefined = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : undefined;
  if (!list)
    throw invalidInput(`The ${what} names must be an array or a comma-separated string`, param);
  for (const name of list) {
    if (typeof name !== 'string' || !FIELD_NAME_RE.test(name)) {
      throw invalidInput(`${describeValue(name)} is not a Zoho field API name`, param);
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
          `Record ${index}: ${name} is a lookup field and needs an object with the related record's id, e.g. { "${name}": { "id": "4150868000000224005" } }, not ${describeValue(value)}`,
          'records',
          { index, field: name },
        );
      }
      if (!isPlainObject(value)) {
        throw invalidInput(
          `Record ${index}: ${name} is a lookup field and needs { "id": "…" }, not ${describeValue(value)}`,
          'records',
          { index, field: name },
        );
      }
    }
  });
}
