/**
 * The CRM family functions through a real ZohoConnection against the sandbox's CRM emulator
 * (HTTP on 127.0.0.1). Skipped while the sandbox does not serve CRM yet.
 */
import assert from 'node:assert/strict';
import { ZohoConnection } from '../../src/zoho/core/connection';
import { ZohoError } from '../../src/zoho/core/errors';
import {
  createRecords,
  deleteRecords,
  getDeletedRecords,
  getRecord,
  listAll,
  listRecords,
  searchAll,
  searchRecords,
  updateRecords,
  upsertRecords,
} from '../../src/zoho/crm/index';
import { runCoql } from '../../src/zoho/crm/coql';
import {
  MAX_ATTACHMENT_BYTES,
  collectAttachments,
  deleteAttachment,
  downloadAttachment,
  uploadAttachment,
} from '../../src/zoho/crm/attachments';
import { sandboxConnection, useSandbox } from '../helpers/sandbox';

describe('crm family against the sandbox', function () {
  this.timeout(60_000);
  const sb = useSandbox();
  let conn: ZohoConnection;
  const tag = `T${Date.now()}`;

  before(async function () {
    conn = sandboxConnection(
      sb.sandbox,
      'ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.coql.READ',
      { maxConcurrency: 4 },
    );
    try {
      await listRecords(conn, 'Leads', { fields: 'Last_Name', perPage: 1 });
    } catch (e) {
      if (e instanceof ZohoError && (e.status === 404 || e.code === 'INVALID_URL_PATTERN'))
        this.skip();
      throw e;
    }
  });

  after(() => conn?.close());

  const sent = () => sb.sandbox.requests.filter((r) => r.path.startsWith('/crm/'));

  it('creates 250 records in 3 calls with results in input order', async () => {
    const records = Array.from({ length: 250 }, (_, i) => ({
      Last_Name: `${tag}-${i}`,
      Company: 'Acme',
    }));
    const result = await createRecords(conn, 'Leads', records);
    assert.equal(result.results.length, 250);
    assert.equal(result.failed.length, 0);
    assert.ok(
      result.results.every(
        (r, i) => r.index === i && r.status === 'success' && /^\d+$/.test(r.id ?? ''),
      ),
    );
    assert.equal(sent().filter((r) => r.method === 'POST').length, 3);
    const again = await getRecord(conn, 'Leads', result.results[249].id!, {
      fields: ['Last_Name'],
    });
    assert.equal(again?.Last_Name, `${tag}-249`);
  });

  it('keeps per-record failures of a mixed batch in place', async () => {
    const result = await createRecords(conn, 'Leads', [
      { Last_Name: `${tag}-ok` },
      { Company: 'no last name' },
      { Last_Name: `${tag}-ok2` },
    ]);
    assert.deepEqual(
      result.results.map((r) => r.status),
      ['success', 'error', 'success'],
    );
    assert.deepEqual(
      result.failed.map((f) => f.index),
      [1],
    );
    assert.equal(result.failed[0].code, 'MANDATORY_NOT_FOUND');
  });

  it('answers a single refused record as a per-record result', async () => {
    const result = await createRecords(conn, 'Leads', [{ Company: 'no last name' }]);
    assert.equal(result.failed.length, 1);
    assert.equal(result.failed[0].code, 'MANDATORY_NOT_FOUND');
  });

  it('answers an all-refused batch per record, and fails the call on a bad module', async () => {
    const result = await createRecords(conn, 'Leads', [{ Company: 'a' }, { Company: 'b' }]);
    assert.equal(result.results.length, 2);
    assert.equal(result.failed.length, 2);
    assert.equal(result.results[0].code, 'MANDATORY_NOT_FOUND');
    await assert.rejects(
      createRecords(conn, 'No_Such_Module', [{ Last_Name: 'x' }]),
      (e: unknown) => e instanceof ZohoError && e.code === 'INVALID_MODULE',
    );
  });

  it('lists past 2,000 records by switching to page_token', async () => {
    const more = Array.from({ length: 2100 }, (_, i) => ({ Last_Name: `${tag}-bulk-${i}` }));
    const created = await createRecords(conn, 'Leads', more, { concurrency: 3 });
    assert.equal(created.failed.length, 0);
    sb.sandbox.clearRequests();
    const all = await listAll(conn, 'Leads', { fields: ['Last_Name'] });
    assert.ok(all.records.length >= 2350, `got ${all.records.length}`);
    assert.equal(new Set(all.records.map((r) => r.id)).size, all.records.length);
    assert.equal(all.truncated, false);
    const reads = sent().filter((r) => r.method === 'GET');
    assert.equal(reads[9].query.page, '10');
    assert.ok(reads[10].query.page_token);
    assert.equal(reads[10].query.page, undefined);
  });

  it('searches with escaped criteria, word and email; no match is empty', async () => {
    await createRecords(conn, 'Leads', [
      {
        Last_Name: `${tag}-esc`,
        Company: 'Zylker (UK), Ltd',
        Email: `${tag.toLowerCase()}@example.com`,
      },
    ]);
    const byCriteria = await searchRecords(
      conn,
      'Leads',
      { criteria: { field: 'Company', value: 'Zylker (UK), Ltd' } },
      { fields: ['Last_Name', 'Company'] },
    );
    assert.ok(byCriteria.records.some((r) => r.Last_Name === `${tag}-esc`));
    const byEmail = await searchRecords(conn, 'Leads', {
      email: `${tag.toLowerCase()}@example.com`,
    });
    assert.equal(byEmail.records.length, 1);
    const none = await searchRecords(conn, 'Leads', {
      criteria: [['Last_Name', 'equals', `${tag}-nobody`]],
    });
    assert.deepEqual(none.records, []);
    const many = await searchAll(conn, 'Leads', {
      criteria: { field: 'Last_Name', op: 'starts_with', value: `${tag}-bulk` },
    });
    // Search reaches 2,000 records at most. (The sandbox answers more_records: false at that
    // ceiling, so truncation shows only where Zoho says more_records: true; see crm.test.ts.)
    assert.equal(many.records.length, 2000);
    assert.equal(many.pages, 10);
  });

  it('binds hostile COQL values as literals and pages with returnAll', async () => {
    const hostile = await runCoql(conn, 'select Last_Name from Leads where Last_Name = :n', {
      params: { n: "x' or Last_Name is not null or Last_Name = '" },
    });
    assert.deepEqual(hostile.rows, []);
    const exact = await runCoql(conn, 'select Last_Name from Leads where Last_Name = :n', {
      params: { n: `${tag}-7` },
    });
    assert.equal(exact.rows.length, 1);
    const all = await runCoql(
      conn,
      'select Last_Name from Leads where Last_Name like :p order by id',
      {
        params: { p: `${tag}-bulk-%` },
        returnAll: true,
      },
    );
    assert.equal(all.rows.length, 2100);
    assert.equal(all.info.pages, 2);
    assert.equal(all.info.truncated, false);
    const capped = await runCoql(conn, 'select Last_Name from Leads where Last_Name like :p', {
      params: { p: `${tag}-bulk-%` },
      returnAll: true,
      maxRecords: 150,
    });
    assert.equal(capped.rows.length, 150);
    assert.equal(capped.info.truncated, true);
  });

  it('updates, upserts and deletes', async () => {
    const created = await createRecords(conn, 'Leads', [
      { Last_Name: `${tag}-u`, Email: `${tag.toLowerCase()}-u@example.com` },
    ]);
    const id = created.results[0].id!;
    const updated = await updateRecords(conn, 'Leads', [{ id, Company: 'Updated' }]);
    assert.equal(updated.results[0].status, 'success');
    assert.equal((await getRecord(conn, 'Leads', id, { fields: 'Company' }))?.Company, 'Updated');
    const upserted = await upsertRecords(
      conn,
      'Leads',
      [
        { Last_Name: `${tag}-u`, Email: `${tag.toLowerCase()}-u@example.com`, Company: 'Upserted' },
        { Last_Name: `${tag}-new`, Email: `${tag.toLowerCase()}-new@example.com` },
      ],
      { duplicateCheckFields: ['Email'] },
    );
    assert.deepEqual(
      upserted.results.map((r) => r.action),
      ['update', 'insert'],
    );
    assert.equal(upserted.results[0].id, id);
    const deleted = await deleteRecords(conn, 'Leads', [id, upserted.results[1].id!]);
    assert.equal(deleted.failed.length, 0);
    assert.equal(await getRecord(conn, 'Leads', id), null);
    const log = await getDeletedRecords(conn, 'Leads', { type: 'all' });
    assert.ok(log.records.some((r) => r.id === id));
  });

  it('uploads, lists, downloads and deletes an attachment', async () => {
    const created = await createRecords(conn, 'Leads', [{ Last_Name: `${tag}-att` }]);
    const id = created.results[0].id!;
    const content = Buffer.from([0, 1, 2, 3, 255]);
    const up = await uploadAttachment(conn, 'Leads', id, {
      data: content,
      fileName: 'résumé (1).bin',
      contentType: 'application/pdf',
    });
    assert.match(up.id ?? '', /^\d+$/);
    const list = await collectAttachments(conn, 'Leads', id);
    assert.equal(list.attachments.length, 1);
    const file = await downloadAttachment(conn, 'Leads', id, up.id!);
    assert.deepEqual(file.data, content);
    assert.equal(file.fileName, 'résumé (1).bin');
    assert.equal(file.contentType, 'application/pdf');
    await deleteAttachment(conn, 'Leads', id, up.id!);
    assert.equal((await collectAttachments(conn, 'Leads', id)).attachments.length, 0);
    const before = sent().length;
    await assert.rejects(
      uploadAttachment(conn, 'Leads', id, {
        data: Buffer.alloc(MAX_ATTACHMENT_BYTES + 1),
        fileName: 'big',
      }),
      (e: unknown) => e instanceof ZohoError && e.code === 'INVALID_INPUT',
    );
    assert.equal(sent().length, before);
  });
});
