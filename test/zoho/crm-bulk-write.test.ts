/**
 * Bulk Write through a real ZohoConnection against the sandbox: records chunked into files,
 * zipped, uploaded with Zoho's headers, imported by jobs and read back as per-record results in
 * input order; upsert with find_by and a field mapping; FAILED jobs; bad options refused
 * before anything is sent.
 */
import assert from 'node:assert/strict';
import { accountsFamily } from '../../src/sandbox/accounts';
import { crmFamily, type CrmFamily } from '../../src/sandbox/crm/index';
import type { ZohoConnection } from '../../src/zoho/core/connection';
import { ZohoError } from '../../src/zoho/core/errors';
import { bulkWriteRecords } from '../../src/zoho/crm/bulk-write';
import { sandboxConnection, useSandbox } from '../helpers/sandbox';

const FAST = { firstMs: 5, maxMs: 20 };

describe('crm bulk write client against the sandbox', function () {
  this.timeout(60_000);
  const crm: CrmFamily = crmFamily({ sensors: false, bulkWrite: { delayMs: 30 } });
  const sb = useSandbox({ creditLimit: 0 }, () => [accountsFamily(), crm]);
  let conn: ZohoConnection;

  before(() => {
    conn = sandboxConnection(sb.sandbox);
  });
  afterEach(() => {
    crm.store.clear('Leads');
    crm.bulkWrites.options.failNext = 0;
  });

  const paths = () => sb.sandbox.requests.map((r) => `${r.method} ${r.path}`);

  it('inserts in files of chunkSize, results in input order, failures per record', async () => {
    const records = Array.from({ length: 25 }, (_, i) =>
      // Record 7 lacks the mandatory Last_Name; record 12 has a comma and a quote.
      i === 7
        ? { First_Name: 'No last name' }
        : { Last_Name: i === 12 ? 'Smith, "Jr"' : `Bulk ${i}`, Email: `b${i}@example.com` },
    );
    sb.sandbox.clearRequests();
    const out = await bulkWriteRecords(conn, {
      module: 'Leads',
      operation: 'insert',
      records,
      chunkSize: 10,
      poll: FAST,
    });
    assert.equal(out.jobs.length, 3);
    assert.equal(out.results.length, 25);
    out.results.forEach((r, i) => assert.equal(r.index, i));
    assert.equal(out.succeeded, 24);
    assert.deepEqual(
      out.failed.map((r) => [r.index, r.code]),
      [[7, 'MANDATORY_NOT_FOUND']],
    );
    const stored = crm.store.get('Leads', out.results[12].id!);
    assert.equal(stored?.data.Last_Name, 'Smith, "Jr"');
    assert.equal(crm.store.count('Leads'), 24);
    const uploads = sb.sandbox.requests.filter((r) => r.path === '/content/crm/v8/upload');
    assert.equal(uploads.length, 3);
    assert.equal(uploads[0].headers.feature, 'bulk-write');
    assert.equal(uploads[0].headers['x-crm-org'], '60001235');
    assert.equal(paths().filter((p) => p === 'GET /crm/v8/org').length, 1);
    assert.equal(paths().filter((p) => p === 'POST /crm/bulk/v8/write').length, 3);
  });

  it('upserts by a find-by field through a field mapping', async () => {
    const [existing] = crm.store.insert('Leads', [{ Last_Name: 'Old', Email: 'a@example.com' }]);
    const out = await bulkWriteRecords(conn, {
      module: 'Leads',
      operation: 'upsert',
      findBy: 'Email',
      fieldMapping: { surname: 'Last_Name', mail: 'Email' },
      records: [
        { surname: 'New', mail: 'a@example.com' },
        { surname: 'Fresh', mail: 'b@example.com' },
      ],
      poll: FAST,
    });
    assert.deepEqual(
      out.results.map((r) => [r.status, r.action]),
      [
        ['success', 'update'],
        ['success', 'insert'],
      ],
    );
    assert.equal(out.results[0].id, existing.id);
    assert.equal(crm.store.get('Leads', existing.id)?.data.Last_Name, 'New');
    const create = sb.sandbox.requests.find((r) => r.path === '/crm/bulk/v8/write');
    const resource = (create?.body as { resource: Record<string, unknown>[] }).resource[0];
    assert.equal(resource.find_by, 'Email');
  });

  it('a FAILED job fails its records and leaves the later files unsent', async () => {
    crm.bulkWrites.options.failNext = 1;
    const out = await bulkWriteRecords(conn, {
      module: 'Leads',
      operation: 'insert',
      records: Array.from({ length: 4 }, (_, i) => ({ Last_Name: `F${i}` })),
      chunkSize: 2,
      poll: FAST,
    });
    assert.deepEqual(
      out.results.map((r) => r.code),
      ['BULK_JOB_FAILED', 'BULK_JOB_FAILED', 'NOT_SENT', 'NOT_SENT'],
    );
    assert.equal(out.jobs.length, 1);
    assert.equal(crm.store.count('Leads'), 0);
  });

  it('a job whose create answer was lost is not created again: its records are written once', async () => {
    sb.sandbox.clearRequests();
    // Zoho created the job, then the connection broke before its answer arrived.
    sb.sandbox.faults.inject({
      match: { method: 'POST', path: '/crm/bulk/v8/write' },
      kind: 'reset-after',
    });
    const out = await bulkWriteRecords(conn, {
      module: 'Leads',
      operation: 'insert',
      records: [{ Last_Name: 'Once A' }, { Last_Name: 'Once B' }],
      poll: FAST,
    });
    assert.deepEqual(
      out.results.map((r) => r.status),
      ['error', 'error'],
    );
    assert.equal(paths().filter((p) => p === 'POST /crm/bulk/v8/write').length, 1);
    // Zoho runs the job nobody polls: its records arrive, once.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(crm.store.count('Leads'), 2);
  });

  it('with a callback that never comes, polling still completes the job', async () => {
    const out = await bulkWriteRecords(conn, {
      module: 'Leads',
      operation: 'insert',
      records: [{ Last_Name: 'Polled' }],
      // Port 9 (discard) on loopback: the sandbox's callback goes nowhere.
      callback: { url: 'http://127.0.0.1:9/cb', arrived: () => new Promise<void>(() => undefined) },
      poll: FAST,
    });
    assert.equal(out.succeeded, 1);
    const create = sb.sandbox.requests.find((r) => r.path === '/crm/bulk/v8/write');
    assert.deepEqual((create?.body as { callback: unknown }).callback, {
      url: 'http://127.0.0.1:9/cb',
      method: 'post',
    });
  });

  it('refuses bad options before anything is sent', async () => {
    sb.sandbox.clearRequests();
    const bad = async (o: Record<string, unknown>, param: string) => {
      await assert.rejects(
        bulkWriteRecords(conn, {
          module: 'Leads',
          operation: 'insert',
          records: [{}],
          ...o,
        } as never),
        (e: unknown) => e instanceof ZohoError && e.kind === 'input' && e.param === param,
      );
    };
    await bad({ operation: 'merge' }, 'operation');
    await bad({ operation: 'upsert' }, 'findBy');
    await bad({ records: [] }, 'records');
    await bad({ records: 'x' }, 'records');
    await bad({ chunkSize: 25_001 }, 'chunkSize');
    await bad({ fieldMapping: { a: 'not a name' } }, 'fieldMapping');
    await bad({ module: 'bad module' }, 'module');
    await bad({ callback: { url: 'ftp://x', arrived: () => Promise.resolve() } }, 'callback');
    assert.equal(sb.sandbox.requests.length, 0);
  });
});
