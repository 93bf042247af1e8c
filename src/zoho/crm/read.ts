/**
 * Zoho CRM records (API v8), reading: one record, a page of records, every page, deleted
 * records. Every bad input is refused before a request leaves; Zoho's limits are listed in
 * common.ts.
 */
import { invalidInput } from '../core/errors';
import { segment } from '../core/http';
import type { Page } from '../core/paginate';
import { checkRecordId, checkRecordIds } from '../core/validate';
import { FIELD_NAME_RE, checkModule } from './validate';
import {
  CrmRecord,
  ListAllResult,
  MAX_FIELDS,
  ListResult,
  PreparedList,
  Requester,
  WalkOptions,
  asRecord,
  checkPageReach,
  collectAll,
  crmWalk,
  dataOf,
  fetchList,
  fieldsParam,
  isBlank,
  modifiedSinceHeader,
  pageParam,
  pageTokenParam,
  path,
  perPageParam,
} from './common';

export const MAX_IDS_PER_CALL = 100;

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
  recordId: string,
  options: GetOptions = {},
): Promise<CrmRecord | null> {
  const mod = checkModule(module);
  const rid = checkRecordId(recordId);
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
  return asRecord(first) ?? null;
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

function prepareList(module: string, options: ListOptions): PreparedList {
  const mod = checkModule(module);
  const fields = fieldsParam(options.fields, true);
  const page = pageParam(options.page);
  const perPage = perPageParam(options.perPage);
  const pageToken = pageTokenParam(options.pageToken);
  if (page !== undefined && pageToken !== undefined)
    throw invalidInput('Give either page or pageToken, not both', 'pageToken');
  checkPageReach(page, perPage, 'Listing records');
  let sortBy: string | undefined;
  if (options.sortBy !== undefined && options.sortBy !== '') {
    if (typeof options.sortBy !== 'string' || !FIELD_NAME_RE.test(options.sortBy)) {
      throw invalidInput(
        'sortBy must be a field API name (id, Created_Time or Modified_Time)',
        'sortBy',
      );
    }
    sortBy = options.sortBy;
  }
  let sortOrder: string | undefined;
  if (options.sortOrder !== undefined && (options.sortOrder as string) !== '') {
    if (options.sortOrder !== 'asc' && options.sortOrder !== 'desc')
      throw invalidInput('sortOrder must be "asc" or "desc"', 'sortOrder');
    sortOrder = options.sortOrder;
  }
  let ids: string | undefined;
  if (!isBlank(options.ids)) {
    const list = checkRecordIds(options.ids);
    if (list.length > MAX_IDS_PER_CALL)
      throw invalidInput(`At most ${MAX_IDS_PER_CALL} ids can be listed at once`, 'ids');
    ids = list.join(',');
  }
  let cvid: string | undefined;
  if (options.cvid !== undefined && options.cvid !== '')
    cvid = checkRecordId(options.cvid, 'cvid', 'custom view id');
  return {
    mod,
    query: { fields, per_page: perPage, sort_by: sortBy, sort_order: sortOrder, ids, cvid },
    headers: modifiedSinceHeader(options.modifiedSince),
    page,
    perPage,
    pageToken,
  };
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
  return crmWalk(prepared, (at) => fetchList(conn, prepared, at, options.signal), options, {
    start: { page: 1, token: prepared.pageToken },
    notModified,
  });
}

/** Every record of a module in one array (see listAllRecords). */
export async function listAll(
  conn: Requester,
  module: string,
  options: ListAllOptions = {},
): Promise<ListAllResult> {
  const notModified = { value: false };
  return collectAll(
    listAllRecords(conn, module, options, notModified),
    notModified,
    options.maxCollectBytes,
  );
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
    throw invalidInput('type must be all, recycle or permanent', 'type');
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
  // Deleted records page by number without the 2,000-record reach of lists.
  return crmWalk(
    prepared,
    (at) => fetchList(conn, prepared, at, options.signal, 'deleted'),
    options,
    { reach: Infinity },
  );
}

// ---------------------------------------------------------------------------------------------
// records by id (notifications carry ids only)

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * Full records for ids, in the order of `ids` (ids Zoho no longer has are left out): 100 ids a
 * call; modules with more than 50 fields take one call per 50 fields, merged by id.
 */
export async function fetchRecordsByIds(
  conn: Requester,
  module: string,
  ids: string[],
  fields: string[],
  signal?: AbortSignal,
): Promise<CrmRecord[]> {
  const wanted = [...new Set(fields.filter((f) => f !== 'id'))];
  const fieldChunks = chunks(wanted, MAX_FIELDS - 1).map((c) => ['id', ...c]);
  if (fieldChunks.length === 0) fieldChunks.push(['id']);
  const byId = new Map<string, CrmRecord>();
  for (const idChunk of chunks([...new Set(ids)], MAX_IDS_PER_CALL)) {
    for (const f of fieldChunks) {
      const page = await listRecords(conn, module, {
        ids: idChunk,
        fields: f,
        perPage: MAX_IDS_PER_CALL,
        signal,
      });
      for (const rec of page.records) {
        const id = String(rec.id);
        byId.set(id, { ...byId.get(id), ...rec });
      }
    }
  }
  return ids.flatMap((id): CrmRecord[] => {
    const rec = byId.get(id);
    return rec ? [rec] : [];
  });
}
