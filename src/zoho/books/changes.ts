/**
 * Changes of Zoho Books records by polling one list per type, exact across pages, equal
 * timestamps and downtime (the rules of crm/changes.ts, on Books' lists).
 *
 * A mark is where a type was read up to: a `last_modified_time` (whole seconds, in the
 * organization's time zone as Zoho writes it) and the ids already seen at exactly that second.
 * Records of the second Zoho answers in (its Date header) are left for the next poll: an edit
 * later in that same second would carry the same time as the one read.
 *
 * Two ways to read a list, per type in catalog.ts `changes`:
 * - `filter` (Zoho documents `last_modified_time` on the list): modified at or after the mark,
 *   sorted by `last_modified_time` ascending, page 1 again from each new mark, so records edited
 *   while we page move to the end instead of shifting pages under us. A page wholly in one
 *   second goes on with page 2, 3, … at the same mark.
 * - `sort` (the filter is not documented): newest first (`sort_order=D`) down to the mark, the
 *   records found handed out oldest first once the walk reached the mark; at most MAX_SORT_PAGES
 *   pages are walked, and a walk that does not reach the mark by then says so (`gap`) instead of
 *   keeping an unbounded list. Edits during the walk only push records to the front (seen again
 *   and skipped by the mark, or read by the next poll): none is missed.
 */
import { ZohoError, invalidInput } from '../core/errors';
import { paginate } from '../core/paginate';
import { BOOKS_TYPES, booksTypeInfo } from './catalog';
import { BOOKS_MAX_PER_PAGE, BooksCallOptions, BooksRecord, BooksRequester } from './core';
import { listBooksRecords } from './records';

export interface BooksMark {
  /** Epoch ms of a whole second; 0 = before any record. */
  time: number;
  /** Zoho's own text of that time, sent back as the filter (its format, its time zone). */
  since?: string;
  ids: string[];
}

export type BooksChangeEvent = 'created' | 'updated' | 'status';
export const BOOKS_CHANGE_EVENTS: readonly BooksChangeEvent[] = ['created', 'updated', 'status'];

export interface BooksChange {
  entity: string;
  event: BooksChangeEvent;
  id: string;
  record: BooksRecord;
  /** Status changes: the status the checkpoint last saw and the new one. */
  changes?: { status: { from: string; to: string } };
  /** Epoch ms of the record's last_modified_time. */
  modifiedTime: number;
}

/** A read record: the raw change before the poller classifies it. */
export interface ReadRecord {
  id: string;
  time: number;
  record: BooksRecord;
}

/** Walks past this many newest-first pages without reaching the mark report a gap. */
export const MAX_SORT_PAGES = 25;

/** The types books-watch-in can watch: those catalog.ts says how to read changes of. */
export function watchableTypes(): string[] {
  return Object.keys(BOOKS_TYPES).filter((t) => BOOKS_TYPES[t].changes !== undefined);
}

/** The entities to watch, checked: known, watchable, at least one, none twice. */
export function checkWatchEntities(value: unknown): string[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [];
  const names = [...new Set(list.map((v) => (typeof v === 'string' ? v.trim() : String(v))))];
  if (names.length === 0 || names.some((n) => n === ''))
    throw invalidInput(
      `No Zoho Books entity to watch: choose from ${watchableTypes().join(', ')}`,
      'entities',
    );
  for (const name of names) {
    if (!booksTypeInfo(name)?.changes)
      throw invalidInput(
        `"${name}" cannot be watched: choose from ${watchableTypes().join(', ')}`,
        'entities',
      );
  }
  return names;
}

/** A Books timestamp (`2026-06-09T16:22:34-0400`, `…-04:00`, `…Z`) as epoch ms; NaN if not. */
export function booksTime(value: unknown): number {
  if (typeof value !== 'string') return NaN;
  const iso = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$/.test(iso)
    ? Math.floor(Date.parse(iso) / 1000) * 1000
    : NaN;
}

export function isNew(mark: BooksMark, id: string, time: number): boolean {
  return time > mark.time || (time === mark.time && !mark.ids.includes(id));
}

/** The mark after reading record `id` modified at `time` (`since`: Zoho's text of it). */
export function advance(mark: BooksMark, id: string, time: number, since: string): BooksMark {
  if (time > mark.time) return { time, since, ids: [id] };
  if (time === mark.time && !mark.ids.includes(id)) return { ...mark, ids: [...mark.ids, id] };
  return mark;
}

function idOf(type: string, rec: BooksRecord): string {
  const id = rec[booksTypeInfo(type)?.idField ?? 'id'];
  return typeof id === 'string' || typeof id === 'number' ? String(id) : '';
}

function settledSecond(serverTime: number | undefined): number {
  return serverTime === undefined ? Infinity : Math.floor(serverTime / 1000) * 1000;
}

const sorted = (order: 'A' | 'D') => ({
  sortColumn: 'last_modified_time',
  sortOrder: order,
  perPage: BOOKS_MAX_PER_PAGE,
});

/** The mark of "now": the newest last_modified_time and every id at it (time 0: no record). */
export async function currentBooksMark(
  conn: BooksRequester,
  type: string,
  options: BooksCallOptions,
): Promise<BooksMark> {
  let mark: BooksMark = { time: 0, ids: [] };
  for (let page = 1; page <= MAX_SORT_PAGES; page++) {
    const res = await listBooksRecords(conn, type, { ...options, ...sorted('D'), page });
    for (const rec of res.records) {
      const t = booksTime(rec.last_modified_time);
      if (Number.isNaN(t)) continue;
      if (mark.time === 0) mark = { time: t, since: String(rec.last_modified_time), ids: [] };
      if (t < mark.time) return mark;
      mark.ids.push(idOf(type, rec));
    }
    if (res.pageContext.has_more_page !== true) return mark;
  }
  return mark;
}

export interface ChangePage {
  records: ReadRecord[];
  /** The mark after these records: save it once they are handed out. */
  mark: BooksMark;
}

interface Cursor {
  since: BooksMark;
  page: number;
}

/** `filter` types: records modified after `start`, oldest first, one yield per page. */
export async function* filteredSince(
  conn: BooksRequester,
  type: string,
  start: BooksMark,
  options: BooksCallOptions,
): AsyncGenerator<ChangePage, void, undefined> {
  let mark = start;
  const pages = paginate<ChangePage, Cursor>(
    async (cursor) => {
      const at = cursor ?? { since: mark, page: 1 };
      const res = await listBooksRecords(conn, type, {
        ...options,
        ...sorted('A'),
        page: at.page,
        search: at.since.since ? { last_modified_time: at.since.since } : undefined,
      });
      const before = mark.time;
      const settled = settledSecond(res.serverTime);
      const records: ReadRecord[] = [];
      let held = false;
      for (const rec of res.records) {
        const t = booksTime(rec.last_modified_time);
        const id = idOf(type, rec);
        if (t >= settled) {
          held = true;
          break;
        }
        if (Number.isNaN(t) || !isNew(mark, id, t)) continue;
        records.push({ id, time: t, record: rec });
        mark = advance(mark, id, t, String(rec.last_modified_time));
      }
      const items = [{ records, mark }];
      const more = res.pageContext.has_more_page === true && res.records.length > 0;
      if (held || !more) return { items };
      if (mark.time !== before) return { items, next: { since: mark, page: 1 } };
      return { items, next: { since: at.since, page: at.page + 1 } };
    },
    { signal: options.signal },
  );
  for await (const page of pages) yield* page.items;
}

/**
 * `sort` types: records modified after `start`, read newest first down to the mark and
 * returned oldest first, with the mark after them; `gap` when MAX_SORT_PAGES pages did not
 * reach the mark (the records older than those read were not seen).
 */
export async function sortedSince(
  conn: BooksRequester,
  type: string,
  start: BooksMark,
  options: BooksCallOptions,
  /** The most pages one walk reads (MAX_SORT_PAGES; fewer in tests). */
  maxPages = MAX_SORT_PAGES,
): Promise<{ records: ReadRecord[]; mark: BooksMark; gap: boolean }> {
  const found = new Map<string, ReadRecord>();
  let reached = false;
  let pagesRead = 0;
  const pages = paginate<ReadRecord, number>(
    async (cursor) => {
      const page = cursor ?? 1;
      pagesRead = page;
      const res = await listBooksRecords(conn, type, { ...options, ...sorted('D'), page });
      const settled = settledSecond(res.serverTime);
      const items: ReadRecord[] = [];
      for (const rec of res.records) {
        const t = booksTime(rec.last_modified_time);
        if (Number.isNaN(t) || t >= settled) continue;
        if (t < start.time) {
          reached = true;
          break;
        }
        const id = idOf(type, rec);
        if (isNew(start, id, t)) items.push({ id, time: t, record: rec });
      }
      const more = res.pageContext.has_more_page === true && res.records.length > 0;
      if (!more) reached = true;
      return { items, next: reached ? undefined : page + 1 };
    },
    { signal: options.signal, maxPages },
  );
  for await (const page of pages) {
    // A record edited during the walk is met twice: its newest reading (met first) counts.
    for (const r of page.items) if (!found.has(r.id)) found.set(r.id, r);
  }
  const records = [...found.values()].sort((a, b) => a.time - b.time);
  let mark = start;
  for (const r of records) mark = advance(mark, r.id, r.time, String(r.record.last_modified_time));
  const gap = !reached && pagesRead >= maxPages;
  // A walk that never left one second would meet the same records first every time: the rest
  // of that second is skipped with the older records (the gap says so) so the next walk moves on.
  if (gap && records.length > 0 && records[0].time === mark.time)
    mark = { time: mark.time + 1000, ids: [] };
  return { records, mark, gap };
}

/** The error a gap is reported with (the watch goes on from the newest records read). */
export function gapError(type: string, records: number): ZohoError {
  return new ZohoError({
    code: 'CHANGES_SKIPPED',
    message: `More than ${records} ${type} changed since the last poll: older changes than those were not read (Zoho Books lists ${type} newest first without a last-modified filter)`,
    details: { entity: type, read: records },
  });
}
