/**
 * Zoho CRM related records (API v8, related_records.json): the records in one related list of a
 * record (a page, or every page), relating records with the relation's own fields (a contact's
 * role on a deal), and delinking them. 100 records a call; results in input order.
 *
 * related_records.json gives the list `page` and `per_page` but no `page_token`, so the walk
 * pages by number all the way (docs/ZOHO-FACTS.md, related records).
 */
import { segment } from '../core/http';
import type { Page } from '../core/paginate';
import { checkRecordId, checkRecordIds } from '../core/validate';
import {
  CrmRecord,
  ListAllResult,
  ListResult,
  PreparedList,
  Requester,
  WalkOptions,
  collectAll,
  crmWalk,
  dataOf,
  fetchList,
  fieldsParam,
  pageParam,
  path,
  perPageParam,
} from './common';
import { checkModule, checkRecords, type CrmRecordInput } from './validate';
import { WriteOptions, WriteResult, runWrite } from './write';

/** Where a related list lives: the parent's module and id, and the list's API name. */
export interface RelatedListRef {
  module: string;
  recordId: string;
  /** The related list's API name (settings/related_lists), e.g. "Contacts", "Contact_Roles". */
  relatedList: string;
}

export interface RelatedListOptions {
  fields?: string[] | string;
  page?: number;
  perPage?: number;
  signal?: AbortSignal;
}

interface Checked {
  mod: string;
  sub: string;
}

function checkRef(ref: RelatedListRef): Checked {
  const mod = checkModule(ref.module);
  const rid = checkRecordId(ref.recordId);
  const list = checkModule(ref.relatedList, 'relatedList');
  return { mod, sub: `${segment(rid)}/${segment(list)}` };
}

function prepare(ref: RelatedListRef, options: RelatedListOptions): PreparedList & Checked {
  const { mod, sub } = checkRef(ref);
  const perPage = perPageParam(options.perPage);
  return {
    mod,
    sub,
    query: { fields: fieldsParam(options.fields, false), per_page: perPage },
    page: pageParam(options.page),
    perPage,
  };
}

/** One page of a record's related list; an empty list is `records: []`. */
export async function listRelatedRecords(
  conn: Requester,
  ref: RelatedListRef,
  options: RelatedListOptions = {},
): Promise<ListResult> {
  const p = prepare(ref, options);
  return fetchList(conn, p, { page: p.page }, options.signal, p.sub);
}

/** Every page of a related list, 200 a page unless perPage says otherwise. */
export function listAllRelatedRecords(
  conn: Requester,
  ref: RelatedListRef,
  options: Omit<RelatedListOptions, 'page'> & WalkOptions = {},
): AsyncGenerator<Page<CrmRecord>, void, undefined> {
  const p = prepare(ref, { ...options, page: undefined });
  return crmWalk(p, (at) => fetchList(conn, p, at, options.signal, p.sub), options, {
    reach: Infinity,
  });
}

/** Every record of a related list in one array (see listAllRelatedRecords). */
export async function collectRelatedRecords(
  conn: Requester,
  ref: RelatedListRef,
  options: Omit<RelatedListOptions, 'page'> & WalkOptions = {},
): Promise<ListAllResult> {
  return collectAll(listAllRelatedRecords(conn, ref, options), undefined, options.maxCollectBytes);
}

export type RelatedWriteOptions = Omit<WriteOptions, 'trigger' | 'fieldMeta'>;

/**
 * Relates records to the parent, or updates the relation: each item `{ id, ...relation fields }`
 * (e.g. `{ id: contactId, Contact_Role: { id } }` on a deal's Contact_Roles); a bare id relates
 * with no fields.
 */
export async function linkRelatedRecords(
  conn: Requester,
  ref: RelatedListRef,
  records: string | readonly (string | CrmRecordInput)[] | CrmRecordInput,
  options: RelatedWriteOptions = {},
): Promise<WriteResult> {
  const { mod, sub } = checkRef(ref);
  const given = Array.isArray(records) ? records : [records];
  const items = checkRecords(
    given.map((r: unknown) => (typeof r === 'string' || typeof r === 'number' ? { id: r } : r)),
  ).map((r, index) => ({
    ...r,
    id: checkRecordId(r.id, 'records', `related record id (${index})`),
  }));
  return runWrite({
    items,
    options,
    send: async (data) => {
      const res = await conn.request({
        product: 'crm',
        method: 'PUT',
        path: path(mod, sub),
        body: { data },
        signal: options.signal,
      });
      return dataOf(res.data);
    },
  });
}

/** Delinks related records by id (they stay in CRM); 100 ids a call. */
export async function unlinkRelatedRecords(
  conn: Requester,
  ref: RelatedListRef,
  ids: string | readonly string[],
  options: RelatedWriteOptions = {},
): Promise<WriteResult> {
  const { mod, sub } = checkRef(ref);
  const list = checkRecordIds(ids);
  return runWrite({
    items: list,
    options,
    send: async (chunk) => {
      const res = await conn.request({
        product: 'crm',
        method: 'DELETE',
        path: path(mod, sub),
        query: { ids: chunk.join(',') },
        signal: options.signal,
      });
      return dataOf(res.data);
    },
  });
}
