/**
 * What the Zoho CRM record functions share: the connection type, Zoho's limits, result types,
 * request paths, option checks common to lists and searches, one page fetch and the page walk.
 *
 * Zoho's limits assumed here (CRM API v8 documentation):
 * - per_page at most 200; with `page`, only the first 2,000 records of a list can be reached,
 *   beyond that Zoho requires `page_token` (from `info.next_page_token` of the previous page).
 * - Search reaches at most 2,000 records (page × per_page); a search past that stops truncated
 *   unless Zoho hands out a `next_page_token`.
 * - At most 100 records per insert/update/upsert call and 100 ids per delete call.
 * - `fields` is required when listing records (at most 50 field API names).
 * - `word` search needs at least 2 characters.
 * - returnAll stops at RETURN_ALL_REACH records unless the caller asks for more: Zoho documents
 *   no ceiling for page_token walks (only that a token expires after a day), so the pack takes
 *   the 100,000 rows COQL can reach (coql.ts), enough for any list a flow should hold at once.
 */
import type { ZohoConnection } from '../core/connection';
import { invalidInput } from '../core/errors';
import { QueryValue, segment } from '../core/http';
import { FetchedPage, Page, collectPages, paginate } from '../core/paginate';
import { checkDateTime, checkPositiveInt } from '../core/validate';
import { checkFieldNames } from './validate';

/** What the CRM functions need of a connection; tests pass a stub. */
export type Requester = Pick<ZohoConnection, 'request'>;
export type CrmRecord = Record<string, unknown>;

export const CRM_VERSION = 'v8';
export const MAX_PER_PAGE = 200;
/** Records reachable with `page`; further records need `page_token`. */
export const PAGE_REACH = 2000;
export const MAX_FIELDS = 50;
/** Default maxRecords of a walk (see above); its page cap follows from the page size. */
export const RETURN_ALL_REACH = 100_000;

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
  /** Zoho's clock when it answered (the Date header), epoch ms. */
  serverTime?: number;
  /** Bytes of Zoho's answer (what the page weighs when records are gathered). */
  bytes?: number;
}

export interface ListAllResult {
  records: CrmRecord[];
  pages: number;
  /** A cap (maxRecords/maxPages) or a Zoho ceiling stopped the walk with more records left. */
  truncated: boolean;
  info: CrmInfo;
  notModified: boolean;
}

export interface WalkOptions {
  /** Default RETURN_ALL_REACH. */
  maxRecords?: number;
  /** Default: the pages maxRecords needs at the page size (500 of 200). */
  maxPages?: number;
  /** Gathering into one array only: its JSON size at most (paginate.ts, default 64 MiB). */
  maxCollectBytes?: number;
}

/** `/v8/<module>/<rest…>`; `rest` are fixed words or segments already encoded. */
export function path(module: string, ...rest: string[]): string {
  return [`/${CRM_VERSION}`, segment(module), ...rest].join('/');
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function dataOf(body: unknown): unknown[] {
  const data = asRecord(body)?.data;
  return Array.isArray(data) ? data : [];
}

function infoOf(body: unknown): CrmInfo {
  return asRecord(asRecord(body)?.info) ?? {};
}

/** An option left out: undefined, null or ''. */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

export function fieldsParam(fields: unknown, required: boolean): string | undefined {
  if (isBlank(fields) || (Array.isArray(fields) && fields.length === 0)) {
    if (required) {
      throw invalidInput(
        'Zoho CRM needs the fields to return when listing records: give fields (e.g. "Last_Name,Email", at most 50)',
        'fields',
      );
    }
    return undefined;
  }
  const list = checkFieldNames(fields);
  if (list.length > MAX_FIELDS)
    throw invalidInput(
      `At most ${MAX_FIELDS} fields can be requested at once, not ${list.length}`,
      'fields',
    );
  return list.join(',');
}

export function perPageParam(value: unknown): number | undefined {
  return isBlank(value) ? undefined : checkPositiveInt(value, 'perPage', MAX_PER_PAGE);
}

export function pageParam(value: unknown): number | undefined {
  return isBlank(value) ? undefined : checkPositiveInt(value, 'page');
}

export function checkPageReach(
  page: number | undefined,
  perPage: number | undefined,
  what: string,
): void {
  if (page !== undefined && page * (perPage ?? MAX_PER_PAGE) > PAGE_REACH) {
    throw invalidInput(
      `${what} can reach only the first ${PAGE_REACH} records by page number (page ${page} × ${perPage ?? MAX_PER_PAGE} per page): use a page token or returnAll`,
      'page',
    );
  }
}

export function modifiedSinceHeader(value: unknown): Record<string, string> | undefined {
  if (isBlank(value)) return undefined;
  return { 'If-Modified-Since': checkDateTime(value, 'modifiedSince') };
}

export function pageTokenParam(value: unknown): string | undefined {
  if (isBlank(value)) return undefined;
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || /[\u0000-\u001f]/.test(value) || value.length > 2000) {
    throw invalidInput('pageToken must be the next_page_token string Zoho returned', 'pageToken');
  }
  return value;
}

/** A checked list, search or deleted-records request, ready to fetch pages of. */
export interface PreparedList {
  mod: string;
  query: Record<string, QueryValue>;
  headers?: Record<string, string>;
  page?: number;
  perPage?: number;
  pageToken?: string;
}

export interface PageAt {
  page?: number;
  pageToken?: string;
}

/** One page of `/v8/<module>[/<sub>]`; 304 is "not modified", 204 an empty page. */
export async function fetchList(
  conn: Requester,
  prepared: PreparedList,
  at: PageAt,
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
  const date = Date.parse(res.headers?.date ?? '');
  const clock = Number.isNaN(date) ? {} : { serverTime: date };
  if (res.status === 304)
    return { records: [], info: { more_records: false }, notModified: true, ...clock };
  if (res.status === 204)
    return { records: [], info: { more_records: false, count: 0 }, notModified: false, ...clock };
  return {
    records: dataOf(res.data) as CrmRecord[],
    info: infoOf(res.data),
    notModified: false,
    ...clock,
    ...(res.bytes !== undefined && { bytes: res.bytes }),
  };
}

interface CrmCursor {
  page: number;
  token?: string;
}

export interface WalkParams {
  /** Where the walk starts; default page 1. */
  start?: CrmCursor;
  /** Set to true when a page answered 304 (not modified). */
  notModified?: { value: boolean };
  /** Records reachable by page number; default PAGE_REACH. */
  reach?: number;
}

/**
 * Pages of a CRM list/search: by page number while it reaches, then by Zoho's page token
 * (`info.next_page_token`) past the 2,000th record; truncated where neither is possible.
 * Pages are as large as Zoho allows unless the request set perPage.
 */
export function crmWalk(
  prepared: PreparedList,
  fetchOne: (at: PageAt) => Promise<ListResult>,
  options: WalkOptions & { signal?: AbortSignal },
  { start = { page: 1 }, notModified, reach = PAGE_REACH }: WalkParams = {},
): AsyncGenerator<Page<CrmRecord>, void, undefined> {
  const perPage = prepared.perPage ?? MAX_PER_PAGE;
  prepared.query.per_page = perPage;
  const maxRecords = options.maxRecords ?? RETURN_ALL_REACH;
  // A server handing out short pages with fresh tokens must not stretch the walk past this.
  const maxPages = options.maxPages ?? Math.ceil(maxRecords / perPage);
  return paginate<CrmRecord, CrmCursor>(
    async (cursor): Promise<FetchedPage<CrmRecord, CrmCursor>> => {
      const at = cursor ?? start;
      const result = await fetchOne({ page: at.token ? undefined : at.page, pageToken: at.token });
      if (result.notModified && notModified) notModified.value = true;
      const { records, info, bytes } = result;
      const page = { items: records, info, bytes };
      if (!info.more_records || records.length === 0) return page;
      const nextPage = at.page + 1;
      if (!at.token && nextPage * perPage <= reach) return { ...page, next: { page: nextPage } };
      if (typeof info.next_page_token === 'string' && info.next_page_token !== '') {
        return { ...page, next: { page: nextPage, token: info.next_page_token } };
      }
      return { ...page, truncated: true };
    },
    {
      maxRecords,
      maxPages,
      signal: options.signal,
      // The page counter grows on every page: a token Zoho hands back twice is the loop.
      cursorKey: (cursor) => cursor.token ?? `page ${cursor.page}`,
    },
  );
}

/** Every page of a walk in one result. */
export async function collectAll(
  pages: AsyncGenerator<Page<CrmRecord>, void, undefined>,
  notModified?: { value: boolean },
  maxCollectBytes?: number,
): Promise<ListAllResult> {
  const collected = await collectPages(pages, undefined, maxCollectBytes);
  return {
    records: collected.items,
    pages: collected.pages,
    truncated: collected.truncated,
    info: (collected.info as CrmInfo | undefined) ?? {},
    notModified: notModified?.value ?? false,
  };
}
