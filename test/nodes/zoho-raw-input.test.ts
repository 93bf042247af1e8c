import assert from 'node:assert/strict';
import { ZohoError } from '../../src/zoho/core/errors';
import { buildRawRequest } from '../../src/zoho/core/raw';
import {
  RESPONSE_MARK,
  RawInput,
  isResponseHeaders,
  markResponseHeaders,
  rawFiles,
  rawQuery,
  rawRequestOf,
} from '../../src/nodes/zoho-raw/input';

function refuses(fn: () => unknown, pattern: RegExp, param: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ZohoError, String(err));
    assert.equal(err.code, 'INVALID_INPUT');
    assert.match(err.message, pattern);
    assert.equal(err.param, param);
    return true;
  });
}

const build = (input: RawInput) => buildRawRequest(rawRequestOf(input));

describe('zoho-raw input: msg and editor values to the client options', () => {
  it('products, methods and types in any case', () => {
    const spec = build({ product: 'Books', method: 'patch', url: 'contacts', bodyType: 'JSON' });
    assert.equal(spec.product, 'books');
    assert.equal(spec.method, 'PATCH');
    assert.equal(spec.path, '/contacts');
    refuses(() => build({ product: 'zoho-evil', url: '/x' }), /Unknown Zoho product/, 'product');
    refuses(() => build({ method: 'TRACE', url: '/x' }), /Unknown HTTP method/, 'method');
  });

  it('no URL names msg.url', () => {
    for (const url of [undefined, '', 42]) refuses(() => build({ url }), /msg\.url/, 'url');
  });

  it('query: a query string or an object', () => {
    assert.deepEqual(rawQuery('?a=1&b=two'), { a: '1', b: 'two' });
    assert.equal(rawQuery(''), undefined);
    assert.deepEqual(build({ url: '/x', query: { a: 1, c: ['x', 2] } }).query, {
      a: 1,
      c: ['x', '2'],
    });
    refuses(() => rawQuery(5), /object/, 'query');
    refuses(() => build({ url: '/x', query: { a: { b: 1 } } }), /Query value "a"/, 'query');
  });

  it('headers are checked by the client', () => {
    refuses(
      () => build({ url: '/x', headers: { Authorization: 'x' } }),
      /may not be set/,
      'headers',
    );
    refuses(() => build({ url: '/x', headers: 'Authorization: x' }), /object/, 'headers');
  });

  it('msg.fileData with msg.fileNames beside it', async () => {
    const spec = build({
      method: 'POST',
      url: '/x',
      bodyType: 'multipart',
      body: { description: 'd' },
      fileData: [Buffer.from([0, 255]), 'text'],
      fileNames: ['a.bin', 'b.txt'],
      fileField: 'attachment',
    });
    const files = (spec.body as FormData).getAll('attachment') as File[];
    assert.deepEqual(
      files.map((f) => f.name),
      ['a.bin', 'b.txt'],
    );
    assert.equal(await files[1].text(), 'text');
    refuses(() => rawFiles(Buffer.from('x'), undefined), /msg\.fileNames/, 'fileNames');
    refuses(() => rawFiles([Buffer.from('x'), 'y'], ['a']), /File 2 needs a name/, 'fileNames');
    refuses(() => rawFiles({ not: 'a buffer' }, 'a'), /Buffer or a string/, 'fileData');
    refuses(
      () => build({ method: 'POST', url: '/x', fileData: 'x', fileNames: 'x' }),
      /only sent with the multipart/,
      'files',
    );
  });

  it('numbers and booleans as text', () => {
    const spec = build({
      url: '/x',
      timeout: '5000',
      retryDelay: '10',
      exponentialBackoff: 'false',
      retryOnAllErrors: true,
      passThroughErrors: 'true',
    });
    assert.equal(spec.timeoutMs, 5000);
    assert.deepEqual(spec.retry, {
      retryDelayMs: 10,
      exponentialBackoff: false,
      retryOnAllErrors: true,
    });
    assert.equal(spec.passThroughErrors, true);
    refuses(() => build({ url: '/x', timeout: 'soon' }), /timeout/, 'timeout');
    refuses(() => build({ url: '/x', timeout: '0' }), /timeout/, 'timeout');
    refuses(() => build({ url: '/x', retryOnAllErrors: 'yes' }), /boolean/, 'retryOnAllErrors');
  });

  it('response headers are marked so they are not sent again; edited ones are', () => {
    const marked = markResponseHeaders({
      'content-type': 'application/json',
      'content-length': '2',
    });
    assert.equal(typeof marked[RESPONSE_MARK], 'string');
    assert.ok(isResponseHeaders(marked));
    assert.ok(isResponseHeaders(JSON.parse(JSON.stringify(marked))));
    assert.ok(!isResponseHeaders({ ...marked, 'x-extra': '1' }));
    assert.ok(!isResponseHeaders({ 'content-type': 'x' }));
    assert.ok(!isResponseHeaders(undefined));
  });
});
