/**
 * crm-bulk's writes in a real Node-RED runtime against the sandbox's Bulk Write jobs: records
 * of msg.payload uploaded, imported and answered one result per record in input order with a
 * catchable error for the failed ones; bad input refused before anything is sent.
 */
import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { helper, httpNodeUrl } from '../helpers/red';
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

  it("with a public URL, completes on Zoho's token-checked callback instead of the 60 s poll", async () => {
    await h.load({
      module: 'Leads',
      operation: 'insert',
      publicUrl: httpNodeUrl(''),
      publicUrlType: 'str',
    });
    // A forged callback (no token) is refused and wakes nothing.
    const forged = await fetch(httpNodeUrl('/zoho-bulk/n1'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"id":"1"}',
    });
    assert.equal(forged.status, 403);
    const started = Date.now();
    const o = await h.exec({ payload: [{ Last_Name: 'Called back' }] }, SLOW);
    // Without the callback the first poll would wait poll.maxMs (60 s) and the test time out.
    assert.ok(Date.now() - started < 20_000);
    assert.equal(o.caught.length, 0);
    assert.equal(o.out[0].payload[0].status, 'success');
    const create = h.crmRequests().find((r) => r.path === '/crm/bulk/v8/write');
    const callback = (create?.body as { callback: { url: string; method: string } }).callback;
    assert.equal(callback.method, 'post');
    assert.match(callback.url, /\/zoho-bulk\/n1\?token=[0-9a-f]{48}$/);
    assert.equal(
      h.crmRequests().filter((r) => r.path.startsWith('/crm/bulk/v8/write/')).length,
      2,
      'one status read after the callback, one download',
    );
  });

  it('reads a CSV file named by msg.payload under its directory, and no file elsewhere', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-bulk-in-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'leads.csv'),
        'Last_Name,Email\r\n"Smith, Jr",s@example.com\r\n,nolastname@example.com\r\nLee,l@example.com\r\n',
      );
      await h.load({ module: 'Leads', operation: 'insert', directory: dir });
      const o = await h.exec({ payload: 'leads.csv' }, SLOW);
      const results = o.out[0].payload as AnyMsg[];
      assert.deepEqual(
        results.map((r) => r.status),
        ['success', 'error', 'success'],
      );
      assert.equal(h.crm.store.get('Leads', results[0].id)?.data.Last_Name, 'Smith, Jr');
      const before = h.crmRequests().length;
      const escape = await h.exec({ payload: '../../etc/passwd.csv' });
      assert.equal(escape.caught.length, 1);
      assert.equal(escape.caught[0].error.code, 'INVALID_INPUT');
      assert.equal(h.crmRequests().length, before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a payload that is not an array before anything is sent', async () => {
    await h.load({ module: 'Leads', operation: 'insert' });
    const before = h.crmRequests().length;
    const o = await h.exec({ payload: { Last_Name: 'one' } });
    assert.equal(o.caught.length, 1);
    assert.equal(o.caught[0].error.code, 'INVALID_INPUT');
    assert.equal(h.crmRequests().length, before);
  });

  it('the example imports 500 leads, and a second click updates the same 500 (upsert by Email)', async () => {
    await h.loadExample('crm-bulk');
    const results: AnyMsg[] = [];
    const errors: AnyMsg[] = [];
    helper.getNode('d-bulk-2').on('input', (m: AnyMsg) => results.push(m));
    helper.getNode('d-bulk-err').on('input', (m: AnyMsg) => errors.push(m));
    const importOnce = async (): Promise<AnyMsg[]> => {
      const before = results.length;
      helper.getNode('i-bulk-2').receive({ payload: Date.now() });
      for (let i = 0; i < 400 && results.length === before; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      return (results[before]?.payload ?? []) as AnyMsg[];
    };
    const leads = () =>
      h.crm.store.all('Leads').filter((r) => r.data.Company === 'Bulk example').length;
    const first = await importOnce();
    assert.deepEqual(errors, []);
    assert.equal(first.length, 500);
    assert.ok(first.every((r) => r.status === 'success' && r.action === 'insert'));
    assert.equal(leads(), 500);
    const second = await importOnce();
    assert.deepEqual(errors, []);
    assert.ok(second.every((r) => r.status === 'success' && r.action === 'update'));
    assert.equal(leads(), 500, 'the same 500 leads, updated');
  });
});
