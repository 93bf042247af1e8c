/**
 * Bulk Read's JSON criteria (OAS bulk_read.json `Criteria`): `{ api_name, comparator, value }`
 * or `{ group_operator: and|or, group: [...] }`, compiled to a record test with the typed
 * comparisons search and COQL share (compare.ts).
 */
import { coerce, comparable, kindOf, test, type Op, type Scalar } from './compare';
import type { ModuleDef, StoredRecord } from './types';
import { isObject } from './util';

export class BulkCriteriaError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The OAS `Criteria.comparator` enum, to the shared comparison operators. */
const COMPARATORS: Record<string, Op> = {
  equal: 'eq',
  not_equal: 'ne',
  in: 'in',
  not_in: 'not_in',
  greater_than: 'gt',
  greater_equal: 'ge',
  less_than: 'lt',
  less_equal: 'le',
  between: 'between',
  not_between: 'not_between',
  starts_with: 'starts',
  contains: 'like',
  not_contains: 'not_like',
  ends_with: 'like',
};

type Test = (rec: StoredRecord) => boolean;

export function compileBulkCriteria(def: ModuleDef, input: unknown, depth = 0): Test {
  if (!isObject(input) || depth > 10) {
    throw new BulkCriteriaError('INVALID_CRITERIA', 'invalid criteria');
  }
  if (input.group !== undefined) {
    const op = input.group_operator;
    if (op !== 'and' && op !== 'or') {
      throw new BulkCriteriaError('GROUP_OPERATOR_NOT_SUPPORTED', 'group operator not supported');
    }
    if (!Array.isArray(input.group) || input.group.length < 2) {
      throw new BulkCriteriaError('AMBIGUOUS_GROUP_IN_CRITERIA', 'a group needs two criteria');
    }
    const parts = input.group.map((g) => compileBulkCriteria(def, g, depth + 1));
    return op === 'and' ? (rec) => parts.every((p) => p(rec)) : (rec) => parts.some((p) => p(rec));
  }
  const name = input.api_name ?? (isObject(input.field) ? input.field.api_name : undefined);
  const field = def.fields.find((f) => f.api_name === name);
  if (!field) {
    throw new BulkCriteriaError('FIELD_NOT_AVAILABLE', 'field not available', {
      api_name: String(name),
      module: def.api_name,
    });
  }
  const comparator = typeof input.comparator === 'string' ? input.comparator : '';
  const op = COMPARATORS[comparator];
  if (!op) {
    throw new BulkCriteriaError('INVALID_CRITERIA', 'invalid comparator', { api_name: name });
  }
  const kind = kindOf(field);
  const raw: unknown[] = Array.isArray(input.value) ? input.value : [input.value];
  const values = raw.map((v) =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
      ? coerce(kind, v)
      : undefined,
  );
  if (values.some((v) => v === undefined) || values.length === 0) {
    throw new BulkCriteriaError('FIELD_AND_VALUE_IN_CRITERIA_NOT_COMPATIBLE', 'value mismatch', {
      api_name: name,
    });
  }
  let scalars = values as Scalar[];
  if (comparator === 'contains' || comparator === 'not_contains') {
    scalars = [`%${String(scalars[0])}%`];
  } else if (comparator === 'ends_with') scalars = [`%${String(scalars[0])}`];
  const apiName = field.api_name;
  return (rec) => test(op, comparable(kind, rec.data[apiName]), scalars);
}
