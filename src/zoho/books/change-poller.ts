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
 * The loop (lease, schedule, save after delivery) is crm/change-poller.ts's; books/ may not
 * import crm/, and the checkpoint has the same outer shape (`version`, `modules`) so the
 * fleet's shared store (nodes/runtime/shared-state/poll.ts) keeps either.
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

/** The last status seen per record id, least recently seen first. */
export type SeenStatuses = [string, string][];

export interface EntityCheckpoint {
  modified?: BooksMark;
  statuses?: SeenStatuses;
}

/** Where every entity was read up to (`modules`: the key the fleet's store expects). */
export interface BooksCheckpoint {
  version: 1;
  modules: Record<string, EntityCheckpoint>;
}

export interface BooksCheckpointStore {
  load(): Promise<BooksCheckpoint | undefined>;
  save(checkpoint: BooksCheckpoint): Promise<void>;
}

/** One poller across a fleet (crm/change-poller.ts PollLease: the same contract). */
export interface BooksPollLease {
  readonly leaseMs: number;
  hold(): Promise<boolean>;
  release(): Promise<void>;
}

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

export type BooksPollerState =
  | { state: 'first-read' }
  | { state: 'polled'; at: number; changes: number }
  | { state: 'standby'; at: number }
  | { state: 'failed'; at: number; error: unknown };

export interface BooksPollerHandlers {
  change(change: BooksChange): void;
  state(state: BooksPollerState): void;
  error(error: unknown): void;
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
  private readonly controller = new AbortController();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private checkpoint?: BooksCheckpoint;
  private stopped = false;
  private leaseTimer?: NodeJS.Timeout;
  private held = false;
  private asking?: Promise<boolean>;

  constructor(
    private readonly options: BooksPollerOptions,
    private readonly on: BooksPollerHandlers,
  ) {}

  start(): void {
    this.on.state({ state: 'first-read' });
    this.schedule(0);
    const lease = this.options.lease;
    if (lease) {
      const tick = Math.max(10, Math.floor(lease.leaseMs / 3));
      this.leaseTimer = setInterval(() => void this.watchLease(), tick);
    }
  }

  /** Stops polling; resolves once a poll in flight has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.controller.abort();
    if (this.timer) clearTimeout(this.timer);
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    await this.running;
    await this.options.lease?.release();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.poll()
        .catch(async (error: unknown) => {
          if (this.stopped) return;
          if (this.options.lease && !(await this.hold())) {
            this.on.state({ state: 'standby', at: Date.now() });
            return;
          }
          this.on.state({ state: 'failed', at: Date.now(), error });
          this.on.error(error);
        })
        .finally(() => {
          this.running = undefined;
          this.schedule(this.options.intervalMs);
        });
    }, ms);
  }

  private hold(): Promise<boolean> {
    const lease = this.options.lease;
    if (!lease) return Promise.resolve(true);
    this.asking ??= lease
      .hold()
      .catch(() => false)
      .then((held) => (this.held = held))
      .finally(() => (this.asking = undefined));
    return this.asking;
  }

  private async watchLease(): Promise<void> {
    const before = this.held;
    const held = await this.hold();
    if (this.stopped || !held || before || this.running) return;
    this.schedule(0);
  }

  private checkHeld(): void {
    if (this.options.lease && !this.held)
      throw new Error('The poll lease passed to another instance');
  }

  private async poll(): Promise<void> {
    if (this.options.lease) {
      if (!(await this.hold())) {
        this.on.state({ state: 'standby', at: Date.now() });
        return;
      }
      this.checkpoint = await this.load();
    }
    this.checkpoint ??= await this.load();
    let changes = 0;
    for (const entity of this.options.entities) {
      if (this.stopped) return;
      changes += await this.pollEntity(entity, this.checkpoint);
    }
    this.on.state({ state: 'polled', at: Date.now(), changes });
  }

  private async load(): Promise<BooksCheckpoint> {
    const saved = await this.options.store.load();
    return saved && saved.version === 1 && saved.modules ? saved : { version: 1, modules: {} };
  }

  /** After a turn of the event loop, so Node-RED has delivered what was sent (at least once). */
  private async save(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return this.options.store.save(this.checkpoint!);
  }

  private callOptions(): BooksCallOptions {
    return {
      organizationId: this.options.organizationId,
      defaultOrganizationId: this.options.defaultOrganizationId,
      rateLimit: this.options.rateLimit,
      signal: this.controller.signal,
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
      this.checkHeld();
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
