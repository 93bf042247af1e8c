/**
 * COQL columns: a field of the queried module, or a path through lookups joined with dots
 * (`Account_Name.Parent_Account.Account_Name`, `Owner.first_name`).
 *
 * Sources: "JOINs in COQL Queries", Zoho CRM API v8 (zoho.com/crm/developer/docs/api/v8/
 * COQL-Joins.html) joins Contacts → Accounts → Parent_Account (two lookups in one column) and
 * answers each lookup column as `{ name, id }` (the display value and the id). The same page in
 * v7 answered `{ id }` only. Owner fields (`Owner.role`) appear in its Base JOIN example.
 */
import { comparable, kindOf, type Kind, type Scalar } from './compare';
import { CoqlError } from './coql-error';
import type { CrmStore } from './store';
import type { AggregateFn } from './coql-parse';
import type { CrmUser, FieldDef, ModuleDef, StoredRecord } from './types';
import { isObject } from './util';

/**
 * Lookups one column may follow. Zoho's v8 example follows two; a deeper limit is unverified,
 * so the emulator refuses a third as INVALID_QUERY rather than invent one.
 */
export const COQL_MAX_LOOKUP_DEPTH = 2;

export interface Column {
  /** The column as written (the answer's key unless an alias is given). */
  name: string;
  /** Lookup fields walked, in order, before `field`. */
  via: FieldDef[];
  field: FieldDef;
  kind: Kind;
}

export type Predicate = (rec: StoredRecord) => boolean;

export interface Selected {
  col: Column;
  fn?: AggregateFn;
  /** The answer's key: the alias, else the column, else `FN(column)` for aggregates. */
  key: string;
}

/** A query checked against the module's metadata (coql.ts plan()). */
export interface Plan {
  def: ModuleDef;
  select: Selected[];
  groupBy: Column[];
  predicate: Predicate;
  order: Column[];
  limit: number;
  offset: number;
}

const ID_FIELD: FieldDef = { api_name: 'id', type: 'bigint' };

/**
 * The users an ownerlookup points to, as a module of their own. Field names are the Users API's
 * (users.json in Zoho's v8 OpenAPI files: first_name, last_name, full_name, email, status).
 */
const USER_FIELDS: FieldDef[] = [
  { api_name: 'first_name', type: 'text' },
  { api_name: 'last_name', type: 'text' },
  { api_name: 'full_name', type: 'text' },
  { api_name: 'email', type: 'email' },
  { api_name: 'status', type: 'text' },
];

type Target = { kind: 'module'; def: ModuleDef } | { kind: 'users' };

function targetOf(store: CrmStore, field: FieldDef): Target | undefined {
  if (field.type === 'ownerlookup') return { kind: 'users' };
  if (field.type !== 'lookup' || !field.lookup || field.lookup === '*') return undefined;
  const def = store.modules.get(field.lookup);
  return def ? { kind: 'module', def } : undefined;
}

function fieldIn(target: Target, api: string): FieldDef | undefined {
  if (api === 'id') return ID_FIELD;
  const fields = target.kind === 'users' ? USER_FIELDS : target.def.fields;
  return fields.find((f) => f.api_name === api);
}

export function invalidColumn(name: string, clause: string): CoqlError {
  return new CoqlError('INVALID_QUERY', 'column given seems to be invalid', {
    column_name: name,
    clause,
  });
}

export function resolveColumn(
  store: CrmStore,
  def: ModuleDef,
  name: string,
  clause: string,
): Column {
  const parts = name.split('.');
  if (parts.length - 1 > COQL_MAX_LOOKUP_DEPTH) throw invalidColumn(name, clause);
  let target: Target | undefined = { kind: 'module', def };
  const via: FieldDef[] = [];
  for (let i = 0; i < parts.length; i++) {
    const field: FieldDef | undefined = target ? fieldIn(target, parts[i]) : undefined;
    if (!field) throw invalidColumn(name, clause);
    if (i === parts.length - 1) {
      return { name, via, field, kind: field === ID_FIELD ? 'id' : kindOf(field) };
    }
    via.push(field);
    target = targetOf(store, field);
  }
  throw invalidColumn(name, clause);
}

function userData(user: CrmUser): Record<string, unknown> {
  return {
    id: user.id,
    first_name: user.first_name,
    last_name: user.last_name,
    full_name: user.name,
    email: user.email,
    status: user.status,
  };
}

/** The data a lookup value points to, or undefined when it points nowhere. */
function follow(
  store: CrmStore,
  field: FieldDef,
  link: unknown,
): Record<string, unknown> | undefined {
  if (!isObject(link) || typeof link.id !== 'string') return undefined;
  if (field.type === 'ownerlookup') {
    const user = store.user(link.id);
    return user ? userData(user) : undefined;
  }
  return store.get(field.lookup ?? '', link.id)?.data;
}

/** The column's stored value for a record (lookups as stored, `{ id }` for id columns). */
export function columnValue(store: CrmStore, rec: StoredRecord, col: Column): unknown {
  let data: Record<string, unknown> | undefined = rec.data;
  for (const field of col.via) {
    data = follow(store, field, data[field.api_name]);
    if (!data) return undefined;
  }
  return col.field === ID_FIELD ? { id: data.id } : data[col.field.api_name];
}

/** The value as COQL answers it: lookups as `{ name, id }` (v8), empty values as null. */
export function answerValue(store: CrmStore, rec: StoredRecord, col: Column): unknown {
  const v = columnValue(store, rec, col);
  if (col.kind !== 'id' || !isObject(v) || typeof v.id !== 'string') return v ?? null;
  if (col.field === ID_FIELD) return { id: v.id };
  const target = follow(store, col.field, v);
  if (!target) return { id: v.id };
  const name =
    col.field.type === 'ownerlookup'
      ? target.full_name
      : store.displayName(store.get(col.field.lookup ?? '', v.id) as StoredRecord);
  return { name, id: v.id };
}

/** A column's value as a sort key (lists joined; undefined when empty). */
export function sortKey(kind: Kind, v: unknown): Scalar | undefined {
  const c = comparable(kind, v);
  return Array.isArray(c) ? c.join(',') : c;
}

/** Compares two rows' sort keys column by column: empty values last ascending, first descending. */
export function compareKeys(
  a: (Scalar | undefined)[],
  b: (Scalar | undefined)[],
  desc: boolean[],
): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    const c = x === undefined ? 1 : y === undefined ? -1 : x < y ? -1 : 1;
    return desc[i] ? -c : c;
  }
  return 0;
}
