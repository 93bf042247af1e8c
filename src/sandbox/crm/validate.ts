/**
 * Per-record validation as Zoho does it on insert, update and upsert: mandatory fields, data
 * types, lookups that must point at existing records, and unique fields.
 */
import type { CrmStore } from './store';
import type { FieldDef, ModuleDef, RecordData } from './types';
import { isDate, isObject, isZohoId, parseDateTime } from './util';

export interface RecordError {
  code: 'MANDATORY_NOT_FOUND' | 'INVALID_DATA' | 'DUPLICATE_DATA';
  details: Record<string, unknown>;
  message: string;
  status: 'error';
}

export type Validated =
  { ok: true; data: RecordData; fields: string[] } | { ok: false; error: RecordError };

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const EXPECTED: Partial<Record<FieldDef['type'], string>> = {
  lookup: 'jsonobject',
  ownerlookup: 'jsonobject',
  multiselectpicklist: 'jsonarray',
  tag: 'jsonarray',
  currency: 'double',
  percent: 'double',
  textarea: 'text',
  website: 'text',
  picklist: 'text',
};

export function recordError(
  code: RecordError['code'],
  message: string,
  details: Record<string, unknown>,
): RecordError {
  return { code, details, message, status: 'error' };
}

const blank = (v: unknown): boolean => v === null || v === undefined || v === '';

/** Tag names are 1 to 25 characters (OAS tags.json, Tag.name maxLength 25). */
export const TAG_NAME_MAX = 25;

function isTagInput(x: unknown): x is { name: string } {
  return (
    isObject(x) &&
    typeof x.name === 'string' &&
    x.name.trim() !== '' &&
    x.name.length <= TAG_NAME_MAX
  );
}

/**
 * A record's tags as Zoho keeps them: each `{ name, id, color_code }`, the same id for the same
 * name across records (OAS record.json: Tag is an array of tags.json Tag; Zoho's Node SDK
 * @zohocrm/nodejs-sdk-8.0 lib/config/json_details.json, record.tag: a List of tags/tag). The
 * colour is null until set in the CRM (Tag.color_code is nullable).
 */
function storedTags(v: unknown, store: CrmStore): unknown {
  if (!Array.isArray(v)) return v;
  return v.map((x) => {
    const name = (x as { name: string }).name.trim();
    return { name, id: store.tagId(name), color_code: null };
  });
}

/** Type check of one value; returns the error message or undefined when fine. */
function typeError(field: FieldDef, v: unknown, store: CrmStore): string | undefined {
  if (v === null) return undefined;
  const bad = 'invalid data';
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'phone':
    case 'website':
    case 'picklist':
    case 'autonumber':
      if (typeof v !== 'string') return bad;
      return field.length !== undefined && v.length > field.length ? bad : undefined;
    case 'email':
      return typeof v === 'string' && (v === '' || EMAIL_RE.test(v)) ? undefined : bad;
    case 'integer':
      return Number.isInteger(v) && Math.abs(v as number) <= 2147483647 ? undefined : bad;
    case 'bigint':
      return Number.isSafeInteger(v) || (typeof v === 'string' && /^-?\d{1,18}$/.test(v))
        ? undefined
        : bad;
    case 'double':
    case 'currency':
    case 'percent':
      return typeof v === 'number' && Number.isFinite(v) ? undefined : bad;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : bad;
    case 'date':
      return isDate(v) ? undefined : bad;
    case 'datetime':
      return parseDateTime(v) !== undefined ? undefined : bad;
    case 'multiselectpicklist':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : bad;
    case 'tag':
      return Array.isArray(v) && v.every(isTagInput) ? undefined : bad;
    case 'ownerlookup':
      if (!isObject(v) || !isZohoId(v.id)) return bad;
      return store.user(v.id) ? undefined : 'the id given seems to be invalid';
    case 'lookup': {
      if (!isObject(v) || !isZohoId(v.id)) return bad;
      const target = field.lookup === '*' ? store.find(v.id) : store.get(field.lookup ?? '', v.id);
      return target ? undefined : 'the related id given seems to be invalid';
    }
  }
}

/**
 * Checks one input record. `existingId` is set on updates: mandatory fields then only need to
 * stay non-blank, and a unique value may repeat on the record itself. `batch` holds values of
 * unique fields already taken by earlier records of the same request.
 */
export function validateRecord(
  def: ModuleDef,
  input: unknown,
  index: number,
  store: CrmStore,
  existingId: string | undefined,
  batch: Map<string, Set<string>>,
): Validated {
  const path = (api: string): string => `$.data[${index}].${api}`;
  if (!isObject(input)) {
    return {
      ok: false,
      error: recordError('INVALID_DATA', 'invalid data', {
        expected_data_type: 'jsonobject',
        api_name: 'data',
        json_path: `$.data[${index}]`,
      }),
    };
  }
  const data: RecordData = {};
  const fields: string[] = [];
  const claimed: [string, string][] = [];
  for (const field of def.fields) {
    const present = Object.prototype.hasOwnProperty.call(input, field.api_name);
    const v = input[field.api_name];
    if (field.mandatory && blank(v) && (present || existingId === undefined)) {
      return {
        ok: false,
        error: recordError('MANDATORY_NOT_FOUND', 'required field not found', {
          api_name: field.api_name,
          json_path: path(field.api_name),
        }),
      };
    }
    // Zoho ignores system fields and field names it does not know.
    if (!present || field.readOnly) continue;
    const problem = typeError(field, v, store);
    if (problem) {
      return {
        ok: false,
        error: recordError('INVALID_DATA', problem, {
          expected_data_type: EXPECTED[field.type] ?? field.type,
          api_name: field.api_name,
          json_path: path(field.api_name),
        }),
      };
    }
    if (field.unique && !blank(v)) {
      const key = String(v).toLowerCase();
      const taken = batch.get(field.api_name) ?? new Set<string>();
      const other = store.findUnique(def.api_name, field.api_name, v);
      if ((other && other.id !== existingId) || taken.has(key)) {
        const details: Record<string, unknown> = {
          api_name: field.api_name,
          json_path: path(field.api_name),
        };
        if (other) {
          details.duplicate_record = {
            Owner: other.data.Owner,
            module: { api_name: def.api_name, id: def.id },
            id: other.id,
          };
        }
        return { ok: false, error: recordError('DUPLICATE_DATA', 'duplicate data', details) };
      }
      claimed.push([field.api_name, key]);
    }
    if (field.type === 'tag') data[field.api_name] = storedTags(v, store);
    else
      data[field.api_name] = isObject(v) ? { ...v } : Array.isArray(v) ? [...(v as unknown[])] : v;
    fields.push(field.api_name);
  }
  for (const [field, key] of claimed) {
    batch.set(field, (batch.get(field) ?? new Set<string>()).add(key));
  }
  return { ok: true, data, fields };
}
