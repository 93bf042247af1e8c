import assert from 'node:assert/strict';
import { ZohoConnection } from '../../src/zoho/core/connection';
import { ZohoError } from '../../src/zoho/core/errors';
import { listAll, listAllRecords } from '../../src/zoho/crm/read';
import { HostileServer, endlessPages, hostileServer } from './hostile-server';

const CLIENT = { clientId: '1000.PAGECLIENT', clientSecret: 'page-secret' };
const fields = ['Last_Name'];

describe('returnAll: a list that never ends is stopped', () => {
  let zoho: HostileServer;
  let conn: ZohoConnection;
  beforeEach(async () => {
    zoho = await hostileServer();
    conn = new ZohoConnection({
      region: 'custom',
      accountsUrl: zoho.url,
      ...CLIENT,
      refreshToken: 'rt',
      maxConcurrency: 1,
    });
  });
  afterEach(async () => {
    conn.close();
    await zoho.close();
  });

  it('stops at the default ceiling (100,000 records: 500 pages of 200) and says truncated', async function () {
    this.timeout(60_000);
    zoho.api = endlessPages(200);
    const result = await listAll(conn, 'Leads', { fields });
    assert.equal(result.truncated, true);
    assert.equal(result.records.length, 100_000);
    assert.equal(zoho.requests.length, 500);
  });

  it('pages short of perPage cannot stretch the walk: the page cap follows the page size', async () => {
    zoho.api = endlessPages(1);
    const result = await listAll(conn, 'Leads', { fields, perPage: 200, maxRecords: 2000 });
    assert.equal(result.truncated, true);
    assert.equal(zoho.requests.length, 10);
  });

  it('a page token handed back twice stops the walk as PAGINATION_LOOP', async () => {
    zoho.api = endlessPages(200, { sameToken: true });
    await assert.rejects(listAll(conn, 'Leads', { fields }), { code: 'PAGINATION_LOOP' });
    // Ten pages by number (2,000 records), then the token once: its answer names it again.
    assert.equal(zoho.requests.length, 11);
  });

  it('one array stops past its memory budget with a clear error', async () => {
    zoho.api = endlessPages(200, { pad: 1000 });
    const error = await listAll(conn, 'Leads', { fields, maxCollectBytes: 1_000_000 }).then(
      () => assert.fail('the budget must stop the walk'),
      (e: ZohoError) => e,
    );
    assert.equal(error.code, 'RESULT_TOO_LARGE');
    assert.equal(error.kind, 'input');
    assert.match(error.message, /one at a time/);
    assert.ok(zoho.requests.length <= 5, `${zoho.requests.length} pages fetched`);
  });

  it("a page carries its answer's bytes, which the collect budget weighs", async () => {
    zoho.api = endlessPages(200);
    for await (const page of listAllRecords(conn, 'Leads', { fields, maxRecords: 400 })) {
      const itemsJson = Buffer.byteLength(JSON.stringify(page.items));
      // The answer is the records plus Zoho's envelope and info: a little more than the items.
      assert.ok(page.bytes !== undefined && page.bytes > itemsJson, `${page.bytes} bytes`);
      assert.ok(page.bytes < itemsJson * 1.5, `${page.bytes} vs ${itemsJson}`);
    }
  });

  it('paging stops when the caller aborts', async () => {
    zoho.api = endlessPages(200);
    const abort = new AbortController();
    let pages = 0;
    await assert.rejects(
      (async () => {
        for await (const page of listAllRecords(conn, 'Leads', { fields, signal: abort.signal })) {
          pages = page.page;
          if (pages === 3) abort.abort();
        }
      })(),
      { code: 'ABORTED' },
    );
    assert.equal(pages, 3);
    assert.equal(zoho.requests.length, 3);
  });
});
