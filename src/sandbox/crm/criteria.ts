/**
 * Zoho's search criteria grammar: `(Field:operator:value)` groups joined by `and` / `or`, with
 * nested parentheses. In values, `\(`, `\)`, `\,` and `\\` stand for the literal character;
 * an unescaped comma separates the values of `in` and `between` (and alternatives elsewhere).
 */
import { OPS_BY_KIND, coerce, comparable, kindOf, test, type Op, type Scalar } from './compare';
import type { ModuleDef, RecordData } from './types';

export type Criteria =
  | { kind: 'and' | 'or'; left: Criteria; right: Criteria }
  | { kind: 'cond'; field: string; operator: string; op: Op; values: string[] };

export class CriteriaError extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const OPERATORS: Record<string, Op> = {
  equals: 'eq',
  not_equal: 'ne',
  starts_with: 'starts',
  in: 'in',
  not_in: 'not_in',
  greater_than: 'gt',
  less_than: 'lt',
  greater_equal: 'ge',
  less_equal: 'le',
  between: 'between',
  not_between: 'not_between',
};

/** Zoho allows at most ten conditions in one search. */
export const MAX_CONDITIONS = 10;

export function parseCriteria(text: string): Criteria {
  let pos = 0;
  let conditions = 0;
  const fail = (reason: string): never => {
    throw new CriteriaError(reason, { reason, position: pos });
  };
  const ws = (): void => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const expect = (ch: string): void => {
    ws();
    if (text[pos] !== ch) fail(`expected '${ch}' at position ${pos}`);
    pos++;
  };

  const condition = (): Criteria => {
    const colon1 = text.indexOf(':', pos);
    if (colon1 < 0) fail('condition without operator');
    const field = text.slice(pos, colon1).trim();
    const colon2 = text.indexOf(':', colon1 + 1);
    if (colon2 < 0) fail('condition without value');
    const operator = text.slice(colon1 + 1, colon2).trim();
    if (!/^[A-Za-z0-9_$.]+$/.test(field)) fail(`invalid field name '${field}'`);
    const op = OPERATORS[operator.toLowerCase()];
    if (!op) throw new CriteriaError('invalid operator found', { api_name: field, operator });
    pos = colon2 + 1;
    const values: string[] = [];
    let current = '';
    for (;;) {
      if (pos >= text.length) fail('unterminated condition: missing )');
      const ch = text[pos];
      if (ch === '\\') {
        if (pos + 1 >= text.length) fail('dangling escape character');
        current += text[pos + 1];
        pos += 2;
      } else if (ch === ')') {
        break;
      } else if (ch === ',') {
        values.push(current);
        current = '';
        pos++;
      } else if (ch === '(') {
        fail(`unescaped '(' in the value of ${field}`);
      } else {
        current += ch;
        pos++;
      }
    }
    values.push(current);
    pos++; // ')'
    if (++conditions > MAX_CONDITIONS) fail(`more than ${MAX_CONDITIONS} conditions`);
    return { kind: 'cond', field, operator, op, values };
  };

  const group = (): Criteria => {
    expect('(');
    ws();
    if (text[pos] === '(') {
      const inner = expression();
      expect(')');
      return inner;
    }
    return condition();
  };

  const keyword = (): 'and' | 'or' | undefined => {
    ws();
    const m = /^(and|or)\s*(?=\()/i.exec(text.slice(pos));
    if (!m) return undefined;
    pos += m[0].length;
    return m[1].toLowerCase() as 'and' | 'or';
  };

  // and binds tighter than or, as in Zoho's evaluation of mixed, unparenthesised criteria.
  const conjunction = (): Criteria => {
    let left = group();
    for (;;) {
      const save = pos;
      const k = keyword();
      if (k !== 'and') {
        pos = save;
        return left;
      }
      left = { kind: 'and', left, right: group() };
    }
  };

  const expression = (): Criteria => {
    let left = conjunction();
    for (;;) {
      const save = pos;
      const k = keyword();
      if (k !== 'or') {
        pos = save;
        return left;
      }
      left = { kind: 'or', left, right: conjunction() };
    }
  };

  ws();
  if (pos >= text.length) fail('empty criteria');
  const tree = expression();
  ws();
  if (pos < text.length) fail(`unexpected '${text.slice(pos, pos + 10)}'`);
  return tree;
}

type Matcher = (data: RecordData) => boolean;

/** Checks fields, operators and values against the module, and compiles a predicate. */
export function compileCriteria(tree: Criteria, def: ModuleDef): Matcher {
  if (tree.kind !== 'cond') {
    const l = compileCriteria(tree.left, def);
    const r = compileCriteria(tree.right, def);
    return tree.kind === 'and' ? (d) => l(d) && r(d) : (d) => l(d) || r(d);
  }
  const fieldName = tree.field === 'id' ? 'id' : tree.field;
  const field =
    fieldName === 'id'
      ? { api_name: 'id', type: 'bigint' as const }
      : def.fields.find((f) => f.api_name === fieldName);
  if (!field) {
    throw new CriteriaError('invalid query formed', {
      api_name: tree.field,
      reason: 'the field is not available in the module',
    });
  }
  const kind = fieldName === 'id' ? 'text' : kindOf(field);
  if (!OPS_BY_KIND[kind].includes(tree.op)) {
    throw new CriteriaError('invalid query formed', {
      api_name: tree.field,
      operator: tree.operator,
      reason: 'invalid operator found',
    });
  }
  const wanted = tree.op === 'between' || tree.op === 'not_between' ? 2 : undefined;
  if (wanted !== undefined && tree.values.length !== wanted) {
    throw new CriteriaError('invalid query formed', {
      api_name: tree.field,
      operator: tree.operator,
      reason: 'between needs two values',
    });
  }
  const values: Scalar[] = tree.values.map((raw) => {
    const v = coerce(kind, raw);
    if (v === undefined) {
      throw new CriteriaError('invalid query formed', {
        api_name: tree.field,
        reason: `the value '${raw}' does not fit the field's data type`,
        expected_data_type: field.type,
      });
    }
    return v;
  });
  const op = tree.op;
  return (d) => test(op, comparable(kind, d[fieldName]), values);
}
