/**
 * crm-attachment's photo operations in a real Node-RED runtime against the sandbox: upload,
 * download the same bytes, delete; restrict_triggers from the node and msg; a record without a
 * photo, a module Zoho keeps no photos for, and input refused before anything is sent.
 */
import * as assert from 'node:assert/strict';
import { MAX_PHOTO_BYTES } from '../../src/zoho/crm/photo';
import { AnyMsg, crmHarness } from './crm-harness';

/** The smallest PNG signature plus a few bytes: the sandbox looks at the signature, as Zoho does. */
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('IHDR-sandbox-image'),
]);

describe('crm-attachment node: a record’s photo', function () {
  this.timeout(60_000);
  const h = crmHarness('crm-attachment');
  let recordId = '';

  beforeEach(() => {
    recordId = h.crm.store.insert('Contacts', [{ Last_Name: 'Pictured' }])[0].id;
  });

  function assertCaught(o: Awaited<ReturnType<typeof h.exec>>, code: string): AnyMsg {
    assert.equal(o.dones.length, 1);
    assert.ok(o.dones[0]);
    assert.equal(o.out.length, 0);
    assert.equal(o.caught.length, 1);
    assert.equal(o.caught[0].error.code, code, o.caught[0].error.message);
    return o.caught[0];
  }

  it('uploads msg.payload, downloads the same bytes with name and type, deletes it', async function () {
    await h.load({ operation: 'msg', module: 'Contacts', recordIdType: 'msg', recordId: 'rid' });
    let o = await h.exec({
      operation: 'uploadPhoto',
      rid: recordId,
      payload: PNG,
      filename: 'me.png',
    });
    assert.equal(o.dones[0], undefined, String((o.dones[0] as Error | undefined)?.message));
    assert.equal(o.out[0].payload.message, 'photo uploaded successfully');
    const sent = h.crmRequests()[0];
    assert.equal(sent.method, 'POST');
    assert.equal(sent.path, `/crm/v8/Contacts/${recordId}/photo`);
    assert.equal(sent.query.restrict_triggers, undefined);

    o = await h.exec({ operation: 'downloadPhoto', rid: recordId });
    assert.deepEqual(o.out[0].payload, PNG);
    assert.equal(o.out[0].filename, 'me.png');
    assert.equal(o.out[0].contentType, 'image/png');
    assert.equal(o.statuses.at(-1)?.text, `${PNG.length} bytes`);

    o = await h.exec({ operation: 'deletePhoto', rid: recordId });
    assert.equal(o.out[0].payload.message, 'Photo deleted');
    assert.equal(h.crm.store.get('Contacts', recordId)?.photo, undefined);
    assertCaught(await h.exec({ operation: 'downloadPhoto', rid: recordId }), 'NOT_FOUND');
  });

  it('the node’s "don’t run workflow rules" sends restrict_triggers; msg.restrictWorkflow false does not', async function () {
    await h.load({
      operation: 'uploadPhoto',
      module: 'Contacts',
      recordId,
      recordIdType: 'str',
      restrictWorkflow: true,
    });
    assert.equal((await h.exec({ payload: PNG })).out.length, 1);
    assert.equal((await h.exec({ payload: PNG, restrictWorkflow: false })).out.length, 1);
    assert.deepEqual(
      h.crmRequests().map((r) => r.query.restrict_triggers),
      ['workflow', undefined],
    );
  });

  it('refuses a photo over 10 MB or that is not an image before sending; nothing goes out', async function () {
    await h.load({ operation: 'uploadPhoto', module: 'Contacts', recordId, recordIdType: 'str' });
    const big = Buffer.concat([PNG, Buffer.alloc(MAX_PHOTO_BYTES)]);
    assert.equal(
      assertCaught(await h.exec({ payload: big }), 'INVALID_INPUT')._error.param,
      'data',
    );
    const text = assertCaught(
      await h.exec({ payload: 'not an image', filename: 'notes.txt' }),
      'INVALID_INPUT',
    );
    assert.equal(text._error.param, 'contentType');
    assert.equal(h.crmRequests().length, 0);
  });

  it('Zoho keeps no photo for Calls: its INVALID_MODULE fails the message once', async function () {
    const call = h.crm.store.insert('Calls', [{ Subject: 'Hello', Call_Type: 'Outbound' }])[0].id;
    await h.load({
      operation: 'uploadPhoto',
      module: 'Calls',
      recordId: call,
      recordIdType: 'str',
    });
    assertCaught(await h.exec({ payload: PNG, filename: 'c.png' }), 'INVALID_MODULE');
  });
});
