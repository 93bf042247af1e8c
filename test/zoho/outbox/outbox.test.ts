/**
 * The outbox's replay: in arrival order per owner, batches read ahead and acknowledged while the
 * next is sent, outputs only after their acknowledgement is on disk and in order; a batch that
 * cannot reach Zoho keeps itself and everything after it; owners drain side by side.
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
});
