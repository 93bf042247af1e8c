/**
 * Where the journal's live entries lie, in queue order, held in typed arrays: about 30 bytes an
 * entry and no object per entry, so a queue of 100,000 costs a few MB of memory however long
 * it waits (an object per entry cost ~130 bytes of heap and kept the garbage collector busy).
 *
 * Seqs only grow, and an entry keeps its place, so slots are sorted by seq: a lookup is a
 * binary search. A settled slot is cleared in place; the front moves past cleared slots, and
 * the arrays are packed (or doubled) only when the end is reached.
 */
const LIVE = 1;
const UNCERTAIN = 2;
const MARKED = 4;

export interface Slot {
  seq: number;
  owner: string;
  key?: string;
  queuedAt: number;
  uncertain: boolean;
  marked: boolean;
  offset: number;
  length: number;
}

export class LiveIndex {
  private cap = 64;
  private seq = new Uint32Array(this.cap);
  private offset = new Float64Array(this.cap);
  private length = new Uint32Array(this.cap);
  private queuedAt = new Float64Array(this.cap);
  private owner = new Uint32Array(this.cap);
  private flags = new Uint8Array(this.cap);
  private head = 0;
  private tail = 0;
  private live = 0;
  private readonly ownerNames: string[] = [];
  private readonly ownerIds = new Map<string, number>();
  /** Coalescing keys of the entries that have one (updates): bounded by the keys waiting. */
  private readonly keyOf = new Map<number, string>();

  get size(): number {
    return this.live;
  }

  /** Adds an entry at the end; its seq must be above every seq added before. */
  add(e: Omit<Slot, 'marked'>): void {
    if (this.tail > this.head && e.seq <= this.seq[this.tail - 1])
      throw new Error(`outbox entry ${e.seq} is out of order`);
    if (this.tail === this.cap) this.makeRoom();
    const i = this.tail++;
    this.seq[i] = e.seq;
    this.offset[i] = e.offset;
    this.length[i] = e.length;
    this.queuedAt[i] = e.queuedAt;
    this.owner[i] = this.ownerId(e.owner);
    this.flags[i] = LIVE | (e.uncertain ? UNCERTAIN : 0);
    if (e.key !== undefined) this.keyOf.set(e.seq, e.key);
    this.live++;
  }

  has(seq: number): boolean {
    return this.find(seq) >= 0;
  }

  get(seq: number): Slot | undefined {
    const i = this.find(seq);
    return i < 0 ? undefined : this.slot(i);
  }

  /** Moves an entry's body (a replaced body, or the file rewritten). */
  place(seq: number, offset: number, length: number): void {
    const i = this.find(seq);
    if (i < 0) return;
    this.offset[i] = offset;
    this.length[i] = length;
  }

  setFlag(seq: number, flag: 'uncertain' | 'marked'): void {
    const i = this.find(seq);
    if (i >= 0) this.flags[i] |= flag === 'uncertain' ? UNCERTAIN : MARKED;
  }

  /** Removes an entry; returns what it was, or undefined when it was not live. */
  remove(seq: number): Slot | undefined {
    const i = this.find(seq);
    if (i < 0) return undefined;
    const slot = this.slot(i);
    this.flags[i] = 0;
    this.keyOf.delete(seq);
    this.live--;
    while (this.head < this.tail && this.flags[this.head] === 0) this.head++;
    if (this.head === this.tail) this.empty();
    return slot;
  }

  /** Live entries in queue order (optionally one owner's, after a seq); each a fresh object. */
  *entries(owner?: string, after = -1): IterableIterator<Slot> {
    const id = owner === undefined ? -1 : this.ownerIds.get(owner);
    if (id === undefined) return;
    for (let i = after < 0 ? this.head : this.above(after); i < this.tail; i++) {
      if (this.flags[i] !== 0 && (id < 0 || this.owner[i] === id)) yield this.slot(i);
    }
  }

  first(): Slot | undefined {
    return this.head < this.tail ? this.slot(this.head) : undefined;
  }

  private slot(i: number): Slot {
    const seq = this.seq[i];
    return {
      seq,
      owner: this.ownerNames[this.owner[i]],
      key: this.keyOf.get(seq),
      queuedAt: this.queuedAt[i],
      uncertain: (this.flags[i] & UNCERTAIN) !== 0,
      marked: (this.flags[i] & MARKED) !== 0,
      offset: this.offset[i],
      length: this.length[i],
    };
  }

  /** Drained: back to the first arrays, so a long queue's memory goes with it. */
  private empty(): void {
    this.head = this.tail = 0;
    if (this.cap > 64) {
      this.cap = 32;
      this.makeRoom();
    }
  }

  /** The first slot whose seq is above `seq` (slots, cleared ones too, are sorted by seq). */
  private above(seq: number): number {
    let lo = this.head;
    let hi = this.tail;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seq[mid] <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private find(seq: number): number {
    let lo = this.head;
    let hi = this.tail - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.seq[mid];
      if (s === seq) return this.flags[mid] === 0 ? -1 : mid;
      if (s < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private ownerId(name: string): number {
    let id = this.ownerIds.get(name);
    if (id === undefined) {
      id = this.ownerNames.length;
      this.ownerNames.push(name);
      this.ownerIds.set(name, id);
    }
    return id;
  }

  /** Packs the live slots to the front, doubling the arrays when they are more than half full. */
  private makeRoom(): void {
    const cap = this.live * 2 > this.cap ? this.cap * 2 : this.cap;
    const seq = new Uint32Array(cap);
    const offset = new Float64Array(cap);
    const length = new Uint32Array(cap);
    const queuedAt = new Float64Array(cap);
    const owner = new Uint32Array(cap);
    const flags = new Uint8Array(cap);
    let j = 0;
    for (let i = this.head; i < this.tail; i++) {
      if (this.flags[i] === 0) continue;
      seq[j] = this.seq[i];
      offset[j] = this.offset[i];
      length[j] = this.length[i];
      queuedAt[j] = this.queuedAt[i];
      owner[j] = this.owner[i];
      flags[j] = this.flags[i];
      j++;
    }
    Object.assign(this, { seq, offset, length, queuedAt, owner, flags, cap, head: 0, tail: j });
  }
}
