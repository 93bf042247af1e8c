/**
 * crm-attachment's outbox in a real Node-RED against the sandbox: uploads the sandbox resets
 * before reading them (never reached Zoho) wait in the outbox and are delivered once; an upload
 * reset after it was sent fails now with NOT_REPLAYABLE.
 */
import assert from 'node:assert/strict';
import * as sinon from 'sinon';
import { helper } from '../helpers/red';
import { AnyMsg, crmHarness } from './crm-harness';
import { assertTranslated } from './texts';

const h = crmHarness('crm-attachment');

interface Watch {
  out: AnyMsg[];
  caught: AnyMsg[];
  statuses: AnyMsg[];
  dones: sinon.SinonSpy;
}

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function load(): Promise<Watch> {
  await h.load({
    operation: 'upload',
    module: 'Leads',
    recordId: 'rid',
    recordIdType: 'msg',
    outbox: 'queue',
  });
  const w: Watch = {
    out: [],
    caught: [],
    statuses: [],
    dones: sinon.spy(helper.getNode('n1'), '_complete'),
  };
  helper.getNode('out').on('input', (m: AnyMsg) => w.out.push(m));
  helper.getNode('caught').on('input', (m: AnyMsg) => w.caught.push(m));
  helper
    .getNode('n1')
    .on('call:status', (c: { args: unknown[] }) => w.statuses.push(c.args[0] as AnyMsg));
  return w;
}

describe('crm-attachment outbox (sandbox, real Node-RED)', function () {
  this.timeout(120_000);

  it('uploads that never reached Zoho wait, then are attached once each, bytes intact', async () => {
    const recordId = h.crm.store.insert('Leads', [{ Last_Name: 'Pump 4' }])[0].id;
    const w = await load();
    // 503: Zoho did not apply the call (a reset, even before the body is read, looks the same to
    // the client as one after: "may have reached Zoho").
    const reset = h.sb.sandbox.faults.inject({
      kind: 'status',
      status: 503,
      times: Infinity,
      match: { method: 'POST', path: `/crm/v8/Leads/${recordId}/Attachments` },
    });
    const files = [Buffer.from([0, 1, 2, 255]), Buffer.from('second reading')];
    const n1 = helper.getNode('n1');
    n1.receive({ rid: recordId, payload: files[0], filename: 'a.bin', seq: 0 });
    await until('the first queued', () => w.dones.callCount === 1);
    n1.receive({ rid: recordId, payload: files[1], filename: 'b.txt', seq: 1 });
    await until('2 done()', () => w.dones.callCount === 2);
    assert.deepEqual(
      w.dones.getCalls().map((c) => c.args[1]),
      [undefined, undefined],
    );
    assert.equal(w.out.length, 0, 'no output while queued');
    assert.equal(w.statuses.at(-1)?.text, 'offline · 2 waiting');
    assert.deepEqual(h.crm.store.attachmentsOf(recordId), []);
    reset.remove();
    n1.receive({ topic: 'zoho/outbox/flush' });
    await until('2 outputs', () => w.out.length === 2);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(w.caught.length, 0, JSON.stringify(w.caught[0]?.error));
    assert.deepEqual(
      w.out.map((m) => [m.seq, m.payload.status, Buffer.isBuffer(m.payload)]),
      [
        [0, 'success', false],
        [1, 'success', false],
      ],
    );
    for (const m of w.out) assert.ok(m.outbox.attempts >= 1);
    const stored = h.crm.store.attachmentsOf(recordId);
    assert.deepEqual(
      stored.map((a) => a.fileName),
      ['a.bin', 'b.txt'],
      'each file attached once',
    );
    assert.deepEqual(
      stored.map((a) => Buffer.compare(a.data, files[stored.indexOf(a)])),
      [0, 0],
    );
    assertTranslated(w.statuses.map((s) => String(s.text ?? '')));
  });

  it('an upload that may have reached Zoho fails now with NOT_REPLAYABLE and is not queued', async () => {
    const recordId = h.crm.store.insert('Leads', [{ Last_Name: 'Pump 5' }])[0].id;
    const w = await load();
    h.sb.sandbox.faults.inject({
      kind: 'reset-after',
      match: { method: 'POST', path: `/crm/v8/Leads/${recordId}/Attachments` },
    });
    helper.getNode('n1').receive({ rid: recordId, payload: Buffer.from('x'), filename: 'x.txt' });
    await until('caught', () => w.caught.length === 1);
    assert.equal(w.caught[0].error.code, 'NOT_REPLAYABLE');
    assert.match(w.caught[0].error.message, /could attach the file twice/);
    assert.equal(w.dones.callCount, 1);
    const res = await helper.request().get('/zoho-config/c1/outbox');
    assert.equal(res.body.count, 0, 'nothing waits');
  });

  it('bad input is refused now, never queued', async () => {
    const w = await load();
    helper.getNode('n1').receive({ rid: 'not-an-id', payload: Buffer.from('x'), filename: 'x' });
    await until('caught', () => w.caught.length === 1);
    assert.equal(w.caught[0].error.code, 'INVALID_INPUT');
    assert.equal(h.crmRequests().length, 0, 'nothing sent');
    const res = await helper.request().get('/zoho-config/c1/outbox');
    assert.equal(res.body.count, 0, 'nothing waits');
  });
});
