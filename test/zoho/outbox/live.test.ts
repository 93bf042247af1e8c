import assert from 'node:assert/strict';
import { LiveIndex } from '../../../src/zoho/core/outbox/live';

const entry = (seq: number, owner = 'n1', key?: string) => ({
  seq,
  owner,
  key,
  queuedAt: 1000 + seq,
  uncertain: false,
  offset: seq * 100,
  length: 50 + seq,
});

describe('outbox live index (typed arrays)', () => {
  it('keeps order, finds by seq and owner across removals, packing and growth', () => {
    const live = new LiveIndex();
    for (let s = 1; s <= 1000; s++)
      live.add(entry(s, s % 2 ? 'odd' : 'even', s % 10 ? undefined : `k${s}`));
    for (let s = 1; s <= 1000; s += 3) live.remove(s);
    for (let s = 1001; s <= 3000; s++) live.add(entry(s));
    const seqs = [...live.entries()].map((e) => e.seq);
    assert.equal(live.size, seqs.length);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    assert.equal(live.has(1), false);
    assert.equal(live.has(2), true);
    assert.deepEqual(live.get(20), { ...entry(20, 'even', 'k20'), marked: false });
    assert.ok([...live.entries('odd')].every((e) => e.seq % 2 === 1 && e.seq <= 1000));
    live.place(20, 7, 8);
    live.setFlag(20, 'marked');
    assert.deepEqual(
      [live.get(20)?.offset, live.get(20)?.length, live.get(20)?.marked],
      [7, 8, true],
    );
    assert.throws(() => live.add(entry(5)), /out of order/);
  });

  it('gives its memory back once drained', () => {
    const live = new LiveIndex();
    for (let s = 1; s <= 10_000; s++) live.add(entry(s));
    for (let s = 1; s <= 10_000; s++) live.remove(s);
    assert.equal(live.size, 0);
    assert.equal(live.first(), undefined);
    const arrays = Object.values(live).filter((v): v is ArrayBufferView => ArrayBuffer.isView(v));
    assert.ok(arrays.length >= 6 && arrays.every((a) => a.byteLength <= 64 * 8));
    live.add(entry(10_001));
    assert.equal(live.first()?.seq, 10_001);
  });
});
