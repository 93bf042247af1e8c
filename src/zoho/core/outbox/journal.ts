/**
 * The outbox's durable journal: one append-only file, each record length-prefixed and
 * checksummed, every change fsync'd before its promise resolves. Memory holds only where each
 * live entry lies in the file (offset, length, owner, coalescing key), never its body, so a long
 * queue costs disk, not heap.
 *
 * Record: u32 payload length | u32 crc32 of the rest | u8 type | u32 seq | u32 ref | payload.
 * - PUT (ref 0): a new entry `seq`, payload JSON { o: owner, k?: key, t: queuedAt, b: body };
 * - PUT (ref r): entry r's body replaced (coalescing); r keeps its place in the queue;
 * - ACK: entry `ref` is settled (delivered or failed for good);
 * - MARK: entry `ref` is being sent by a call that cannot be repeated safely: after a crash
 *   before its ACK, nobody knows whether Zoho took it, so it must not be replayed blindly.
 *
 * Writes are group-committed: records made while a write and fsync are under way wait in memory
 * (never acknowledged), and the next round writes them all at once and fsyncs them once; each
 * caller's promise resolves only after the fsync that covers its bytes. A burst of messages costs a
 * few writes and fsyncs, not one each. A failed write or fsync breaks the journal (every later
 * change fails): memory may point at bytes that are not on disk, and a reopen rescans the file.
 *
 * On open, a record whose length runs past the end or whose checksum fails ends the journal: a
 * power cut tears only the last write, and a half record is never replayed. The file is cut
 * there. When settled records outweigh live ones, the file is rewritten with the live ones only.
 */
import { constants, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { crc32 } from '../crc32';
import { ZohoError } from '../errors';
import { LiveIndex, Slot } from './live';

const HEADER = 17;
const PUT = 1;
const ACK = 2;
const MARK = 3;
/** A record longer than this is corruption, not data (a CRM batch of 100 is far smaller). */
const MAX_RECORD = 64 * 1024 * 1024;
const SCAN_CHUNK = 1024 * 1024;
/** Below this much dead weight a rewrite costs more than it saves. */
const COMPACT_MIN_BYTES = 256 * 1024;

export type WhenFull = 'refuse' | 'drop-oldest';

export interface JournalLimits {
  /** Live entries at most. */
  maxEntries: number;
  /** Bytes of live records at most. */
  maxBytes: number;
  whenFull: WhenFull;
}

/** What memory keeps of a live entry. */
export interface EntryInfo {
  seq: number;
  owner: string;
  key?: string;
  queuedAt: number;
  /** A call that could not be repeated safely was sending it when the process stopped. */
  uncertain: boolean;
}

export interface OpenReport {
  /** Bytes cut from the end because the last record was torn or corrupt. */
  truncatedBytes: number;
}

/** The outbox refused a message: it holds its maximum (count or bytes). */
export function outboxFull(limits: JournalLimits, count: number, bytes: number): ZohoError {
  return new ZohoError({
    code: 'OUTBOX_FULL',
    kind: 'limit',
    message: `The outbox is full (${count} messages, ${bytes} bytes; limits ${limits.maxEntries} messages, ${limits.maxBytes} bytes): the message was not queued. Raise the connection's outbox limits or choose "drop the oldest".`,
    details: { count, bytes, maxEntries: limits.maxEntries, maxBytes: limits.maxBytes },
  });
}

interface Loc {
  offset: number;
  length: number;
}

interface Run {
  start: number;
  end: number;
  locs: Loc[];
}

/** Records no further apart than this are read as one stretch (the gap read and dropped). */
const RUN_GAP = 64 * 1024;
const RUN_MAX = 4 * 1024 * 1024;

/** Groups records into stretches of the file, each to be read at once. */
function runsOf(locs: readonly Loc[]): Run[] {
  const sorted = [...locs].sort((a, b) => a.offset - b.offset);
  const runs: Run[] = [];
  for (const loc of sorted) {
    const last = runs.at(-1);
    const end = loc.offset + loc.length;
    if (last && loc.offset - last.end <= RUN_GAP && end - last.start <= RUN_MAX) {
      last.end = Math.max(last.end, end);
      last.locs.push(loc);
    } else runs.push({ start: loc.offset, end, locs: [loc] });
  }
  return runs;
}

function encode(type: number, seq: number, ref: number, payload?: Buffer): Buffer {
  const body = payload ?? Buffer.alloc(0);
  const record = Buffer.allocUnsafe(HEADER + body.length);
  record.writeUInt32LE(body.length, 0);
  record.writeUInt8(type, 8);
  record.writeUInt32LE(seq, 9);
  record.writeUInt32LE(ref, 13);
  body.copy(record, HEADER);
  record.writeUInt32LE(crc32(record.subarray(8)), 4);
  return record;
}

export class Journal {
  /** Where each live entry lies (typed arrays; see live.ts). */
  private readonly live = new LiveIndex();
  private readonly keys = new Map<string, number>();
  private readonly owners = new Map<string, number>();
  private liveBytes = 0;
  private fileSize = 0;
  private nextSeq = 1;
  /** Every change runs after the previous one: one writer, records in order. */
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Records made but not yet written, in file order (`at` = their offset; see flush). */
  private unwritten: { at: number; data: Buffer }[] = [];
  /** Callers waiting for their records to be on disk, and the round writing them. */
  private waiters: { resolve(): void; reject(e: unknown): void }[] = [];
  private committing?: Promise<void>;
  /** The file's writes, one after the other (a round's, a compaction's, a close's). */
  private writes: Promise<void> = Promise.resolve();
  /** Set when a write or fsync failed: the journal takes no more changes. */
  private broken?: Error;

  private constructor(
    readonly file: string,
    private fh: fsp.FileHandle,
    public limits: JournalLimits,
  ) {}

  /** Opens (or creates) the journal, dropping a torn or corrupt tail. */
  static async open(file: string, limits: JournalLimits): Promise<Journal & OpenReport> {
    await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const fh = await fsp.open(file, constants.O_RDWR | constants.O_CREAT, 0o600);
    const journal = new Journal(file, fh, limits);
    const truncatedBytes = await journal.scan();
    return Object.assign(journal, { truncatedBytes });
  }

  get count(): number {
    return this.live.size;
  }

  get bytes(): number {
    return this.liveBytes;
  }

  get diskBytes(): number {
    return this.fileSize;
  }

  /** Live entries in queue order (optionally one owner's, after a seq). */
  *entries(owner?: string, after?: number): IterableIterator<EntryInfo> {
    yield* this.live.entries(owner, after);
  }

  /** Live entries of one owner. */
  countOf(owner: string): number {
    return this.owners.get(owner) ?? 0;
  }

  /** Bytes of one owner's live records (a pass over the index: for the editor, not a hot path). */
  bytesOf(owner: string): number {
    let bytes = 0;
    for (const slot of this.live.entries(owner)) bytes += slot.length;
    return bytes;
  }

  has(seq: number): boolean {
    return this.live.has(seq);
  }

  /** The live entry of an owner's coalescing key, if any. */
  keyed(owner: string, key: string): number | undefined {
    return this.keys.get(`${owner}\u0000${key}`);
  }

  /**
   * Appends an entry; resolves once it is on disk. Full: refuses, or drops the oldest. With
   * `coalesce`, a live entry of the same owner and key that `canMerge` allows is replaced by
   * `merge(old, body)` instead, keeping its place. Callers together share one fsync.
   */
  async append(
    owner: string,
    body: unknown,
    key?: string,
    queuedAt = Date.now(),
    coalesce?: { merge(older: unknown, newer: unknown): unknown; canMerge(seq: number): boolean },
  ): Promise<{ seq: number; dropped: EntryInfo[]; merged: boolean }> {
    const result = await this.serial(async () => {
      const into = key === undefined ? undefined : this.keyed(owner, key);
      if (coalesce && into !== undefined && coalesce.canMerge(into)) {
        this.replaceNow(into, coalesce.merge(await this.readNow(into), body));
        return { seq: into, dropped: [], merged: true };
      }
      return { ...this.appendNow(owner, body, key, queuedAt), merged: false };
    });
    await this.durable();
    return result;
  }

  private appendNow(owner: string, body: unknown, key: string | undefined, queuedAt: number) {
    const payload = Buffer.from(JSON.stringify({ o: owner, k: key, t: queuedAt, b: body }));
    const size = HEADER + payload.length;
    const dropped: EntryInfo[] = [];
    while (
      this.live.size + 1 > this.limits.maxEntries ||
      this.liveBytes + size > this.limits.maxBytes
    ) {
      const oldest = this.live.first();
      if (this.limits.whenFull !== 'drop-oldest' || !oldest || size > this.limits.maxBytes)
        throw outboxFull(this.limits, this.live.size, this.liveBytes);
      dropped.push(oldest);
      this.write(encode(ACK, 0, oldest.seq));
      this.settle(oldest.seq);
    }
    const seq = this.nextSeq++;
    const offset = this.write(encode(PUT, seq, 0, payload));
    this.add({ seq, owner, key, queuedAt, uncertain: false, offset, length: size });
    return { seq, dropped };
  }

  /** Replaces a live entry's body (it keeps its place); resolves once on disk. */
  async replace(seq: number, body: unknown): Promise<void> {
    await this.serial(() => this.replaceNow(seq, body));
    await this.durable();
  }

  private replaceNow(seq: number, body: unknown): void {
    const loc = this.live.get(seq);
    if (!loc) throw new Error(`outbox entry ${seq} is not live`);
    const payload = Buffer.from(
      JSON.stringify({ o: loc.owner, k: loc.key, t: loc.queuedAt, b: body }),
    );
    const offset = this.write(encode(PUT, this.nextSeq++, seq, payload));
    this.liveBytes += HEADER + payload.length - loc.length;
    this.live.place(seq, offset, HEADER + payload.length);
  }

  /** Reads a live entry's body from disk, after every change queued before the call. */
  read(seq: number): Promise<unknown> {
    return this.serial(() => this.readNow(seq));
  }

  private async readNow(seq: number): Promise<unknown> {
    return (await this.readManyNow([seq]))[0];
  }

  /**
   * Reads live entries' bodies (in the order asked), after every change queued before the call:
   * neighbouring records in one read each run, the runs at once (a replay's batch is mostly one
   * stretch of the file), so a batch of 500 costs a read or two, not 500 in a row.
   */
  readMany(seqs: readonly number[]): Promise<unknown[]> {
    return this.serial(() => this.readManyNow(seqs));
  }

  private async readManyNow(seqs: readonly number[]): Promise<unknown[]> {
    const locs = seqs.map((seq) => {
      const loc = this.live.get(seq);
      if (!loc) throw new Error(`outbox entry ${seq} is not live`);
      return { offset: loc.offset, length: loc.length };
    });
    const bodies = await Promise.all(runsOf(locs).map((run) => this.readRun(run)));
    const bySpot = new Map<number, Buffer>();
    for (const run of bodies) for (const [at, record] of run) bySpot.set(at, record);
    return locs.map(
      (loc) => (JSON.parse(bySpot.get(loc.offset)!.toString('utf8', HEADER)) as { b: unknown }).b,
    );
  }

  /** One stretch of records, from memory where not written yet, else in one read. */
  private async readRun(run: Run): Promise<[number, Buffer][]> {
    const pending = this.unwritten.length ? this.unwritten[0].at : Infinity;
    if (run.end <= pending) {
      const span = Buffer.allocUnsafe(run.end - run.start);
      const { bytesRead } = await this.fh.read(span, 0, span.length, run.start);
      if (bytesRead < span.length) throw new Error('The outbox journal is shorter than its index');
      return run.locs.map((l) => [
        l.offset,
        span.subarray(l.offset - run.start, l.offset - run.start + l.length),
      ]);
    }
    return Promise.all(
      run.locs.map(async (l): Promise<[number, Buffer]> => [l.offset, await this.readOne(l)]),
    );
  }

  private async readOne(loc: Loc): Promise<Buffer> {
    const held = this.unwritten.find(
      (u) => u.at <= loc.offset && loc.offset < u.at + u.data.length,
    );
    if (held) return held.data.subarray(loc.offset - held.at, loc.offset - held.at + loc.length);
    const record = Buffer.allocUnsafe(loc.length);
    await this.fh.read(record, 0, loc.length, loc.offset);
    return record;
  }

  /** Notes, durably, that these entries are being sent by a call that cannot be repeated. */
  async mark(seqs: readonly number[]): Promise<void> {
    await this.serial(() => {
      const live = seqs.filter((s) => this.live.has(s));
      if (!live.length) return;
      this.write(Buffer.concat(live.map((s) => encode(MARK, 0, s))));
      for (const s of live) this.live.setFlag(s, 'marked');
    });
    await this.durable();
  }

  /** Settles entries (delivered or failed for good); resolves once on disk. */
  /**
   * Settles entries (delivered or failed for good); resolves once on disk. A replay passes
   * `compact` false and calls `tidy` when done: a rewrite in the middle would hold its reads.
   */
  async ack(seqs: readonly number[], compact = true): Promise<void> {
    await this.serial(async () => {
      const live = seqs.filter((s) => this.live.has(s));
      if (!live.length) return;
      this.write(Buffer.concat(live.map((s) => encode(ACK, 0, s))));
      for (const s of live) this.settle(s);
      if (compact) await this.compactIfWorth();
    });
    await this.durable();
  }

  /** Rewrites the file when settled records outweigh live ones; resolves once on disk. */
  async tidy(): Promise<void> {
    await this.serial(() => this.compactIfWorth());
    await this.durable();
  }

  private async compactIfWorth(): Promise<void> {
    if (this.fileSize > COMPACT_MIN_BYTES && this.fileSize > 2 * this.liveBytes)
      await this.onFile(() => this.compact());
  }

  /** Writes what is left and closes the file (a broken journal just closes it). */
  close(): Promise<void> {
    const run = this.chain.then(async () => {
      if (this.closed) return;
      this.closed = true;
      const fh = this.fh;
      await this.onFile(() => this.writeOut(true))
        .catch(() => undefined)
        .finally(() => fh.close());
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private serial<T>(work: () => T | Promise<T>): Promise<T> {
    const run = this.chain.then(() => {
      if (this.closed) throw new Error('The outbox journal is closed');
      if (this.broken) throw this.broken;
      return work();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private add(loc: Parameters<LiveIndex['add']>[0]): void {
    this.live.add(loc);
    this.liveBytes += loc.length;
    this.owners.set(loc.owner, (this.owners.get(loc.owner) ?? 0) + 1);
    if (loc.key !== undefined) this.keys.set(`${loc.owner}\u0000${loc.key}`, loc.seq);
  }

  private settle(seq: number): void {
    const loc = this.live.remove(seq);
    if (!loc) return;
    this.liveBytes -= loc.length;
    const left = (this.owners.get(loc.owner) ?? 1) - 1;
    if (left > 0) this.owners.set(loc.owner, left);
    else this.owners.delete(loc.owner);
    const k = loc.key === undefined ? undefined : `${loc.owner}\u0000${loc.key}`;
    if (k !== undefined && this.keys.get(k) === seq) this.keys.delete(k);
  }

  /**
   * Resolves once every record made so far is on disk (group commit): callers arriving while a
   * round writes and fsyncs wait for the next round, which writes all their records at once.
   */
  private durable(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.committing ??= this.commit().finally(() => (this.committing = undefined));
    });
  }

  private async commit(): Promise<void> {
    while (this.waiters.length) {
      const waiters = this.waiters;
      this.waiters = [];
      try {
        // Closed: close() wrote and fsync'd everything before it closed the file.
        await this.onFile(() => (this.closed ? Promise.resolve() : this.writeOut(true)));
        for (const w of waiters) w.resolve();
      } catch (error) {
        for (const w of waiters) w.reject(error);
      }
    }
  }

  /**
   * Work on the file handle, one at a time: a round's write and fsync, a compaction (which swaps
   * the handle), the close. A failure breaks the journal.
   */
  private onFile(work: () => Promise<void>): Promise<void> {
    const run = this.writes.then(() => {
      if (this.broken) throw this.broken;
      return work();
    });
    this.writes = run.catch((error: unknown) => {
      this.broken ??= error instanceof Error ? error : new Error(String(error));
    });
    return run;
  }

  /** Writes the records made so far in one write (then fsyncs them); on the file's turn only. */
  private async writeOut(sync: boolean): Promise<void> {
    const n = this.unwritten.length;
    if (n) {
      const start = this.unwritten[0].at;
      const data =
        n === 1 ? this.unwritten[0].data : Buffer.concat(this.unwritten.map((u) => u.data));
      let done = 0;
      while (done < data.length) {
        const { bytesWritten } = await this.fh.write(data, done, data.length - done, start + done);
        done += bytesWritten;
      }
      // Only now: until written, a read finds these records in memory.
      this.unwritten.splice(0, n);
    }
    if (sync) await this.fh.datasync();
  }

  /** Adds a record at the end (written by the next round); returns where it starts. */
  private write(data: Buffer): number {
    const offset = this.fileSize;
    this.unwritten.push({ at: offset, data });
    this.fileSize += data.length;
    return offset;
  }

  /** Rebuilds memory from the file; cuts a torn or corrupt tail. Returns the bytes cut. */
  private async scan(): Promise<number> {
    const { size } = await this.fh.stat();
    let pos = 0;
    let buffer = Buffer.alloc(0);
    let bufferAt = 0;
    const bytesAt = async (at: number, n: number): Promise<Buffer | undefined> => {
      if (at + n > size) return undefined;
      if (at < bufferAt || at + n > bufferAt + buffer.length) {
        buffer = Buffer.allocUnsafe(Math.max(n, Math.min(SCAN_CHUNK, size - at)));
        const { bytesRead } = await this.fh.read(buffer, 0, buffer.length, at);
        buffer = buffer.subarray(0, bytesRead);
        bufferAt = at;
        if (bytesRead < n) return undefined;
      }
      return buffer.subarray(at - bufferAt, at - bufferAt + n);
    };
    for (;;) {
      const header = await bytesAt(pos, HEADER);
      if (!header) break;
      const length = header.readUInt32LE(0);
      if (length > MAX_RECORD) break;
      const record = await bytesAt(pos, HEADER + length);
      if (!record || crc32(record.subarray(8)) !== record.readUInt32LE(4)) break;
      if (!this.apply(record, pos)) break;
      pos += HEADER + length;
    }
    this.fileSize = pos;
    if (pos < size) {
      await this.fh.truncate(pos);
      await this.fh.datasync();
    }
    return size - pos;
  }

  /** Applies one checked record to memory; false for a record no writer makes. */
  private apply(record: Buffer, offset: number): boolean {
    const type = record.readUInt8(8);
    const seq = record.readUInt32LE(9);
    const ref = record.readUInt32LE(13);
    if (type === ACK) this.settle(ref);
    else if (type === MARK) this.live.setFlag(ref, 'uncertain');
    else if (type === PUT) {
      let parsed: { o?: unknown; k?: unknown; t?: unknown };
      try {
        parsed = JSON.parse(record.subarray(HEADER).toString('utf8')) as typeof parsed;
      } catch {
        return false;
      }
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
      const length = record.length;
      if (ref !== 0) {
        const loc = this.live.get(ref);
        if (loc) {
          this.liveBytes += length - loc.length;
          this.live.place(ref, offset, length);
        }
        return true;
      }
      this.add({
        seq,
        owner: String(parsed.o),
        key: typeof parsed.k === 'string' ? parsed.k : undefined,
        queuedAt: Number(parsed.t),
        uncertain: false,
        offset,
        length,
      });
    } else return false;
    return true;
  }

  /** Rewrites the file with the live entries only (same seqs), then swaps it in. */
  private async compact(): Promise<void> {
    // The live records read below may still be in memory; the file must hold them first.
    await this.writeOut(false);
    const tmp = `${this.file}.compact`;
    const out = await fsp.open(tmp, 'w', 0o600);
    const moved: number[] = [];
    let at = 0;
    try {
      // In slices (bounded memory), each read in stretches and written at once.
      let slice: Slot[] = [];
      let sliceBytes = 0;
      const copy = async (): Promise<void> => {
        const records = new Map<number, Buffer>();
        for (const run of await Promise.all(runsOf(slice).map((r) => this.readRun(r))))
          for (const [offset, record] of run) records.set(offset, record);
        const chunks: Buffer[] = [];
        for (const loc of slice) {
          const record = Buffer.from(records.get(loc.offset)!);
          // A replaced body is stored as a PUT with a ref: written back as the entry's own PUT.
          record.writeUInt32LE(loc.seq, 9);
          record.writeUInt32LE(0, 13);
          record.writeUInt32LE(crc32(record.subarray(8)), 4);
          chunks.push(record);
          moved.push(loc.seq, at, loc.length);
          at += loc.length;
          if (loc.uncertain || loc.marked) {
            chunks.push(encode(MARK, 0, loc.seq));
            at += HEADER;
          }
        }
        const data = Buffer.concat(chunks);
        let done = 0;
        while (done < data.length) {
          const start = at - data.length + done;
          done += (await out.write(data, done, data.length - done, start)).bytesWritten;
        }
        slice = [];
        sliceBytes = 0;
      };
      for (const loc of this.live.entries()) {
        slice.push(loc);
        sliceBytes += loc.length;
        if (slice.length >= 1000 || sliceBytes >= RUN_MAX) await copy();
      }
      if (slice.length) await copy();
      await out.datasync();
    } finally {
      await out.close();
    }
    await fsp.rename(tmp, this.file);
    const dir = await fsp.open(path.dirname(this.file), 'r');
    await dir.sync().finally(() => dir.close());
    await this.fh.close();
    this.fh = await fsp.open(this.file, constants.O_RDWR);
    for (let i = 0; i < moved.length; i += 3) this.live.place(moved[i], moved[i + 1], moved[i + 2]);
    this.fileSize = at;
  }
}
