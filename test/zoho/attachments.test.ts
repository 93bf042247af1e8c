import assert from 'node:assert/strict';
import {
  MAX_ATTACHMENT_BYTES,
  attachLink,
  collectAttachments,
  deleteAttachment,
  downloadAttachment,
  listAttachments,
  parseContentDisposition,
  uploadAttachment,
} from '../../src/zoho/crm/attachments';
import { ZohoError } from '../../src/zoho/core/errors';
import { StubRequester, ok } from './stub-requester';

function invalid(e: unknown): boolean {
  return e instanceof ZohoError && e.code === 'INVALID_INPUT';
}

describe('attachments', () => {
  it('uploads multipart with the field "file" and returns the new id', async () => {
    const stub = new StubRequester(() => ({
      data: { data: [ok('777', { message: 'attachment uploaded' })] },
    }));
    const result = await uploadAttachment(stub, 'Leads', '123', {
      data: Buffer.from('hello'),
      fileName: 'héllo (1).txt',
      contentType: 'text/plain',
    });
    assert.equal(result.id, '777');
    assert.equal(result.status, 'success');
    const spec = stub.calls[0];
    assert.equal(spec.method, 'POST');
    assert.equal(spec.path, '/v8/Leads/123/Attachments');
    assert.ok(spec.body instanceof FormData);
    const file = spec.body.get('file') as File;
    assert.equal(file.name, 'héllo (1).txt');
    assert.equal(file.type, 'text/plain');
    assert.equal(Buffer.from(await file.arrayBuffer()).toString(), 'hello');
  });

  it('accepts a string payload as UTF-8', async () => {
    const stub = new StubRequester(() => ({ data: { data: [ok('1')] } }));
    await uploadAttachment(stub, 'Leads', '1', { data: 'ü', fileName: 'a.txt' });
    const file = (stub.calls[0].body as FormData).get('file') as File;
    assert.equal(file.size, 2);
    assert.equal(file.type, 'application/octet-stream');
  });

  it('refuses files over 20 MB and other bad input before sending', async () => {
    const stub = new StubRequester();
    await assert.rejects(
      uploadAttachment(stub, 'Leads', '1', {
        data: Buffer.alloc(MAX_ATTACHMENT_BYTES + 1),
        fileName: 'big.bin',
      }),
      (e: unknown) => invalid(e) && /20 MB/.test((e as Error).message),
    );
    await assert.rejects(
      uploadAttachment(stub, 'Leads', '1', { data: Buffer.from('x'), fileName: '' }),
      /file name/,
    );
    await assert.rejects(
      uploadAttachment(stub, 'Leads', '1', { data: Buffer.from('x'), fileName: '../etc/passwd' }),
      invalid,
    );
    await assert.rejects(
      uploadAttachment(stub, 'Leads', '1', { data: 5 as unknown as string, fileName: 'a' }),
      invalid,
    );
    await assert.rejects(
      uploadAttachment(stub, 'Leads', 'x1', { data: 'x', fileName: 'a' }),
      invalid,
    );
    await assert.rejects(
      uploadAttachment(stub, 'Le/ads', '1', { data: 'x', fileName: 'a' }),
      invalid,
    );
    await assert.rejects(
      uploadAttachment(stub, 'Leads', '1', {
        data: 'x',
        fileName: 'a',
        contentType: 'text/plain\r\nX: y',
      }),
      invalid,
    );
    await assert.rejects(attachLink(stub, 'Leads', '1', 'javascript:alert(1)'), invalid);
    assert.equal(stub.calls.length, 0);
    // Exactly 20 MB is fine.
    const okStub = new StubRequester(() => ({ data: { data: [ok('1')] } }));
    await uploadAttachment(okStub, 'Leads', '1', {
      data: Buffer.alloc(MAX_ATTACHMENT_BYTES),
      fileName: 'edge.bin',
    });
    assert.equal(okStub.calls.length, 1);
  });

  it('raises a per-record upload error as a ZohoError', async () => {
    const stub = new StubRequester(() => ({
      data: { data: [{ code: 'INVALID_DATA', message: 'bad', status: 'error', details: {} }] },
    }));
    await assert.rejects(
      uploadAttachment(stub, 'Leads', '1', { data: 'x', fileName: 'a' }),
      (e: unknown) => (e as ZohoError).code === 'INVALID_DATA',
    );
  });

  it('attaches a link with attachmentUrl and title', async () => {
    const stub = new StubRequester(() => ({ data: { data: [ok('5')] } }));
    const result = await attachLink(stub, 'Deals', '2', 'https://example.com/a?b=c', 'Spec');
    assert.equal(result.id, '5');
    assert.deepEqual(stub.calls[0].query, {
      attachmentUrl: 'https://example.com/a?b=c',
      title: 'Spec',
    });
  });

  it('lists with fields (required by v8), pages, and 204 as empty', async () => {
    const stub = new StubRequester((_spec, i) => {
      if (i === 2) return { status: 204 };
      return {
        data: {
          data: [{ id: String(i) }],
          info: { more_records: i === 0, next_page_token: i === 0 ? 'T1' : undefined },
        },
      };
    });
    const all = await collectAttachments(stub, 'Leads', '1');
    assert.deepEqual(all.attachments, [{ id: '0' }, { id: '1' }]);
    assert.equal(all.truncated, false);
    assert.match(String(stub.calls[0].query?.fields), /^id,File_Name,Size/);
    assert.equal(stub.calls[0].query?.page, 1);
    assert.equal(stub.calls[0].query?.per_page, 200);
    assert.equal(stub.calls[1].query?.page_token, 'T1');
    const none = await listAttachments(stub, 'Leads', '1', { fields: ['id', 'File_Name'] });
    assert.deepEqual(none.attachments, []);
    assert.equal(stub.calls[2].query?.fields, 'id,File_Name');
  });

  it('downloads bytes with the file name from Content-Disposition', async () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    const stub = new StubRequester(() => ({
      data: bytes,
      headers: {
        'content-type': 'image/png;charset=UTF-8',
        'content-disposition': `attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.png; filename="resume.png"`,
      },
    }));
    const file = await downloadAttachment(stub, 'Leads', '1', '99');
    assert.deepEqual(file, {
      data: bytes,
      fileName: 'résumé.png',
      contentType: 'image/png',
      size: 4,
    });
    assert.equal(stub.calls[0].path, '/v8/Leads/1/Attachments/99');
    assert.equal(stub.calls[0].responseType, 'binary');
    await assert.rejects(downloadAttachment(stub, 'Leads', '1', '../2'), invalid);
    const gone = new StubRequester(() => ({ status: 204 }));
    await assert.rejects(
      downloadAttachment(gone, 'Leads', '1', '2'),
      (e: unknown) => (e as ZohoError).code === 'NOT_FOUND',
    );
  });

  it('parses Content-Disposition forms', () => {
    assert.equal(parseContentDisposition('attachment; filename="a \\"b\\".txt"'), 'a "b".txt');
    assert.equal(parseContentDisposition('attachment; filename=plain.pdf'), 'plain.pdf');
    assert.equal(
      parseContentDisposition("attachment; filename*=iso-8859-1''caf%E9.txt"),
      'café.txt',
    );
    assert.equal(parseContentDisposition('inline'), undefined);
    assert.equal(parseContentDisposition(undefined), undefined);
  });

  it('deletes one attachment', async () => {
    const stub = new StubRequester(() => ({ data: { data: [ok('99', { message: 'deleted' })] } }));
    const result = await deleteAttachment(stub, 'Leads', '1', '99');
    assert.equal(result.id, '99');
    assert.equal(stub.calls[0].method, 'DELETE');
    assert.equal(stub.calls[0].path, '/v8/Leads/1/Attachments/99');
  });
});
