/**
 * COQL (CRM Object Query Language): binding named placeholders as literals, and running a
 * query with paging by LIMIT/OFFSET.
 *
 * Zoho's limits (CRM API v8 "Query API - Limitations"): LIMIT at most 2,000 rows per call
 * (default 200); with LIMIT/OFFSET at most 100,000 rows can be reached (offset + limit ≤
 * 100,000). Past that Zoho asks for key-set paging (`where id > …`), which changes the query;
 * `runCoql` stops there and reports `truncated: true`.
 */
import { ZohoError, invalidInput } from '../core/errors';
import type { Requester } from './common';
import { collectPages, paginate } from '../core/paginate';
import { toZohoDateTime, isPlainObject } from '../core/validate';

export const COQL_MAX_LIMIT = 2000;
export const COQL_MAX_REACH = 100_000;
/**
 * Values one `in (…)` / `not in (…)` may hold. 100 since API v7 (Zoho, "Kaizen #183 - COQL
 * API's Enhancements in Zoho CRM API Version 7": "now support up to 100 values each, doubling
 * the previous limit of 50"); the v2–v6 limitation pages say 50. Zoho answers LIMIT_EXCEEDED.
 */
export const COQL_MAX_IN_VALUES = 100;

export type CoqlScalar = string | number | bigint | boolean | null | Date;
export type CoqlValue = CoqlScalar | CoqlScalar[];
export type CoqlParams = Record<string, CoqlValue | undefined>;

/** A string as a COQL literal: single-quoted, `\` and `'` escaped with a backslash. */
export function coqlString(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/\u0000/.test(value))
    throw invalidInput('A COQL string value may not contain NUL characters', 'params');
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** One value as a COQL literal. */
export function coqlLiteral(value: unknown, name = 'value'): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return coqlString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw invalidInput(
        `Parameter :${name} is ${value}: only finite numbers can be bound`,
        'params',
      );
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime()))
      throw invalidInput(`Parameter :${name} is an invalid Date`, 'params');
    return `'${toZohoDateTime(value, 'params')}'`;
  }
  throw invalidInput(
    `Parameter :${name} is ${Array.isArray(value) ? 'a nested array' : `a ${typeof value}`}: bind strings, numbers, booleans, null, Dates or arrays of them`,
    'params',
  );
}

function listLiteral(value: unknown[], name: string): string {
  if (value.length === 0)
    throw invalidInput(
      `Parameter :${name} is an empty array: "in ()" matches nothing and Zoho refuses it`,
      'params',
    );
  return value.map((v) => coqlLiteral(v, name)).join(', ');
}

/** Spans of the query text outside string literals, so placeholders in strings stay text. */
interface Token {
  text: string;
  literal: boolean;
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let start = 0;
  let i = 0;
  while (i < query.length) {
    if (query[i] === "'") {
      if (i > start) tokens.push({ text: query.slice(start, i), literal: false });
      let j = i + 1;
      for (; j < query.length; j++) {
        if (query[j] === '\\') j++;
        else if (query[j] === "'") break;
      }
      if (j >= query.length)
        throw invalidInput('The COQL query has an unterminated string literal', 'query');
      tokens.push({ text: query.slice(i, j + 1), literal: true });
      i = j + 1;
      start = i;
    } else i++;
  }
  if (start < query.length) tokens.push({ text: query.slice(start), literal: false });
  return tokens;
}

const PLACEHOLDER = /(^|[^A-Za-z0-9_:$.])(:([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * Binds `:name` placeholders from params as COQL literals. Placeholders inside string literals
 * of the query are not touched; a placeholder without a value is refused. An array binds as a
 * list: `in (:ids)` or `in :ids` both give `in ('1', '2')`.
 */
export function bindCoql(query: string, params: CoqlParams = {}): string {
  if (typeof query !== 'string' || query.trim() === '')
    throw invalidInput('No COQL query given', 'query');
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw invalidInput('COQL parameters must be an object of names to values', 'params');
  }
  const missing: string[] = [];
  const tokens = tokenize(query);
  const out = tokens.map((token, t) => {
    if (token.literal) return token.text;
    return token.text.replace(
      PLACEHOLDER,
      (match, before: string, _ph: string, name: string, offset: number) => {
        if (!Object.prototype.hasOwnProperty.call(params, name) || params[name] === undefined) {
          missing.push(name);
          return match;
        }
        const value = params[name];
        if (!Array.isArray(value)) return before + coqlLiteral(value, name);
        const list = listLiteral(value, name);
        // Already in parentheses in the query: `in (:ids)`; otherwise add them.
        const left = token.text.slice(0, offset + before.length);
        const right = token.text.slice(offset + match.length) + (tokens[t + 1]?.text ?? '');
        const wrapped = /\(\s*$/.test(left) && /^\s*\)/.test(right);
        return before + (wrapped ? list : `(${list})`);
      },
    );
  });
  if (missing.length) {
    const names = [...new Set(missing)].map((n) => `:${n}`).join(', ');
    throw invalidInput(`No value for COQL placeholder ${names}: give it in params`, 'params', {
      missing: [...new Set(missing)],
    });
  }
  return out.join('');
}

/** The query with every string literal's content blanked, so nothing in one is read as syntax. */
function maskLiterals(query: string): string {
  // Not with spaces: a `\s+` in a caller's pattern would retry a long run of them from every
  // position (minutes for a 200 kB value).
  return tokenize(query)
    .map((t) => (t.literal ? "'" + '_'.repeat(t.text.length - 2) + "'" : t.text))
    .join('');
}

/** Refuses an `in (…)` list longer than Zoho takes, before anything is sent. */
function checkInLists(query: string): void {
  const lists = maskLiterals(query).matchAll(/\bin\s*\(([^()]*)\)/gi);
  for (const list of lists) {
    const count = list[1].split(',').length;
    if (count > COQL_MAX_IN_VALUES) {
      throw invalidInput(
        `A COQL "in (…)" takes at most ${COQL_MAX_IN_VALUES} values; this one has ${count}: split the values over several queries`,
        'query',
        { values: count, limit: COQL_MAX_IN_VALUES },
      );
    }
  }
}

export interface LimitClause {
  /** The query without its LIMIT/OFFSET clause. */
  base: string;
  limit?: number;
  offset?: number;
}

/** Finds a trailing `LIMIT n [OFFSET m]` or `LIMIT m, n` (outside string literals). */
export function splitLimit(query: string): LimitClause {
  const text = query.replace(/;\s*$/, '').trimEnd();
  // Mask string literals so a LIMIT inside one is not seen.
  const masked = maskLiterals(text);
  const m =
    /\s+limit\s+(\d+)\s*,\s*(\d+)\s*$/i.exec(masked) ??
    /\s+limit\s+(\d+)(?:\s+offset\s+(\d+))?\s*$/i.exec(masked) ??
    /\s+offset\s+(\d+)\s+limit\s+(\d+)\s*$/i.exec(masked);
  if (!m) return { base: text };
  const base = text.slice(0, m.index);
  const a = Number(m[1]);
  const b = m[2] === undefined ? undefined : Number(m[2]);
  if (m[0].includes(',')) return { base, offset: a, limit: b };
  if (/^\s+offset/i.test(m[0])) return { base, offset: a, limit: b };
  return { base, limit: a, offset: b };
}

export interface CoqlOptions {
  params?: CoqlParams;
  /** Page with LIMIT/OFFSET until the rows run out (or a cap or Zoho's ceiling is met). */
  returnAll?: boolean;
  /** With returnAll: stop after this many rows. */
  maxRecords?: number;
  /** With returnAll: rows per call, at most (and by default) 2000. */
  pageSize?: number;
  signal?: AbortSignal;
  onPage?: (page: number, rowsSoFar: number) => void;
}

export interface CoqlInfo {
  count: number;
  more_records: boolean;
  /** Calls made. */
  pages: number;
  /** Stopped by maxRecords or Zoho's 100,000-row ceiling with more rows left. */
  truncated: boolean;
  /** The query as sent (last call), placeholders bound. */
  query: string;
}

export interface CoqlResult {
  rows: Record<string, unknown>[];
  info: CoqlInfo;
}

async function send(conn: Requester, query: string, signal?: AbortSignal) {
  const res = await conn.request({
    product: 'crm',
    method: 'POST',
    path: '/v8/coql',
    body: { select_query: query },
    // A COQL POST only reads: safe to retry.
    idempotent: true,
    signal,
  });
  if (res.status === 204) return { rows: [], more: false };
  const body = isPlainObject(res.data) ? res.data : {};
  const rows = Array.isArray(body.data) ? (body.data as Record<string, unknown>[]) : [];
  const info = isPlainObject(body.info) ? body.info : {};
  return { rows, more: info.more_records === true };
}

/** One call: the query as written (its LIMIT at most Zoho's per-call maximum). */
async function runOnePage(
  conn: Requester,
  bound: string,
  limit: number | undefined,
  options: CoqlOptions,
): Promise<CoqlResult> {
  if (limit !== undefined && limit > COQL_MAX_LIMIT) {
    throw invalidInput(
      `COQL returns at most ${COQL_MAX_LIMIT} rows per call: lower the LIMIT or use returnAll`,
      'query',
    );
  }
  const { rows, more } = await send(conn, bound, options.signal);
  options.onPage?.(1, rows.length);
  return {
    rows,
    info: { count: rows.length, more_records: more, pages: 1, truncated: false, query: bound },
  };
}

function checkWalk(options: CoqlOptions): { maxRecords?: number; pageSize: number } {
  const maxRecords = options.maxRecords;
  if (maxRecords !== undefined && (!Number.isInteger(maxRecords) || maxRecords < 1)) {
    throw invalidInput('maxRecords must be a whole number of at least 1', 'maxRecords');
  }
  const pageSize = options.pageSize ?? COQL_MAX_LIMIT;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > COQL_MAX_LIMIT) {
    throw invalidInput(`pageSize must be a whole number from 1 to ${COQL_MAX_LIMIT}`, 'pageSize');
  }
  return { maxRecords, pageSize };
}

/** Runs a COQL query; with returnAll pages through every row Zoho lets LIMIT/OFFSET reach. */
export async function runCoql(
  conn: Requester,
  query: string,
  options: CoqlOptions = {},
): Promise<CoqlResult> {
  const bound = bindCoql(query, options.params ?? {});
  if (!/^\s*select\s/i.test(bound)) throw invalidInput('COQL runs SELECT queries only', 'query');
  checkInLists(bound);
  const clause = splitLimit(bound);
  if (clause.offset !== undefined && clause.offset >= COQL_MAX_REACH) {
    throw invalidInput(
      `Zoho's COQL reaches at most ${COQL_MAX_REACH} rows with OFFSET; page by id instead (where id > …)`,
      'query',
    );
  }
  if (!options.returnAll) return runOnePage(conn, bound, clause.limit, options);
  const { maxRecords, pageSize } = checkWalk(options);
  const start = clause.offset ?? 0;
  let sent = bound;
  let more = false;
  const walk = paginate<Record<string, unknown>, number>(
    async (cursor) => {
      const offset = cursor ?? start;
      const got = offset - start;
      // The query's own LIMIT bounds the whole walk, as it would in SQL; it is not a truncation.
      const ownLeft = (clause.limit ?? Infinity) - got;
      const size = Math.min(
        pageSize,
        ownLeft,
        (maxRecords ?? Infinity) - got,
        COQL_MAX_REACH - offset,
      );
      sent = `${clause.base} LIMIT ${size} OFFSET ${offset}`;
      const page = await send(conn, sent, options.signal);
      if (page.rows.length > size) {
        throw new ZohoError({
          code: 'COQL_PAGING_ERROR',
          message: `Zoho answered ${page.rows.length} rows for LIMIT ${size}`,
        });
      }
      more = page.more && page.rows.length > 0;
      const next = offset + page.rows.length;
      if (!more || ownLeft - page.rows.length <= 0) return { items: page.rows };
      if (next >= COQL_MAX_REACH) return { items: page.rows, truncated: true };
      return { items: page.rows, next };
    },
    { maxRecords, signal: options.signal },
  );
  const collected = await collectPages(walk, (p) => options.onPage?.(p.page, p.total));
  const rows = collected.items;
  const pages = collected.pages;
  const truncated = collected.truncated;
  return { rows, info: { count: rows.length, more_records: more, pages, truncated, query: sent } };
}
