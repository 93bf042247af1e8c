/**
 * The journal's group commit: appends that arrive together share writes and fsyncs, yet each
 * resolves only once its own bytes are on disk; records not yet written are read from memory
 * (coalescing, a replay's batch); a failed write stops the journal rather than acknowledging
 * bytes that are not on disk.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Journal, JournalLimits } from '../../../src/zoho/core/outbox/journal';

const ROOMY: JournalLimits = { maxEntries: 1_000_000, maxBytes: 1e9, whenFull: 'refuse' };

function tmpFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-journal-')), 'c1.journal');
}

type Handle = Awaited<ReturnType<typeof fsp.open>>;

/** The FileHandle class's prototype (patched to count or fail its calls, then restored). */
async function handleProto(): Promise<Handle> {
  const fh = await fsp.open(os.tmpdir(), 'r');
  await fh.close();
  return Object.getPrototypeOf(fh) as Handle;
}

describe('outbox journal: group commit', () => {
  it('300 appends at once share a few fsyncs; each resolves only once its bytes are in the file', async () => {
    const file = tmpFile();
    const j = await Journal.open(file, ROOMY);
    const proto = await handleProto();
    const datasync = Object.getOwnPropertyDescriptor(proto, 'datasync')!;
    let syncs = 0;
    Object.defineProperty(proto, 'datasync', {
      ...datasync,
      value: function (this: Handle) {
        syncs++;
        return (datasync.value as (this: Handle) => Promise<void>).call(this);
      },
    });
    const early: number[] = [];
    try {
      await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          j.append('n1', { marker: `m-${i}-end` }).then(() => {
            if (!fs.readFileSync(file, 'latin1').includes(`m-${i}-end`)) early.push(i);
          }),
        ),
      );
    } finally {
      Object.defineProperty(proto, 'datasync', datasync);
    }
    assert.deepEqual(early, [], 'resolved before its record was written');
    assert.ok(syncs >= 1 && syncs <= 30, `${syncs} fsyncs for 300 appends`);
    await j.close();
    const again = await Journal.open(file, ROOMY);
    assert.equal(again.count, 300);
    const bodies = await again.readMany([...again.entries()].map((e) => e.seq));
    assert.deepEqual(
      bodies.map((b) => (b as { marker: string }).marker),
      Array.from({ length: 300 }, (_, i) => `m-${i}-end`),
    );
    await again.close();
  });

  it('merges into records not written yet (read from memory), and keeps the result on disk', async () => {
    const file = tmpFile();
    const j = await Journal.open(file, ROOMY);
    const sum = {
      merge: (a: unknown, b: unknown) => ({ v: (a as { v: number }).v + (b as { v: number }).v }),
      canMerge: () => true,
    };
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        j.append('n1', { v: i }, 'k', undefined, i ? sum : undefined),
      ),
    );
    assert.equal(j.count, 1);
    assert.deepEqual(await j.read(j.keyed('n1', 'k')!), { v: (49 * 50) / 2 });
    await j.close();
    const again = await Journal.open(file, ROOMY);
    assert.deepEqual(await again.read(again.keyed('n1', 'k')!), { v: (49 * 50) / 2 });
    await again.close();
  });

  it('reads a batch in the order asked, across written and unwritten records', async () => {
    const file = tmpFile();
    const j = await Journal.open(file, ROOMY);
    for (let i = 0; i < 20; i++) await j.append('n1', { i });
    const late = Array.from({ length: 20 }, (_, i) => j.append('n1', { i: 20 + i }));
    // Their records are made by now; most are still on their way to the file.
    await new Promise((r) => setImmediate(r));
    assert.equal(j.count, 40);
    const seqs = [...j.entries()].map((e) => e.seq).reverse();
    const bodies = await j.readMany(seqs);
    assert.deepEqual(
      bodies.map((b) => (b as { i: number }).i),
      Array.from({ length: seqs.length }, (_, k) => seqs.length - 1 - k),
    );
    await Promise.all(late);
    await j.close();
  });

  it('a failed write fails the waiting appends and every later change, never acknowledging them', async () => {
    const file = tmpFile();
    const j = await Journal.open(file, ROOMY);
    await j.append('n1', { ok: 1 });
    const proto = await handleProto();
    const write = Object.getOwnPropertyDescriptor(proto, 'write')!;
    Object.defineProperty(proto, 'write', {
      ...write,
      value: () =>
        Promise.reject(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' })),
    });
    try {
      await assert.rejects(j.append('n1', { lost: 1 }), /EIO/);
    } finally {
      Object.defineProperty(proto, 'write', write);
    }
    await assert.rejects(j.append('n1', { after: 1 }), /EIO/);
    await j.close();
    const again = await Journal.open(file, ROOMY);
    assert.equal(again.count, 1);
    assert.deepEqual(await again.read([...again.entries()][0].seq), { ok: 1 });
    await again.close();
  });
});
