/**
 * COQL evaluation: resolves columns (including one level of lookup, `Account_Name.Industry`),
 * checks operators and values against field types, applies Zoho's limits, and runs the query
 * over the store.
 */
import { OPS_BY_KIND, coerce, comparable, kindOf, test, type Kind, type Scalar } from './compare';
import { CoqlError, parseQuery, type Literal, type Query, type Where } from './coql-parse';
import { firstMatches } from './coql-walk';
import type { CrmStore } from './store';
import type { FieldDef, ModuleDef, RecordData, StoredRecord } from './types';
import { isObject } from './util';

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
export const COQL_MAX_COLUMNS = 50;

export interface CoqlResult {
  data: RecordData[];
  info: { count: number; more_records: boolean };
}

interface Column {
  name: string;
  /** Lookup field for dotted columns. */
  via?: FieldDef;
  field: FieldDef;
  kind: Kind;
}

const ID_FIELD: FieldDef = { api_name: 'id', type: 'bigint' };

function invalidColumn(name: string, clause: string): CoqlError {
  return new CoqlError('INVALID_QUERY', 'column given seems to be invalid', {
    column_name: name,
    clause,
  });
}

function resolve(store: CrmStore, def: ModuleDef, name: string, clause: string): Column {
  const parts = name.split('.');
  const fieldOf = (m: ModuleDef, api: string): FieldDef | undefined =>
    api === 'id' ? ID_FIELD : m.fields.find((f) => f.api_name === api);
  const field = fieldOf(def, parts[0]);
  if (!field || parts.length > 2) throw invalidColumn(name, clause);
  if (parts.length === 1) {
    return { name, field, kind: field.api_name === 'id' ? 'id' : kindOf(field) };
  }
  const target = field.type === 'lookup' ? store.modules.get(field.lookup ?? '') : undefined;
  const sub = target ? fieldOf(target, parts[1]) : undefined;
  if (!sub) throw invalidColumn(name, clause);
  return { name, via: field, field: sub, kind: sub.api_name === 'id' ? 'id' : kindOf(sub) };
}

function valueOf(store: CrmStore, rec: StoredRecord, col: Column): unknown {
  if (!col.via) return col.field.api_name === 'id' ? { id: rec.id } : rec.data[col.field.api_name];
  const link = rec.data[col.via.api_name];
  if (!isObject(link) || typeof link.id !== 'string') return undefined;
  const target = store.get(col.via.lookup ?? '', link.id);
  if (!target) return undefined;
  return col.field.api_name === 'id' ? { id: target.id } : target.data[col.field.api_name];
}

type Predicate = (rec: StoredRecord) => boolean;

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
  const col = resolve(store, def, where.column, 'where');
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
  const plainEmptiness = PLAIN_EMPTINESS.has(col.kind) && !col.via && col.field.api_name !== 'id';
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
  return (rec) => test(op, comparable(col.kind, valueOf(store, rec, col)), values);
}

function sortKey(kind: Kind, v: unknown): Scalar | undefined {
  const c = comparable(kind, v);
  return Array.isArray(c) ? c.join(',') : c;
}

/** Validates the query against the module's metadata without running it. */
export function plan(
  store: CrmStore,
  query: Query,
): {
  def: ModuleDef;
  columns: Column[];
  predicate: Predicate;
  order: Column[];
} {
  const def = store.modules.get(query.module);
  if (!def) {
    throw new CoqlError('INVALID_QUERY', 'invalid query formed', {
      module: query.module,
      reason: 'invalid module given',
    });
  }
  if (query.columns.length > COQL_MAX_COLUMNS) {
    throw new CoqlError('LIMIT_EXCEEDED', 'limit exceeded', {
      by: 'select',
      limit: COQL_MAX_COLUMNS,
    });
  }
  const columns = query.columns.map((c) => resolve(store, def, c, 'select'));
  const seen = new Set<string>();
  const order = query.orderBy.map((o) => {
    if (seen.has(o.column)) {
      throw new CoqlError('DUPLICATE_DATA', 'duplicate data', {
        clause: 'order by',
        column_name: o.column,
      });
    }
    seen.add(o.column);
    return resolve(store, def, o.column, 'order by');
  });
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
  const predicate = query.where ? compile(store, def, query.where, { n: 0 }) : () => true;
  return { def, columns, predicate, order };
}

/**
 * Matching rows in the query's order, only as far as `wanted` when the order is the store's own
 * (no ORDER BY, or ORDER BY id alone): see coql-walk.ts. Other orders sort every match.
 */
function matchingRows(
  store: CrmStore,
  query: Query,
  { def, predicate, order }: ReturnType<typeof plan>,
  wanted: number,
): readonly StoredRecord[] {
  const byIdOnly = order.length === 1 && !order[0].via && order[0].field.api_name === 'id';
  if (order.length === 0 || byIdOnly) {
    const desc = byIdOnly && query.orderBy[0].desc;
    const key = JSON.stringify(query.where ?? null);
    return firstMatches(store, def.api_name, key, desc, predicate, wanted);
  }
  return sortRows(store, query, order, store.all(def.api_name).filter(predicate));
}

function sortRows(
  store: CrmStore,
  query: Query,
  order: Column[],
  rows: StoredRecord[],
): StoredRecord[] {
  const keyed = rows.map((rec) => ({
    rec,
    keys: order.map((c) => sortKey(c.kind, valueOf(store, rec, c))),
  }));
  keyed.sort((a, b) => {
    for (let i = 0; i < order.length; i++) {
      const x = a.keys[i];
      const y = b.keys[i];
      if (x === y) continue;
      // Empty values sort last ascending, first descending.
      const c = x === undefined ? 1 : y === undefined ? -1 : x < y ? -1 : 1;
      return query.orderBy[i].desc ? -c : c;
    }
    return a.rec.id < b.rec.id ? -1 : 1;
  });
  return keyed.map((k) => k.rec);
}

export function runCoql(store: CrmStore, text: string): CoqlResult {
  const query = parseQuery(text);
  const planned = plan(store, query);
  const limit = query.limit ?? COQL_DEFAULT_LIMIT;
  const offset = query.offset ?? 0;
  // One row past the page tells more_records without counting the rest.
  const rows = matchingRows(store, query, planned, offset + limit + 1);
  const page = rows.slice(offset, offset + limit);
  const data = page.map((rec) => {
    const out: RecordData = {};
    for (const col of planned.columns) {
      const v = valueOf(store, rec, col);
      if (col.field.api_name === 'id' && !col.via) continue;
      // COQL answers lookups with their id only.
      out[col.name] =
        isObject(v) && typeof v.id === 'string' && col.kind === 'id' ? { id: v.id } : (v ?? null);
    }
    out.id = rec.id;
    return out;
  });
  return { data, info: { count: data.length, more_records: rows.length > offset + limit } };
}
