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
  /**
   * With returnAll: calls in flight at once (default 1). Pages are independent offsets; give
   * the connection's concurrency to fetch them side by side.
   */
  concurrency?: number;
  signal?: AbortSignal;
  onPage?: (page: number, rowsSoFar: number) => void;
}

export interface CoqlInfo {
  count: number;
  more_records: boolean;
  /** Pages of rows the walk read. */
  pages: number;
  /** Calls made: the pages, plus with returnAll and concurrency those asked for past the end. */
  calls: number;
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
    info: {
      count: rows.length,
      more_records: more,
      pages: 1,
      calls: 1,
      truncated: false,
      query: bound,
    },
  };
}

interface Walk {
  maxRecords?: number;
  pageSize: number;
  concurrency: number;
}

function checkWalk(options: CoqlOptions): Walk {
  const maxRecords = options.maxRecords;
  if (maxRecords !== undefined && (!Number.isInteger(maxRecords) || maxRecords < 1)) {
    throw invalidInput('maxRecords must be a whole number of at least 1', 'maxRecords');
  }
  const pageSize = options.pageSize ?? COQL_MAX_LIMIT;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > COQL_MAX_LIMIT) {
    throw invalidInput(`pageSize must be a whole number from 1 to ${COQL_MAX_LIMIT}`, 'pageSize');
  }
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw invalidInput('concurrency must be a whole number of at least 1', 'concurrency');
  }
  return { maxRecords, pageSize, concurrency };
}

interface CoqlPage {
  rows: Record<string, unknown>[];
  more: boolean;
  query: string;
}

/**
 * Fetches the LIMIT/OFFSET pages of a walk: page k is rows [k × pageSize, …) of `reach`, so
 * pages are independent and up to `concurrency` are in flight. The first goes alone (a small
 * result costs one call); a page that is short or says no more ends the walk, and pages asked
 * for beyond it (at most concurrency − 1) are dropped (at most concurrency of them). Returns the pages of the walk, in order.
 */
async function fetchPages(
  conn: Requester,
  base: string,
  plan: { start: number; reach: number; walk: Walk },
  options: CoqlOptions,
): Promise<{ pages: CoqlPage[]; calls: number }> {
  const { start, reach, walk } = plan;
  const pages: CoqlPage[] = [];
  let end = Math.max(1, Math.ceil(reach / walk.pageSize));
  let next = 0;
  let delivered = 0;
  let rowsSoFar = 0;
  let failure: { error: unknown; page: number } | undefined;
  const fetch = async (k: number): Promise<void> => {
    const size = Math.min(walk.pageSize, reach - k * walk.pageSize);
    const query = `${base} LIMIT ${size} OFFSET ${start + k * walk.pageSize}`;
    const { rows, more } = await send(conn, query, options.signal);
    if (rows.length > size) {
      throw new ZohoError({
        code: 'COQL_PAGING_ERROR',
        message: `Zoho answered ${rows.length} rows for LIMIT ${size}`,
      });
    }
    pages[k] = { rows, more, query };
    if (!more || rows.length < size) end = Math.min(end, k + 1);
    // Progress in page order, as each page's predecessors are in.
    for (; delivered < end && pages[delivered]; delivered++) {
      rowsSoFar += pages[delivered].rows.length;
      options.onPage?.(delivered + 1, rowsSoFar);
    }
  };
  const worker = async (): Promise<void> => {
    while (next < end && !failure) {
      const k = next++;
      await fetch(k).catch((error: unknown) => (failure ??= { error, page: k }));
    }
  };
  await fetch(next++);
  await Promise.all(Array.from({ length: walk.concurrency }, worker));
  // A page asked for past the end may fail (an offset beyond the rows): it is not the walk's.
  if (failure && failure.page < end) throw failure.error;
  return { pages: pages.slice(0, end), calls: next };
}

/** Pages handed to one concat at most: a spread of more arguments could overflow the stack. */
const CONCAT_PAGES = 1000;

/**
 * The pages' rows as one array. concat copies each page's array whole; flatMap's per-element
 * callback made this a tenth of a 100,000-row walk's CPU.
 */
function joinRows(pages: CoqlPage[]): Record<string, unknown>[] {
  let rows: Record<string, unknown>[] = [];
  for (let i = 0; i < pages.length; i += CONCAT_PAGES)
    rows = rows.concat(...pages.slice(i, i + CONCAT_PAGES).map((p) => p.rows));
  return rows;
}

/** returnAll: every row LIMIT/OFFSET reaches within the query's own LIMIT and maxRecords. */
async function runAllPages(
  conn: Requester,
  clause: LimitClause,
  options: CoqlOptions,
): Promise<CoqlResult> {
  const walk = checkWalk(options);
  const start = clause.offset ?? 0;
  // The query's own LIMIT bounds the whole walk, as it would in SQL; it is not a truncation.
  const own = clause.limit ?? Infinity;
  const cap = Math.min(walk.maxRecords ?? Infinity, COQL_MAX_REACH - start);
  const reach = Math.min(own, cap);
  const { pages, calls } = await fetchPages(conn, clause.base, { start, reach, walk }, options);
  const last = pages[pages.length - 1];
  const rows = pages.length === 1 ? last.rows : joinRows(pages);
  const more = last.more && last.rows.length > 0;
  const reachedEnd = rows.length >= reach;
  const info: CoqlInfo = {
    count: rows.length,
    more_records: more,
    pages: pages.length,
    calls,
    truncated: reachedEnd && more && own > cap,
    query: last.query,
  };
  return { rows, info };
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
  return runAllPages(conn, clause, options);
}
