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
}

export type FetchPage<T, C> = (
  cursor: C | undefined,
  pageIndex: number,
) => Promise<FetchedPage<T, C>>;

export interface PaginateOptions<C = unknown> {
  /** Cursor of the first page; undefined lets the fetch function start at the beginning. */
  start?: C;
  /** Stop after this many pages. */
  maxPages?: number;
  /** Stop once this many items were yielded (the last page is cut to fit). */
  maxRecords?: number;
  signal?: AbortSignal;
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
  const maxPages = options.maxPages ?? Infinity;
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
    yield { items, page: index + 1, total, info: fetched.info, truncated, last };
    if (last) return;
    // A server that hands back a cursor it already gave would loop forever.
    const key = JSON.stringify(fetched.next);
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

/** Gathers every page of a walk into one array. */
export async function collectPages<T>(
  pages: AsyncIterable<Page<T>>,
  onPage?: (page: Page<T>) => void,
): Promise<Collected<T>> {
  const items: T[] = [];
  let count = 0;
  let truncated = false;
  let info: unknown;
  for await (const page of pages) {
    for (const item of page.items) items.push(item);
    count = page.page;
    truncated = page.truncated;
    info = page.info;
    onPage?.(page);
  }
  return { items, pages: count, truncated, info };
}
