/**
 * Bulk Read through a real ZohoConnection against the sandbox: 100,000 records over three jobs
 * streamed in chunks with the heap measured, quoting and line breaks intact, FAILURE, abort
 * during the poll, and bad options refused before anything is sent.
 */
import assert from 'node:assert/strict';
import { accountsFamily } from '../../src/sandbox/accounts';
import { crmFamily, type CrmFamily } from '../../src/sandbox/crm/index';
import type { ZohoConnection } from '../../src/zoho/core/connection';
import { ZohoError } from '../../src/zoho/core/errors';
import { bulkReadRecords, type BulkJobState, type BulkReadOptions } from '../../src/zoho/crm/bulk';
import { heapAfterGc } from '../helpers/leaks';
import { sandboxConnection, useSandbox } from '../helpers/sandbox';

const FAST = { firstMs: 5, maxMs: 20 };
const MB = 1024 * 1024;

describe('crm bulk read client against the sandbox', function () {
  this.timeout(180_000);
  const crm: CrmFamily = crmFamily({ sensors: false, bulkRead: { delayMs: 30 } });
  const sb = useSandbox({ creditLimit: 0 }, () => [accountsFamily(), crm]);
  let conn: ZohoConnection;

  before(() => {
    conn = sandboxConnection(sb.sandbox);
  });
  afterEach(() => {
    crm.store.clear('Leads');
    crm.bulkReads.options.perJob = 200_000;
  });

  const read = async (options: BulkReadOptions) => {
    const chunks = [];
    for await (const chunk of bulkReadRecords(conn, options)) chunks.push(chunk);
    return chunks;
  };

  it('streams 100,000 records over three jobs in chunks, memory flat', async () => {
    const N = 100_000;
    crm.bulkReads.options.perJob = 40_000;
    const rows = Array.from({ length: N }, (_, i) => ({
      Last_Name: `Bulk ${i}`,
      First_Name: `Person number ${i}`,
      Company: `Company ${i % 997}, Ltd`,
      Email: `p${i}@example.com`,
      Description: i % 10 === 0 ? `line one\nline "two" of ${i}` : `plain text for record ${i}`,
    }));
    crm.store.insert('Leads', rows);
    rows.length = 0;
    sb.sandbox.clearRequests();
    const fields = ['Last_Name', 'First_Name', 'Company', 'Email', 'Description'];
    const base = await heapAfterGc();
    let peak = 0;
    let seen = 0;
    let chunks = 0;
    let lastTotal = 0;
    let last = false;
    const states: BulkJobState[] = [];
    const started = Date.now();
    for await (const chunk of bulkReadRecords(conn, {
      module: 'Leads',
      fields,
      chunkSize: 2000,
      poll: FAST,
      onState: (s) => states.push(s),
    })) {
      assert.ok(chunk.items.length <= 2000);
      for (const rec of chunk.items) {
        assert.equal(rec.Last_Name, `Bulk ${seen}`);
        seen++;
      }
      chunks++;
      lastTotal = chunk.total;
      last = chunk.last;
      if (chunks % 10 === 0) peak = Math.max(peak, (await heapAfterGc()) - base);
    }
    const ms = Date.now() - started;
    assert.equal(seen, N);
    assert.equal(lastTotal, N);
    assert.equal(chunks, N / 2000);
    assert.ok(last, 'the last chunk says so');
    const calls = sb.sandbox.requests.filter((r) => r.path.startsWith('/crm/bulk/'));
    const creates = calls.filter((r) => r.method === 'POST');
    const downloads = calls.filter((r) => r.path.endsWith('/result'));
    assert.equal(creates.length, 3);
    assert.equal(downloads.length, 3);
    assert.deepEqual(
      [...new Set(states.map((s) => s.page))],
      [1, 2, 3],
      'every job reported its state',
    );
    assert.ok(states.some((s) => s.state === 'COMPLETED'));
    console.log(
      `      bulk read ${N} records: ${calls.length} API calls (${creates.length} jobs, ` +
        `${downloads.length} downloads), ${ms} ms, peak live heap growth ${(peak / MB).toFixed(1)} MB`,
    );
    assert.ok(peak < 24 * MB, `live heap grew ${(peak / MB).toFixed(1)} MB`);
  });

  it('keeps commas, quotes, line breaks and empty values; walks criteria', async () => {
    crm.store.insert('Leads', [
      { Last_Name: 'A, "quoted"', Company: 'Acme', Description: 'x\r\ny' },
      { Last_Name: 'B', Company: 'Acme' },
      { Last_Name: 'C', Company: 'Other' },
    ]);
    const chunks = await read({
      module: 'Leads',
      fields: ['Last_Name', 'Company', 'Description'],
      criteria: { Company: 'Acme' },
      poll: FAST,
    });
    assert.equal(chunks.length, 1);
    const [a, b] = chunks[0].items;
    assert.equal(chunks[0].items.length, 2);
    assert.deepEqual(
      { ...a, id: undefined },
      { id: undefined, Last_Name: 'A, "quoted"', Company: 'Acme', Description: 'x\r\ny' },
    );
    assert.match(String(a.id), /^\d+$/);
    assert.equal(b.Description, null);
    const post = sb.sandbox.requests.find((r) => r.method === 'POST');
    assert.deepEqual((post?.body as { query: unknown }).query, {
      module: { api_name: 'Leads' },
      fields: ['Last_Name', 'Company', 'Description'],
      criteria: { api_name: 'Company', comparator: 'equal', value: 'Acme' },
    });
  });

  it('fails with BULK_JOB_FAILED when Zoho ends the job in FAILURE', async () => {
    crm.bulkReads.options.failNext = 1;
    await assert.rejects(
      read({ module: 'Leads', poll: FAST }),
      (e: unknown) => e instanceof ZohoError && e.code === 'BULK_JOB_FAILED',
    );
  });

  it('stops polling at once when aborted', async () => {
    crm.bulkReads.options.delayMs = 60_000;
    try {
      const controller = new AbortController();
      const run = read({
        module: 'Leads',
        poll: { firstMs: 20, maxMs: 20 },
        signal: controller.signal,
      });
      await new Promise((r) => setTimeout(r, 100));
      controller.abort();
      const t = Date.now();
      await assert.rejects(run, (e: unknown) => e instanceof ZohoError && e.kind === 'aborted');
      assert.ok(Date.now() - t < 1000);
      // A poll already on the wire when the signal fired may still land: let it, then watch
      // ten poll intervals pass without another.
      await new Promise((r) => setTimeout(r, 50));
      const polls = sb.sandbox.requests.length;
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(sb.sandbox.requests.length, polls, 'no call after the abort');
    } finally {
      crm.bulkReads.options.delayMs = 30;
    }
  });

  it('refuses bad options before sending anything', () => {
    const bad: Array<[Partial<BulkReadOptions>, string]> = [
      [{ module: 'Leads; drop' }, 'module'],
      [{ module: 'Leads', fields: ['ok', 'no spaces'] }, 'fields'],
      [{ module: 'Leads', chunkSize: 0 }, 'chunkSize'],
      [{ module: 'Leads', chunkSize: 50_001 }, 'chunkSize'],
      [{ module: 'Leads', maxJobs: 51 }, 'maxJobs'],
      [{ module: 'Leads', criteria: '(Company:equals:Acme)' as never }, 'criteria'],
      [
        { module: 'Leads', criteria: { field: 'Company', op: 'like' as never, value: 'x' } },
        'criteria',
      ],
      [{ module: 'Leads', poll: { firstMs: -1 } }, 'poll'],
    ];
    for (const [options, param] of bad) {
      assert.throws(
        () => bulkReadRecords(conn, options as BulkReadOptions),
        (e: unknown) => e instanceof ZohoError && e.kind === 'input' && e.param === param,
        param,
      );
    }
    assert.equal(sb.sandbox.requests.length, 0);
  });
});
