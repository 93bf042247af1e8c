/**
 * The one pagination helper of the pack. An API family describes how to fetch one page from a
 * cursor (a page number, a page token, an offset); `paginate` walks the pages, stops at the
 * caller's page or record cap, and says whether it stopped before the data ran out.
 */
import { LocalCodes, ZohoError, invalidInput } from './errors';

/** One page as the family's fetch function returns it. */
export interface FetchedPage<T, C> {
  items: T[];
  /** Cursor of the next page; absent when this page is the last. */
  next?: C;
  /** The API's own page info (Zoho's `info`, Books' `page_context`), passed through. */
  info?: unknown;
  /** The API has more, but no way to reach it (a ceiling of Zoho's): ends the walk as truncated. */
  truncated?: boolean;
  /** Bytes of the answer that carried the page, when known: its weight for `collectPages`. */
  bytes?: number;
}

export type FetchPage<T, C> = (
  cursor: C | undefined,
  pageIndex: number,
) => Promise<FetchedPage<T, C>>;

/**
 * The walk's last-resort ceiling when the caller sets none: no real Zoho list needs more pages
 * than this (10,000 pages of 200 are two million records), and a server that always says "more"
 * is stopped here instead of paging for ever. API families set tighter ones (crm/common.ts).
 */
export const DEFAULT_MAX_PAGES = 10_000;

/**
 * What the records gathered into one array may weigh (their JSON size; the objects in memory
 * weigh a few times more). Past it `collectPages` fails and suggests walking page by page.
 */
export const DEFAULT_MAX_COLLECT_BYTES = 64 * 1024 * 1024;

export interface PaginateOptions<C = unknown> {
  /** Cursor of the first page; undefined lets the fetch function start at the beginning. */
  start?: C;
  /** Stop after this many pages; default DEFAULT_MAX_PAGES. */
  maxPages?: number;
  /** Stop once this many items were yielded (the last page is cut to fit). */
  maxRecords?: number;
  signal?: AbortSignal;
  /**
   * What identifies a cursor when looking for one Zoho handed back twice (a loop); by default
   * its JSON. A cursor that carries a page counter beside the token must leave the counter out.
   */
  cursorKey?: (cursor: C) => string;
}

/** One page as `paginate` yields it. */
export interface Page<T> {
  items: T[];
  /** 1-based number of this page in the walk. */
  page: number;
  /** Items yielded so far, this page included. */
  total: number;
  info?: unknown;
  /** True on the final page when a cap stopped the walk while more data was there. */
  truncated: boolean;
  /** True when this is the last page the walk will yield. */
  last: boolean;
  /** Bytes of the answer that carried the page, when the family knows them. */
  bytes?: number;
}

function checkCap(value: number | undefined, what: string): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1)
    throw invalidInput(`${what} must be a whole number of at least 1`, what);
}

/** Walks the pages; `for await (const page of paginate(fetch))`. */
export async function* paginate<T, C>(
  fetchPage: FetchPage<T, C>,
  options: PaginateOptions<C> = {},
): AsyncGenerator<Page<T>, void, undefined> {
  checkCap(options.maxPages, 'maxPages');
  checkCap(options.maxRecords, 'maxRecords');
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const keyOf = options.cursorKey ?? ((cursor: C) => JSON.stringify(cursor));
  const maxRecords = options.maxRecords ?? Infinity;
  let cursor = options.start;
  let total = 0;
  const seen = new Set<string>();
  for (let index = 0; ; index++) {
    if (options.signal?.aborted) {
      throw new ZohoError({ code: LocalCodes.ABORTED, message: 'The request was cancelled.' });
    }
    const fetched = await fetchPage(cursor, index);
    let items = fetched.items ?? [];
    let truncated = fetched.truncated === true;
    if (total + items.length > maxRecords) {
      items = items.slice(0, maxRecords - total);
      truncated = true;
    }
    total += items.length;
    const hasNext =
      fetched.next !== undefined && fetched.next !== null && (fetched.items ?? []).length > 0;
    const capped = total >= maxRecords || index + 1 >= maxPages;
    if (hasNext && capped) truncated = true;
    const last = !hasNext || capped || truncated;
    // A page cut to maxRecords weighs its share of the answer.
    const cut = (fetched.items ?? []).length;
    const bytes =
      fetched.bytes === undefined || cut === 0
        ? fetched.bytes
        : Math.ceil((fetched.bytes * items.length) / cut);
    yield { items, page: index + 1, total, info: fetched.info, truncated, last, bytes };
    if (last) return;
    // A server that hands back a cursor it already gave would loop forever.
    const key = keyOf(fetched.next as C);
    if (seen.has(key)) {
      throw new ZohoError({
        code: 'PAGINATION_LOOP',
        message: `Zoho returned the same page cursor twice (${key.slice(0, 80)}); stopped paging`,
      });
    }
    seen.add(key);
    cursor = fetched.next;
  }
}

export interface Collected<T> {
  items: T[];
  pages: number;
  truncated: boolean;
  /** Info of the last page fetched. */
  info?: unknown;
}

function tooMuchToCollect(limit: number, records: number, pages: number): ZohoError {
  return new ZohoError({
    code: 'RESULT_TOO_LARGE',
    kind: 'input',
    param: 'maxCollectBytes',
    message:
      `The records gathered into one array passed ${Math.round(limit / 1048576)} MB ` +
      `(${records} records in ${pages} pages): take the pages one at a time instead (per-page ` +
      'output), ask for fewer fields or records, or raise maxCollectBytes.',
    details: { limit, records, pages },
  });
}

/**
 * Gathers every page of a walk into one array, up to `maxBytes` of records (their JSON size;
 * default DEFAULT_MAX_COLLECT_BYTES): past it the walk stops with RESULT_TOO_LARGE.
 */
export async function collectPages<T>(
  pages: AsyncIterable<Page<T>>,
  onPage?: (page: Page<T>) => void,
  maxBytes = DEFAULT_MAX_COLLECT_BYTES,
): Promise<Collected<T>> {
  checkCap(maxBytes, 'maxCollectBytes');
  const items: T[] = [];
  let count = 0;
  let bytes = 0;
  let truncated = false;
  let info: unknown;
  for await (const page of pages) {
    // The answer's own size where the family passed it on: stringifying every page again to
    // weigh it cost a quarter of a 100,000-record walk's CPU (issue 19).
    bytes += page.bytes ?? Buffer.byteLength(JSON.stringify(page.items) ?? '');
    if (bytes > maxBytes) throw tooMuchToCollect(maxBytes, items.length, page.page);
    for (const item of page.items) items.push(item);
    count = page.page;
    truncated = page.truncated;
    info = page.info;
    onPage?.(page);
  }
  return { items, pages: count, truncated, info };
}
