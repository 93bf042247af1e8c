/**
 * Bulk Write's two CSVs (docs/ZOHO-FACTS.md "Bulk Write"): the file we upload (a header of the
 * field API names, one row per record, lookups by id) and the result Zoho sends back (the first
 * mapped columns plus STATUS, RECORD_ID and ERRORS, one row per uploaded row, in its order).
 */
import { isPlainObject } from '../core/validate';
import type { RecordResult } from './write';

/** One column of the upload: the field it fills and where its values come from. */
export interface Column {
  /** The key in the input records. */
  key: string;
  /** The Zoho field API name (the mapping's target). */
  apiName: string;
  /** A lookup given as `{ id }`: mapped with find_by id. */
  lookup: boolean;
}

/** The columns of a chunk, in first-seen order; `mapping` renames input keys to API names. */
export function columnsOf(
  records: readonly Record<string, unknown>[],
  mapping: Readonly<Record<string, string>>,
): Column[] {
  const byKey = new Map<string, Column>();
  for (const rec of records) {
    for (const key of Object.keys(rec)) {
      let col = byKey.get(key);
      if (!col) byKey.set(key, (col = { key, apiName: mapping[key] ?? key, lookup: false }));
      const v = rec[key];
      if (isPlainObject(v) && 'id' in v) col.lookup = true;
    }
  }
  return [...byKey.values()];
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString().replace(/\.\d+Z$/, '+00:00');
  if (Array.isArray(value)) {
    return value.map((v) => (isPlainObject(v) ? text(v.name ?? v.id) : text(v))).join(';');
  }
  if (isPlainObject(value)) return 'id' in value ? text(value.id) : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return JSON.stringify(value) ?? '';
}

/** RFC 4180: a cell with a comma, quote or line break is quoted, its quotes doubled. */
export function cell(value: unknown): string {
  const s = text(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function headerLine(columns: readonly Column[]): string {
  return columns.map((c) => cell(c.apiName)).join(',') + '\r\n';
}

export function rowLine(columns: readonly Column[], rec: Record<string, unknown>): string {
  return columns.map((c) => cell(rec[c.key])).join(',') + '\r\n';
}

/** Zoho's per-row STATUS as a write result (the shape crm-record's writes give). */
export function resultOfRow(
  index: number,
  status: string,
  id: string,
  errors: string,
): RecordResult {
  const s = status.trim().toUpperCase();
  if (s === 'ADDED' || s === 'UPDATED') {
    return {
      index,
      status: 'success',
      code: 'SUCCESS',
      message: s === 'ADDED' ? 'record added' : 'record updated',
      details: { id },
      id,
      action: s === 'ADDED' ? 'insert' : 'update',
    };
  }
  // ERRORS: `<code>-<column>` joined by `:`, e.g. MANDATORY_NOT_FOUND-Company:DUPLICATE_DATA-Email
  const list = errors
    .split(':')
    .map((e) => e.trim())
    .filter(Boolean)
    .map((e) => {
      const dash = e.indexOf('-');
      return dash < 0 ? { code: e } : { code: e.slice(0, dash), api_name: e.slice(dash + 1) };
    });
  const code = list[0]?.code ?? (s || 'UNPROCESSED');
  return {
    index,
    status: 'error',
    code,
    message: list.length
      ? `Zoho ${s === 'SKIPPED' ? 'skipped' : 'did not process'} the record: ${errors}`
      : `Zoho left the record ${s.toLowerCase() || 'unprocessed'}`,
    details: { status: s, errors: list },
  };
}
