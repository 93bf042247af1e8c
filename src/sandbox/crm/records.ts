/**
 * Record reads: GET /crm/v8/{module} (fields required, page up to 2,000 records, page_token
 * beyond, sort, ids, If-Modified-Since), GET /crm/v8/{module}/{id} and the deleted records log
 * (newest first, If-Modified-Since too).
 */
import type { SandboxReply, SandboxRequest } from '../types';
import { isReply, type CrmContext, type PageCursor } from './context';
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

function sorted(records: StoredRecord[], sortBy: string, desc: boolean): StoredRecord[] {
  // The store keeps id order; ids are fixed-width, so string order is numeric order.
  const out =
    sortBy === 'id'
      ? [...records]
      : [...records].sort((a, b) => {
          const x = sortKey(a, sortBy);
          const y = sortKey(b, sortBy);
          return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1;
        });
  return desc ? out.reverse() : out;
}

function beyond(rec: StoredRecord, c: PageCursor): boolean {
  const k = sortKey(rec, c.sortBy);
  const cmp =
    k < c.after.key
      ? -1
      : k > c.after.key
        ? 1
        : rec.id < c.after.id
          ? -1
          : rec.id > c.after.id
            ? 1
            : 0;
  return c.desc ? cmp < 0 : cmp > 0;
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

  let records = c.store.all(def.api_name);
  if (ids) {
    const wanted = new Set(ids);
    records = records.filter((r) => wanted.has(r.id));
  }
  if (since !== undefined) {
    const after = since;
    records = records.filter((r) => Math.floor(r.modified / 1000) * 1000 > after);
    if (records.length === 0) return { status: 304 };
  }
  records = sorted(records, sortBy, desc);

  const perPage = pg.perPage;
  let start: number;
  let page: number;
  if (cursor) {
    const cur = cursor;
    start = records.findIndex((r) => beyond(r, cur));
    if (start < 0) start = records.length;
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
  const slice = records.slice(start, start + perPage);
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
