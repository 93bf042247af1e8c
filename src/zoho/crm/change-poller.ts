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

/** Where every module was read up to. */
export type Checkpoint = PollCheckpoint<ModuleCheckpoint>;

/** Keeps the checkpoint between polls and across restarts (a file, a node's context, …). */
export type CheckpointStore = PollCheckpointStore<ModuleCheckpoint>;

/** One poller for several instances of the same node (core/poll-loop.ts). */
export type { PollLease };

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

export type PollerState = PollLoopState;

export interface PollerHandlers extends PollLoopHandlers {
  changes(batch: ChangeBatch): void;
}

export class ChangePoller {
  private readonly loop: PollLoop;
  private checkpoint?: Checkpoint;
  private readonly memories = new Map<string, FieldMemory>();

  constructor(
    private readonly options: ChangePollerOptions,
    private readonly on: PollerHandlers,
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
    for (const module of this.options.modules) {
      if (this.loop.stopped) return undefined;
      changes += await this.pollModule(module, this.checkpoint);
    }
    return changes;
  }

  /** The checkpoint moves only once what was handed out is delivered (core/poll-loop.ts). */
  private async save(): Promise<void> {
    await afterDelivery();
    return this.options.store.save(this.checkpoint!);
  }

  private async pollModule(module: string, checkpoint: Checkpoint): Promise<number> {
    const conn = this.options.connection();
    const signal = this.loop.signal;
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
        this.loop.checkHeld();
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
      this.loop.checkHeld();
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
    return fetchRecordsByIds(conn, module, ids, fieldList, this.loop.signal);
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
