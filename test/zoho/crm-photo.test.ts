/**
 * A record's photo through a real ZohoConnection against the sandbox (HTTP on 127.0.0.1): the
 * image type from the content type, the file name or the bytes; Zoho's answers; refusals.
 */
import assert from 'node:assert/strict';
import { accountsFamily } from '../../src/sandbox/accounts';
import { type CrmFamily, crmFamily } from '../../src/sandbox/crm/index';
import type { ZohoConnection } from '../../src/zoho/core/connection';
import { ZohoError } from '../../src/zoho/core/errors';
import { deletePhoto, downloadPhoto, photoType, uploadPhoto } from '../../src/zoho/crm/index';
import { sandboxConnection, useSandbox } from '../helpers/sandbox';

const GIF = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);

describe('crm record photos against the sandbox', function () {
  this.timeout(30_000);
  let crm: CrmFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    crm = crmFamily();
    return [accountsFamily(), crm];
  });
  let conn: ZohoConnection;
  let id = '';

  beforeEach(() => {
    crm.store.clear();
    conn = sandboxConnection(sb.sandbox, 'ZohoCRM.modules.ALL');
    id = crm.store.insert('Leads', [{ Last_Name: 'Photo' }])[0].id;
    sb.sandbox.clearRequests();
  });

  it('tells the type from the content type, else the extension, else the bytes', () => {
    assert.equal(photoType({ fileName: 'x', contentType: 'image/bmp' }, GIF), 'image/bmp');
    assert.equal(photoType({ fileName: 'me.JPG' }, GIF), 'image/jpeg');
    assert.equal(photoType({ fileName: 'blob' }, GIF), 'image/gif');
    assert.equal(photoType({ fileName: 'blob' }, JPEG), 'image/jpeg');
    assert.throws(
      () => photoType({ fileName: 'doc.pdf' }, Buffer.from('%PDF')),
      (e: unknown) => e instanceof ZohoError && e.kind === 'input' && e.param === 'contentType',
    );
  });

  it('uploads a GIF sent as image/gif, downloads it, deletes it; then NOT_FOUND', async () => {
    const up = await uploadPhoto(conn, 'Leads', id, { data: GIF, fileName: 'a.gif' });
    assert.equal(up.message, 'photo uploaded successfully');
    const sent = sb.sandbox.requests.find((r) => r.path === `/crm/v8/Leads/${id}/photo`);
    const part = sent?.headers['content-type'];
    assert.match(String(part), /^multipart\/form-data/);
    const file = await downloadPhoto(conn, 'Leads', id);
    assert.deepEqual(file.data, GIF);
    assert.equal(file.contentType, 'image/gif');
    assert.equal((await deletePhoto(conn, 'Leads', id)).message, 'Photo deleted');
    await assert.rejects(downloadPhoto(conn, 'Leads', id), (e: unknown) => {
      return e instanceof ZohoError && e.code === 'NOT_FOUND';
    });
    await assert.rejects(deletePhoto(conn, 'Leads', id), (e: unknown) => {
      return e instanceof ZohoError && e.code === 'NOT_FOUND';
    });
  });

  it('Zoho refuses bytes that are not an image even when called an image', async () => {
    await assert.rejects(
      uploadPhoto(conn, 'Leads', id, { data: 'hello', fileName: 'a.png' }),
      (e: unknown) => e instanceof ZohoError && e.code === 'INVALID_DATA',
    );
    assert.equal(crm.store.get('Leads', id)?.photo, undefined);
  });

  it('refuses a bad record id before sending', async () => {
    await assert.rejects(
      uploadPhoto(conn, 'Leads', 'abc', { data: GIF, fileName: 'a.gif' }),
      (e: unknown) => e instanceof ZohoError && e.param === 'recordId',
    );
    assert.equal(sb.sandbox.requests.length, 0);
  });
});
