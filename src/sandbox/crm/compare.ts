/**
 * Typed comparison of record values, shared by search criteria and COQL: text compares
 * case-insensitively, numbers as numbers, datetimes as instants, lookups by id.
 */
import { jsonText } from '../body';
import type { FieldDef } from './types';
import { isDate, isObject, parseDateTime } from './util';

export type Op =
  | 'eq'
  | 'ne'
  | 'lt'
  | 'gt'
  | 'le'
  | 'ge'
  | 'starts'
  | 'in'
  | 'not_in'
  | 'between'
  | 'not_between'
  | 'like'
  | 'not_like'
  | 'is_null'
  | 'not_null';

export type Scalar = string | number | boolean;
export type Kind = 'text' | 'number' | 'boolean' | 'date' | 'datetime' | 'id' | 'list';

export function kindOf(field: FieldDef): Kind {
  switch (field.type) {
    case 'integer':
    case 'bigint':
    case 'double':
    case 'currency':
    case 'percent':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'lookup':
    case 'ownerlookup':
      return 'id';
    case 'multiselectpicklist':
    case 'tag':
      return 'list';
    default:
      return 'text';
  }
}

/** Operators each kind of field supports. */
export const OPS_BY_KIND: Record<Kind, Op[]> = {
  text: ['eq', 'ne', 'starts', 'in', 'not_in', 'like', 'not_like', 'is_null', 'not_null'],
  number: ['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'in', 'not_in', 'between', 'not_between'],
  boolean: ['eq', 'ne'],
  date: ['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'in', 'not_in', 'between', 'not_between'],
  datetime: ['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'in', 'not_in', 'between', 'not_between'],
  id: ['eq', 'ne', 'in', 'not_in', 'is_null', 'not_null'],
  list: ['eq', 'ne', 'in', 'not_in', 'like', 'not_like', 'is_null', 'not_null'],
};
for (const ops of Object.values(OPS_BY_KIND)) {
  for (const op of ['is_null', 'not_null'] as Op[]) if (!ops.includes(op)) ops.push(op);
}

/**
 * Converts a query value (a criteria string or a COQL literal) to the field's comparable form;
 * undefined when it does not fit the type.
 */
export function coerce(kind: Kind, v: Scalar): Scalar | undefined {
  switch (kind) {
    case 'number': {
      const n =
        typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      return Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
      if (typeof v === 'boolean') return v;
      return v === 'true' ? true : v === 'false' ? false : undefined;
    case 'date':
      return isDate(v) ? v : undefined;
    case 'datetime':
      return parseDateTime(v);
    case 'id':
      return typeof v === 'string' && /^\d+$/.test(v)
        ? v
        : typeof v === 'number'
          ? String(v)
          : undefined;
    default:
      return typeof v === 'string' ? v.toLowerCase() : String(v).toLowerCase();
  }
}

/** A record's stored value in comparable form (lists as arrays). */
export function comparable(kind: Kind, v: unknown): Scalar | Scalar[] | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  if (kind === 'id') return isObject(v) && typeof v.id === 'string' ? v.id : undefined;
  if (kind === 'list') {
    if (!Array.isArray(v) || v.length === 0) return undefined;
    // Tags compare by name.
    return v.map((x) => String(isObject(x) ? x.name : x).toLowerCase());
  }
  if (kind === 'datetime') return parseDateTime(v);
  if (kind === 'text') return jsonText(v).toLowerCase();
  return v as Scalar;
}

/** SQL LIKE with % (any run) and _ (one character), case-insensitive. */
const likeCache = new Map<string, RegExp>();

export function likeRegExp(pattern: string): RegExp {
  const cached = likeCache.get(pattern);
  if (cached) return cached;
  let re = '';
  for (const ch of pattern.toLowerCase()) {
    if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const compiled = new RegExp(`^${re}$`);
  if (likeCache.size > 500) likeCache.clear();
  likeCache.set(pattern, compiled);
  return compiled;
}

function cmp(a: Scalar, b: Scalar): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `values` are already coerced; `like` patterns are kept as lower-case strings. */
export function test(op: Op, actual: Scalar | Scalar[] | undefined, values: Scalar[]): boolean {
  if (op === 'is_null') return actual === undefined;
  if (op === 'not_null') return actual !== undefined;
  if (actual === undefined) return op === 'ne' || op === 'not_in' || op === 'not_like';
  if (Array.isArray(actual)) {
    const any = (pred: (x: Scalar) => boolean): boolean => actual.some(pred);
    switch (op) {
      case 'eq':
      case 'in':
        return any((x) => values.includes(x));
      case 'ne':
      case 'not_in':
        return !any((x) => values.includes(x));
      case 'like':
        return any((x) => likeRegExp(String(values[0])).test(String(x)));
      case 'not_like':
        return !any((x) => likeRegExp(String(values[0])).test(String(x)));
      default:
        return false;
    }
  }
  switch (op) {
    case 'eq':
    case 'in':
      return values.some((v) => cmp(actual, v) === 0);
    case 'ne':
    case 'not_in':
      return values.every((v) => cmp(actual, v) !== 0);
    case 'lt':
      return cmp(actual, values[0]) < 0;
    case 'gt':
      return cmp(actual, values[0]) > 0;
    case 'le':
      return cmp(actual, values[0]) <= 0;
    case 'ge':
      return cmp(actual, values[0]) >= 0;
    case 'between':
      return cmp(actual, values[0]) >= 0 && cmp(actual, values[1]) <= 0;
    case 'not_between':
      return cmp(actual, values[0]) < 0 || cmp(actual, values[1]) > 0;
    case 'starts':
      return values.some((v) => String(actual).startsWith(String(v)));
    case 'like':
      return likeRegExp(String(values[0])).test(String(actual));
    case 'not_like':
      return !likeRegExp(String(values[0])).test(String(actual));
  }
  return false;
}
