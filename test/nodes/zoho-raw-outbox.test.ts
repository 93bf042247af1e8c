/**
 * zoho-raw's outbox in a real Node-RED against the sandbox: only the methods the user ticked
 * as safe to repeat wait in the outbox; others fail now, as before.
 */
import assert from 'node:assert/strict';
import * as sinon from 'sinon';
import { helper } from '../helpers/red';
import { AnyMsg, crmHarness } from './crm-harness';
import { assertTranslated } from './texts';

const h = crmHarness('zoho-raw');

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

async function load(props: Record<string, unknown>): Promise<Watch> {
  await h.load({ product: 'crm', url: '/crm/v8/Leads', outbox: 'queue', ...props });
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

describe('zoho-raw outbox (sandbox, real Node-RED)', function () {
  this.timeout(120_000);

  it('a ticked method waits in the outbox, even after a reset, and is sent when Zoho returns', async () => {
    const id = h.crm.store.insert('Leads', [{ Last_Name: 'Tank 1' }])[0].id;
    const w = await load({ method: 'PUT', outboxMethods: 'PUT,DELETE' });
    const fault = h.sb.sandbox.faults.inject({
      kind: 'reset-after',
      times: Infinity,
      match: { method: 'PUT', path: '/crm/v8/Leads' },
    });
    const n1 = helper.getNode('n1');
    n1.receive({ payload: { data: [{ id, Description: 'level 40%' }] }, seq: 0 });
    await until('queued', () => w.dones.callCount === 1);
    assert.equal(w.dones.getCall(0).args[1], undefined);
    assert.equal(w.out.length, 0);
    assert.equal(w.statuses.at(-1)?.text, 'offline · 1 waiting');
    fault.remove();
    n1.receive({ topic: 'zoho/outbox/flush' });
    await until('output', () => w.out.length === 1);
    assert.equal(w.out[0].seq, 0);
    assert.equal(w.out[0].statusCode, 200);
    assert.equal(w.out[0].payload.data[0].status, 'success');
    assert.ok(w.out[0].outbox.attempts >= 1);
    assert.equal(h.crm.store.get('Leads', id)!.data.Description, 'level 40%');
    assert.equal(w.caught.length, 0);
    assertTranslated(w.statuses.map((s) => String(s.text ?? '')));
  });

  it('a method not ticked (never by default) fails now, as before', async () => {
    const w = await load({ method: 'POST' });
    h.sb.sandbox.faults.inject({
      kind: 'status',
      status: 503,
      times: Infinity,
      match: { method: 'POST', path: '/crm/v8/Leads' },
    });
    helper.getNode('n1').receive({ payload: { data: [{ Last_Name: 'x' }] } });
    await until('caught', () => w.caught.length === 1);
    assert.notEqual(w.caught[0].error.code, 'NOT_REPLAYABLE');
    const res = await helper.request().get('/zoho-config/c1/outbox');
    assert.equal(res.body.count, 0, 'nothing waits');
  });
});
