/**
 * crm-bulk's writes in a real Node-RED runtime against the sandbox's Bulk Write jobs: records
 * of msg.payload uploaded, imported and answered one result per record in input order with a
 * catchable error for the failed ones; bad input refused before anything is sent.
 */
import * as assert from 'node:assert/strict';
import { AnyMsg, crmHarness } from './crm-harness';

describe('crm-bulk node: bulk write', function () {
  this.timeout(60_000);
  const h = crmHarness('crm-bulk');
  const SLOW = { timeoutMs: 40_000 };

  beforeEach(() => {
    Object.assign(h.crm.bulkWrites.options, { delayMs: 10, failNext: 0 });
  });

  it('upserts msg.payload through a mapping: results in input order, failures caught', async () => {
    const [old] = h.crm.store.insert('Leads', [{ Last_Name: 'Old', Email: 'a@example.com' }]);
    await h.load({
      module: 'Leads',
      operation: 'upsert',
      findBy: 'Email',
      fieldMapping: '{"surname":"Last_Name","mail":"Email"}',
      fieldMappingType: 'json',
    });
    const o = await h.exec(
      {
        payload: [
          { surname: 'New', mail: 'a@example.com' },
          { mail: 'nobody@example.com' },
          { surname: 'Fresh', mail: 'b@example.com' },
        ],
      },
      SLOW,
    );
    assert.equal(o.dones.length, 1);
    assert.equal(o.caught.length, 1);
    assert.equal(o.out.length, 1);
    const results = o.out[0].payload as AnyMsg[];
    assert.deepEqual(
      results.map((r) => [r.index, r.status, r.action ?? r.code]),
      [
        [0, 'success', 'update'],
        [1, 'error', 'MANDATORY_NOT_FOUND'],
        [2, 'success', 'insert'],
      ],
    );
    assert.equal(results[0].id, old.id);
    assert.equal(h.crm.store.get('Leads', old.id)?.data.Last_Name, 'New');
    assert.equal(o.out[0].info.jobs.length, 1);
    assert.ok(o.out[0].error);
  });

  it('refuses a payload that is not an array before anything is sent', async () => {
    await h.load({ module: 'Leads', operation: 'insert' });
    const before = h.crmRequests().length;
    const o = await h.exec({ payload: { Last_Name: 'one' } });
    assert.equal(o.caught.length, 1);
    assert.equal(o.caught[0].error.code, 'INVALID_INPUT');
    assert.equal(h.crmRequests().length, before);
  });
});
