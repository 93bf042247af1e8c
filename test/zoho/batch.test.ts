import assert from 'node:assert/strict';
import { chunk, runBatches } from '../../src/zoho/core/batch';
import { ZohoError } from '../../src/zoho/core/errors';

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('batch', () => {
  it('chunks by 100 by default', () => {
    const items = Array.from({ length: 250 }, (_, i) => i);
    assert.deepEqual(
      chunk(items).map((c) => c.length),
      [100, 100, 50],
    );
    assert.deepEqual(chunk([], 100), []);
    assert.throws(() => chunk([1], 0), /batch size/);
  });

  it('runs 1,000 items as 10 calls, in order, joining results in input order', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const seen: number[] = [];
    const results = await runBatches(items, (c, info) => {
      seen.push(info.index);
      assert.equal(info.offset, info.index * 100);
      return Promise.resolve(c.map((x) => x * 2));
    });
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(
      results,
      items.map((x) => x * 2),
    );
  });

  it('keeps input order with bounded parallelism even when chunks finish out of order', async () => {
    const items = Array.from({ length: 500 }, (_, i) => i);
    let inFlight = 0;
    let peak = 0;
    const results = await runBatches(
      items,
      async (c, info) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await delay(info.index % 2 === 0 ? 20 : 1);
        inFlight--;
        return c.map((x) => `r${x}`);
      },
      { concurrency: 3 },
    );
    assert.equal(peak, 3);
    assert.deepEqual(
      results,
      items.map((x) => `r${x}`),
    );
  });

  it('rejects on the first failure without onChunkError and sends nothing after it', async () => {
    const sent: number[] = [];
    await assert.rejects(
      runBatches(
        Array.from({ length: 300 }, (_, i) => i),
        (c, info) => {
          sent.push(info.index);
          if (info.index === 1) throw new Error('boom');
          return Promise.resolve(c);
        },
      ),
      /boom/,
    );
    assert.deepEqual(sent, [0, 1]);
  });

  it('maps a failed chunk to per-item results and marks later chunks NOT_SENT', async () => {
    const sent: number[] = [];
    const results = await runBatches(
      Array.from({ length: 300 }, (_, i) => i),
      (c, info) => {
        sent.push(info.index);
        if (info.index === 1) throw new ZohoError({ code: 'TIMEOUT', message: 't' });
        return Promise.resolve(c.map(() => 'ok'));
      },
      { onChunkError: (e, c) => c.map(() => (e as ZohoError).code) },
    );
    assert.deepEqual(sent, [0, 1]);
    assert.deepEqual(results.slice(99, 101), ['ok', 'TIMEOUT']);
    assert.equal(results[250], 'NOT_SENT');
    assert.equal(results.length, 300);
  });

  it('continues after an error when asked', async () => {
    const results = await runBatches(
      [1, 2, 3],
      (c, info) => {
        if (info.index === 0) throw new Error('x');
        return Promise.resolve(c);
      },
      { size: 1, continueAfterError: true, onChunkError: (_e, c) => c.map(() => -1) },
    );
    assert.deepEqual(results, [-1, 2, 3]);
  });

  it('refuses a run function that answers the wrong number of results', async () => {
    await assert.rejects(
      runBatches([1, 2], () => Promise.resolve([1])),
      (e: unknown) => (e as ZohoError).code === 'BATCH_RESULT_MISMATCH',
    );
  });

  it('reports progress and stops at an aborted signal', async () => {
    const progress: number[] = [];
    await runBatches([1, 2, 3], (c) => Promise.resolve(c), {
      size: 1,
      onProgress: (d) => progress.push(d),
    });
    assert.deepEqual(progress, [1, 2, 3]);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      runBatches([1], (c) => Promise.resolve(c), { signal: controller.signal }),
      (e: unknown) => (e as ZohoError).code === 'ABORTED',
    );
  });
});
