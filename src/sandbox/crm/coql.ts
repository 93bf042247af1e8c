/**
 * COQL evaluation: resolves columns (lookup paths in coql-columns.ts), checks operators and
 * values against field types, applies Zoho's limits, and runs the query over the store
 * (aggregates and GROUP BY in coql-aggregate.ts).
 */
import { OPS_BY_KIND, coerce, comparable, test, type Kind, type Scalar } from './compare';
import { aggregateRows, checkAggregates, isAggregate } from './coql-aggregate';
import {
  answerValue,
  columnValue,
  compareKeys,
  resolveColumn,
  sortKey,
  type Column,
  type Plan,
  type Predicate,
  type Selected,
} from './coql-columns';
import { CoqlError, parseQuery, type Literal, type Query, type Where } from './coql-parse';
import { firstMatches } from './coql-walk';
import type { CrmStore } from './store';
import type { ModuleDef, RecordData, StoredRecord } from './types';

export { CoqlError, parseQuery } from './coql-parse';

export const COQL_MAX_LIMIT = 2000;
export const COQL_DEFAULT_LIMIT = 200;
/** offset + limit may reach at most 100,000 records (v8). */
export const COQL_MAX_ROWS = 100000;
export const COQL_MAX_CRITERIA = 25;
/**
 * Values in one `in (…)` / `not in (…)`: 100 since API v7 (Zoho, "Kaizen #183 - COQL API's
 * Enhancements in Zoho CRM API Version 7", help.zoho.com community; the v2–v6 COQL-Limitations
 * pages say 50). Over it Zoho answers LIMIT_EXCEEDED; the details shape is unverified.
 */
export const COQL_MAX_IN_VALUES = 100;
/**
 * Columns in one SELECT: 500 since API v7 (the same Kaizen #183 post: "up to 500 fields in a
 * single query. Previously, the limit was 50"). Over it: LIMIT_EXCEEDED (details unverified).
 */
export const COQL_MAX_COLUMNS = 500;

export interface CoqlResult {
  data: RecordData[];
  info: { count: number; more_records: boolean };
}

/** Kinds whose value is empty exactly when it is null, undefined or '' (see comparable()). */
const PLAIN_EMPTINESS = new Set<Kind>(['text', 'number', 'boolean', 'date']);

function compile(store: CrmStore, def: ModuleDef, where: Where, count: { n: number }): Predicate {
  if (where.kind !== 'cond') {
    const l = compile(store, def, where.left, count);
    const r = compile(store, def, where.right, count);
    return where.kind === 'and' ? (x) => l(x) && r(x) : (x) => l(x) || r(x);
  }
  if (++count.n > COQL_MAX_CRITERIA) {
    throw new CoqlError('LIMIT_EXCEEDED', 'limit exceeded', {
      by: 'criteria',
      limit: COQL_MAX_CRITERIA,
    });
  }
  const col = resolveColumn(store, def, where.column, 'where');
  if (!OPS_BY_KIND[col.kind].includes(where.op)) {
    throw new CoqlError('INVALID_QUERY', 'invalid query formed', {
      column_name: where.column,
      operator: where.operator,
      reason: 'invalid operator found',
    });
  }
  if (where.values.length > COQL_MAX_IN_VALUES) {
    throw new CoqlError('LIMIT_EXCEEDED', 'limit exceeded', {
      by: 'in',
      limit: COQL_MAX_IN_VALUES,
    });
  }
  const values: Scalar[] = where.values.map((lit: Literal) => {
    const v = lit === null ? undefined : coerce(col.kind, lit);
    if (v === undefined) {
      throw new CoqlError('INVALID_QUERY', 'value given seems to be invalid for the column', {
        column_name: where.column,
        expected_data_type: col.field.type,
      });
    }
    return v;
  });
  const { op } = where;
  const plainEmptiness =
    PLAIN_EMPTINESS.has(col.kind) && col.via.length === 0 && col.field.api_name !== 'id';
  if ((op === 'is_null' || op === 'not_null') && plainEmptiness) {
    // Same answer as comparable() for these kinds without lower-casing every value: a page walk
    // tests each record once, so this test sets the cost of a fresh walk.
    const wantEmpty = op === 'is_null';
    const name = col.field.api_name;
    return (rec) => {
      const v = rec.data[name];
      return (v === null || v === undefined || v === '') === wantEmpty;
    };
  }
  return (rec) => test(op, comparable(col.kind, columnValue(store, rec, col)), values);
}

function checkPage(query: Query): { limit: number; offset: number } {
  const limit = query.limit ?? COQL_DEFAULT_LIMIT;
  const offset = query.offset ?? 0;
  if (limit > COQL_MAX_LIMIT) {
    throw new CoqlError('LIMIT_EXCEEDED', 'limit exceeded', { by: 'limit', limit: COQL_MAX_LIMIT });
  }
  if (limit < 1) {
    throw new CoqlError('INVALID_QUERY', 'invalid query formed', {
      clause: 'limit',
      reason: 'limit must be at least 1',
    });
  }
  if (offset + limit > COQL_MAX_ROWS) {
    throw new CoqlError('LIMIT_EXCEEDED', 'limit exceeded', { by: 'offset', limit: COQL_MAX_ROWS });
  }
  return { limit, offset };
}

function planSelect(store: CrmStore, def: ModuleDef, query: Query): Selected[] {
  if (query.select.length > COQL_MAX_COLUMNS) {
    throw new CoqlError('LIMIT_EXCEEDED', 'limit exceeded', {
      by: 'select',
      limit: COQL_MAX_COLUMNS,
    });
  }
  const keys = new Set<string>();
  return query.select.map((item) => {
    const col = resolveColumn(store, def, item.column, 'select');
    const key = item.alias ?? (item.fn ? `${item.fn.toUpperCase()}(${item.column})` : item.column);
    if (item.alias !== undefined && keys.has(key)) {
      // DUPLICATE_ALIAS is one of coql.json's 400 answers; its details are unverified.
      throw new CoqlError('DUPLICATE_ALIAS', 'duplicate alias found', { alias: item.alias });
    }
    keys.add(key);
    return { col, fn: item.fn, key };
  });
}

function planOrder(store: CrmStore, def: ModuleDef, query: Query): Column[] {
  const seen = new Set<string>();
  return query.orderBy.map((o) => {
    if (seen.has(o.column)) {
      throw new CoqlError('DUPLICATE_DATA', 'duplicate data', {
        clause: 'order by',
        column_name: o.column,
      });
    }
    seen.add(o.column);
    return resolveColumn(store, def, o.column, 'order by');
  });
}

/** Validates the query against the module's metadata without running it. */
export function plan(store: CrmStore, query: Query): Plan {
  const def = store.modules.get(query.module);
  if (!def) {
    throw new CoqlError('INVALID_QUERY', 'invalid query formed', {
      module: query.module,
      reason: 'invalid module given',
    });
  }
  const select = planSelect(store, def, query);
  const groupBy = query.groupBy.map((c) => resolveColumn(store, def, c, 'group by'));
  const order = planOrder(store, def, query);
  const page = checkPage(query);
  const predicate = query.where ? compile(store, def, query.where, { n: 0 }) : () => true;
  const planned = { def, select, groupBy, predicate, order, ...page };
  if (isAggregate(query)) checkAggregates(query, planned);
  return planned;
}

/**
 * Matching rows in the query's order, only as far as `wanted` when the order is the store's own
 * (no ORDER BY, or ORDER BY id alone): see coql-walk.ts. Other orders sort every match.
 */
export function matchingRows(
  store: CrmStore,
  query: Query,
  { def, predicate, order }: Plan,
  wanted: number,
): readonly StoredRecord[] {
  const byIdOnly =
    order.length === 1 && order[0].via.length === 0 && order[0].field.api_name === 'id';
  if (order.length === 0 || byIdOnly) {
    const desc = byIdOnly && query.orderBy[0].desc;
    const key = JSON.stringify(query.where ?? null);
    return firstMatches(store, def.api_name, key, desc, predicate, wanted);
  }
  const desc = query.orderBy.map((o) => o.desc);
  const keyed = store
    .all(def.api_name)
    .filter(predicate)
    .map((rec) => ({ rec, keys: order.map((c) => sortKey(c.kind, columnValue(store, rec, c))) }));
  keyed.sort((a, b) => compareKeys(a.keys, b.keys, desc) || (a.rec.id < b.rec.id ? -1 : 1));
  return keyed.map((k) => k.rec);
}

export function runCoql(store: CrmStore, text: string): CoqlResult {
  const query = parseQuery(text);
  const planned = plan(store, query);
  if (isAggregate(query)) return aggregateRows(store, query, planned);
  const { limit, offset } = planned;
  // One row past the page tells more_records without counting the rest.
  const rows = matchingRows(store, query, planned, offset + limit + 1);
  const data = rows.slice(offset, offset + limit).map((rec) => {
    const out: RecordData = {};
    for (const { col, key } of planned.select) {
      if (col.field.api_name === 'id' && col.via.length === 0) continue;
      out[key] = answerValue(store, rec, col);
    }
    out.id = rec.id;
    return out;
  });
  return { data, info: { count: data.length, more_records: rows.length > offset + limit } };
}
