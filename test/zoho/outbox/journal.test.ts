import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ZohoError } from '../../../src/zoho/core/errors';
import { Journal, JournalLimits } from '../../../src/zoho/core/outbox/journal';

const ROOMY: JournalLimits = { maxEntries: 1_000_000, maxBytes: 1e9, whenFull: 'refuse' };

function tmpFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-journal-')), 'c1.journal');
}

async function bodies(j: Journal): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const e of [...j.entries()]) out.push(await j.read(e.seq));
  return out;
}

describe('outbox journal', () => {
  it('keeps entries across a reopen, in order, without the settled ones', async () => {
    const file = tmpFile();
    const j = await Journal.open(file, ROOMY);
    for (let i = 0; i < 5; i++) await j.append('n1', { i }, undefined, 1000 + i);
    await j.ack([[...j.entries()][1].seq]);
    await j.close();
    const again = await Journal.open(file, ROOMY);
    assert.equal(again.truncatedBytes, 0);
    assert.deepEqual(await bodies(again), [{ i: 0 }, { i: 2 }, { i: 3 }, { i: 4 }]);
    assert.deepEqual(
      [...again.entries()].map((e) => e.queuedAt),
      [1000, 1002, 1003, 1004],
    );
    await again.close();
  });

  it('drops a torn last record (half written at a power cut) and appends after it', async () => {
    const file = tmpFile();
    const j = await Journal.open(file, ROOMY);
    await j.append('n1', { a: 1 });
    await j.append('n1', { a: 2 });
    await j.close();
    const whole = fs.readFileSync(file);
    // The third record as a power cut leaves it: its first half only.
    const j2 = await Journal.open(file, ROOMY);
    await j2.append('n1', { a: 3, pad: 'x'.repeat(100) });
    await j2.close();
    const withThird = fs.readFileSync(file);
    const torn = withThird.subarray(0, whole.length + (withThird.length - whole.length) / 2);
    fs.writeFileSync(file, torn);
    const reopened = await Journal.open(file, ROOMY);
    assert.equal(reopened.truncatedBytes, torn.length - whole.length);
    assert.deepEqual(await bodies(reopened), [{ a: 1 }, { a: 2 }]);
    assert.equal(fs.statSync(file).size, whole.length);
    await reopened.append('n1', { a: 4 });
    await reopened.close();
    const last = await Journal.open(file, ROOMY);
    assert.deepEqual(await bodies(last), [{ a: 1 }, { a: 2 }, { a: 4 }]);
    await last.close();
  });

  it('stops at a record whose checksum fails, never replaying it', async () => {
    const file = tmpFile();
    const j = await Journal.open(file, ROOMY);
    await j.append('n1', { a: 1 });
    const size1 = fs.statSync(file).size;
    await j.append('n1', { a: 2, text: 'hello' });
    await j.close();
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 3] ^= 0x20; // one flipped bit in the second record's body
    fs.writeFileSync(file, bytes);
    const reopened = await Journal.open(file, ROOMY);
    assert.deepEqual(await bodies(reopened), [{ a: 1 }]);
    assert.equal(reopened.truncatedBytes, bytes.length - size1);
    await reopened.close();
  });

  it('refuses when full by count or bytes with OUTBOX_FULL, or drops the oldest if asked', async () => {
    const j = await Journal.open(tmpFile(), { maxEntries: 3, maxBytes: 1e6, whenFull: 'refuse' });
    for (let i = 0; i < 3; i++) await j.append('n1', { i });
    await assert.rejects(j.append('n1', { i: 3 }), (e: unknown) => {
      assert.ok(e instanceof ZohoError);
      assert.equal(e.code, 'OUTBOX_FULL');
      assert.equal(e.kind, 'limit');
      return true;
    });
    assert.equal(j.count, 3);
    const small = await Journal.open(tmpFile(), {
      maxEntries: 100,
      maxBytes: 200,
      whenFull: 'refuse',
    });
    await small.append('n1', { text: 'x'.repeat(100) });
    await assert.rejects(small.append('n1', { text: 'y'.repeat(100) }), /outbox is full/);
    j.limits = { ...j.limits, whenFull: 'drop-oldest' };
    const { dropped } = await j.append('n1', { i: 3 });
    assert.equal(dropped.length, 1);
    assert.deepEqual(await bodies(j), [{ i: 1 }, { i: 2 }, { i: 3 }]);
    await j.close();
    await small.close();
  });

  it('coalesces in place: a replaced body keeps its place, also after a reopen', async () => {
    const file = tmpFile();
    const j = await Journal.open(file, ROOMY);
    await j.append('n1', { id: 'a', v: 1 }, 'a');
    await j.append('n1', { id: 'b', v: 1 }, 'b');
    const a = j.keyed('n1', 'a')!;
    await j.replace(a, { id: 'a', v: 2 });
    assert.deepEqual(await bodies(j), [
      { id: 'a', v: 2 },
      { id: 'b', v: 1 },
    ]);
    await j.close();
    const again = await Journal.open(file, ROOMY);
    assert.deepEqual(await bodies(again), [
      { id: 'a', v: 2 },
      { id: 'b', v: 1 },
    ]);
    assert.equal(again.keyed('n1', 'a'), a);
    await again.close();
  });

  it('compacts when settled records dominate, keeping live entries and their marks', async () => {
    const file = tmpFile();
    const j = await Journal.open(file, ROOMY);
    const pad = 'p'.repeat(1000);
    for (let i = 0; i < 600; i++) await j.append('n1', { i, pad });
    const seqs = [...j.entries()].map((e) => e.seq);
    await j.mark([seqs[599]]);
    const before = fs.statSync(file).size;
    await j.ack(seqs.slice(0, 598));
    const after = fs.statSync(file).size;
    assert.ok(after < before / 50, `file ${before} -> ${after} bytes`);
    assert.deepEqual(
      (await bodies(j)).map((b) => (b as { i: number }).i),
      [598, 599],
    );
    await j.append('n1', { i: 600 });
    await j.close();
    const again = await Journal.open(file, ROOMY);
    assert.equal(again.truncatedBytes, 0);
    assert.deepEqual(
      [...again.entries()].map((e) => e.uncertain),
      [false, true, false],
    );
    assert.deepEqual(
      (await bodies(again)).map((b) => (b as { i: number }).i),
      [598, 599, 600],
    );
    await again.close();
  });

  it('after kill -9 mid-stream loses nothing acknowledged and duplicates nothing', async function () {
    this.timeout(60_000);
    const file = tmpFile();
    const script = path.join(__dirname, 'journal-writer.js');
    let acknowledged = 0;
    let total = 0;
    for (let round = 0; round < 3; round++) {
      // The child appends numbered entries and prints each number once it is on disk.
      const child = spawn(process.execPath, [script, file, String(acknowledged)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.split('\n').length > 150) child.kill('SIGKILL');
        });
        child.on('exit', () => resolve());
      });
      const lines = out.split('\n');
      const acked = lines.filter((l) => /^\d+$/.test(l)).map(Number);
      const settled = new Set(
        lines.filter((l) => /^settled \d+$/.test(l)).map((l) => Number(l.slice(8))),
      );
      assert.ok(acked.length >= 100, `round ${round}: ${acked.length} acknowledged`);
      const j = await Journal.open(file, ROOMY);
      const seen = (await bodies(j)).map((b) => (b as { n: number }).n);
      await j.close();
      assert.equal(new Set(seen).size, seen.length, 'no entry twice');
      for (const n of acked) {
        if (!settled.has(n)) assert.ok(seen.includes(n), `acknowledged ${n} lost`);
      }
      for (const n of settled) assert.ok(!seen.includes(n), `settled ${n} came back`);
      assert.deepEqual(
        seen,
        [...seen].sort((a, b) => a - b),
      );
      total += acked.length;
      acknowledged = Math.max(acknowledged, ...acked.map((n) => n + 1), ...seen.map((n) => n + 1));
    }
    assert.ok(total >= 300);
  });
});
