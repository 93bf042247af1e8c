/**
 * Record reads: GET /crm/v8/{module} (fields required, page up to 2,000 records, page_token
 * beyond, sort, ids, If-Modified-Since), GET /crm/v8/{module}/{id} and the deleted records log
 * (newest first, If-Modified-Since too).
 */
import type { SandboxReply, SandboxRequest } from '../types';
import { isReply, type CrmContext, type PageCursor } from './context';
import type { CrmStore } from './store';
import type { ModuleDef, StoredRecord } from './types';
import {
  error,
  intParam,
  invalidParam,
  isZohoId,
  noContent,
  paramMissing,
  splitList,
} from './util';

export const MAX_PER_PAGE = 200;
/** Records reachable with `page`; beyond it Zoho wants a page_token. */
export const DISCRETE_PAGE_LIMIT = 2000;
export const MAX_IDS = 100;
const SORTABLE = ['id', 'Created_Time', 'Modified_Time'];

/** `fields` checked against the module: a list, or an error reply. */
export function fieldsParam(
  def: ModuleDef,
  req: SandboxRequest,
  required: boolean,
): string[] | undefined | SandboxReply {
  const raw = req.query.get('fields');
  if (raw === null || raw.trim() === '') return required ? paramMissing('fields') : undefined;
  const fields = splitList(raw);
  for (const f of fields) {
    if (f !== 'id' && !def.fields.some((x) => x.api_name === f)) {
      return error(400, 'INVALID_DATA', 'invalid data', {
        api_name: f,
        param: 'fields',
        param_name: 'fields',
      });
    }
  }
  return [...new Set(fields)];
}

/** page and per_page: Zoho caps per_page at 200. */
export function paging(req: SandboxRequest): { page: number; perPage: number } | SandboxReply {
  const page = intParam(req.query, 'page') ?? 1;
  const perPage = intParam(req.query, 'per_page') ?? MAX_PER_PAGE;
  if (Number.isNaN(page) || page < 1) return invalidParam('page');
  if (Number.isNaN(perPage) || perPage < 1) return invalidParam('per_page');
  return { page, perPage: Math.min(perPage, MAX_PER_PAGE) };
}

function sortKey(rec: StoredRecord, sortBy: string): number | string {
  return sortBy === 'Created_Time'
    ? rec.created
    : sortBy === 'Modified_Time'
      ? rec.modified
      : rec.id;
}

/** Order of a record against a cursor's last record: by sort key, then by id (ascending). */
function compareToCursor(rec: StoredRecord, c: PageCursor): number {
  const k = sortKey(rec, c.sortBy);
  if (k !== c.after.key) return k < c.after.key ? -1 : 1;
  return rec.id < c.after.id ? -1 : rec.id > c.after.id ? 1 : 0;
}

/** How many records of an ascending view come before the first one `isAtOrAfter` accepts. */
function countBefore(view: StoredRecord[], isAtOrAfter: (r: StoredRecord) => boolean): number {
  let lo = 0;
  let hi = view.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isAtOrAfter(view[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Position in the served order of the first record past the cursor, found by binary search in
 * the ascending view (O(log n) instead of a scan per page). Records written or deleted between
 * pages move nothing: the walk resumes after the last record served, as before.
 */
function positionAfter(view: StoredRecord[], c: PageCursor): number {
  if (!c.desc) return countBefore(view, (r) => compareToCursor(r, c) > 0);
  // Descending: what is left is everything below the cursor, served from the top down.
  return view.length - countBefore(view, (r) => compareToCursor(r, c) >= 0);
}

interface ViewKey {
  module: string;
  sortBy: string;
  ids?: string[];
  since?: number;
}

/**
 * The records a listing walks, ascending by (sort key, id). The common walk (by id, unfiltered)
 * is the store's own id-ordered array, not a copy; filtered or time-sorted views are built once
 * per store revision and kept (a few, for the latest revision only), so the pages of one walk
 * share one sort.
 */
const builtViews = new WeakMap<
  CrmStore,
  { revision: number; views: Map<string, StoredRecord[]> }
>();
const VIEWS_KEPT = 8;

function ascendingView(store: CrmStore, key: ViewKey): StoredRecord[] {
  const all = store.all(key.module);
  if (key.sortBy === 'id' && !key.ids && key.since === undefined) return all;
  let built = builtViews.get(store);
  // Any write may move records in or out of a view: views of an older revision are dropped.
  if (built?.revision !== store.revision) {
    built = { revision: store.revision, views: new Map() };
    builtViews.set(store, built);
  }
  const cacheKey = JSON.stringify([key.module, key.sortBy, key.ids, key.since]);
  const kept = built.views.get(cacheKey);
  if (kept) return kept;
  let records = all;
  if (key.ids) {
    const wanted = new Set(key.ids);
    records = records.filter((r) => wanted.has(r.id));
  }
  const since = key.since;
  if (since !== undefined) {
    records = records.filter((r) => Math.floor(r.modified / 1000) * 1000 > since);
  }
  // The store keeps id order; ids are fixed-width, so string order is numeric order.
  if (key.sortBy !== 'id') {
    records = [...records].sort((a, b) => {
      const x = sortKey(a, key.sortBy);
      const y = sortKey(b, key.sortBy);
      return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1;
    });
  }
  if (built.views.size >= VIEWS_KEPT) built.views.clear();
  built.views.set(cacheKey, records);
  return records;
}

/** `count` records from `start` of the served order (descending reads the view from its end). */
function pageOf(view: StoredRecord[], desc: boolean, start: number, count: number) {
  const end = Math.min(view.length, start + count);
  const page: StoredRecord[] = [];
  for (let i = start; i < end; i++) page.push(desc ? view[view.length - 1 - i] : view[i]);
  return page;
}

export function listRecords(c: CrmContext, req: SandboxRequest): SandboxReply {
  const def = c.module(req);
  if (isReply(def)) return def;
  const fields = fieldsParam(def, req, true);
  if (isReply(fields)) return fields;
  const pg = paging(req);
  if (isReply(pg)) return pg;

  const tokenText = req.query.get('page_token');
  let cursor: PageCursor | undefined;
  if (tokenText !== null) {
    cursor = c.cursor(tokenText);
    if (!cursor || cursor.module !== def.api_name) {
      return error(400, 'INVALID_DATA', 'invalid data', {
        param: 'page_token',
        param_name: 'page_token',
      });
    }
  }
  const sortBy = cursor?.sortBy ?? req.query.get('sort_by') ?? 'id';
  if (!SORTABLE.includes(sortBy)) return invalidParam('sort_by', { supported_values: SORTABLE });
  const order = req.query.get('sort_order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') return invalidParam('sort_order');
  const desc = cursor ? cursor.desc : order === 'desc';

  let ids = cursor?.ids;
  if (!cursor && req.query.get('ids') !== null) {
    ids = splitList(req.query.get('ids'));
    if (ids.length > MAX_IDS) {
      return error(400, 'LIMIT_EXCEEDED', 'Record count exceeded', {
        param: 'ids',
        limit: MAX_IDS,
      });
    }
    const bad = ids.find((id) => !isZohoId(id));
    if (bad !== undefined)
      return error(400, 'INVALID_DATA', 'the id given seems to be invalid', { id: bad });
  }
  let since = cursor?.since;
  const ims = req.headers['if-modified-since'];
  if (!cursor && typeof ims === 'string') {
    since = Date.parse(ims);
    if (Number.isNaN(since)) {
      return error(400, 'INVALID_DATA', 'invalid data', {
        param: 'If-Modified-Since',
        param_name: 'If-Modified-Since',
      });
    }
  }

  const records = ascendingView(c.store, { module: def.api_name, sortBy, ids, since });
  if (since !== undefined && records.length === 0) return { status: 304 };

  const perPage = pg.perPage;
  let start: number;
  let page: number;
  if (cursor) {
    start = positionAfter(records, cursor);
    page = cursor.page + 1;
  } else {
    page = pg.page;
    if (page * perPage > DISCRETE_PAGE_LIMIT) {
      return error(
        400,
        'DISCRETE_PAGINATION_LIMIT_EXCEEDED',
        `cannot fetch more than ${DISCRETE_PAGE_LIMIT} records using the page param. Use page_token param to fetch more records`,
        { limit: DISCRETE_PAGE_LIMIT },
      );
    }
    start = (page - 1) * perPage;
  }
  const slice = pageOf(records, desc, start, perPage);
  if (slice.length === 0) return noContent();
  const more = start + perPage < records.length;
  const last = slice[slice.length - 1];
  const next = more
    ? c.issueToken({
        module: def.api_name,
        sortBy,
        desc,
        after: { key: sortKey(last, sortBy), id: last.id },
        page,
        perPage,
        since,
        ids,
      })
    : undefined;
  return {
    status: 200,
    body: {
      data: slice.map((r) => c.present(def, r, fields)),
      info: {
        per_page: perPage,
        next_page_token: next?.token ?? null,
        count: slice.length,
        sort_by: sortBy,
        page,
        previous_page_token: tokenText,
        page_token_expiry: next ? c.store.formatTime(next.expiresAt) : null,
        sort_order: desc ? 'desc' : 'asc',
        more_records: more,
      },
    },
  };
}

export function getRecord(c: CrmContext, req: SandboxRequest): SandboxReply {
  const def = c.module(req);
  if (isReply(def)) return def;
  const id = req.params.id ?? '';
  if (!isZohoId(id)) {
    return error(400, 'INVALID_DATA', 'the id given seems to be invalid', {
      resource_path_index: 1,
    });
  }
  const fields = fieldsParam(def, req, false);
  if (isReply(fields)) return fields;
  const rec = c.store.get(def.api_name, id);
  if (!rec) return noContent();
  return { status: 200, body: { data: [c.present(def, rec, fields)] } };
}

export function deletedRecords(c: CrmContext, req: SandboxRequest): SandboxReply {
  const def = c.module(req);
  if (isReply(def)) return def;
  const type = req.query.get('type') ?? 'all';
  if (!['all', 'recycle', 'permanent'].includes(type)) return invalidParam('type');
  const pg = paging(req);
  if (isReply(pg)) return pg;
  let since: number | undefined;
  const ims = req.headers['if-modified-since'];
  if (typeof ims === 'string') {
    since = Date.parse(ims);
    if (Number.isNaN(since)) {
      return error(400, 'INVALID_DATA', 'invalid data', {
        param: 'If-Modified-Since',
        param_name: 'If-Modified-Since',
      });
    }
  }
  const after = since;
  const entries = c.store
    .deleted(def.api_name)
    .filter((e) => type === 'all' || e.type === type)
    .filter((e) => after === undefined || Math.floor(e.deletedAt / 1000) * 1000 > after)
    .slice()
    .reverse();
  if (after !== undefined && entries.length === 0) return { status: 304 };
  const start = (pg.page - 1) * pg.perPage;
  const slice = entries.slice(start, start + pg.perPage);
  if (slice.length === 0) return noContent();
  return {
    status: 200,
    body: {
      data: slice.map((e) => ({
        deleted_by: e.deleted_by,
        id: e.id,
        display_name: e.display_name,
        type: e.type,
        created_by: e.created_by,
        deleted_time: e.deleted_time,
      })),
      info: {
        per_page: pg.perPage,
        count: slice.length,
        page: pg.page,
        more_records: start + pg.perPage < entries.length,
      },
    },
  };
}
