import * as assert from 'node:assert/strict';
import { MAX_ATTACHMENT_BYTES } from '../../src/zoho/crm/attachments';
import { helper } from '../helpers/red';
import { AnyMsg, crmHarness } from './crm-harness';

describe('crm-attachment node', function () {
  this.timeout(60_000);
  const h = crmHarness('crm-attachment');
  let recordId = '';

  beforeEach(() => {
    recordId = h.crm.store.insert('Leads', [{ Last_Name: 'With files' }])[0].id;
  });

  function assertCaught(o: Awaited<ReturnType<typeof h.exec>>, code: string): AnyMsg {
    assert.equal(o.dones.length, 1);
    assert.ok(o.dones[0]);
    assert.equal(o.out.length, 0);
    assert.equal(o.caught.length, 1);
    assert.equal(o.caught[0].error.code, code, o.caught[0].error.message);
    return o.caught[0];
  }

  it('uploads a Buffer, lists it, downloads the same bytes with file name and type, deletes it', async function () {
    // One node, every operation: it is set to take the operation from msg.
    await h.load({ operation: 'msg', module: 'Leads', recordIdType: 'msg', recordId: 'rid' });
    const bytes = Buffer.from([0, 1, 2, 250, 255, 10, 13, 0x27, 0x22]);
    let o = await h.exec({
      operation: 'upload',
      rid: recordId,
      payload: bytes,
      filename: 'reading ü.bin',
      contentType: 'image/png',
    });
    assert.equal(o.dones[0], undefined);
    assert.equal(o.out[0].payload.status, 'success');
    const attachmentId = o.out[0].payload.id as string;
    assert.match(attachmentId, /^\d+$/);
    assert.equal(o.statuses.at(-1)?.text, 'uploaded');

    o = await h.exec({ operation: 'list', rid: recordId });
    assert.deepEqual(
      o.out[0].payload.map((a: AnyMsg) => [a.id, a.File_Name]),
      [[attachmentId, 'reading ü.bin']],
    );
    assert.equal(o.statuses.at(-1)?.text, '1 record');

    o = await h.exec({ operation: 'download', rid: recordId, attachmentId });
    assert.ok(Buffer.isBuffer(o.out[0].payload));
    assert.deepEqual(o.out[0].payload, bytes);
    assert.equal(o.out[0].filename, 'reading ü.bin');
    assert.equal(o.out[0].contentType, 'image/png');
    assert.equal(o.statuses.at(-1)?.text, '9 bytes');

    o = await h.exec({ operation: 'delete', rid: recordId, attachmentId });
    assert.equal(o.out[0].payload.status, 'success');
    assert.deepEqual(h.crm.store.attachmentsOf(recordId), []);
    assert.equal(o.statuses.at(-1)?.text, 'deleted');
    o = await h.exec({ operation: 'list', rid: recordId });
    assert.deepEqual(o.out[0].payload, []);
  });

  it('uploads a string with the editor file name; module and ids from the editor', async function () {
    await h.load({ operation: 'upload', module: 'Leads', recordId, fileName: 'note.txt' });
    const o = await h.exec({ payload: 'hello, Zoho' });
    assert.equal(o.out[0].payload.status, 'success');
    const [att] = h.crm.store.attachmentsOf(recordId);
    assert.equal(att.fileName, 'note.txt');
    assert.equal(att.data.toString('utf8'), 'hello, Zoho');
  });

  it('lists every page (returnAll) and one page with perPage', async function () {
    for (let i = 0; i < 5; i++) {
      h.crm.store.addAttachment({
        recordId,
        module: 'Leads',
        fileName: `f${i}.txt`,
        contentType: 'text/plain',
        data: Buffer.from(`file ${i}`),
        linkUrl: null,
        owner: h.crm.store.currentUser,
      });
    }
    await h.load({ operation: 'list', module: 'Leads', recordId, perPage: '2' });
    let o = await h.exec({});
    assert.equal(o.out[0].payload.length, 5);
    assert.equal(o.out[0].info.pages, 3);
    o = await h.exec({ returnAll: false, page: 2 });
    assert.equal(o.out[0].payload.length, 2);
    assert.equal(o.out[0].info.more_records, true);
  });

  it('refuses an upload over 20 MB before sending anything', async function () {
    await h.load({ operation: 'upload', module: 'Leads', recordId });
    const o = await h.exec({
      payload: Buffer.alloc(MAX_ATTACHMENT_BYTES + 1),
      filename: 'big.bin',
    });
    const caught = assertCaught(o, 'INVALID_INPUT');
    assert.match(caught.error.message, /at most 20 MB/);
    assert.deepEqual(h.sb.sandbox.requests, []);
  });

  describe('bad input: a catchable error and no request', function () {
    const cases: [string, AnyMsg, RegExp][] = [
      ['unknown operation', { operation: 'rename' }, /Unknown operation/],
      ['bad module', { operation: 'list', module: 'Leads?x=1' }, /not a Zoho module/],
      ['record id not digits', { operation: 'list', recordId: '../1' }, /1 to 19 digits/],
      ['attachment id not digits', { operation: 'download', attachmentId: 'abc' }, /attachment id/],
      ['missing attachment id', { operation: 'delete' }, /No attachment id/],
      ['missing file name', { operation: 'upload', payload: 'x' }, /file name/],
      ['missing content', { operation: 'upload', filename: 'a.txt' }, /Nothing to upload/],
      ['non-buffer content', { operation: 'upload', filename: 'a', payload: { a: 1 } }, /Buffer/],
    ];
    for (const [name, msg, message] of cases) {
      it(name, async function () {
        // Operation from msg, module and record id left empty: the message sets them all.
        await h.load({ operation: 'msg', module: '' });
        const o = await h.exec({ module: 'Leads', recordId, ...msg });
        assert.match(assertCaught(o, 'INVALID_INPUT').error.message, message);
        assert.deepEqual(h.sb.sandbox.requests, []);
      });
    }
  });

  it('a missing attachment surfaces Zoho’s error', async function () {
    await h.load({ operation: 'download', module: 'Leads', recordId });
    const o = await h.exec({ attachmentId: '123456789' });
    assert.equal(o.caught.length, 1);
    assert.ok(o.caught[0].error.code);
    assert.equal(o.out.length, 0);
  });

  it('the example flow runs end to end against the sandbox, the lead’s photo too', async function () {
    await h.loadExample('crm-attachment');
    const files: AnyMsg[] = [];
    const errors: AnyMsg[] = [];
    helper.getNode('d-att').on('input', (m: AnyMsg) => files.push(m));
    helper.getNode('d-att-err').on('input', (m: AnyMsg) => errors.push(m));
    helper.getNode('i-att-1').receive({});
    for (let i = 0; i < 300 && files.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(errors, []);
    assert.equal(files.length, 3);
    const photo = files.find((m) => m.filename === 'lead.png');
    assert.equal(photo?.contentType, 'image/png');
    assert.deepEqual([...(photo?.payload as Buffer).subarray(1, 4)], [...Buffer.from('PNG')]);
    const download = files.find((m) => Buffer.isBuffer(m.payload) && m !== photo);
    assert.equal(download?.payload.toString('utf8'), 'Visit report: all sensors online.');
    assert.equal(download?.filename, 'visit-report.txt');
    assert.equal(download?.contentType, 'text/plain');
    const list = files.find((m) => Array.isArray(m.payload));
    assert.equal(list?.payload[0].File_Name, 'visit-report.txt');
  });
});
