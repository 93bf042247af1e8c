/**
 * COQL parser: a tokenizer and a recursive-descent parser for the subset of CRM Object Query
 * Language the pack uses:
 *
 *   SELECT item[, item…] FROM Module [WHERE cond] [GROUP BY col[, …]]
 *   [ORDER BY col [ASC|DESC][, …]] [LIMIT n | LIMIT offset, n | LIMIT n OFFSET m]
 *
 * item: col or COUNT|SUM|MAX|MIN|AVG(col), either with [AS alias]. A column is a field api name,
 * dotted through lookups, bare or single-quoted (Zoho quotes reserved words and dotted columns:
 * "Kaizen #171 - FAQs on COQL API", help.zoho.com; the v8 COQL-Joins page).
 *
 * cond: comparisons (= != <> < > <= >=), [NOT] LIKE, [NOT] IN (…), IS [NOT] NULL,
 * [NOT] BETWEEN a AND b, joined with AND / OR and parentheses. Strings are single-quoted with
 * `\'` (or `''`) for a quote. Keywords are case-insensitive.
 */
import type { Op } from './compare';
import { CoqlError } from './coql-error';
import { KEYWORDS, syntax, tokenize, type Token } from './coql-lexer';

export { CoqlError } from './coql-error';
export { PARSE_ERROR_MESSAGE, tokenize } from './coql-lexer';

export type Literal = string | number | boolean | null;

export type Where =
  | { kind: 'and' | 'or'; left: Where; right: Where }
  | { kind: 'cond'; column: string; op: Op; operator: string; values: Literal[] };

/** COQL's aggregate functions (v8 COQL overview: SUM, MAX, MIN, AVG and COUNT). */
export type AggregateFn = 'count' | 'sum' | 'max' | 'min' | 'avg';
const AGGREGATES = new Set<string>(['count', 'sum', 'max', 'min', 'avg']);

export interface SelectItem {
  column: string;
  fn?: AggregateFn;
  alias?: string;
}

export interface Query {
  /** Every item of the SELECT list, in order. */
  select: SelectItem[];
  /** The plain (not aggregated) columns of the SELECT list. */
  columns: string[];
  groupBy: string[];
  module: string;
  where?: Where;
  orderBy: { column: string; desc: boolean }[];
  limit?: number;
  offset?: number;
}

const missingClause = (clause: string): CoqlError =>
  new CoqlError('SYNTAX_ERROR', 'missing clause', { clause });

const COMPARATORS: Record<string, Op> = {
  '=': 'eq',
  '!=': 'ne',
  '<>': 'ne',
  '<': 'lt',
  '>': 'gt',
  '<=': 'le',
  '>=': 'ge',
};

export function parseQuery(text: string): Query {
  const tokens = tokenize(text);
  let p = 0;
  const peek = (): Token => tokens[p];
  const next = (): Token => tokens[p++];
  const isKw = (kw: string, t = peek()): boolean => t.type === 'ident' && t.lower === kw;
  const accept = (kw: string): boolean => (isKw(kw) ? (p++, true) : false);
  const expectKw = (kw: string): void => {
    if (!accept(kw)) throw syntax(peek());
  };
  const expectPunct = (ch: string): void => {
    if (peek().type !== 'punct' || peek().text !== ch) throw syntax(peek());
    p++;
  };
  const column = (): string => {
    const t = peek();
    if (t.type === 'string' && typeof t.value === 'string' && t.value !== '') {
      p++;
      return t.value;
    }
    if (t.type !== 'ident' || KEYWORDS.has(t.lower) || t.text.endsWith('.')) throw syntax(t);
    p++;
    return t.text;
  };
  const isPunct = (ch: string, t = peek()): boolean => t.type === 'punct' && t.text === ch;
  const selectItem = (): SelectItem => {
    const t = peek();
    let item: SelectItem;
    if (t.type === 'ident' && AGGREGATES.has(t.lower) && isPunct('(', tokens[p + 1])) {
      p += 2;
      item = { column: column(), fn: t.lower as AggregateFn };
      expectPunct(')');
    } else {
      item = { column: column() };
    }
    if (accept('as')) item.alias = column();
    return item;
  };
  const columnList = (): string[] => {
    const list = [column()];
    while (isPunct(',')) {
      p++;
      list.push(column());
    }
    return list;
  };
  const literal = (): Literal => {
    const t = next();
    if (t.type === 'string' || t.type === 'number') return t.value as string | number;
    if (t.type === 'ident' && (t.lower === 'true' || t.lower === 'false'))
      return t.lower === 'true';
    if (t.type === 'ident' && t.lower === 'null') return null;
    throw syntax(t);
  };

  const condition = (): Where => {
    const col = column();
    const t = peek();
    if (t.type === 'op') {
      p++;
      return {
        kind: 'cond',
        column: col,
        op: COMPARATORS[t.text],
        operator: t.text,
        values: [literal()],
      };
    }
    if (accept('is')) {
      const not = accept('not');
      expectKw('null');
      return {
        kind: 'cond',
        column: col,
        op: not ? 'not_null' : 'is_null',
        operator: not ? 'is not null' : 'is null',
        values: [],
      };
    }
    const not = accept('not');
    if (accept('like')) {
      const v = literal();
      if (typeof v !== 'string') throw syntax(tokens[p - 1]);
      return {
        kind: 'cond',
        column: col,
        op: not ? 'not_like' : 'like',
        operator: not ? 'not like' : 'like',
        values: [v],
      };
    }
    if (accept('in')) {
      expectPunct('(');
      const values = [literal()];
      while (peek().text === ',' && peek().type === 'punct') {
        p++;
        values.push(literal());
      }
      expectPunct(')');
      return {
        kind: 'cond',
        column: col,
        op: not ? 'not_in' : 'in',
        operator: not ? 'not in' : 'in',
        values,
      };
    }
    if (accept('between')) {
      const a = literal();
      expectKw('and');
      const b = literal();
      return {
        kind: 'cond',
        column: col,
        op: not ? 'not_between' : 'between',
        operator: not ? 'not between' : 'between',
        values: [a, b],
      };
    }
    throw syntax(peek());
  };

  const primary = (): Where => {
    if (peek().type === 'punct' && peek().text === '(') {
      p++;
      const inner = orExpr();
      expectPunct(')');
      return inner;
    }
    return condition();
  };
  const andExpr = (): Where => {
    let left = primary();
    while (accept('and')) left = { kind: 'and', left, right: primary() };
    return left;
  };
  const orExpr = (): Where => {
    let left = andExpr();
    while (accept('or')) left = { kind: 'or', left, right: andExpr() };
    return left;
  };
  const integer = (): number => {
    const t = next();
    if (t.type !== 'number' || !Number.isInteger(t.value) || (t.value as number) < 0) {
      throw syntax(t);
    }
    return t.value as number;
  };

  if (!accept('select')) {
    if (peek().type === 'eof') throw missingClause('select');
    throw syntax(peek());
  }
  const select = [selectItem()];
  while (isPunct(',')) {
    p++;
    select.push(selectItem());
  }
  if (!accept('from')) {
    if (peek().type === 'eof') throw missingClause('from');
    throw syntax(peek());
  }
  const module = column();
  const columns = select.filter((s) => !s.fn).map((s) => s.column);
  const query: Query = { select, columns, groupBy: [], module, orderBy: [] };
  if (accept('where')) query.where = orExpr();
  if (accept('group')) {
    expectKw('by');
    query.groupBy = columnList();
  }
  if (accept('order')) {
    expectKw('by');
    do {
      const col = column();
      const desc = accept('desc');
      if (!desc) accept('asc');
      query.orderBy.push({ column: col, desc });
    } while (peek().type === 'punct' && peek().text === ',' && (p++, true));
  }
  if (accept('limit')) {
    const first = integer();
    if (peek().type === 'punct' && peek().text === ',') {
      p++;
      query.offset = first;
      query.limit = integer();
    } else {
      query.limit = first;
      if (accept('offset')) query.offset = integer();
    }
  } else if (accept('offset')) {
    query.offset = integer();
  }
  if (peek().type !== 'eof') throw syntax(peek());
  return query;
}
