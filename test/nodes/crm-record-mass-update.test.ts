/**
 * crm-record's mass update in a real Node-RED runtime against the sandbox: the values and ids
 * from the node or msg, Zoho's job polled until it ends (its counts on msg.payload), Zoho's
 * refusal as one catchable error, and bad input refused before anything is sent.
 */
import * as assert from 'node:assert/strict';
import { AnyMsg, crmHarness } from './crm-harness';

describe('crm-record node: mass update', function () {
  this.timeout(30_000);
  const h = crmHarness('crm-record');
  const leads = (n: number) =>
    h.crm.store
      .insert(
        'Leads',
        Array.from({ length: n }, (_, i) => ({ Last_Name: `L${i}`, Lead_Status: 'New' })),
      )
      .map((r) => r.id);

  function assertOk(o: Awaited<ReturnType<typeof h.exec>>): AnyMsg {
    assert.equal(o.dones.length, 1);
    assert.equal(o.dones[0], undefined, String((o.dones[0] as Error | undefined)?.message));
    assert.equal(o.caught.length, 0);
    assert.equal(o.out.length, 1);
    return o.out[0];
  }

  function assertRefused(o: Awaited<ReturnType<typeof h.exec>>, param: string): AnyMsg {
    assert.equal(o.dones.length, 1);
    assert.ok(o.dones[0]);
    assert.equal(o.out.length, 0);
    assert.equal(o.caught.length, 1);
    assert.equal(o.caught[0].error.code, 'INVALID_INPUT');
    assert.equal(o.caught[0]._error.param, param);
    assert.deepEqual(h.crmRequests(), [], 'nothing sent');
    return o.caught[0].error as AnyMsg;
  }

  afterEach(() => {
    h.crm.massUpdates.options.runMs = 0;
  });

  it('updates the ids in msg.payload with the node’s values, waits out a RUNNING job, outputs its counts', async function () {
    const ids = leads(3);
    h.crm.massUpdates.options.runMs = 1500; // RUNNING at the first ask (1 s), done at the next
    await h.load({
      operation: 'massUpdate',
      module: 'Leads',
      values: '{"Lead_Status":"Contacted"}',
      valuesType: 'json',
    });
    const o = await h.exec({ payload: [...ids, '111111111111111111'] }, { timeoutMs: 10_000 });
    const out = assertOk(o);
    assert.equal(out.payload.status, 'COMPLETED');
    assert.equal(out.payload.total, 4);
    assert.equal(out.payload.updated, 3);
    assert.equal(out.payload.notUpdated, 1);
    assert.match(out.payload.jobId as string, /^\d+$/);
    for (const id of ids) assert.equal(h.crm.store.get('Leads', id)?.data.Lead_Status, 'Contacted');
    const sent = h.crmRequests();
    assert.deepEqual(
      sent.map((r) => r.method),
      ['POST', 'GET', 'GET'],
      'one update, then the job asked twice (RUNNING, COMPLETED)',
    );
    assert.deepEqual(sent[0].body, {
      data: [{ Lead_Status: 'Contacted' }],
      ids: [...ids, '111111111111111111'],
    });
    assert.equal(sent[1].query.job_id, out.payload.jobId);
    assert.ok(
      o.statuses.some((s) => /RUNNING/.test(String(s.text))),
      'status names the job',
    );
  });

  it('takes the ids from Record id and the values and over-write from msg', async function () {
    const ids = leads(2);
    await h.load({ operation: 'massUpdate', module: 'Leads', recordId: ids.join(',') });
    const out = assertOk(await h.exec({ values: { Lead_Status: 'Lost Lead' }, overWrite: true }));
    assert.equal(out.payload.updated, 2);
    assert.deepEqual(h.crmRequests()[0].body, {
      data: [{ Lead_Status: 'Lost Lead' }],
      ids,
      over_write: true,
    });
  });

  it('Zoho’s refusal (a mandatory field blanked) fails the message once, nothing output', async function () {
    const ids = leads(1);
    await h.load({
      operation: 'massUpdate',
      module: 'Leads',
      values: '{"Last_Name":""}',
      valuesType: 'json',
    });
    const o = await h.exec({ payload: ids });
    assert.equal(o.dones.length, 1);
    assert.ok(o.dones[0]);
    assert.equal(o.out.length, 0);
    assert.equal(o.caught.length, 1);
    assert.equal(o.caught[0].error.code, 'MANDATORY_NOT_FOUND');
    assert.equal(h.crm.store.get('Leads', ids[0])?.data.Last_Name, 'L0');
  });

  it('refuses before sending: no values, values that are not fields, no ids, more than 500 ids', async function () {
    await h.load({ operation: 'massUpdate', module: 'Leads', values: '', valuesType: 'json' });
    assertRefused(await h.exec({ payload: ['1'] }), 'values');
    assertRefused(await h.exec({ payload: ['1'], values: ['x'] }), 'fields');
    assertRefused(await h.exec({ values: { Lead_Status: 'New' } }), 'ids');
    const many = Array.from({ length: 501 }, (_, i) => String(1000 + i));
    const error = assertRefused(
      await h.exec({ payload: many, values: { Lead_Status: 'New' } }),
      'ids',
    );
    assert.match(String(error.message), /500/);
  });
});
