/**
 * Polling for CRM changes, run for as long as it is started: every interval, each module's
 * changes since its checkpoint (see changes.ts for the exactness rules: paging, the same-second
 * hold-back), handed out as batches of one operation in order, and the checkpoint saved through
 * the caller's store after every page, so a restart (with a persistent store) neither repeats
 * nor loses a change; a crash (kill -9) mid-page repeats that page's changes handed out before
 * it (at least once: see save()). Polls never overlap. On the first start a module is read from "now"
 * (or from the beginning with `emitExisting`). A failed poll is reported and the next one
 * starts from the last saved checkpoint.
 *
 *   const poller = new ChangePoller({ connection, modules: ['Leads'], events: ['create'],
 *     intervalMs: 60_000, store }, { changes: (b) => …, state: (s) => …, error: (e) => … });
 *   poller.start();   …   await poller.stop();
 */
import {
  Change,
  KEY_FIELDS,
  ModuleCheckpoint,
  currentDeletedMark,
  currentMark,
  deletedSince,
  modifiedSince,
} from './changes';
import { CrmRecord, MAX_FIELDS, Requester } from './common';
import { cachedFields } from './metadata-cache';
import type { ChangeOperation } from './notifications';
import { fetchRecordsByIds } from './read';
import { FieldMemory, WatchFields } from './watch-fields';
import type { ZohoConnection } from '../core/connection';

/** Where every module was read up to. */
export interface Checkpoint {
  version: 1;
  modules: Record<string, ModuleCheckpoint>;
}

/** Keeps the checkpoint between polls and across restarts (a file, a node's context, …). */
export interface CheckpointStore {
  load(): Promise<Checkpoint | undefined>;
  save(checkpoint: Checkpoint): Promise<void>;
}

/**
 * One poller for several instances of the same node (a fleet sharing one Zoho account): a poll
 * runs only while `hold()` says this instance holds the lease (taking it, or renewing it), and
 * reads the checkpoint afresh, since another holder may have moved it.
 *
 * The lease is short and the poller asks `hold()` every third of `leaseMs` whatever it does:
 * the holder so renews it between polls and during a long one, and a standby takes it over
 * within `leaseMs` of the holder's death and polls at once, not a whole interval later.
 */
export interface PollLease {
  /** How long a lease lives unrenewed; far less than the interval, so failover is quick. */
  readonly leaseMs: number;
  hold(): Promise<boolean>;
  /** Gives the lease up (the poller stops); never throws. */
  release(): Promise<void>;
}

export interface ChangePollerOptions {
  /** The connection to use, asked for every poll (it may be replaced between polls). */
  connection: () => ZohoConnection;
  modules: string[];
  events: ChangeOperation[];
  intervalMs: number;
  store: CheckpointStore;
  /** On the first start, hand out the records that exist already (default: start from now). */
  emitExisting?: boolean;
  /** Batches carry every field of their records (creates and edits), not only the key fields. */
  fetchRecords?: boolean;
  /**
   * Per module, the fields whose change makes an edit count (checkWatchFields); other edits of
   * that module are dropped. The fields are read with the poll's own call, so no call is added.
   */
  watchFields?: WatchFields;
  lease?: PollLease;
}

export interface ChangeBatch {
  module: string;
  operation: ChangeOperation;
  ids: string[];
  /** Epoch ms of the newest change in the batch, as Zoho stamped it. */
  serverTime?: number;
  /** Deletes: Zoho's deleted-records entries; creates and edits with fetchRecords: the records. */
  records?: CrmRecord[];
  /** Edits under a field filter: per record id, the watched fields that changed, new values. */
  changed?: Record<string, Record<string, unknown>>;
}

export type PollerState =
  | { state: 'first-read' }
  | { state: 'polled'; at: number; changes: number }
  /** Another instance holds the lease and polls: this one stands by. */
  | { state: 'standby'; at: number }
  | { state: 'failed'; at: number; error: unknown };

export interface PollerHandlers {
  changes(batch: ChangeBatch): void;
  state(state: PollerState): void;
  /** A poll failed (after the state says so); the next one comes an interval later. */
  error(error: unknown): void;
}

export class ChangePoller {
  private readonly controller = new AbortController();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private checkpoint?: Checkpoint;
  private readonly memories = new Map<string, FieldMemory>();
  private stopped = false;
  private leaseTimer?: NodeJS.Timeout;
  /** Whether the last answer of the lease was "ours"; a poll hands nothing out without it. */
  private held = false;
  private asking?: Promise<boolean>;

  constructor(
    private readonly options: ChangePollerOptions,
    private readonly on: PollerHandlers,
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
          // A holder whose lease was taken over stops its poll: standing by is no failure.
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

  /** One question to the lease at a time (the renewal timer and a poll may ask together). */
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

  /** The renewal tick: keeps a held lease alive; a standby that gets the lease polls at once. */
  private async watchLease(): Promise<void> {
    const before = this.held;
    const held = await this.hold();
    if (this.stopped || !held || before || this.running) return;
    this.schedule(0);
  }

  /** Before handing out changes: a holder that lost its lease hands out nothing more. */
  private checkHeld(): void {
    if (this.options.lease && !this.held)
      throw new Error('The poll lease passed to another instance');
  }

  private async poll(): Promise<void> {
    const lease = this.options.lease;
    if (lease) {
      if (!(await this.hold())) {
        this.on.state({ state: 'standby', at: Date.now() });
        return;
      }
      this.checkpoint = await this.load();
    }
    this.checkpoint ??= await this.load();
    let changes = 0;
    for (const module of this.options.modules) {
      if (this.stopped) return;
      changes += await this.pollModule(module, this.checkpoint);
    }
    this.on.state({ state: 'polled', at: Date.now(), changes });
  }

  private async load(): Promise<Checkpoint> {
    const saved = await this.options.store.load();
    return saved && saved.version === 1 && saved.modules ? saved : { version: 1, modules: {} };
  }

  /**
   * The checkpoint moves only after the batches handed out have had a turn of the event loop:
   * Node-RED delivers a sent message on the next turn (setImmediate), so a crash can never find
   * the checkpoint past a change the flow has not received. A crash between that delivery and
   * the save hands the page out again (at least once: at most one page repeated, never lost).
   */
  private async save(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return this.options.store.save(this.checkpoint!);
  }

  private async pollModule(module: string, checkpoint: Checkpoint): Promise<number> {
    const conn = this.options.connection();
    const signal = this.controller.signal;
    const cp = (checkpoint.modules[module] ??= {});
    const wanted = this.options.events;
    let sent = 0;
    if (!cp.modified) {
      cp.modified = this.options.emitExisting
        ? { time: 0, ids: [] }
        : await currentMark(conn, module, signal);
      await this.save();
    }
    const memory = wanted.includes('edit') ? this.memoryOf(module, cp) : undefined;
    if (wanted.includes('create') || wanted.includes('edit')) {
      const fieldList = await this.fieldsOf(conn, module);
      const watched = this.options.watchFields?.[module] ?? [];
      const read = fieldList.length <= MAX_FIELDS ? fieldList : [...KEY_FIELDS, ...watched];
      for await (const page of modifiedSince(conn, module, cp.modified, { fields: read, signal })) {
        this.checkHeld();
        for (const found of page.changes) {
          const change = memory ? filtered(found, memory) : found;
          if (!change || !wanted.includes(change.operation)) continue;
          await this.hand(change, fieldList);
          sent += change.ids.length;
        }
        cp.modified = page.mark;
        if (memory) cp.remembered = memory.save();
        await this.save();
      }
    }
    if (wanted.includes('delete')) {
      cp.deleted ??= await currentDeletedMark(conn, module, signal);
      const got = await deletedSince(conn, module, cp.deleted, signal);
      this.checkHeld();
      for (const change of got.changes) {
        change.ids.forEach((id) => memory?.forget(id));
        await this.hand(change, []);
      }
      sent += got.changes.reduce((n, c) => n + c.ids.length, 0);
      cp.deleted = got.mark;
      if (memory) cp.remembered = memory.save();
      await this.save();
    }
    return sent;
  }

  /** The module's remembered values under a field filter, from the checkpoint once. */
  private memoryOf(module: string, cp: ModuleCheckpoint): FieldMemory | undefined {
    const fields = this.options.watchFields?.[module];
    if (!fields?.length) return undefined;
    let memory = this.memories.get(module);
    if (!memory) {
      memory = new FieldMemory(fields, cp.remembered);
      this.memories.set(module, memory);
    }
    return memory;
  }

  /**
   * The fields a poll reads: all of them with fetchRecords, from the connection's metadata
   * cache (refreshed every few minutes, so a field added in Zoho is picked up).
   */
  private async fieldsOf(conn: ZohoConnection, module: string): Promise<string[]> {
    const watched = this.options.watchFields?.[module] ?? [];
    if (!this.options.fetchRecords) return [...new Set([...KEY_FIELDS, ...watched])];
    const all = (await cachedFields(conn, module)).map((f) => f.api_name);
    return [...new Set([...KEY_FIELDS, ...watched, ...all])];
  }

  private async hand(
    change: Change & Pick<ChangeBatch, 'changed'>,
    fieldList: string[],
  ): Promise<void> {
    const times = change.records.map((r) => Date.parse(String(r.Modified_Time ?? r.deleted_time)));
    const batch: ChangeBatch = {
      module: change.module,
      operation: change.operation,
      ids: change.ids,
      serverTime: Math.max(...times.filter((t) => !Number.isNaN(t)), 0) || undefined,
    };
    const records = await this.recordsOf(change, fieldList);
    if (records) batch.records = records;
    if (change.changed) batch.changed = change.changed;
    this.on.changes(batch);
  }

  /** Deletes carry Zoho's entries; creates and edits their records only with fetchRecords. */
  private async recordsOf(change: Change, fieldList: string[]): Promise<CrmRecord[] | undefined> {
    if (change.operation === 'delete') return change.records;
    if (!this.options.fetchRecords) return undefined;
    if (fieldList.length <= MAX_FIELDS) return change.records;
    const conn: Requester = this.options.connection();
    const { module, ids } = change;
    return fetchRecordsByIds(conn, module, ids, fieldList, this.controller.signal);
  }
}

/**
 * A change under a field filter: creates are remembered and pass; edits keep only the records
 * whose watched fields changed (none left: undefined), with what changed.
 */
function filtered(
  change: Change,
  memory: FieldMemory,
): (Change & Pick<ChangeBatch, 'changed'>) | undefined {
  if (change.operation === 'create') {
    change.records.forEach((r) => memory.remember(r));
    return change;
  }
  if (change.operation !== 'edit') return change;
  const kept: Change & { changed: Record<string, Record<string, unknown>> } = {
    ...change,
    ids: [],
    records: [],
    changed: {},
  };
  change.records.forEach((rec, i) => {
    const diff = memory.changed(rec);
    if (Object.keys(diff).length === 0) return;
    kept.ids.push(change.ids[i]);
    kept.records.push(rec);
    kept.changed[change.ids[i]] = diff;
  });
  return kept.ids.length ? kept : undefined;
}
