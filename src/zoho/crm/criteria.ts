/**
 * Zoho CRM search criteria: builds and escapes the `(Field:operator:value)` strings of
 * `/search?criteria=`, refusing anything Zoho would misread.
 */
import { invalidInput } from '../core/errors';
import { isPlainObject, toZohoDateTime } from '../core/validate';
import { FIELD_NAME_RE } from './validate';

export type CriteriaOperator =
  | 'equals'
  | 'not_equal'
  | 'starts_with'
  | 'in'
  | 'greater_than'
  | 'less_than'
  | 'greater_equal'
  | 'less_equal'
  | 'between';

export const CRITERIA_OPERATORS: readonly CriteriaOperator[] = [
  'equals',
  'not_equal',
  'starts_with',
  'in',
  'greater_than',
  'less_than',
  'greater_equal',
  'less_equal',
  'between',
];

export type CriteriaScalar = string | number | boolean | Date;

export interface CriteriaCondition {
  field: string;
  /** Default `equals` (`in` when value is an array). */
  op?: CriteriaOperator;
  value: CriteriaScalar | CriteriaScalar[];
}

export type Criteria =
  | CriteriaCondition
  | { and: Criteria[] }
  | { or: Criteria[] }
  | [string, CriteriaOperator, CriteriaScalar | CriteriaScalar[]]
  | Criteria[]
  | { [field: string]: CriteriaScalar | CriteriaScalar[] };

/** Escapes a value for Zoho's criteria syntax: `(`, `)`, `,` and `\` get a backslash. */
export function escapeCriteriaValue(value: string): string {
  return value.replace(/[\\(),]/g, (c) => `\\${c}`);
}

function criteriaScalar(value: unknown, field: string): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw invalidInput(`Criteria value of ${field} must be a finite number`, 'criteria');
    text = String(value);
  } else if (typeof value === 'boolean') text = String(value);
  else if (value instanceof Date) text = toZohoDateTime(value, 'criteria');
  else {
    throw invalidInput(
      `Criteria value of ${field} must be a string, number, boolean or Date, not ${value === null ? 'null' : typeof value}`,
      'criteria',
    );
  }
  if (text === '') throw invalidInput(`Criteria value of ${field} is empty`, 'criteria');
  return escapeCriteriaValue(text);
}

function condition(field: unknown, op: unknown, value: unknown): string {
  if (typeof field !== 'string' || !FIELD_NAME_RE.test(field)) {
    throw invalidInput(`"${String(field)}" is not a field API name for the criteria`, 'criteria');
  }
  const operator = (op ?? (Array.isArray(value) ? 'in' : 'equals')) as CriteriaOperator;
  if (!CRITERIA_OPERATORS.includes(operator)) {
    throw invalidInput(
      `Unknown criteria operator "${String(op)}": use ${CRITERIA_OPERATORS.join(', ')}`,
      'criteria',
    );
  }
  let rendered: string;
  if (operator === 'in' || operator === 'between') {
    const list = Array.isArray(value) ? value : operator === 'in' ? [value] : [];
    if (operator === 'between' && list.length !== 2)
      throw invalidInput(`between on ${field} needs two values [from, to]`, 'criteria');
    if (list.length === 0)
      throw invalidInput(`in on ${field} needs at least one value`, 'criteria');
    rendered = list.map((v) => criteriaScalar(v, field)).join(',');
  } else {
    if (Array.isArray(value))
      throw invalidInput(
        `${operator} on ${field} takes one value, not an array (use "in")`,
        'criteria',
      );
    rendered = criteriaScalar(value, field);
  }
  return `(${field}:${operator}:${rendered})`;
}

function group(parts: string[], joiner: 'and' | 'or'): string {
  if (parts.length === 0)
    throw invalidInput(`An empty "${joiner}" group in the criteria`, 'criteria');
  return parts.length === 1 ? parts[0] : `(${parts.join(joiner)})`;
}

/**
 * Builds a Zoho search criteria string from an object:
 * `{ field, op, value }`, `[field, op, value]`, `{ and: [...] }`, `{ or: [...] }`, an array (all
 * of), or a shorthand `{ Last_Name: 'Smith', Lead_Source: ['Web', 'Ads'] }` (equals / in, all of).
 */
export function buildCriteria(input: Criteria): string {
  return build(input, 0);
}

function build(input: unknown, depth: number): string {
  if (depth > 20) throw invalidInput('The criteria are nested too deeply', 'criteria');
  if (Array.isArray(input)) {
    if (input.length === 3 && typeof input[0] === 'string' && typeof input[1] === 'string') {
      return condition(input[0], input[1], input[2]);
    }
    return group(
      input.map((c) => build(c, depth + 1)),
      'and',
    );
  }
  if (!isPlainObject(input))
    throw invalidInput('Criteria must be an object, an array or a criteria string', 'criteria');
  const keys = Object.keys(input);
  if (keys.length === 1 && (keys[0] === 'and' || keys[0] === 'or')) {
    const list = input[keys[0]];
    if (!Array.isArray(list))
      throw invalidInput(`"${keys[0]}" needs an array of criteria`, 'criteria');
    return group(
      list.map((c) => build(c, depth + 1)),
      keys[0],
    );
  }
  if ('field' in input) {
    const extra = keys.filter((k) => !['field', 'op', 'operator', 'value'].includes(k));
    if (extra.length) throw invalidInput(`Unknown criteria keys: ${extra.join(', ')}`, 'criteria');
    if (!('value' in input))
      throw invalidInput(`The criteria on ${String(input.field)} has no value`, 'criteria');
    return condition(input.field, input.op ?? input.operator, input.value);
  }
  if (keys.length === 0) throw invalidInput('The criteria object is empty', 'criteria');
  return group(
    keys.map((k) => condition(k, undefined, input[k])),
    'and',
  );
}
