/**
 * Store and forward for writes that could not reach Zoho: entries go into a durable journal
 * (journal.ts) and are replayed, in arrival order per owner, once a cheap probe call gets
 * through. The probe backs off (1 s doubling to 5 min, with jitter) so a dead link is not
 * hammered. What an entry means and how it is sent is the owner's business (its `deliver`); the
 * outbox only keeps, orders, coalesces and retries.
 */
import { EventEmitter } from 'node:events';
import { EntryInfo, Journal, JournalLimits } from './journal';

export interface QueuedEntry extends EntryInfo {
  body: unknown;
  /** Delivery attempts so far in this process (the first, failed, call not counted). */
  attempts: number;
}

/** What became of one entry of a delivery. */
export type Outcome =
  /** Settled: acknowledged in the journal, then `after` runs (e.g. the node's output). */
  | { settled: true; after?: () => void }
  /** Zoho still cannot be reached: keep it (and everything after it of this owner). */
  | { settled: false };

export interface Owner {
  /** Sends entries (in order); one outcome per entry. */
  deliver(entries: QueuedEntry[]): Promise<Outcome[]>;
  /** Entries handed to one deliver call at most (e.g. 100: one Zoho call's records). */
  batch: number;
  /**
   * Deliver calls at once (default 1): a new one starts as soon as one ends, so the
   * connection's calls stay busy instead of waiting for the slowest of a round.
   */
  lanes?: number;
  /**
   * What an entry writes (e.g. module and record id, an upsert's key): an entry whose key is in
   * flight, or already in its batch, waits for it, and so does everything after it. Without
   * `keys` only one deliver runs at a time.
   */
  keys?(entry: QueuedEntry): readonly string[];
}

export interface OutboxOptions {
  file: string;
  limits: JournalLimits;
  /** A cheap call that throws while Zoho cannot be reached. */
  probe(): Promise<void>;
  minDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

export interface OutboxState {
  count: number;
  bytes: number;
  oldest?: number;
  lastError?: string;
  /** Updates merged into a waiting entry since it opened. */
  merged: number;
  /** Bytes cut from a torn journal tail when it opened. */
  truncatedBytes: number;
}

/** One owner's waiting entries (the editor's outbox table, a node's status). */
export interface OwnerState {
  owner: string;
  count: number;
  bytes: number;
  oldest?: number;
  /** Updates merged into this owner's waiting entries since its queue was last empty. */
  merged: number;
}

const noop = (): void => undefined;

/** Outputs a replay sends before it lets the event loop read its sockets. */
const OUTPUT_SLICE = 10;

/** One owner's drain: its lanes and where its outputs are. */
interface Drain {
  /** Keys of the batches in flight. */
  busy: Set<string>;
  running: Set<Promise<void>>;
  /** The outputs of every batch sent so far, in the order they were taken. */
  settling: Promise<void>;
  /** Each sent batch until its outputs have run, oldest first (they run in that order). */
  behind: Promise<void>[];
  /** False once a batch could not reach Zoho. */
  complete: boolean;
  failure?: { error: unknown };
}

/** A batch taken for delivery and the keys it made busy. */
interface Taken {
  batch: QueuedEntry[];
  keys: string[];
}

export class Outbox extends EventEmitter {
  private readonly owners = new Map<string, Owner>();
  private readonly inFlight = new Set<number>();
  private readonly attempts = new Map<number, number>();
  private timer?: ReturnType<typeof setTimeout>;
  private running = false;
  /** A flush asked for during a round: one more round right after it, not after the back-off. */
  private again = false;
  private delay: number;
  private lastError?: string;
  private merged = 0;
  private readonly mergedBy = new Map<string, number>();
  private closed = false;

  private constructor(
    private readonly journal: Journal,
    private readonly options: OutboxOptions,
    private readonly truncatedBytes: number,
  ) {
    super();
    this.delay = options.minDelayMs ?? 1000;
  }

  static async open(options: OutboxOptions): Promise<Outbox> {
    const journal = await Journal.open(options.file, options.limits);
    return new Outbox(journal, options, journal.truncatedBytes);
  }

  get limits(): JournalLimits {
    return this.journal.limits;
  }

  setLimits(limits: JournalLimits): void {
    this.journal.limits = limits;
  }

  /** An owner takes delivery of its entries (after a restart too); returns the unregister. */
  register(owner: string, handler: Owner): () => void {
    this.owners.set(owner, handler);
    if (this.waiting(owner) > 0) this.schedule(0);
    return () => {
      if (this.owners.get(owner) === handler) this.owners.delete(owner);
    };
  }

  waiting(owner?: string): number {
    return owner === undefined ? this.journal.count : this.journal.countOf(owner);
  }

  /**
   * Queues a body, durably. With a key, a waiting entry of the same owner and key not being
   * sent is merged with it instead (`merge(old, new)`), keeping the old one's place.
   */
  async add(
    owner: string,
    body: unknown,
    coalesce?: { key: string; merge(older: unknown, newer: unknown): unknown },
  ): Promise<{ merged: boolean; dropped: EntryInfo[] }> {
    const canMerge = (seq: number) => !this.inFlight.has(seq);
    const { merged, dropped } = await this.journal.append(
      owner,
      body,
      coalesce?.key,
      Date.now(),
      coalesce ? { merge: (a: unknown, b: unknown) => coalesce.merge(a, b), canMerge } : undefined,
    );
    if (merged) {
      this.merged++;
      this.mergedBy.set(owner, (this.mergedBy.get(owner) ?? 0) + 1);
    }
    // Dropped to make room: their attempt counts go with them (the map stays as small as the
    // journal).
    for (const d of dropped) this.attempts.delete(d.seq);
    this.changed();
    if (!merged) this.schedule(this.options.minDelayMs ?? 1000);
    return { merged, dropped };
  }

  /** Retry now (msg.topic "zoho/outbox/flush", the editor's button). */
  flush(): void {
    this.delay = this.options.minDelayMs ?? 1000;
    this.schedule(0);
  }

  /** Drops every waiting entry (the editor's discard button). */
  async discard(owner?: string): Promise<number> {
    const seqs = [...this.journal.entries(owner)]
      .map((e) => e.seq)
      .filter((s) => !this.inFlight.has(s));
    await this.journal.ack(seqs);
    for (const seq of seqs) this.attempts.delete(seq);
    this.forgetMerged();
    this.changed();
    return seqs.length;
  }

  state(): OutboxState {
    const first = this.journal.entries().next();
    const oldest = first.done ? undefined : first.value;
    return {
      count: this.journal.count,
      bytes: this.journal.bytes,
      oldest: oldest?.queuedAt,
      lastError: this.lastError,
      merged: this.merged,
      truncatedBytes: this.truncatedBytes,
    };
  }

  /** Every owner with waiting entries, in queue order of their oldest. */
  ownerStates(): OwnerState[] {
    const found = new Map<string, OwnerState>();
    for (const e of this.journal.entries()) {
      const s = found.get(e.owner);
      if (s) s.count++;
      else
        found.set(e.owner, { owner: e.owner, count: 1, bytes: 0, oldest: e.queuedAt, merged: 0 });
    }
    for (const s of found.values()) {
      s.bytes = this.journal.bytesOf(s.owner);
      s.merged = this.mergedBy.get(s.owner) ?? 0;
    }
    return [...found.values()];
  }

  /** Updates merged into an owner's waiting entries since its queue was last empty. */
  mergedOf(owner: string): number {
    return this.mergedBy.get(owner) ?? 0;
  }

  /** Owners whose queue emptied start counting merges again. */
  private forgetMerged(): void {
    for (const owner of [...this.mergedBy.keys()])
      if (this.journal.countOf(owner) === 0) this.mergedBy.delete(owner);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.journal.close();
  }

  private changed(): void {
    this.emit('change', this.state());
  }

  private schedule(ms: number): void {
    if (this.running && ms === 0) this.again = true;
    if (this.closed || this.running) return;
    if (this.timer) {
      if (ms > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, ms);
    this.timer.unref?.();
  }

  /** One round: probe, then deliver every owner's entries until done or unreachable again. */
  private async run(): Promise<void> {
    if (this.closed || this.running || !this.deliverable()) return;
    this.running = true;
    let reachable = true;
    try {
      await this.options.probe();
      // Owners side by side: each keeps its own order, the connection's limits share the calls.
      const drained = await Promise.allSettled(
        [...this.owners].map(([owner, handler]) => this.drain(owner, handler)),
      );
      await this.journal.tidy();
      for (const d of drained) {
        if (d.status === 'rejected') throw d.reason;
        if (!d.value) reachable = false;
      }
    } catch (error) {
      reachable = false;
      this.lastError = error instanceof Error ? error.message : String(error);
    } finally {
      this.running = false;
    }
    const again = this.again;
    this.again = false;
    if (reachable) {
      this.lastError = undefined;
      if (this.journal.count === 0) this.merged = 0;
      this.delay = this.options.minDelayMs ?? 1000;
    } else {
      const jitter = 0.5 + (this.options.random ?? Math.random)() * 0.5;
      this.delay = Math.min(this.delay * 2, this.options.maxDelayMs ?? 300_000);
      this.changed();
      if (this.deliverable()) this.schedule(again ? 0 : this.delay * jitter);
      return;
    }
    this.changed();
    if (this.deliverable()) this.schedule(0);
  }

  private deliverable(): boolean {
    for (const owner of this.owners.keys()) if (this.journal.countOf(owner) > 0) return true;
    return false;
  }

  /**
   * Delivers one owner's entries in arrival order; false when Zoho could not be reached. Up to
   * `lanes` batches are sent at once, and the next one is read while they are, so a lane that
   * ends starts its next call at once: a read costs a trip through the thread pool, and while
   * the outputs of settled batches run Node-RED's immediates that trip waits for all of them.
   * A batch's acknowledgement (its fsync) and outputs overlap the later batches' calls, outputs
   * still in the order the batches were taken: the calls, not the disk, set the pace. Once a
   * batch could not reach Zoho no new one starts (one read ahead goes back); those in flight
   * finish (what they settled stays settled).
   */
  private async drain(owner: string, handler: Owner): Promise<boolean> {
    const lanes = handler.keys ? Math.max(1, Math.floor(handler.lanes ?? 1)) : 1;
    const d: Drain = {
      busy: new Set(),
      running: new Set(),
      settling: Promise.resolve(),
      behind: [],
      complete: true,
    };
    // Entries up to this seq were taken by this drain: the next batch looks after it.
    const taken = { after: -1 };
    // Taken (its keys busy, its entries in flight) but not sent yet.
    let ahead: Promise<Taken> | undefined;
    const going = (): boolean =>
      d.complete && !d.failure && !this.closed && this.owners.get(owner) === handler;
    try {
      while (going()) {
        const taking = ahead ?? this.next(owner, handler, d.busy, taken);
        ahead = undefined;
        const { batch, keys } = await taking;
        if (!going()) {
          this.release(batch);
          break;
        }
        // Outputs may lag the calls (they yield to them), by a few batches' messages at most.
        while (d.behind.length > 2 * lanes) await d.behind[0];
        if (batch.length) this.launch(d, handler, batch, keys);
        else if (!d.running.size) break;
        // Full, or the next entry waits for a key in flight (or for nothing but the acks).
        if (!batch.length || d.running.size >= lanes) {
          if (batch.length) {
            ahead = this.next(owner, handler, d.busy, taken);
            // Awaited on the next turn, or let go below; a failed read is never unhandled.
            ahead.catch(noop);
          }
          await Promise.race(d.running);
        }
      }
    } finally {
      if (ahead) this.release((await ahead.catch(() => undefined))?.batch ?? []);
      await Promise.all(d.running);
      await d.settling;
    }
    if (d.failure) throw d.failure.error;
    return d.complete;
  }

  /** Sends a batch in a lane of `d`: its keys busy until it ends, its outputs after the last. */
  private launch(d: Drain, handler: Owner, batch: QueuedEntry[], keys: readonly string[]): void {
    const sent = this.deliver(handler, batch);
    const previous = d.settling;
    d.settling = sent.then(
      (s) => Promise.all([previous, s.acked]).then(() => s.outputs()),
      () => previous,
    );
    d.behind.push(
      d.settling.then(noop, noop).finally(() => {
        void d.behind.shift();
      }),
    );
    const task: Promise<void> = sent
      .then(
        (s) => {
          if (!s.complete) d.complete = false;
        },
        (error: unknown) => {
          d.failure ??= { error };
        },
      )
      .finally(() => {
        for (const k of keys) d.busy.delete(k);
        d.running.delete(task);
      });
    d.running.add(task);
  }

  private release(batch: readonly QueuedEntry[]): void {
    for (const e of batch) this.inFlight.delete(e.seq);
  }

  /**
   * The owner's next batch: entries not in flight, in order, up to its size, cut before the
   * first whose key is busy (in flight, or already in this batch); the batch's keys become busy.
   */
  private async next(
    owner: string,
    handler: Owner,
    busy: Set<string>,
    taken: { after: number },
  ): Promise<Taken> {
    const batch: QueuedEntry[] = [];
    for (const info of this.journal.entries(owner, taken.after)) {
      if (batch.length >= handler.batch) break;
      if (this.inFlight.has(info.seq)) continue;
      // In flight before its body is read: a merge into it now would be lost with its ack.
      this.inFlight.add(info.seq);
      const attempts = (this.attempts.get(info.seq) ?? 0) + 1;
      batch.push({ ...info, body: undefined, attempts });
    }
    try {
      const bodies = await this.journal.readMany(batch.map((e) => e.seq));
      batch.forEach((entry, i) => (entry.body = bodies[i]));
    } catch (error) {
      this.release(batch);
      throw error;
    }
    let cut = batch.length;
    const keys = new Set<string>();
    if (handler.keys)
      for (cut = 0; cut < batch.length; cut++) {
        const mine = handler.keys(batch[cut]);
        if (mine.some((k) => busy.has(k) || keys.has(k))) break;
        for (const k of mine) keys.add(k);
      }
    this.release(batch.slice(cut));
    for (const k of keys) busy.add(k);
    if (cut > 0) taken.after = batch[cut - 1].seq;
    return { batch: batch.slice(0, cut), keys: [...keys] };
  }

  /**
   * Sends one batch. `complete` is false when Zoho could not be reached (entries kept from there
   * on). `acked` resolves once the settled entries are settled on disk; only then may `outputs`
   * run their `after`s. The batch stays in flight until then, so no round picks it again.
   */
  private async deliver(
    handler: Owner,
    batch: QueuedEntry[],
  ): Promise<{ complete: boolean; acked: Promise<void>; outputs: () => Promise<void> }> {
    for (const e of batch) this.attempts.set(e.seq, e.attempts);
    let outcomes: Outcome[];
    try {
      outcomes = await handler.deliver(batch);
    } catch (error) {
      this.release(batch);
      throw error;
    }
    const settled = batch.filter((_, i) => outcomes[i]?.settled === true);
    const acked = this.journal
      .ack(
        settled.map((e) => e.seq),
        false,
      )
      .then(() => {
        for (const e of settled) this.attempts.delete(e.seq);
        this.forgetMerged();
      })
      .finally(() => this.release(batch));
    if (settled.length < batch.length) this.lastError = 'Zoho could not be reached';
    return {
      complete: settled.length === batch.length,
      acked,
      outputs: async () => {
        let n = 0;
        for (const o of outcomes) {
          if (!o.settled) continue;
          o.after?.();
          // Node-RED delivers each message in an immediate of its own, all of them before the
          // event loop reads a socket again: a few at a time, so the answers of the calls in
          // flight are read between them and the next calls start at once.
          if (++n % OUTPUT_SLICE === 0) await new Promise((r) => setImmediate(r));
        }
      },
    };
  }

  /** Marks entries as sent by a call that cannot be repeated safely (see Journal.mark). */
  mark(seqs: readonly number[]): Promise<void> {
    return this.journal.mark(seqs);
  }
}
