/**
 * Zoho CRM records (API v8): get, list, list every page, create, update, upsert, delete,
 * search, deleted records. Every call goes through the connection's one request path; every
 * bad input is refused before a request leaves.
 *
 * Zoho's limits assumed here (CRM API v8 documentation):
 * - per_page at most 200; with `page`, only the first 2,000 records of a list can be reached,
 *   beyond that Zoho requires `page_token` (from `info.next_page_token` of the previous page).
 * - Search reaches at most 2,000 records (page × per_page); a search past that stops truncated
 *   unless Zoho hands out a `next_page_token`.
 * - At most 100 records per insert/update/upsert call and 100 ids per delete call.
 * - `fields` is required when listing records (at most 50 field API names).
 * - `word` search needs at least 2 characters.
 */
import type { ZohoConnection } from './connection';
import { ZohoError, invalidInput } from './errors';
import { QueryValue, segment } from './http';
import { BATCH_SIZE, runBatches } from './batch';
import { FetchedPage, Page, collectPages, paginate } from './paginate';
import {
  FieldMeta,
  FIELD_NAME_RE,
  checkDateTime,
  checkFieldNames,
  checkLookupFields,
  checkModule,
  checkPositiveInt,
  checkRecordId,
  checkRecordIds,
  checkRecords,
  isPlainObject,
  toZohoDateTime,
} from './validate';

/** What the CRM functions need of a connection; tests pass a stub. */
export type Requester = Pick<ZohoConnection, 'request'>;
export type CrmRecord = Record<string, unknown>;

export const CRM_VERSION = 'v8';
export const MAX_PER_PAGE = 200;
/** Records reachable with `page`; further records need `page_token`. */
export const PAGE_REACH = 2000;
export const MAX_FIELDS = 50;
export const MAX_IDS_PER_CALL = 100;

/** Zoho's `info` object of a list, search or COQL answer. */
export interface CrmInfo {
  per_page?: number;
  count?: number;
  page?: number;
  more_records?: boolean;
  next_page_token?: string;
  previous_page_token?: string;
  page_token_expiry?: string;
  sort_by?: string;
  sort_order?: string;
  [key: string]: unknown;
}

export interface ListResult {
  records: CrmRecord[];
  info: CrmInfo;
  /** True when Zoho answered 304 to If-Modified-Since: nothing changed since then. */
  notModified: boolean;
}

export interface ListAllResult {
  records: CrmRecord[];
  pages: number;
  /** A cap (maxRecords/maxPages) or a Zoho ceiling stopped the walk with more records left. */
  truncated: boolean;
  info: CrmInfo;
  notModified: boolean;
}

/** `/v8/<module>/<rest…>`; `rest` are fixed words or segments already encoded. */
function path(module: string, ...rest: string[]): string {
  return [`/${CRM_VERSION}`, segment(module), ...rest].join('/');
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function dataOf(body: unknown): unknown[] {
  const data = asRecord(body)?.data;
  return Array.isArray(data) ? data : [];
}

function infoOf(body: unknown): CrmInfo {
  return (asRecord(asRecord(body)?.info) as CrmInfo | undefined) ?? {};
}

function fieldsParam(fields: unknown, required: boolean): string | undefined {
  if (
    fields === undefined ||
    fields === null ||
    (Array.isArray(fields) && fields.length === 0) ||
    fields === ''
  ) {
    if (required) {
      throw invalidInput(
        'Zoho CRM needs the fields to return when listing records: set fields (e.g. "Last_Name,Email", at most 50)',
      );
    }
    return undefined;
  }
  const list = checkFieldNames(fields);
  if (list.length > MAX_FIELDS)
    throw invalidInput(`At most ${MAX_FIELDS} fields can be requested at once, not ${list.length}`);
  return list.join(',');
}

function perPageParam(value: unknown): number | undefined {
  return value === undefined || value === null || value === ''
    ? undefined
    : checkPositiveInt(value, 'perPage', MAX_PER_PAGE);
}

function pageParam(value: unknown): number | undefined {
  return value === undefined || value === null || value === ''
    ? undefined
    : checkPositiveInt(value, 'page');
}

function checkPageReach(page: number | undefined, perPage: number | undefined, what: string): void {
  if (page !== undefined && page * (perPage ?? MAX_PER_PAGE) > PAGE_REACH) {
    throw invalidInput(
      `${what} can reach only the first ${PAGE_REACH} records by page number (page ${page} × ${perPage ?? MAX_PER_PAGE} per page): use a page token or returnAll`,
    );
  }
}

function modifiedSinceHeader(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return { 'If-Modified-Since': checkDateTime(value, 'modifiedSince') };
}

function pageTokenParam(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || /[\u0000-\u001f]/.test(value) || value.length > 2000) {
    throw invalidInput('pageToken must be the next_page_token string Zoho returned');
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// get

export interface GetOptions {
  fields?: string[] | string;
  signal?: AbortSignal;
}

/** One record by id; null when Zoho has no such record (204). */
export async function getRecord(
  conn: Requester,
  module: string,
  id: string,
  options: GetOptions = {},
): Promise<CrmRecord | null> {
  const mod = checkModule(module);
  const rid = checkRecordId(id);
  const fields = fieldsParam(options.fields, false);
  const res = await conn.request({
    product: 'crm',
    method: 'GET',
    path: path(mod, segment(rid)),
    query: { fields },
    signal: options.signal,
  });
  if (res.status === 204) return null;
  const first = dataOf(res.data)[0];
  return (asRecord(first) as CrmRecord | undefined) ?? null;
}

// ---------------------------------------------------------------------------------------------
// list

export interface ListOptions {
  fields?: string[] | string;
  page?: number;
  pageToken?: string;
  perPage?: number;
  sortBy?: string;
  sortOrder?: 'asc' | 'desc';
  /** Only these records (at most 100). */
  ids?: string[] | string;
  /** Custom view id. */
  cvid?: string;
  /** Only records changed since then; Zoho answers 304 when none did. */
  modifiedSince?: Date | string | number;
  signal?: AbortSignal;
}

interface PreparedList {
  mod: string;
  query: Record<string, QueryValue>;
  headers?: Record<string, string>;
  page?: number;
  perPage?: number;
  pageToken?: string;
}

function prepareList(module: string, options: ListOptions): PreparedList {
  const mod = checkModule(module);
  const fields = fieldsParam(options.fields, true);
  const page = pageParam(options.page);
  const perPage = perPageParam(options.perPage);
  const pageToken = pageTokenParam(options.pageToken);
  if (page !== undefined && pageToken !== undefined)
    throw invalidInput('Give either page or pageToken, not both');
  checkPageReach(page, perPage, 'Listing records');
  let sortBy: string | undefined;
  if (options.sortBy !== undefined && options.sortBy !== '') {
    if (typeof options.sortBy !== 'string' || !FIELD_NAME_RE.test(options.sortBy)) {
      throw invalidInput('sortBy must be a field API name (id, Created_Time or Modified_Time)');
    }
    sortBy = options.sortBy;
  }
  let sortOrder: string | undefined;
  if (options.sortOrder !== undefined && (options.sortOrder as string) !== '') {
    if (options.sortOrder !== 'asc' && options.sortOrder !== 'desc')
      throw invalidInput('sortOrder must be "asc" or "desc"');
    sortOrder = options.sortOrder;
  }
  let ids: string | undefined;
  if (options.ids !== undefined && options.ids !== null && (options.ids as unknown) !== '') {
    const list = checkRecordIds(options.ids);
    if (list.length > MAX_IDS_PER_CALL)
      throw invalidInput(`At most ${MAX_IDS_PER_CALL} ids can be listed at once`);
    ids = list.join(',');
  }
  let cvid: string | undefined;
  if (options.cvid !== undefined && options.cvid !== '')
    cvid = checkRecordId(options.cvid, 'custom view id');
  return {
    mod,
    query: { fields, per_page: perPage, sort_by: sortBy, sort_order: sortOrder, ids, cvid },
    headers: modifiedSinceHeader(options.modifiedSince),
    page,
    perPage,
    pageToken,
  };
}

async function fetchList(
  conn: Requester,
  prepared: PreparedList,
  at: { page?: number; pageToken?: string },
  signal?: AbortSignal,
  sub?: string,
): Promise<ListResult> {
  const res = await conn.request({
    product: 'crm',
    method: 'GET',
    path: sub ? path(prepared.mod, sub) : path(prepared.mod),
    query: {
      ...prepared.query,
      page: at.pageToken ? undefined : at.page,
      page_token: at.pageToken,
    },
    headers: prepared.headers,
    signal,
  });
  if (res.status === 304) return { records: [], info: { more_records: false }, notModified: true };
  if (res.status === 204)
    return { records: [], info: { more_records: false, count: 0 }, notModified: false };
  return { records: dataOf(res.data) as CrmRecord[], info: infoOf(res.data), notModified: false };
}

/** One page of records. */
export async function listRecords(
  conn: Requester,
  module: string,
  options: ListOptions = {},
): Promise<ListResult> {
  const prepared = prepareList(module, options);
  return fetchList(
    conn,
    prepared,
    { page: prepared.page, pageToken: prepared.pageToken },
    options.signal,
  );
}

export interface WalkOptions {
  maxRecords?: number;
  maxPages?: number;
}

interface CrmCursor {
  page: number;
  token?: string;
}

/**
 * Pages of a CRM list/search: by page number while it reaches, then by Zoho's page token
 * (`info.next_page_token`) past the 2,000th record; truncated where neither is possible.
 */
function crmWalk(
  fetchOne: (at: { page?: number; pageToken?: string }) => Promise<ListResult>,
  perPage: number,
  start: CrmCursor,
  options: WalkOptions & { signal?: AbortSignal },
  notModified?: { value: boolean },
  reach = PAGE_REACH,
): AsyncGenerator<Page<CrmRecord>, void, undefined> {
  return paginate<CrmRecord, CrmCursor>(
    async (cursor): Promise<FetchedPage<CrmRecord, CrmCursor>> => {
      const at = cursor ?? start;
      const result = await fetchOne({ page: at.token ? undefined : at.page, pageToken: at.token });
      if (result.notModified && notModified) notModified.value = true;
      const { records, info } = result;
      if (!info.more_records || records.length === 0) return { items: records, info };
      const nextPage = at.page + 1;
      if (!at.token && nextPage * perPage <= reach)
        return { items: records, info, next: { page: nextPage } };
      if (typeof info.next_page_token === 'string' && info.next_page_token !== '') {
        return { items: records, info, next: { page: nextPage, token: info.next_page_token } };
      }
      return { items: records, info, truncated: true };
    },
    { maxRecords: options.maxRecords, maxPages: options.maxPages, signal: options.signal },
  );
}

export type ListAllOptions = Omit<ListOptions, 'page'> & WalkOptions;

/**
 * Every page of a module's records, with the largest page size Zoho allows unless perPage is
 * given: `for await (const page of listAllRecords(conn, 'Leads', { fields }))`.
 */
export function listAllRecords(
  conn: Requester,
  module: string,
  options: ListAllOptions = {},
  notModified?: { value: boolean },
): AsyncGenerator<Page<CrmRecord>, void, undefined> {
  const prepared = prepareList(module, { ...options, page: undefined });
  const perPage = prepared.perPage ?? MAX_PER_PAGE;
  prepared.query.per_page = perPage;
  return crmWalk(
    (at) => fetchList(conn, prepared, at, options.signal),
    perPage,
    { page: 1, token: prepared.pageToken },
    options,
    notModified,
  );
}

/** Every record of a module in one array (see listAllRecords). */
export async function listAll(
  conn: Requester,
  module: string,
  options: ListAllOptions = {},
): Promise<ListAllResult> {
  const notModified = { value: false };
  const collected = await collectPages(listAllRecords(conn, module, options, notModified));
  return {
    records: collected.items,
    pages: collected.pages,
    truncated: collected.truncated,
    info: (collected.info as CrmInfo | undefined) ?? {},
    notModified: notModified.value,
  };
}

// ---------------------------------------------------------------------------------------------
// writes

export type Trigger = 'workflow' | 'approval' | 'blueprint' | 'pathfinder' | 'orchestration';
export const TRIGGERS: readonly Trigger[] = [
  'workflow',
  'approval',
  'blueprint',
  'pathfinder',
  'orchestration',
];

/** Zoho's answer for one input record, in input order. */
export interface RecordResult {
  /** Position of the record (or id) in the input. */
  index: number;
  status: 'success' | 'error';
  /** Zoho's code (SUCCESS, INVALID_DATA, DUPLICATE_DATA, …) or a local one (NOT_SENT, …). */
  code: string;
  message: string;
  details: unknown;
  id?: string;
  /** Upsert: `insert` or `update`. */
  action?: string;
}

export interface WriteResult {
  results: RecordResult[];
  failed: RecordResult[];
  succeeded: number;
}

export interface WriteOptions {
  /** Automations to run; default none (`trigger: []`). */
  trigger?: Trigger[];
  /** Records per call; at most (and by default) 100. */
  batchSize?: number;
  /** Calls in flight at once; default 1, strictly in order. */
  concurrency?: number;
  /** After a failed call, send the remaining batches anyway (default: mark them NOT_SENT). */
  continueAfterError?: boolean;
  /** Field metadata (settings/fields) to check lookup fields against before sending. */
  fieldMeta?: readonly FieldMeta[];
  signal?: AbortSignal;
  onProgress?: (done: number, count: number) => void;
}

export interface UpsertOptions extends WriteOptions {
  /** Fields Zoho matches existing records on, e.g. ["Email"]; default: the module's unique fields. */
  duplicateCheckFields?: string[] | string;
}

function checkTriggers(value: unknown): Trigger[] {
  if (value === undefined || value === null) return [];
  const list =
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : value;
  if (!Array.isArray(list))
    throw invalidInput(`trigger must be an array of ${TRIGGERS.join(', ')}`);
  for (const t of list) {
    if (!TRIGGERS.includes(t as Trigger)) {
      throw invalidInput(`Unknown trigger "${String(t)}": use ${TRIGGERS.join(', ')}`);
    }
  }
  return [...new Set(list as Trigger[])];
}

function toResult(entry: unknown, index: number): RecordResult {
  const e = asRecord(entry) ?? {};
  const code = typeof e.code === 'string' ? e.code : 'UNKNOWN';
  const status =
    e.status === 'success' || (e.status === undefined && code === 'SUCCESS') ? 'success' : 'error';
  const details = e.details;
  const result: RecordResult = {
    index,
    status,
    code,
    message: typeof e.message === 'string' ? e.message : '',
    details,
  };
  const id = asRecord(details)?.id;
  if (typeof id === 'string' || typeof id === 'number') result.id = String(id);
  if (typeof e.action === 'string') result.action = e.action;
  return result;
}

function errorResult(error: unknown, index: number): RecordResult {
  const z =
    error instanceof ZohoError
      ? error
      : new ZohoError({
          code: 'UNKNOWN_ERROR',
          message: String((error as Error)?.message ?? error),
        });
  return { index, status: 'error', code: z.code, message: z.message, details: z.details ?? null };
}

/** Code given to records of a refused batch whose own reason Zoho's answer did not keep. */
export const BATCH_REFUSED = 'BATCH_REFUSED';

/**
 * Per-record answers of a call that failed. Zoho answers a call in which every record failed
 * with HTTP 400 and one entry per record; those are per-record results, not a failure of the
 * call. When the error keeps the whole body (`details.data`), each record gets its own entry;
 * when it keeps only the first entry (its `json_path` is `$.data[k]…`), record k gets it and the
 * others are marked BATCH_REFUSED. Anything else (auth, module, network) fails the call.
 */
function perRecordFromError(error: unknown, count: number): unknown[] | undefined {
  if (!(error instanceof ZohoError) || error.status !== 400) return undefined;
  const details = asRecord(error.details);
  const data = details?.data;
  if (Array.isArray(data) && data.length === count) return data;
  const at =
    typeof details?.json_path === 'string' ? /^\$\.data\[(\d+)\]/.exec(details.json_path) : null;
  if (!at || Number(at[1]) >= count) return undefined;
  const k = Number(at[1]);
  return Array.from({ length: count }, (_, i) =>
    i === k
      ? { code: error.code, message: error.message, details: error.details, status: 'error' }
      : {
          code: BATCH_REFUSED,
          message: `Zoho refused every record of this batch; its reason for this record was not reported (record ${k}: ${error.code})`,
          details: null,
          status: 'error',
        },
  );
}

interface WriteCall<T> {
  items: T[];
  /** Sends one chunk; returns Zoho's per-item entries, positional. */
  send: (items: T[]) => Promise<unknown[]>;
  options: WriteOptions;
}

async function runWrite<T>({ items, send, options }: WriteCall<T>): Promise<WriteResult> {
  const size =
    options.batchSize === undefined
      ? BATCH_SIZE
      : checkPositiveInt(options.batchSize, 'batchSize', BATCH_SIZE);
  let answered = false;
  let firstError: unknown;
  const results = await runBatches<T, RecordResult>(
    items,
    async (chunkItems, info) => {
      let entries: unknown[];
      try {
        entries = await send(chunkItems);
      } catch (error) {
        const recovered = perRecordFromError(error, chunkItems.length);
        if (!recovered) throw error;
        entries = recovered;
      }
      if (entries.length !== chunkItems.length) {
        throw new ZohoError({
          code: 'BATCH_RESULT_MISMATCH',
          message: `Zoho answered ${entries.length} results for ${chunkItems.length} records`,
        });
      }
      answered = true;
      return entries.map((entry, i) => toResult(entry, info.offset + i));
    },
    {
      size,
      concurrency: options.concurrency,
      signal: options.signal,
      continueAfterError: options.continueAfterError,
      onProgress: options.onProgress,
      onChunkError: (error, chunkItems, info) => {
        firstError ??= error;
        return chunkItems.map((_, i) => errorResult(error, info.offset + i));
      },
    },
  );
  // Nothing reached Zoho's per-record stage: the call itself failed (auth, module, network).
  if (!answered && firstError !== undefined) throw firstError;
  const failed = results.filter((r) => r.status !== 'success');
  return { results, failed, succeeded: results.length - failed.length };
}

function prepareRecords(records: unknown, options: WriteOptions): Record<string, unknown>[] {
  const list = checkRecords(records);
  if (options.fieldMeta) checkLookupFields(list, options.fieldMeta);
  return list;
}

/** Inserts records (any number; 100 per call), results in input order. */
export async function createRecords(
  conn: Requester,
  module: string,
  records: unknown,
  options: WriteOptions = {},
): Promise<WriteResult> {
  const mod = checkModule(module);
  const list = prepareRecords(records, options);
  const trigger = checkTriggers(options.trigger);
  return runWrite({
    items: list,
    options,
    send: async (data) => {
      const res = await conn.request({
        product: 'crm',
        method: 'POST',
        path: path(mod),
        body: { data, trigger },
        signal: options.signal,
      });
      return dataOf(res.data);
    },
  });
}

/** Updates records; each needs its `id`. */
export async function updateRecords(
  conn: Requester,
  module: string,
  records: unknown,
  options: WriteOptions = {},
): Promise<WriteResult> {
  const mod = checkModule(module);
  const list = prepareRecords(records, options);
  const withIds = list.map((record, i) => {
    try {
      return { ...record, id: checkRecordId(record.id) };
    } catch (e) {
      throw invalidInput(
        `Record ${i} needs the id of the record to update: ${(e as Error).message}`,
        { index: i },
      );
    }
  });
  const trigger = checkTriggers(options.trigger);
  return runWrite({
    items: withIds,
    options,
    send: async (data) => {
      const res = await conn.request({
        product: 'crm',
        method: 'PUT',
        path: path(mod),
        body: { data, trigger },
        signal: options.signal,
      });
      return dataOf(res.data);
    },
  });
}

/** Inserts or updates, matching existing records on duplicateCheckFields. */
export async function upsertRecords(
  conn: Requester,
  module: string,
  records: unknown,
  options: UpsertOptions = {},
): Promise<WriteResult> {
  const mod = checkModule(module);
  const list = prepareRecords(records, options);
  const trigger = checkTriggers(options.trigger);
  const dup =
    options.duplicateCheckFields === undefined ||
    options.duplicateCheckFields === '' ||
    (Array.isArray(options.duplicateCheckFields) && options.duplicateCheckFields.length === 0)
      ? undefined
      : checkFieldNames(options.duplicateCheckFields, 'duplicate check field');
  return runWrite({
    items: list,
    options,
    send: async (data) => {
      const body: Record<string, unknown> = { data, trigger };
      if (dup) body.duplicate_check_fields = dup;
      const res = await conn.request({
        product: 'crm',
        method: 'POST',
        path: path(mod, 'upsert'),
        body,
        signal: options.signal,
      });
      return dataOf(res.data);
    },
  });
}

export interface DeleteOptions {
  /** Run workflow rules on delete (Zoho's wf_trigger); default false. */
  workflowTrigger?: boolean;
  batchSize?: number;
  concurrency?: number;
  continueAfterError?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, count: number) => void;
}

/** Deletes records by id (100 per call), results in input order. */
export async function deleteRecords(
  conn: Requester,
  module: string,
  ids: unknown,
  options: DeleteOptions = {},
): Promise<WriteResult> {
  const mod = checkModule(module);
  const list = checkRecordIds(ids);
  return runWrite({
    items: list,
    options,
    send: async (chunkIds) => {
      const res = await conn.request({
        product: 'crm',
        method: 'DELETE',
        path: path(mod),
        query: { ids: chunkIds.join(','), wf_trigger: options.workflowTrigger ? 'true' : 'false' },
        signal: options.signal,
      });
      const entries = dataOf(res.data);
      // Match Zoho's answers to the ids asked for; positional when an answer names no id.
      const byId = new Map<string, unknown>();
      for (const entry of entries) {
        const id = asRecord(asRecord(entry)?.details)?.id;
        if (id !== undefined) byId.set(String(id), entry);
      }
      return chunkIds.map((id, i) => byId.get(id) ?? entries[i]);
    },
  });
}

// ---------------------------------------------------------------------------------------------
// search

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
      throw invalidInput(`Criteria value of ${field} must be a finite number`);
    text = String(value);
  } else if (typeof value === 'boolean') text = String(value);
  else if (value instanceof Date) text = toZohoDateTime(value);
  else {
    throw invalidInput(
      `Criteria value of ${field} must be a string, number, boolean or Date, not ${value === null ? 'null' : typeof value}`,
    );
  }
  if (text === '') throw invalidInput(`Criteria value of ${field} is empty`);
  return escapeCriteriaValue(text);
}

function condition(field: unknown, op: unknown, value: unknown): string {
  if (typeof field !== 'string' || !FIELD_NAME_RE.test(field)) {
    throw invalidInput(`"${String(field)}" is not a field API name for the criteria`);
  }
  const operator = (op ?? (Array.isArray(value) ? 'in' : 'equals')) as CriteriaOperator;
  if (!CRITERIA_OPERATORS.includes(operator)) {
    throw invalidInput(
      `Unknown criteria operator "${String(op)}": use ${CRITERIA_OPERATORS.join(', ')}`,
    );
  }
  let rendered: string;
  if (operator === 'in' || operator === 'between') {
    const list = Array.isArray(value) ? value : operator === 'in' ? [value] : [];
    if (operator === 'between' && list.length !== 2)
      throw invalidInput(`between on ${field} needs two values [from, to]`);
    if (list.length === 0) throw invalidInput(`in on ${field} needs at least one value`);
    rendered = list.map((v) => criteriaScalar(v, field)).join(',');
  } else {
    if (Array.isArray(value))
      throw invalidInput(`${operator} on ${field} takes one value, not an array (use "in")`);
    rendered = criteriaScalar(value, field);
  }
  return `(${field}:${operator}:${rendered})`;
}

function group(parts: string[], joiner: 'and' | 'or'): string {
  if (parts.length === 0) throw invalidInput(`An empty "${joiner}" group in the criteria`);
  return parts.length === 1 ? parts[0] : `(${parts.join(joiner)})`;
}

/**
 * Builds a Zoho search criteria string from an object:
 * `{ field, op, value }`, `[field, op, value]`, `{ and: [...] }`, `{ or: [...] }`, an array (all
 * of), or a shorthand `{ Last_Name: 'Smith', Lead_Source: ['Web', 'Ads'] }` (equals / in, all of).
 */
export function buildCriteria(input: unknown): string {
  return build(input, 0);
}

function build(input: unknown, depth: number): string {
  if (depth > 20) throw invalidInput('The criteria are nested too deeply');
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
    throw invalidInput('Criteria must be an object, an array or a criteria string');
  const keys = Object.keys(input);
  if (keys.length === 1 && (keys[0] === 'and' || keys[0] === 'or')) {
    const list = input[keys[0]];
    if (!Array.isArray(list)) throw invalidInput(`"${keys[0]}" needs an array of criteria`);
    return group(
      list.map((c) => build(c, depth + 1)),
      keys[0],
    );
  }
  if ('field' in input) {
    const extra = keys.filter((k) => !['field', 'op', 'operator', 'value'].includes(k));
    if (extra.length) throw invalidInput(`Unknown criteria keys: ${extra.join(', ')}`);
    if (!('value' in input))
      throw invalidInput(`The criteria on ${String(input.field)} has no value`);
    return condition(input.field, input.op ?? input.operator, input.value);
  }
  if (keys.length === 0) throw invalidInput('The criteria object is empty');
  return group(
    keys.map((k) => condition(k, undefined, input[k])),
    'and',
  );
}

export type SearchQuery =
  { criteria: string | Criteria } | { word: string } | { email: string } | { phone: string };

export interface SearchOptions {
  fields?: string[] | string;
  page?: number;
  perPage?: number;
  /** Leads: include converted records (true, false, both). */
  converted?: 'true' | 'false' | 'both';
  approved?: 'true' | 'false' | 'both';
  signal?: AbortSignal;
}

function searchParams(query: unknown): Record<string, string> {
  if (!isPlainObject(query))
    throw invalidInput('A search needs one of criteria, word, email or phone');
  const given = (['criteria', 'word', 'email', 'phone'] as const).filter(
    (k) => query[k] !== undefined && query[k] !== null && query[k] !== '',
  );
  if (given.length === 0)
    throw invalidInput('A search needs one of criteria, word, email or phone');
  if (given.length > 1)
    throw invalidInput(
      `Search by one of criteria, word, email or phone, not ${given.join(' and ')}`,
    );
  const key = given[0];
  const value = query[key];
  if (key === 'criteria') {
    if (typeof value === 'string') {
      const text = value.trim();
      if (!text.startsWith('(') || !text.endsWith(')')) {
        throw invalidInput(
          'A criteria string looks like (Field:operator:value), e.g. (Last_Name:equals:Smith)',
        );
      }
      return { criteria: text };
    }
    return { criteria: buildCriteria(value) };
  }
  if (typeof value !== 'string') throw invalidInput(`The ${key} to search for must be a string`);
  const text = value.trim();
  if (key === 'word' && text.length < 2)
    throw invalidInput('A word search needs at least 2 characters');
  if (text === '') throw invalidInput(`The ${key} to search for is empty`);
  return { [key]: text };
}

interface PreparedSearch {
  mod: string;
  query: Record<string, QueryValue>;
  page?: number;
  perPage?: number;
}

function prepareSearch(module: string, search: unknown, options: SearchOptions): PreparedSearch {
  const mod = checkModule(module);
  const params = searchParams(search);
  const fields = fieldsParam(options.fields, false);
  const page = pageParam(options.page);
  const perPage = perPageParam(options.perPage);
  checkPageReach(page, perPage, 'A search');
  for (const key of ['converted', 'approved'] as const) {
    const v = options[key];
    if (v !== undefined && !['true', 'false', 'both'].includes(v))
      throw invalidInput(`${key} must be true, false or both`);
  }
  return {
    mod,
    query: {
      ...params,
      fields,
      per_page: perPage,
      converted: options.converted,
      approved: options.approved,
    },
    page,
    perPage,
  };
}

function fetchSearch(
  conn: Requester,
  prepared: PreparedSearch,
  at: { page?: number; pageToken?: string },
  signal?: AbortSignal,
): Promise<ListResult> {
  return fetchList(conn, { mod: prepared.mod, query: prepared.query }, at, signal, 'search');
}

/** One page of a search; no match is an empty result (Zoho's 204). */
export async function searchRecords(
  conn: Requester,
  module: string,
  search: SearchQuery,
  options: SearchOptions = {},
): Promise<ListResult> {
  const prepared = prepareSearch(module, search, options);
  return fetchSearch(conn, prepared, { page: prepared.page }, options.signal);
}

export type SearchAllOptions = Omit<SearchOptions, 'page'> & WalkOptions;

/** Every page of a search (up to Zoho's ceiling; see the header). */
export function searchAllRecords(
  conn: Requester,
  module: string,
  search: SearchQuery,
  options: SearchAllOptions = {},
): AsyncGenerator<Page<CrmRecord>, void, undefined> {
  const prepared = prepareSearch(module, search, { ...options, page: undefined });
  const perPage = prepared.perPage ?? MAX_PER_PAGE;
  prepared.query.per_page = perPage;
  return crmWalk(
    (at) => fetchSearch(conn, prepared, at, options.signal),
    perPage,
    { page: 1 },
    options,
  );
}

/** Every match of a search in one array. */
export async function searchAll(
  conn: Requester,
  module: string,
  search: SearchQuery,
  options: SearchAllOptions = {},
): Promise<ListAllResult> {
  const collected = await collectPages(searchAllRecords(conn, module, search, options));
  return {
    records: collected.items,
    pages: collected.pages,
    truncated: collected.truncated,
    info: (collected.info as CrmInfo | undefined) ?? {},
    notModified: false,
  };
}

// ---------------------------------------------------------------------------------------------
// deleted records

export interface DeletedOptions {
  /** all (default), recycle (in the recycle bin) or permanent. */
  type?: 'all' | 'recycle' | 'permanent';
  page?: number;
  perPage?: number;
  modifiedSince?: Date | string | number;
  signal?: AbortSignal;
}

function prepareDeleted(module: string, options: DeletedOptions): PreparedList {
  const mod = checkModule(module);
  const type = options.type ?? 'all';
  if (!['all', 'recycle', 'permanent'].includes(type))
    throw invalidInput('type must be all, recycle or permanent');
  const page = pageParam(options.page);
  const perPage = perPageParam(options.perPage);
  return {
    mod,
    query: { type, per_page: perPage },
    headers: modifiedSinceHeader(options.modifiedSince),
    page,
    perPage,
  };
}

/** One page of deleted records: `{ id, display_name, deleted_by, deleted_time, type, … }`. */
export async function getDeletedRecords(
  conn: Requester,
  module: string,
  options: DeletedOptions = {},
): Promise<ListResult> {
  const prepared = prepareDeleted(module, options);
  return fetchList(conn, prepared, { page: prepared.page }, options.signal, 'deleted');
}

/** Every page of deleted records. */
export function getAllDeletedRecords(
  conn: Requester,
  module: string,
  options: Omit<DeletedOptions, 'page'> & WalkOptions = {},
): AsyncGenerator<Page<CrmRecord>, void, undefined> {
  const prepared = prepareDeleted(module, { ...options, page: undefined });
  const perPage = prepared.perPage ?? MAX_PER_PAGE;
  prepared.query.per_page = perPage;
  // Deleted records page by number without the 2,000-record reach of lists.
  return crmWalk(
    (at) => fetchList(conn, prepared, at, options.signal, 'deleted'),
    perPage,
    { page: 1 },
    options,
    undefined,
    Infinity,
  );
}
