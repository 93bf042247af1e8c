/**
 * The outbox's replay: in arrival order per owner, batches read ahead and acknowledged while the
 * next is sent, outputs only after their acknowledgement is on disk and in order; a batch that
 * cannot reach Zoho keeps itself and everything after it; owners drain side by side; with keys,
 * several batches at once (the owner's lanes), never one key in two calls at once.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Journal } from '../../../src/zoho/core/outbox/journal';
import { Outbox, Outcome, QueuedEntry } from '../../../src/zoho/core/outbox/outbox';

const LIMITS = { maxEntries: 100_000, maxBytes: 1e9, whenFull: 'refuse' as const };

async function filled(owners: string[], perOwner: number) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-outbox-')), 'c1.journal');
  let up = false;
  const outbox = await Outbox.open({
    file,
    limits: LIMITS,
    minDelayMs: 20,
    probe: () => (up ? Promise.resolve() : Promise.reject(new Error('down'))),
  });
  for (const owner of owners)
    for (let i = 0; i < perOwner; i += 250)
      await Promise.all(
        Array.from({ length: Math.min(250, perOwner - i) }, (_, k) =>
          outbox.add(owner, { i: i + k }),
        ),
      );
  return { outbox, file, linkUp: () => (up = true) };
}

function until(what: string, test: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (test()) resolve();
      else if (Date.now() > end) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

const indexOf = (e: QueuedEntry) => (e.body as { i: number }).i;

describe('outbox replay', function () {
  this.timeout(120_000);

  it('delivers 2,000 entries in order, 500 a call; outputs in order, acknowledged on disk', async () => {
    const { outbox, file, linkUp } = await filled(['n1'], 2000);
    const sent: number[] = [];
    const outputs: number[] = [];
    const sizes: number[] = [];
    outbox.register('n1', {
      batch: 500,
      deliver: async (entries): Promise<Outcome[]> => {
        sizes.push(entries.length);
        sent.push(...entries.map(indexOf));
        await new Promise((r) => setTimeout(r, 5));
        return entries.map((e) => ({
          settled: true,
          after: () => outputs.push(indexOf(e)),
        }));
      },
    });
    linkUp();
    outbox.flush();
    await until('2,000 outputs', () => outputs.length === 2000);
    const all = Array.from({ length: 2000 }, (_, i) => i);
    assert.deepEqual(sent, all);
    assert.deepEqual(outputs, all);
    assert.deepEqual(sizes, [500, 500, 500, 500]);
    assert.equal(outbox.waiting('n1'), 0);
    await outbox.close();
    const reopened = await Journal.open(file, LIMITS);
    assert.equal(reopened.count, 0, 'every output was acknowledged on disk first');
    await reopened.close();
  });

  it('a batch that cannot reach Zoho keeps it and all after it; the batch read ahead is not sent', async () => {
    const { outbox, linkUp } = await filled(['n1'], 2000);
    const sent: number[] = [];
    const outputs: number[] = [];
    let calls = 0;
    outbox.register('n1', {
      batch: 500,
      deliver: (entries): Promise<Outcome[]> => {
        calls++;
        // The second call gets through for its first 100 records only.
        const reached = calls === 2 ? 100 : entries.length;
        sent.push(...entries.slice(0, reached).map(indexOf));
        return Promise.resolve(
          entries.map((e, k) =>
            k < reached
              ? { settled: true as const, after: () => outputs.push(indexOf(e)) }
              : { settled: false as const },
          ),
        );
      },
    });
    linkUp();
    outbox.flush();
    await until('600 outputs', () => outputs.length === 600);
    await until('the next round', () => outputs.length === 2000);
    const all = Array.from({ length: 2000 }, (_, i) => i);
    assert.deepEqual(sent, all, 'each entry reached Zoho once, in order');
    assert.deepEqual(outputs, all);
    assert.ok(calls >= 5, `${calls} calls`);
    await outbox.close();
  });

  it('drains two owners side by side, each in its own order', async () => {
    const { outbox, linkUp } = await filled(['a', 'b'], 600);
    const seen: Record<string, number[]> = { a: [], b: [] };
    let inFlight = 0;
    let most = 0;
    for (const owner of ['a', 'b'])
      outbox.register(owner, {
        batch: 100,
        deliver: async (entries): Promise<Outcome[]> => {
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((r) => setTimeout(r, 20));
          inFlight--;
          seen[owner].push(...entries.map(indexOf));
          return entries.map(() => ({ settled: true }));
        },
      });
    linkUp();
    outbox.flush();
    await until('both drained', () => outbox.waiting() === 0);
    const all = Array.from({ length: 600 }, (_, i) => i);
    assert.deepEqual(seen.a, all);
    assert.deepEqual(seen.b, all);
    assert.equal(most, 2, 'the two owners were sent at the same time');
    await outbox.close();
  });

  it('with keys: `lanes` batches at once, a key never in two at once, outputs in arrival order', async () => {
    const { outbox, linkUp } = await filled(['n1'], 1000);
    // 300 keys: batch 3 (entries 300..399) writes batch 0's keys and must wait for it.
    const keyOf = (e: QueuedEntry) => `k${indexOf(e) % 300}`;
    const sentAt = new Map<string, number[]>();
    const flying = new Set<string>();
    const outputs: number[] = [];
    let calls = 0;
    let inFlight = 0;
    let most = 0;
    outbox.register('n1', {
      batch: 100,
      lanes: 3,
      keys: (e) => [keyOf(e)],
      deliver: async (entries): Promise<Outcome[]> => {
        const keys = entries.map(keyOf);
        assert.equal(new Set(keys).size, keys.length, 'a key twice in one call');
        for (const k of keys) assert.ok(!flying.has(k), `${k} in two calls at once`);
        for (const k of keys) flying.add(k);
        for (const e of entries)
          sentAt.set(keyOf(e), [...(sentAt.get(keyOf(e)) ?? []), indexOf(e)]);
        inFlight++;
        most = Math.max(most, inFlight);
        // Later calls often end first.
        await new Promise((r) => setTimeout(r, (calls++ % 3) * 15 + 5));
        inFlight--;
        for (const k of keys) flying.delete(k);
        return entries.map((e) => ({ settled: true, after: () => outputs.push(indexOf(e)) }));
      },
    });
    linkUp();
    outbox.flush();
    await until('1,000 outputs', () => outputs.length === 1000);
    assert.equal(most, 3, 'three calls at once');
    assert.deepEqual(
      outputs,
      Array.from({ length: 1000 }, (_, i) => i),
    );
    for (const [k, order] of sentAt)
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
        `${k} sent out of order`,
      );
    assert.equal([...sentAt.values()].flat().length, 1000, 'each entry sent once');
    await outbox.close();
  });

  it('with lanes: once a call cannot reach Zoho no new one starts; the rest go next round, once each', async () => {
    const { outbox, linkUp } = await filled(['n1'], 1000);
    const sent: number[] = [];
    const outputs: number[] = [];
    const started: number[] = [];
    let calls = 0;
    outbox.register('n1', {
      batch: 100,
      lanes: 3,
      keys: (e) => [`k${indexOf(e)}`],
      deliver: async (entries): Promise<Outcome[]> => {
        const call = ++calls;
        started.push(indexOf(entries[0]));
        // The second call fails after its first 50; the third, in flight beside it, gets through.
        await new Promise((r) => setTimeout(r, call === 2 ? 5 : 30));
        const reached = call === 2 ? 50 : entries.length;
        sent.push(...entries.slice(0, reached).map(indexOf));
        return entries.map((e, k) =>
          k < reached
            ? { settled: true as const, after: () => outputs.push(indexOf(e)) }
            : { settled: false as const },
        );
      },
    });
    linkUp();
    outbox.flush();
    await until('all outputs', () => outputs.length === 1000);
    assert.deepEqual(started.slice(0, 3), [0, 100, 200], 'three at once, then the failure');
    assert.equal(started[3], 150, 'the next round starts at the first entry kept');
    assert.deepEqual(
      [...sent].sort((a, b) => a - b),
      Array.from({ length: 1000 }, (_, i) => i),
      'each entry reached Zoho once',
    );
    assert.deepEqual(new Set(outputs).size, 1000);
    await outbox.close();
  });

  it("a batch's outputs let the event loop turn, so answers are read between them; they lag the calls by 2 × lanes batches at most", async () => {
    const { outbox, linkUp } = await filled(['n1'], 2000);
    const lanes = 2;
    // Turns of the event loop so far: each output notes the turn it ran in.
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    tick();
    const turnOf: number[] = [];
    let delivered = 0;
    let outputBatches = 0;
    let mostBehind = 0;
    outbox.register('n1', {
      batch: 100,
      lanes,
      keys: (e) => [`k${indexOf(e)}`],
      deliver: async (entries): Promise<Outcome[]> => {
        mostBehind = Math.max(mostBehind, ++delivered - outputBatches);
        await new Promise((r) => setTimeout(r, 1));
        return entries.map((e, k) => ({
          settled: true,
          after: () => {
            turnOf[indexOf(e)] = turns;
            // Outputs far slower than the calls (a busy flow): 100 take ~20 ms.
            const until = performance.now() + 0.2;
            while (performance.now() < until);
            if (k === entries.length - 1) outputBatches++;
          },
        }));
      },
    });
    linkUp();
    outbox.flush();
    await until('2,000 outputs', () => turnOf.filter((t) => t !== undefined).length === 2000);
    ticking = false;
    const first = turnOf.slice(0, 100);
    assert.ok(
      Math.max(...first) - Math.min(...first) >= 5,
      `one batch's outputs ran in ${Math.max(...first) - Math.min(...first) + 1} turns`,
    );
    assert.ok(
      mostBehind <= 2 * lanes + 1,
      `a call started with ${mostBehind - 1} batches' outputs not run`,
    );
    await outbox.close();
  });

  it('with lanes: the next batch is read while the lanes are full, so a lane that ends starts its next call at once', async () => {
    const { outbox, linkUp } = await filled(['n1'], 1000);
    const events: string[] = [];
    const journal = (outbox as unknown as { journal: Journal }).journal;
    const readMany = journal.readMany.bind(journal);
    journal.readMany = (seqs) => {
      events.push('read');
      return readMany(seqs);
    };
    let calls = 0;
    outbox.register('n1', {
      batch: 100,
      lanes: 2,
      keys: (e) => [`k${indexOf(e)}`],
      deliver: async (entries): Promise<Outcome[]> => {
        const call = calls++;
        events.push(`start ${call}`);
        await new Promise((r) => setTimeout(r, 10));
        events.push(`end ${call}`);
        return entries.map(() => ({ settled: true }));
      },
    });
    linkUp();
    outbox.flush();
    await until('10 calls', () => events.includes('end 9'));
    // From the third call on, each starts on a batch read before a lane ended.
    for (let call = 2; call < 10; call++) {
      const at = events.indexOf(`start ${call}`);
      assert.notEqual(
        events[at - 1],
        'read',
        `call ${call} waited for its read: ${events.join(', ')}`,
      );
    }
    await outbox.close();
  });
});
