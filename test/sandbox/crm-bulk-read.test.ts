/**
 * The emulator's Bulk Read jobs (OAS bulk_read.json): ADDED → IN PROGRESS → COMPLETED on the
 * sandbox clock, a ZIP of one CSV read here with zlib straight from the APPNOTE offsets (not
 * the client's reader), pages past the per-job limit, FAILURE, scopes and the refusals.
 */
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { startCrm, type CrmHarness } from './crm-client';
import { issueTokens } from '../helpers/sandbox';

const BULK = '/crm/bulk/v8/read';

/** The single entry of a ZIP whose local header states its sizes. */
function onlyEntry(zipBytes: Buffer): { name: string; text: string } {
  assert.equal(zipBytes.readUInt32LE(0), 0x04034b50, 'a local file header first');
  const method = zipBytes.readUInt16LE(8);
  const packed = zipBytes.readUInt32LE(18);
  const nameLen = zipBytes.readUInt16LE(26);
  const extraLen = zipBytes.readUInt16LE(28);
  const name = zipBytes.subarray(30, 30 + nameLen).toString('utf8');
  const data = zipBytes.subarray(30 + nameLen + extraLen, 30 + nameLen + extraLen + packed);
  const raw = method === 8 ? inflateRawSync(data) : data;
  return { name, text: raw.toString('utf8') };
}

describe('CRM bulk read jobs (sandbox)', function () {
  this.timeout(30_000);
  let h: CrmHarness;
  let now = Date.UTC(2026, 0, 5, 9, 0, 0);

  before(async () => {
    h = await startCrm();
    h.sandbox.configure({ now: () => now });
    h.crm.bulkReads.options.delayMs = 10_000;
    h.crm.store.insert('Leads', [
      { Last_Name: 'Plain', Company: 'Acme' },
      { Last_Name: 'Comma, "Quoted"', Company: 'Acme', Description: 'two\nlines' },
      { Last_Name: 'Other', Company: 'Globex' },
    ]);
  });
  after(() => h.stop());

  const create = (query: Record<string, unknown>) => h.request('POST', BULK, { query });

  it('moves ADDED → IN PROGRESS → COMPLETED on its clock and serves a zipped CSV', async () => {
    const made = await create({
      module: { api_name: 'Leads' },
      fields: ['Last_Name', 'Company', 'Description'],
      criteria: { api_name: 'Company', comparator: 'equal', value: 'Acme' },
    });
    assert.equal(made.status, 201);
    assert.equal(made.body.data[0].code, 'ADDED_SUCCESSFULLY');
    const id = made.body.data[0].details.id as string;
    assert.equal(made.body.data[0].details.state, 'ADDED');

    const state = async () => (await h.get(`${BULK}/${id}`)).body.data[0];
    assert.equal((await state()).state, 'ADDED');
    assert.equal((await h.get(`${BULK}/${id}/result`)).status, 400, 'no result before the end');
    now += 6_000;
    assert.equal((await state()).state, 'IN PROGRESS');
    now += 6_000;
    const done = await state();
    assert.equal(done.state, 'COMPLETED');
    assert.equal(done.result.count, 2);
    assert.equal(done.result.more_records, false);
    assert.equal(done.result.download_url, `${BULK}/${id}/result`);

    const file = await h.get(done.result.download_url as string);
    assert.equal(file.status, 200);
    assert.match(file.headers.get('content-type') ?? '', /application\/x-download/);
    const entry = onlyEntry(file.raw);
    assert.equal(entry.name, `${id}.csv`);
    const lines = entry.text.split('\r\n');
    assert.equal(lines[0], 'Id,Last_Name,Company,Description');
    assert.match(lines[1], /^\d+,Plain,Acme,$/);
    assert.match(entry.text, /,"Comma, ""Quoted""",Acme,"two\nlines"\r\n/);
    assert.doesNotMatch(entry.text, /Globex/);
  });

  it('reads past the per-job limit with more_records, page and next_page_token', async () => {
    h.crm.bulkReads.options.perJob = 2;
    try {
      const first = await create({ module: { api_name: 'Leads' }, fields: ['Last_Name'] });
      now += 20_000;
      const r1 = (await h.get(`${BULK}/${first.body.data[0].details.id}`)).body.data[0].result;
      assert.equal(r1.count, 2);
      assert.equal(r1.more_records, true);
      assert.equal(typeof r1.next_page_token, 'string');
      const second = await create({
        module: { api_name: 'Leads' },
        fields: ['Last_Name'],
        page_token: r1.next_page_token,
      });
      now += 20_000;
      const r2 = (await h.get(`${BULK}/${second.body.data[0].details.id}`)).body.data[0].result;
      assert.deepEqual([r2.page, r2.count, r2.more_records], [2, 1, false]);
      const byPage = await create({
        module: { api_name: 'Leads' },
        fields: ['Last_Name'],
        page: 2,
      });
      now += 20_000;
      const r3 = (await h.get(`${BULK}/${byPage.body.data[0].details.id}`)).body.data[0].result;
      assert.equal(r3.count, 1);
    } finally {
      h.crm.bulkReads.options.perJob = 200_000;
    }
  });

  it('ends a job in FAILURE when told to, with no result', async () => {
    h.crm.bulkReads.options.failNext = 1;
    const made = await create({ module: { api_name: 'Leads' } });
    now += 20_000;
    const id = made.body.data[0].details.id as string;
    const detail = (await h.get(`${BULK}/${id}`)).body.data[0];
    assert.equal(detail.state, 'FAILURE');
    assert.equal(detail.result, undefined);
    assert.equal((await h.get(`${BULK}/${id}/result`)).status, 400);
  });

  it("refuses what Zoho refuses, with the OAS's codes", async () => {
    const cases: Array<[unknown, string]> = [
      [{ module: { api_name: 'Nope' } }, 'MODULE_NOT_AVAILABLE'],
      [{ module: { api_name: 'Leads' }, fields: ['No_Such'] }, 'FIELD_NOT_AVAILABLE'],
      [{ module: { api_name: 'Leads' }, page: 51 }, 'PAGE_RANGE_EXCEEDED'],
      [
        {
          module: { api_name: 'Leads' },
          criteria: { api_name: 'Company', comparator: 'like', value: 'x' },
        },
        'INVALID_CRITERIA',
      ],
      [
        { module: { api_name: 'Leads' }, criteria: { group_operator: 'xor', group: [] } },
        'GROUP_OPERATOR_NOT_SUPPORTED',
      ],
    ];
    for (const [query, code] of cases) {
      const res = await h.request('POST', BULK, { query });
      assert.equal(res.status, 400, code);
      assert.equal(res.body.code, code);
    }
    assert.equal((await h.request('POST', BULK, {})).body.code, 'REQUEST_BODY_IS_EMPTY');
    assert.equal((await h.get(`${BULK}/123456`)).status, 404);
  });

  it('needs ZohoCRM.bulk.read and the module scope to create a job', async () => {
    const { accessToken } = issueTokens(h.sandbox, 'ZohoCRM.modules.ALL');
    const res = await fetch(h.sandbox.url + BULK, {
      method: 'POST',
      headers: {
        Authorization: `Zoho-oauthtoken ${accessToken}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ query: { module: { api_name: 'Leads' } } }),
    });
    assert.equal(res.status, 401);
    const body = (await res.json()) as { code: string };
    assert.equal(body.code, 'OAUTH_SCOPE_MISMATCH');
    const ok = issueTokens(h.sandbox, 'ZohoCRM.bulk.read,ZohoCRM.modules.leads.READ');
    const res2 = await fetch(h.sandbox.url + BULK, {
      method: 'POST',
      headers: {
        Authorization: `Zoho-oauthtoken ${ok.accessToken}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ query: { module: { api_name: 'Leads' } } }),
    });
    assert.equal(res2.status, 201);
  });
});
