import assert from 'node:assert/strict';
import { ZohoConnection } from '../../src/zoho/core/connection';
import { ZohoError } from '../../src/zoho/core/errors';
import {
  FORBIDDEN_HEADERS,
  buildRawRequest,
  checkHeaders,
  checkQuery,
  describeRawRequest,
  rawTarget,
  toJsonText,
} from '../../src/zoho/core/raw';

function refuses(fn: () => unknown, pattern?: RegExp, param?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ZohoError, String(err));
    assert.equal(err.code, 'INVALID_INPUT');
    if (pattern) assert.match(err.message, pattern);
    if (param) assert.equal(err.param, param);
    return true;
  });
}

describe('raw: typed options to one checked RequestSpec', () => {
  it('defaults: crm, GET, JSON, no body for GET', () => {
    const spec = buildRawRequest({ url: '/crm/v8/org', body: { ignored: true } });
    assert.equal(spec.product, 'crm');
    assert.equal(spec.method, 'GET');
    assert.equal(spec.path, '/crm/v8/org');
    assert.equal(spec.url, undefined);
    assert.equal(spec.body, undefined);
    assert.equal(spec.responseType, 'json');
    assert.equal(spec.passThroughErrors, false);
    assert.deepEqual(spec.retry, {});
  });

  it('products, methods and types; unknown ones refused with the option at fault', () => {
    const spec = buildRawRequest({ product: 'books', method: 'PATCH', url: 'contacts' });
    assert.equal(spec.product, 'books');
    assert.equal(spec.method, 'PATCH');
    assert.equal(spec.path, '/contacts');
    for (const p of [
      'desk',
      'people',
      'projects',
      'campaigns',
      'analytics',
      'inventory',
      'bigin',
    ] as const) {
      assert.equal(buildRawRequest({ product: p, url: '/x' }).product, p);
    }
    // A JavaScript caller can pass anything: the checks run whatever the types say.
    const refused: [Record<string, unknown>, RegExp, string][] = [
      [{ product: 'zoho-evil' }, /Unknown Zoho product/, 'product'],
      [{ product: 'toString' }, /Unknown Zoho product/, 'product'],
      [{ method: 'TRACE' }, /Unknown HTTP method/, 'method'],
      [{ method: 'patch' }, /Unknown HTTP method/, 'method'],
      [{ bodyType: 'xml' }, /body type/, 'bodyType'],
      [{ responseType: 'stream' }, /response type/, 'responseType'],
    ];
    for (const [options, pattern, param] of refused)
      refuses(() => buildRawRequest({ url: '/x', ...options }), pattern, param);
  });

  it('a URL is a path or an absolute URL; no URL, userinfo and // are refused', () => {
    assert.deepEqual(rawTarget(' /v8/org '), { path: '/v8/org' });
    assert.deepEqual(rawTarget('https://desk.zoho.eu/api/v1/tickets'), {
      url: 'https://desk.zoho.eu/api/v1/tickets',
    });
    assert.deepEqual(rawTarget('Leads:1'), { path: '/Leads:1' });
    refuses(() => rawTarget(undefined as never), /No URL/, 'url');
    refuses(() => rawTarget(''), /No URL/, 'url');
    refuses(() => rawTarget(42 as never), /No URL/, 'url');
    refuses(() => rawTarget('https://user:pw@www.zohoapis.com/crm/v8/org'), /user name/, 'url');
    refuses(() => rawTarget('//evil.example/x'), /neither a path/);
    refuses(() => rawTarget('http://[bad'), /not a URL/);
  });

  it('query: objects of scalars and lists; nested values refused', () => {
    assert.deepEqual(checkQuery({ a: 1, b: true, c: ['x', '2'], d: null, e: undefined }), {
      a: 1,
      b: true,
      c: ['x', '2'],
    });
    assert.equal(checkQuery(undefined), undefined);
    refuses(() => checkQuery({ a: { b: 1 } } as never), /Query value "a"/, 'query');
    refuses(() => checkQuery([1, 2] as never), /object/, 'query');
    refuses(() => checkQuery(5 as never), /object/, 'query');
  });

  it('headers: Authorization in any case, Host, Cookie and framing headers are refused', () => {
    assert.deepEqual(
      checkHeaders({ 'X-CRM-ORG': 123, 'If-Modified-Since': 'x', n: null } as never),
      {
        'X-CRM-ORG': '123',
        'If-Modified-Since': 'x',
      },
    );
    for (const name of FORBIDDEN_HEADERS) {
      refuses(() => checkHeaders({ [name]: 'x' }), /may not be set/);
      refuses(() => checkHeaders({ [name.toUpperCase()]: 'x' }), /may not be set/);
    }
    refuses(() => checkHeaders({ AuThOrIzAtIoN: 'Zoho-oauthtoken stolen' }), /Authorization/i);
    refuses(() => checkHeaders({ 'X-A': 'v\r\nAuthorization: x' }), /line break/);
    refuses(() => checkHeaders({ 'Bad Name': 'x' }), /valid header name/);
    refuses(() => checkHeaders({ 'X-A': { b: 1 } } as never), /must be a string/, 'headers');
    refuses(() => checkHeaders('Authorization: x' as never), /object/, 'headers');
  });

  it('JSON bodies: objects serialised; circular, BigInt and functions refused', () => {
    const spec = buildRawRequest({ method: 'POST', url: '/x', body: { data: [{ a: 1 }] } });
    assert.equal(spec.body, '{"data":[{"a":1}]}');
    assert.equal(spec.headers?.['Content-Type'], 'application/json');
    const kept = buildRawRequest({
      method: 'PUT',
      url: '/x',
      body: '[1]',
      headers: { 'content-type': 'application/vnd.api+json' },
    });
    assert.equal(kept.body, '[1]');
    assert.deepEqual(kept.headers, { 'content-type': 'application/vnd.api+json' });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    refuses(() => buildRawRequest({ method: 'POST', url: '/x', body: circular }), /circular/i);
    refuses(() => buildRawRequest({ method: 'POST', url: '/x', body: { n: 1n } }), /BigInt/);
    refuses(() => toJsonText(() => 1), /cannot be sent as JSON/);
    refuses(() => buildRawRequest({ method: 'POST', url: '/x', body: 'plain' }), /JSON text/);
    const bytes = buildRawRequest({ method: 'POST', url: '/x', body: Buffer.from('ab') });
    assert.ok(Buffer.isBuffer(bytes.body));
    assert.equal(bytes.headers?.['Content-Type'], 'application/octet-stream');
    assert.equal(buildRawRequest({ method: 'POST', url: '/x' }).body, undefined);
    assert.equal(
      buildRawRequest({ method: 'POST', url: '/x', bodyType: 'none', body: { a: 1 } }).body,
      undefined,
    );
  });

  it('form bodies: fields URL-encoded, lists repeated, objects as JSON text', () => {
    const spec = buildRawRequest({
      method: 'POST',
      url: '/x',
      bodyType: 'form',
      body: { a: 'x y', n: 2, list: ['1', '2'], JSONString: { k: 'v' }, skip: null },
    });
    assert.ok(spec.body instanceof URLSearchParams);
    assert.equal(
      spec.body.toString(),
      'a=x+y&n=2&list=1&list=2&JSONString=%7B%22k%22%3A%22v%22%7D',
    );
    const fromText = buildRawRequest({ method: 'POST', url: '/x', bodyType: 'form', body: 'a=1' });
    assert.equal((fromText.body as URLSearchParams).get('a'), '1');
    refuses(
      () => buildRawRequest({ method: 'POST', url: '/x', bodyType: 'form', body: [1] }),
      /object of field names/,
    );
  });

  it('multipart: fields and files; names required; own Content-Type refused', async () => {
    const spec = buildRawRequest({
      method: 'POST',
      url: '/x',
      bodyType: 'multipart',
      body: { description: 'd' },
      files: [
        { field: 'attachment', fileName: 'a.bin', data: Buffer.from([0, 255]) },
        { field: 'attachment', fileName: 'b.txt', data: 'text' },
      ],
    });
    const form = spec.body as FormData;
    assert.ok(form instanceof FormData);
    assert.equal(form.get('description'), 'd');
    const files = form.getAll('attachment') as File[];
    assert.deepEqual(
      files.map((f) => f.name),
      ['a.bin', 'b.txt'],
    );
    assert.deepEqual([...new Uint8Array(await files[0].arrayBuffer())], [0, 255]);
    assert.equal(await files[1].text(), 'text');
    assert.equal(spec.headers?.['Content-Type'], undefined);
    const multipart = (files: unknown) => () =>
      buildRawRequest({ method: 'POST', url: '/x', bodyType: 'multipart', files: files as never });
    refuses(multipart([{ data: Buffer.from('x') }]), /needs a name/, 'files');
    refuses(
      multipart([{ fileName: 'a', data: 'x' }, { data: 'y' }]),
      /File 2 needs a name/,
      'files',
    );
    refuses(
      multipart([{ fileName: 'a', data: { not: 'a buffer' } }]),
      /Buffer or a string/,
      'files',
    );
    refuses(
      () =>
        buildRawRequest({
          method: 'POST',
          url: '/x',
          bodyType: 'multipart',
          headers: { 'Content-Type': 'multipart/form-data' },
          files: [{ fileName: 'x', data: 'x' }],
        }),
      /Content-Type/,
      'headers',
    );
    refuses(
      () => buildRawRequest({ method: 'POST', url: '/x', bodyType: 'multipart' }),
      /needs fields/,
      'body',
    );
    refuses(
      () => buildRawRequest({ method: 'POST', url: '/x', files: [{ fileName: 'x', data: 'x' }] }),
      /only sent with the multipart/,
      'files',
    );
  });

  it('timeout and retries: whole numbers in range', () => {
    const spec = buildRawRequest({
      url: '/x',
      timeout: 5000,
      maxRetries: 2,
      retryDelay: 10,
      exponentialBackoff: false,
      retryOnAllErrors: true,
      passThroughErrors: true,
    });
    assert.equal(spec.timeoutMs, 5000);
    assert.deepEqual(spec.retry, {
      maxRetries: 2,
      retryDelayMs: 10,
      exponentialBackoff: false,
      retryOnAllErrors: true,
    });
    assert.equal(spec.passThroughErrors, true);
    refuses(() => buildRawRequest({ url: '/x', timeout: 0 }), /timeout/, 'timeout');
    refuses(() => buildRawRequest({ url: '/x', timeout: 'soon' as never }), /timeout/, 'timeout');
    refuses(() => buildRawRequest({ url: '/x', maxRetries: 11 }), /maxRetries/, 'maxRetries');
    refuses(() => buildRawRequest({ url: '/x', retryDelay: 1.5 }), /retryDelay/, 'retryDelay');
    refuses(
      () => buildRawRequest({ url: '/x', retryOnAllErrors: 'yes' as never }),
      /boolean/,
      'retryOnAllErrors',
    );
  });

  it('the debug line holds no secret and masks secret-named values', () => {
    const token = '1000.0123456789abcdef0123.0123456789abcdef0123';
    const spec = buildRawRequest({
      method: 'POST',
      url: '/crm/v8/Leads',
      query: { access_token: 'q-canary', fields: 'Email' },
      headers: { 'X-Note': `Zoho-oauthtoken ${token}`, 'X-Other': 'my-refresh-canary' },
      body: { password: 'p-canary', note: token, other: 'my-refresh-canary' },
    });
    const line = describeRawRequest(spec, ['my-refresh-canary']);
    assert.match(line, /^→ POST crm:\/crm\/v8\/Leads\?/);
    assert.match(line, /fields=Email/);
    for (const secret of [token, 'q-canary', 'p-canary', 'my-refresh-canary']) {
      assert.ok(!line.includes(secret), line);
    }
    const abs = describeRawRequest(
      buildRawRequest({ url: 'https://www.zohoapis.com/crm/v8/org?access_token=abc-canary' }),
    );
    assert.ok(!abs.includes('abc-canary'), abs);
    const multipart = describeRawRequest(
      buildRawRequest({
        method: 'POST',
        url: '/x',
        bodyType: 'multipart',
        body: { secret: 'field-canary' },
        files: [{ fileName: 'f.txt', data: 'file-canary' }],
      }),
    );
    assert.ok(!multipart.includes('canary'), multipart);
    assert.match(multipart, /f\.txt, 11 bytes/);
  });
});

describe('raw: through a real connection (host checks before any request)', () => {
  function connection(region: 'eu' | 'com'): ZohoConnection {
    // No refresh token and nothing listening: any attempt to send would fail with NOT_CONNECTED.
    return new ZohoConnection({ region, clientId: 'id', clientSecret: 'secret' });
  }

  it('FORBIDDEN_HOST for foreign, look-alike and other-data-centre hosts', async () => {
    const conn = connection('eu');
    try {
      for (const url of [
        'https://evil.example/crm/v8/org',
        'https://www.zohoapis.eu.evil.example/crm/v8/org',
        'https://www.zohoapis.com/crm/v8/org',
        'https://desk.zoho.com/api/v1/tickets',
        'https://zohoapis.eu/crm/v8/org',
      ]) {
        await assert.rejects(conn.request(buildRawRequest({ url })), (err: unknown) => {
          assert.ok(err instanceof ZohoError);
          assert.equal(err.code, 'FORBIDDEN_HOST', `${url}: ${err.message}`);
          return true;
        });
      }
      assert.equal(conn.http.sent, 0);
      // A host of the data centre passes the check and only then needs a token.
      await assert.rejects(
        conn.request(buildRawRequest({ url: 'https://desk.zoho.eu/api/v1/tickets' })),
        (err: unknown) => err instanceof ZohoError && err.code === 'NOT_CONNECTED',
      );
    } finally {
      conn.close();
    }
  });

  it('paths with "..", "?" or "#" are refused by the request path', async () => {
    const conn = connection('com');
    try {
      for (const url of ['/crm/v8/../x', '/v8/%2E%2E/x', '/v8/Leads?x=1', '/v8/Leads#x']) {
        await assert.rejects(
          conn.request(buildRawRequest({ url })),
          (err: unknown) => err instanceof ZohoError && err.code === 'INVALID_INPUT',
        );
      }
      assert.equal(conn.http.sent, 0);
    } finally {
      conn.close();
    }
  });
});
