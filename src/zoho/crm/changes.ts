/**
 * Changes of CRM records by polling, exact across pages, equal timestamps and downtime.
 *
 * A mark is where a module was read up to: a Modified_Time (whole seconds, as Zoho gives it)
 * and the ids already seen at exactly that second. Each read asks for records modified since
 * the second before the mark (If-Modified-Since: a 304 costs one credit and carries nothing;
 * COQL would cost as much for an empty answer and more per record), sorted by Modified_Time
 * ascending, and skips the ids the mark holds. The mark then moves to the last record read,
 * so the next page starts there again with page 1: records edited while we page move to the
 * end instead of shifting pages under us. Only when a whole page sits in one second does the
 * walk go on with page 2, 3, … (or Zoho's page token past 2,000 records) at the same mark.
 *
 * Records of the second Zoho is in when it answers (its Date header) are left for the next
 * poll: a record read in a second that has not ended could be edited again within that same
 * second, and Zoho's whole-second times could not tell that edit from the one already read.
 *
 * Deleted records come from /{module}/deleted, newest first, with their own mark.
 */
import type { CrmRecord, Requester } from './common';
import { getDeletedRecords, listRecords } from './read';
import type { ChangeOperation } from './notifications';
import { paginate, type FetchedPage } from '../core/paginate';

export interface Mark {
  /** Epoch ms of a whole second; 0 = before any record. */
  time: number;
  ids: string[];
}

/** Values of watched fields per record id, least recently seen first (watch-fields.ts). */
export type RememberedValues = [string, Record<string, unknown>][];

export interface ModuleCheckpoint {
  modified?: Mark;
  deleted?: Mark;
  /** The last values of the watched fields (see watch-fields.ts), with a field filter. */
  remembered?: RememberedValues;
}

export interface Change {
  module: string;
  operation: ChangeOperation;
  ids: string[];
  /** Records as read (create/edit), or the deleted-records entries (delete), in ids order. */
  records: CrmRecord[];
}

export const PER_PAGE = 200;
const PAGE_REACH = 2000;
/** The fields a poll needs at the least. */
export const KEY_FIELDS = ['id', 'Created_Time', 'Modified_Time'];

export function secondOf(value: unknown): number | undefined {
  const t = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000) * 1000;
}

/** Has the mark not seen this record at this time yet? */
export function isNew(mark: Mark, id: string, time: number): boolean {
  return time > mark.time || (time === mark.time && !mark.ids.includes(id));
}

/** The mark after reading record `id` modified at `time` (records come in time order). */
export function advance(mark: Mark, id: string, time: number): Mark {
  if (time > mark.time) return { time, ids: [id] };
  if (time === mark.time && !mark.ids.includes(id)) return { time, ids: [...mark.ids, id] };
  return mark;
}

/** Create or edit: created after the mark the cycle started from means created since. */
export function classify(base: Mark, id: string, created: number | undefined): ChangeOperation {
  if (base.time === 0 || created === undefined) return base.time === 0 ? 'create' : 'edit';
  return isNew(base, id, created) ? 'create' : 'edit';
}

/** Consecutive records of one operation become one change, so order is kept. */
export function group(module: string, items: { op: ChangeOperation; rec: CrmRecord }[]): Change[] {
  const out: Change[] = [];
  for (const { op, rec } of items) {
    const last = out[out.length - 1];
    if (last && last.operation === op) {
      last.ids.push(String(rec.id));
      last.records.push(rec);
    } else out.push({ module, operation: op, ids: [String(rec.id)], records: [rec] });
  }
  return out;
}

export interface PollOptions {
  /** Fields to read; KEY_FIELDS are always added. */
  fields?: string[];
  signal?: AbortSignal;
}

/** The mark of "now": the newest Modified_Time and every id at it. No records: time 0. */
export async function currentMark(
  conn: Requester,
  module: string,
  signal?: AbortSignal,
): Promise<Mark> {
  let mark: Mark = { time: 0, ids: [] };
  for (let page = 1; page * PER_PAGE <= PAGE_REACH; page++) {
    const res = await listRecords(conn, module, {
      fields: KEY_FIELDS,
      sortBy: 'Modified_Time',
      sortOrder: 'desc',
      perPage: PER_PAGE,
      page,
      signal,
    });
    for (const rec of res.records) {
      const t = secondOf(rec.Modified_Time);
      if (t === undefined) continue;
      if (mark.time === 0) mark = { time: t, ids: [] };
      if (t < mark.time) return mark;
      mark.ids.push(String(rec.id));
    }
    if (!res.info.more_records) return mark;
  }
  return mark;
}

interface Cursor {
  since: number;
  page: number;
  token?: string;
  /** Which pass over a full second this is (keeps each pass's cursors distinct). */
  pass?: number;
}

/**
 * A walk through one second that holds more than a page: the ids of that second read in this
 * pass, and in the pass before.
 */
interface SecondWalk {
  second: number;
  ids: Set<string>;
  prev?: Set<string>;
  pass: number;
}

const sameIds = (a: Set<string>, b: Set<string> | undefined): boolean =>
  b !== undefined && a.size === b.size && [...a].every((id) => b.has(id));

/**
 * Records created or edited after `mark`, page by page: each yield holds that page's changes
 * and the mark after them (save it once the changes are out).
 *
 * A second holding more than a page is walked by page number at the same If-Modified-Since,
 * and page numbers are positions: a record of that second edited during the walk leaves it (its
 * Modified_Time becomes now) and every later record moves up one place, so one the walk had
 * not reached slips into a page already read. Such a walk therefore takes only that second's
 * records (never a later one from a page reached by number), and is repeated from page 1 until
 * two passes in a row read the same ids: the second is settled, so records only ever leave it,
 * and a pass that missed one must have seen a record leave, which the next pass no longer
 * reads. Then the walk asks for what is newer than that second.
 */
export async function* modifiedSince(
  conn: Requester,
  module: string,
  start: Mark,
  options: PollOptions = {},
): AsyncGenerator<{ changes: Change[]; mark: Mark }, void, undefined> {
  const reader = new ModifiedReader(conn, module, start, options);
  // One item per page, even a page with nothing new: paginate stops at an empty page.
  const pages = paginate<PageOut, Cursor>((cursor) => reader.fetch(cursor), {
    signal: options.signal,
  });
  for await (const page of pages) yield* page.items;
}

type PageOut = { changes: Change[]; mark: Mark };

/** What one page held: the changes taken, and why reading it stopped, if it did. */
interface Taken {
  items: { op: ChangeOperation; rec: CrmRecord }[];
  /** The seconds of the records read, in order. */
  seconds: number[];
  /** A record of the second Zoho is in (left for the next poll) or past the walked second. */
  stopped: boolean;
}

/** The state of one modifiedSince walk: the mark so far and the second being walked, if any. */
class ModifiedReader {
  private readonly base: Mark;
  private readonly fields: string[];
  private walk?: SecondWalk;

  constructor(
    private readonly conn: Requester,
    private readonly module: string,
    private mark: Mark,
    private readonly options: PollOptions,
  ) {
    this.base = mark;
    this.fields = [...new Set([...KEY_FIELDS, ...(options.fields ?? [])])];
  }

  async fetch(cursor: Cursor | undefined): Promise<FetchedPage<PageOut, Cursor>> {
    const at = cursor ?? { since: this.mark.time, page: 1 };
    const res = await listRecords(this.conn, this.module, {
      fields: this.fields,
      sortBy: at.token ? undefined : 'Modified_Time',
      sortOrder: at.token ? undefined : 'asc',
      perPage: at.token ? undefined : PER_PAGE,
      page: at.token ? undefined : at.page,
      pageToken: at.token,
      modifiedSince: at.token || at.since === 0 ? undefined : at.since - 1000,
      signal: this.options.signal,
    });
    // A page reached by number or token inside a second's walk: only that second counts.
    const inWalk = at.page > 1 ? this.walk : undefined;
    const taken = this.take(res.records, res.serverTime, inWalk?.second);
    const items = [{ changes: group(this.module, taken.items), mark: this.mark }];
    const more = !taken.stopped && res.info.more_records === true && res.records.length > 0;
    if (inWalk) {
      if (more) return nextPage(items, at, res.info.next_page_token);
      return { items, next: this.afterPass(inWalk) };
    }
    // Page 1: one answer, so whatever it holds is exact.
    const { seconds } = taken;
    if (!more || seconds.length === 0 || seconds[0] !== seconds[seconds.length - 1]) {
      this.walk = undefined;
      return more ? { items, next: { since: this.mark.time, page: 1 } } : { items };
    }
    // A whole page in one second: walk it (again, if this is the next pass over it).
    const second = seconds[0];
    const ids = new Set(res.records.map((r) => String(r.id)));
    const walk: SecondWalk =
      this.walk?.second === second ? { ...this.walk, ids } : { second, ids, pass: 1 };
    this.walk = walk;
    return nextPage(items, { since: second, page: 1, pass: walk.pass }, undefined);
  }

  private take(records: CrmRecord[], serverTime: number | undefined, within?: number): Taken {
    const settled = serverTime === undefined ? Infinity : Math.floor(serverTime / 1000) * 1000;
    const taken: Taken = { items: [], seconds: [], stopped: false };
    for (const rec of records) {
      const t = secondOf(rec.Modified_Time);
      const id = String(rec.id);
      if (t !== undefined && (t >= settled || (within !== undefined && t > within))) {
        taken.stopped = true;
        break;
      }
      if (t === undefined) continue;
      taken.seconds.push(t);
      if (t === this.walk?.second) this.walk.ids.add(id);
      if (!isNew(this.mark, id, t)) continue;
      taken.items.push({ op: classify(this.base, id, secondOf(rec.Created_Time)), rec });
      this.mark = advance(this.mark, id, t);
    }
    return taken;
  }

  /** After a pass: the same ids twice in a row settle the second, else one more pass. */
  private afterPass(done: SecondWalk): Cursor {
    if (sameIds(done.ids, done.prev)) {
      this.walk = undefined;
      // If-Modified-Since is the second itself: only what is newer.
      return { since: done.second + 1000, page: 1 };
    }
    this.walk = { second: done.second, ids: new Set(), prev: done.ids, pass: done.pass + 1 };
    return { since: done.second, page: 1, pass: this.walk.pass };
  }
}

/** The next page of a second's walk: by number up to Zoho's reach, then by page token. */
function nextPage(items: PageOut[], at: Cursor, token: unknown): FetchedPage<PageOut, Cursor> {
  const page = at.page + 1;
  const pass = at.pass;
  if (!at.token && page * PER_PAGE <= PAGE_REACH)
    return { items, next: { since: at.since, page, pass } };
  if (typeof token === 'string' && token !== '')
    return { items, next: { since: at.since, page, token, pass } };
  return { items, truncated: true };
}

/** Records deleted after `mark`, oldest first, and the mark after them. */
export async function deletedSince(
  conn: Requester,
  module: string,
  mark: Mark,
  signal?: AbortSignal,
): Promise<{ changes: Change[]; mark: Mark }> {
  const found = new Map<string, { rec: CrmRecord; time: number }>();
  for (let page = 1; ; page++) {
    const res = await getDeletedRecords(conn, module, {
      page,
      perPage: PER_PAGE,
      modifiedSince: mark.time === 0 ? undefined : mark.time - 1000,
      signal,
    });
    let older = false;
    for (const rec of res.records) {
      const t = secondOf(rec.deleted_time);
      const id = String(rec.id);
      if (t === undefined) continue;
      if (t < mark.time) older = true;
      else if (isNew(mark, id, t) && !found.has(id)) found.set(id, { rec, time: t });
    }
    if (older || !res.info.more_records || res.records.length === 0) break;
  }
  const list = [...found.values()].sort((a, b) => a.time - b.time);
  let next = mark;
  for (const { rec, time } of list) next = advance(next, String(rec.id), time);
  return {
    changes: group(
      module,
      list.map(({ rec }) => ({ op: 'delete' as const, rec })),
    ),
    mark: next,
  };
}

/** The deleted-records mark of "now" (newest deletion and its ids). */
export async function currentDeletedMark(
  conn: Requester,
  module: string,
  signal?: AbortSignal,
): Promise<Mark> {
  const res = await getDeletedRecords(conn, module, { page: 1, perPage: PER_PAGE, signal });
  let mark: Mark = { time: 0, ids: [] };
  for (const rec of res.records) {
    const t = secondOf(rec.deleted_time);
    if (t === undefined) continue;
    if (mark.time === 0) mark = { time: t, ids: [] };
    if (t === mark.time) mark.ids.push(String(rec.id));
  }
  return mark;
}
