/**
 * COQL aggregates: COUNT, SUM, MAX, MIN and AVG over the matching records, one row per GROUP BY
 * group (one row in all without GROUP BY).
 *
 * Source: Zoho's COQL overview (v4 and later: "aggregate functions SUM(), MAX(), MIN(), AVG(), and
 * COUNT()" with GROUP BY). Unverified and chosen SQL-like: the answer's key `FN(column)` (or the
 * alias), that every plain selected or ordered column must be grouped, that SUM/AVG take numbers
 * and MAX/MIN numbers or dates, that empty values are skipped, that groups come in the order their
 * first record has by id unless ORDER BY says otherwise, and that aggregate rows carry no `id`.
 */
import type { Kind } from './compare';
import {
  answerValue,
  columnValue,
  compareKeys,
  sortKey,
  type Column,
  type Plan,
  type Selected,
} from './coql-columns';
import { CoqlError } from './coql-error';
import type { AggregateFn, Query } from './coql-parse';
import type { CrmStore } from './store';
import type { RecordData, StoredRecord } from './types';

const KINDS_BY_FN: Record<Exclude<AggregateFn, 'count'>, Kind[]> = {
  sum: ['number'],
  avg: ['number'],
  max: ['number', 'date', 'datetime'],
  min: ['number', 'date', 'datetime'],
};

export function isAggregate(query: Query): boolean {
  return query.groupBy.length > 0 || query.select.some((s) => s.fn !== undefined);
}

function notGrouped(column: string, clause: string): CoqlError {
  return new CoqlError('INVALID_QUERY', 'invalid query formed', {
    column_name: column,
    clause,
    reason: 'column is neither aggregated nor in group by',
  });
}

/** Refuses what an aggregate query cannot answer (see the file comment). */
export function checkAggregates(query: Query, plan: Plan): void {
  const grouped = new Set(query.groupBy);
  plan.select.forEach(({ col, fn }) => {
    if (!fn) {
      if (!grouped.has(col.name)) throw notGrouped(col.name, 'select');
      return;
    }
    if (fn !== 'count' && !KINDS_BY_FN[fn].includes(col.kind)) {
      throw new CoqlError('INVALID_QUERY', 'invalid query formed', {
        column_name: col.name,
        clause: 'select',
        reason: `${fn.toUpperCase()} does not take a ${col.field.type} field`,
      });
    }
  });
  for (const o of query.orderBy) if (!grouped.has(o.column)) throw notGrouped(o.column, 'order by');
}

function aggregate(store: CrmStore, fn: AggregateFn, col: Column, recs: StoredRecord[]): unknown {
  const values = recs
    .map((rec) => columnValue(store, rec, col))
    .filter((v) => v !== null && v !== undefined && v !== '');
  if (fn === 'count') return values.length;
  if (values.length === 0) return null;
  if (fn === 'sum' || fn === 'avg') {
    const sum = values.reduce((total: number, v) => total + Number(v), 0);
    return fn === 'sum' ? sum : sum / values.length;
  }
  let best = values[0];
  for (const v of values) {
    const c = compareKeys([sortKey(col.kind, v)], [sortKey(col.kind, best)], [fn === 'max']);
    if (c < 0) best = v;
  }
  return best;
}

function groupRow(store: CrmStore, select: Selected[], recs: StoredRecord[]): RecordData {
  const out: RecordData = {};
  for (const { col, fn, key } of select) {
    out[key] = fn ? aggregate(store, fn, col, recs) : answerValue(store, recs[0], col);
  }
  return out;
}

/** The page of groups the query asks for, in the answer's shape. */
export function aggregateRows(
  store: CrmStore,
  query: Query,
  plan: Plan,
): { data: RecordData[]; info: { count: number; more_records: boolean } } {
  const groups = new Map<string, StoredRecord[]>();
  for (const rec of store.all(plan.def.api_name)) {
    if (!plan.predicate(rec)) continue;
    const key = JSON.stringify(
      plan.groupBy.map((c) => sortKey(c.kind, columnValue(store, rec, c))),
    );
    const group = groups.get(key);
    if (group) group.push(rec);
    else groups.set(key, [rec]);
  }
  let ordered = [...groups.values()];
  if (plan.order.length > 0) {
    const desc = query.orderBy.map((o) => o.desc);
    const keyOf = (g: StoredRecord[]) =>
      plan.order.map((c) => sortKey(c.kind, columnValue(store, g[0], c)));
    ordered = ordered
      .map((g) => ({ g, keys: keyOf(g) }))
      .sort((a, b) => compareKeys(a.keys, b.keys, desc))
      .map((x) => x.g);
  }
  const { offset, limit } = plan;
  const data = ordered.slice(offset, offset + limit).map((g) => groupRow(store, plan.select, g));
  return { data, info: { count: data.length, more_records: ordered.length > offset + limit } };
}
