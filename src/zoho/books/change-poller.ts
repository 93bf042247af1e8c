/**
 * Polling Zoho Books for changes, for as long as it is started: every interval, each entity's
 * changes since its checkpoint (changes.ts), handed out one by one, oldest first, and the
 * checkpoint saved through the caller's store after every page, so a restart (with a persistent
 * store) neither repeats nor loses a change; a crash (kill -9) mid-page repeats at most that
 * page (at least once). Polls never overlap. On the first start an entity is read from "now"
 * (or from the beginning with `emitExisting`). A failed poll is reported and the next one starts
 * from the last saved checkpoint. Every call goes through the connection's per-organization
 * window and daily budget (books/core.ts `send`), so a poll never outruns Books' limits.
 *
 * The loop (lease, schedule, save after delivery) is core/poll-loop.ts, as CRM's; the
 * checkpoint has the same outer shape (`version`, `modules`) so the fleet's shared store
 * (nodes/runtime/shared-state/poll.ts) keeps either.
 */
import {
  BooksChange,
  BooksChangeEvent,
  BooksMark,
  ReadRecord,
  booksTime,
  currentBooksMark,
  filteredSince,
  gapError,
  isNew,
  sortedSince,
} from './changes';
import { booksTypeInfo } from './catalog';
import type { BooksCallOptions, BooksRateLimit, BooksRequester } from './core';
import {
  PollCheckpoint,
  PollCheckpointStore,
  PollLease,
  PollLoop,
  PollLoopHandlers,
  PollLoopState,
  afterDelivery,
  loadCheckpoint,
} from '../core/poll-loop';

/** The last status seen per record id, least recently seen first. */
export type SeenStatuses = [string, string][];

export interface EntityCheckpoint {
  modified?: BooksMark;
  statuses?: SeenStatuses;
}

/** Where every entity was read up to (`modules`: the key the fleet's store expects). */
export type BooksCheckpoint = PollCheckpoint<EntityCheckpoint>;

export type BooksCheckpointStore = PollCheckpointStore<EntityCheckpoint>;

/** One poller across a fleet: the same contract as CRM's (core/poll-loop.ts). */
export type BooksPollLease = PollLease;

/**
 * How many record statuses an entity remembers to tell a status change: the checkpoint is
 * saved after every page, so it stays small; a record not remembered (not seen for long, or
 * changed before the watch started) reports its next change as updated, then is remembered.
 */
export const MAX_REMEMBERED_STATUSES = 1000;

export interface BooksPollerOptions {
  connection: () => BooksRequester;
  entities: string[];
  events: BooksChangeEvent[];
  intervalMs: number;
  store: BooksCheckpointStore;
  /** The organization (else the connection's default, else Zoho's default). */
  organizationId?: string;
  defaultOrganizationId?: string;
  emitExisting?: boolean;
  lease?: BooksPollLease;
  /** Books' per-organization window (default 100 a minute); false turns it off (tests). */
  rateLimit?: BooksRateLimit | false;
  /** Newest-first walks of `sort` types read at most this many pages (default MAX_SORT_PAGES). */
  maxSortPages?: number;
}

export type BooksPollerState = PollLoopState;

export interface BooksPollerHandlers extends PollLoopHandlers {
  change(change: BooksChange): void;
  /** Not a failure: a `sort` entity changed more than one walk reads (changes.ts gapError). */
  warning(error: unknown): void;
}

/** The statuses of one entity, bounded, least recently seen dropped first. */
class StatusMemory {
  private readonly map: Map<string, string>;
  constructor(saved: SeenStatuses | undefined) {
    this.map = new Map(Array.isArray(saved) ? saved : []);
  }
  /** Remembers `status` of `id`; returns the one it had before, if any. */
  swap(id: string, status: string): string | undefined {
    const before = this.map.get(id);
    this.map.delete(id);
    this.map.set(id, status);
    if (this.map.size > MAX_REMEMBERED_STATUSES) {
      this.map.delete(this.map.keys().next().value as string);
    }
    return before;
  }
  save(): SeenStatuses {
    return [...this.map];
  }
}

export class BooksChangePoller {
  private readonly loop: PollLoop;
  private checkpoint?: BooksCheckpoint;

  constructor(
    private readonly options: BooksPollerOptions,
    private readonly on: BooksPollerHandlers,
  ) {
    this.loop = new PollLoop(options, (fresh) => this.round(fresh), on);
  }

  start(): void {
    this.loop.start();
  }

  /** Stops polling; resolves once a poll in flight has ended. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async round(fresh: boolean): Promise<number | undefined> {
    if (fresh || !this.checkpoint) this.checkpoint = await loadCheckpoint(this.options.store);
    let changes = 0;
    for (const entity of this.options.entities) {
      if (this.loop.stopped) return undefined;
      changes += await this.pollEntity(entity, this.checkpoint);
    }
    return changes;
  }

  /** After what was handed out is delivered (core/poll-loop.ts afterDelivery: at least once). */
  private async save(): Promise<void> {
    await afterDelivery();
    return this.options.store.save(this.checkpoint!);
  }

  private callOptions(): BooksCallOptions {
    return {
      organizationId: this.options.organizationId,
      defaultOrganizationId: this.options.defaultOrganizationId,
      rateLimit: this.options.rateLimit,
      signal: this.loop.signal,
    };
  }

  private async pollEntity(entity: string, checkpoint: BooksCheckpoint): Promise<number> {
    const conn = this.options.connection();
    const call = this.callOptions();
    const cp = (checkpoint.modules[entity] ??= {});
    if (!cp.modified) {
      cp.modified = this.options.emitExisting
        ? { time: 0, ids: [] }
        : await currentBooksMark(conn, entity, call);
      await this.save();
    }
    const base = cp.modified;
    const memory = new StatusMemory(cp.statuses);
    let sent = 0;
    const hand = async (records: ReadRecord[], mark: BooksMark): Promise<void> => {
      this.loop.checkHeld();
      for (const r of records) sent += this.hand(entity, base, r, memory);
      cp.modified = mark;
      cp.statuses = memory.save();
      await this.save();
    };
    if (booksTypeInfo(entity)?.changes === 'filter') {
      for await (const page of filteredSince(conn, entity, base, call))
        await hand(page.records, page.mark);
      return sent;
    }
    const got = await sortedSince(conn, entity, base, call, this.options.maxSortPages);
    await hand(got.records, got.mark);
    if (got.gap) this.on.warning(gapError(entity, got.records.length));
    return sent;
  }

  /** Classifies one record and hands it out if its event is wanted; returns 1 if it was. */
  private hand(entity: string, base: BooksMark, r: ReadRecord, memory: StatusMemory): number {
    const status = r.record.status;
    const before = typeof status === 'string' ? memory.swap(r.id, status) : undefined;
    const created = createdSince(base, r);
    const change: BooksChange = {
      entity,
      event: created ? 'created' : 'updated',
      id: r.id,
      record: r.record,
      modifiedTime: r.time,
    };
    if (!created && before !== undefined && typeof status === 'string' && before !== status) {
      change.changes = { status: { from: before, to: status } };
      if (this.options.events.includes('status')) change.event = 'status';
    }
    if (!this.options.events.includes(change.event)) return 0;
    this.on.change(change);
    return 1;
  }
}

/** Created after the mark the poll started from (everything, on a read from the beginning). */
function createdSince(base: BooksMark, r: ReadRecord): boolean {
  if (base.time === 0) return true;
  const created = booksTime(r.record.created_time);
  return !Number.isNaN(created) && isNew(base, r.id, created);
}
