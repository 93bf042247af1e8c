/**
 * crm-bulk in a real Node-RED runtime against the sandbox's Bulk Read jobs: chunks with
 * msg.parts over two jobs, the CSV file output, bad input refused before anything is sent, and
 * a close that stops the poll.
 */
import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sinon from 'sinon';
import { helper, unloadFlow } from '../helpers/red';
import { AnyMsg, crmHarness } from './crm-harness';

describe('crm-bulk node', function () {
  this.timeout(120_000);
  const h = crmHarness('crm-bulk');
  const bulkCalls = () => h.crmRequests().filter((r) => r.path.startsWith('/crm/bulk/'));
  const SLOW = { timeoutMs: 40_000 };

  beforeEach(() => {
    Object.assign(h.crm.bulkReads.options, { delayMs: 10, perJob: 200_000, failNext: 0 });
    h.crm.store.insert(
      'Leads',
      Array.from({ length: 25 }, (_, i) => ({
        Last_Name: `Lead ${i}`,
        Company: i % 5 === 0 ? 'Acme, "Inc"' : 'Other',
      })),
    );
  });

  it('sends one message per chunk with msg.parts, walking past the per-job limit', async () => {
    h.crm.bulkReads.options.perJob = 15;
    await h.load({
      module: 'Leads',
      fields: 'Last_Name,Company',
      chunkSize: '10',
      output: 'chunks',
    });
    const o = await h.exec({ topic: 'export' }, SLOW);
    assert.deepEqual(o.dones, [undefined]);
    assert.equal(o.caught.length, 0);
    assert.deepEqual(
      o.out.map((m) => m.payload.length),
      [10, 10, 5],
    );
    const names = o.out.flatMap((m) => m.payload.map((r: AnyMsg) => r.Last_Name));
    assert.deepEqual(
      names,
      Array.from({ length: 25 }, (_, i) => `Lead ${i}`),
    );
    assert.equal(o.out[0].payload[0].Company, 'Acme, "Inc"');
    assert.match(o.out[0].payload[0].id, /^\d+$/);
    assert.deepEqual(
      o.out.map((m) => m.parts.index),
      [0, 1, 2],
    );
    assert.equal(new Set(o.out.map((m) => m.parts.id)).size, 1);
    assert.equal(o.out[2].parts.count, 3);
    assert.equal(o.out[0].topic, 'export');
    assert.equal(o.out[2].info.count, 25);
    assert.equal(bulkCalls().filter((r) => r.method === 'POST').length, 2);
    const texts = o.statuses.map((s) => String(s.text));
    assert.ok(
      texts.some((t) => /job .*page 2/.test(t)),
      texts.join(' | '),
    );
    assert.match(texts[texts.length - 1], /25 records in 3 messages/);
  });

  it('takes module and criteria from msg, and sends one empty chunk when nothing matches', async () => {
    await h.load({ module: '', fields: 'Last_Name', output: 'chunks' });
    const o = await h.exec({ module: 'Leads', criteria: { Company: 'Nobody' } }, SLOW);
    assert.deepEqual(o.dones, [undefined]);
    assert.equal(o.out.length, 1);
    assert.deepEqual(o.out[0].payload, []);
    const sent = bulkCalls().find((r) => r.method === 'POST')?.body as AnyMsg;
    assert.deepEqual(sent.query.criteria, {
      api_name: 'Company',
      comparator: 'equal',
      value: 'Nobody',
    });
  });

  it('writes a CSV file under the directory and sends its path', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-bulk-'));
    try {
      await h.load({
        module: 'Leads',
        fields: 'Last_Name,Company',
        output: 'file',
        directory: dir,
      });
      const o = await h.exec({ directory: '/etc' }, SLOW);
      assert.deepEqual(o.dones, [undefined]);
      const file = o.out[0].payload as string;
      assert.equal(path.dirname(file), dir, 'msg.directory is not taken');
      const lines = fs.readFileSync(file, 'utf8').split('\r\n');
      assert.equal(lines[0], 'id,Last_Name,Company');
      assert.match(lines[1], /^\d+,Lead 0,"Acme, ""Inc"""$/);
      assert.equal(lines.length, 27); // header, 25 rows, final empty
      assert.equal(o.out[0].info.count, 25);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad input before sending anything', async () => {
    await h.load({ module: 'Leads', chunkSize: '10', output: 'chunks' });
    for (const [msg, param] of [
      [{ fields: 'Last Name' }, 'fields'],
      [{ chunkSize: 0 }, 'chunkSize'],
      [{ criteria: { field: 'Company', op: 'like', value: 'x' } }, 'criteria'],
    ] as const) {
      const o = await h.exec(msg);
      assert.equal(o.caught.length, 1, param);
      assert.equal(o.caught[0]._error.code, 'INVALID_INPUT');
      assert.equal(o.caught[0]._error.param, param);
      assert.equal(o.out.length, 0);
    }
    await unloadFlow();
    await h.load({ module: '', output: 'chunks' });
    // Not a module name: refused, not sent as the module "true" or "12.5".
    for (const module of [true, 12.5, ['Leads']]) {
      const o = await h.exec({ module });
      assert.equal(o.caught[0]?._error.param, 'module', JSON.stringify(module));
    }
    await unloadFlow();
    await h.load({ module: 'Leads', output: 'file', directory: '' });
    const o = await h.exec({});
    assert.equal(o.caught[0]._error.param, 'directory');
    assert.equal(bulkCalls().length, 0);
  });

  it('closing the flow stops the poll at once', async () => {
    h.crm.bulkReads.options.delayMs = 600_000;
    await h.load({ module: 'Leads', output: 'chunks' });
    const n1 = helper.getNode('n1');
    const complete = sinon.spy(n1, '_complete');
    n1.receive({});
    for (let i = 0; i < 300 && bulkCalls().length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(bulkCalls().length, 1, 'the job was created');
    const t0 = Date.now();
    await unloadFlow();
    for (let i = 0; i < 300 && complete.callCount < 1; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.ok(Date.now() - t0 < 1000, 'the poll was cut, not waited for');
    assert.equal(complete.callCount, 1);
    await new Promise((r) => setTimeout(r, 6000));
    assert.equal(bulkCalls().length, 1, 'no poll after the close');
  });
});
