import * as assert from 'node:assert/strict';
import { AnyMsg, Harness, crmHarness } from './crm-harness';

/** Each call answered after 30 ms, so calls sent side by side overlap in the sandbox. */
function slowSandbox(h: Harness): void {
  h.sb.sandbox.configure({ latencyMs: 30 });
  h.sb.sandbox.resetStats();
}

/** Ids of `count` new Leads, in id order. */
function insertLeads(h: Harness, count: number): string[] {
  const leads = Array.from({ length: count }, (_, i) => ({ Last_Name: `Lead ${i}` }));
  return h.crm.store.insert('Leads', leads).map((r) => r.id);
}

/** More than one call at once, never more than the connection's 5 (the harness's setting). */
function assertSideBySide(h: Harness): void {
  const peak = h.sb.sandbox.stats.maxConcurrent;
  assert.ok(peak > 1 && peak <= 5, `${peak} calls in flight at most`);
}

describe('crm-record: batches side by side within the connection', function () {
  this.timeout(60_000);
  const h = crmHarness('crm-record');

  it('creates 1,000 records as 10 calls, 5 in flight, results in input order, one error for the failed record', async function () {
    await h.load({ operation: 'create', module: 'Leads' });
    slowSandbox(h);
    const payload = Array.from({ length: 1000 }, (_, i) =>
      // Record 550 lacks the mandatory Last_Name: its batch is answered per record.
      i === 550 ? { Company: 'No name' } : { Last_Name: `P-${i}`, Company: 'Acme' },
    );
    const o = await h.exec({ payload });
    assert.equal(h.crmRequests().filter((r) => r.method === 'POST').length, 10);
    assertSideBySide(h);
    const results = o.out[0].payload as AnyMsg[];
    assert.deepEqual(
      results.map((r) => r.index),
      payload.map((_, i) => i),
    );
    for (const i of [0, 99, 100, 549, 551, 999]) {
      assert.equal(h.crm.store.get('Leads', results[i].id)?.data.Last_Name, `P-${i}`);
    }
    assert.equal(results[550].status, 'error');
    assert.equal(o.dones.length, 1);
    assert.equal(o.caught.length, 1);
    assert.deepEqual(
      o.caught[0]._error.details.failed.map((f: AnyMsg) => f.index),
      [550],
    );
  });

  it('deletes 450 ids as 5 calls side by side, results matched to the ids in order', async function () {
    const ids = insertLeads(h, 450);
    await h.load({ operation: 'delete', module: 'Leads' });
    slowSandbox(h);
    const o = await h.exec({ payload: ids });
    assertSideBySide(h);
    assert.deepEqual(
      (o.out[0].payload as AnyMsg[]).map((r) => r.id),
      ids,
    );
    assert.equal(h.crm.store.count('Leads'), 0);
  });
});

describe('crm-coql: returnAll pages side by side within the connection', function () {
  this.timeout(60_000);
  const h = crmHarness('crm-coql');

  it('fetches 9,000 rows as LIMIT/OFFSET pages, 5 in flight, rows in order, at most 4 calls past the end', async function () {
    const ids = insertLeads(h, 9000);
    await h.load({
      query: 'select Last_Name from Leads where Last_Name is not null order by id',
      returnAll: true,
    });
    slowSandbox(h);
    const o = await h.exec({});
    assert.equal(o.dones.length, 1);
    assert.deepEqual(
      (o.out[0].payload as AnyMsg[]).map((r) => r.id),
      ids,
    );
    assertSideBySide(h);
    const calls = h.crmRequests().filter((r) => r.path === '/crm/v8/coql').length;
    // 5 pages hold the rows; speculative pages past the end are answered empty.
    assert.ok(calls >= 5 && calls <= 9, `${calls} calls`);
    assert.equal(o.out[0].info.truncated, false);
    assert.equal(o.out[0].info.count, 9000);
  });
});
