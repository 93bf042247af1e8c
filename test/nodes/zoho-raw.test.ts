import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as sinon from 'sinon';
import { defaultFamilies } from '../../src/sandbox/families';
import type { ApiFamily, SandboxRequest } from '../../src/sandbox/types';
import {
  FlowNode,
  freshUserDir,
  helper,
  loadFlow,
  startRed,
  stopRed,
  unloadFlow,
} from '../helpers/red';
import { DEFAULT_CLIENT, issueTokens, useSandbox } from '../helpers/sandbox';
import { assertTranslated, textsOf } from './texts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMsg = Record<string, any>;

interface Outcome {
  out: AnyMsg[];
  caught: AnyMsg[];
  dones: unknown[];
  statuses: AnyMsg[];
}

/** Echo routes for every method, plus text and binary answers, under CRM and Books. */
function rawProbe(): ApiFamily {
  const echo = (req: SandboxRequest) => ({
    status: req.method === 'POST' ? 201 : 200,
    headers: { 'X-Probe': 'yes' },
    body: {
      method: req.method,
      path: req.path,
      query: Object.fromEntries(req.query),
      headers: { 'x-custom': req.headers['x-custom'], 'content-type': req.headers['content-type'] },
      body: req.body,
      files: req.files?.map((f) => ({
        name: f.name,
        filename: f.filename,
        base64: f.data.toString('base64'),
      })),
      client: req.token?.clientId,
    },
  });
  return {
    name: 'raw-probe',
    register(r) {
      for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        r.route(m, '/crm/v8/__raw', echo);
        r.route(m, '/books/v3/__raw', echo);
      }
      r.route('GET', '/crm/v8/__raw_text', () => ({ status: 200, body: 'plain text answer' }));
      r.route('GET', '/crm/v8/__raw_bin', () => ({
        status: 200,
        body: Buffer.from([0, 1, 2, 0xfe, 0xff]),
        contentType: 'application/pdf',
      }));
    },
  };
}

describe('zoho-raw node', function () {
  this.timeout(60_000);
  const sb = useSandbox({ creditLimit: 0 }, () => [...defaultFamilies(), rawProbe()]);
  let refreshToken = '';

  before(() => startRed());
  beforeEach(() => freshUserDir());
  afterEach(async () => {
    sinon.restore();
    await unloadFlow();
  });
  after(() => stopRed());

  async function load(props: Record<string, unknown> = {}): Promise<void> {
    refreshToken = issueTokens(sb.sandbox).refreshToken;
    const flow: FlowNode[] = [
      { id: 'f1', type: 'tab' },
      { id: 'c1', type: 'zoho-config', region: 'custom', accountsUrl: sb.url },
      { id: 'n1', type: 'zoho-raw', z: 'f1', config: 'c1', wires: [['out']], ...props },
      { id: 'out', type: 'helper', z: 'f1' },
      { id: 'ct1', type: 'catch', z: 'f1', scope: ['n1'], wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' },
    ];
    await loadFlow(flow, {
      c1: {
        clientId: DEFAULT_CLIENT.clientId,
        clientSecret: DEFAULT_CLIENT.clientSecret,
        refreshToken,
      },
    });
    sb.sandbox.clearRequests();
  }

  async function exec(msg: AnyMsg): Promise<Outcome> {
    const outcome: Outcome = { out: [], caught: [], dones: [], statuses: [] };
    const n1 = helper.getNode('n1');
    helper.getNode('out').on('input', (m: AnyMsg) => outcome.out.push(m));
    helper.getNode('caught').on('input', (m: AnyMsg) => outcome.caught.push(m));
    const complete = sinon.spy(n1, '_complete');
    const onStatus = (call: { args: unknown[] }) => outcome.statuses.push(call.args[0] as AnyMsg);
    n1.on('call:status', onStatus);
    n1.receive(msg);
    const deadline = Date.now() + 20_000;
    while (complete.callCount === 0) {
      if (Date.now() > deadline) throw new Error('the node never called done()');
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 50));
    outcome.dones = complete.getCalls().map((c) => c.args[1]);
    complete.restore();
    n1.removeListener('call:status', onStatus);
    helper.getNode('out').removeAllListeners('input');
    helper.getNode('caught').removeAllListeners('input');
    assertTranslated(textsOf(outcome));
    return outcome;
  }

  function ok(o: Outcome): AnyMsg {
    assert.equal(o.dones.length, 1, 'done() once');
    assert.equal(o.dones[0], undefined, JSON.stringify(o.caught[0]?.error));
    assert.equal(o.out.length, 1);
    return o.out[0];
  }

  function refused(o: Outcome, code = 'INVALID_INPUT'): AnyMsg {
    assert.equal(o.dones.length, 1, 'done() once');
    assert.ok(o.dones[0], 'done(err)');
    assert.equal(o.out.length, 0);
    assert.equal(o.caught.length, 1);
    assert.equal(o.caught[0].error.code, code, o.caught[0].error.message);
    return o.caught[0];
  }

  const apiRequests = () => sb.sandbox.requests.filter((r) => r.path !== '/oauth/v2/token');

  it('GET with query and headers from the editor; output payload, statusCode, headers', async () => {
    await load({
      url: '/v8/__raw',
      query: '{"fields":"Last_Name,Email","page":2}',
      headers: '{"X-Custom":"hello"}',
    });
    const out = ok(await exec({ payload: 1712345678 }));
    assert.equal(out.statusCode, 200);
    assert.equal(out.payload.method, 'GET');
    assert.equal(out.payload.path, '/crm/v8/__raw');
    assert.deepEqual(out.payload.query, { fields: 'Last_Name,Email', page: '2' });
    assert.equal(out.payload.headers['x-custom'], 'hello');
    assert.equal(out.payload.body, undefined, 'GET sends no body');
    assert.equal(out.payload.client, DEFAULT_CLIENT.clientId);
    assert.equal(out.headers['x-probe'], 'yes');
    assert.match(out.headers['content-type'], /json/);
  });

  it('POST JSON, PUT form, PATCH JSON, DELETE with query — all from msg', async () => {
    await load({ url: '/crm/v8/org', method: 'GET' });
    const post = ok(
      await exec({ method: 'post', url: '/crm/v8/__raw', payload: { data: [{ a: 1 }] } }),
    );
    assert.equal(post.statusCode, 201);
    assert.deepEqual(post.payload.body, { data: [{ a: 1 }] });
    assert.match(post.payload.headers['content-type'], /application\/json/);

    const put = ok(
      await exec({
        method: 'PUT',
        url: '/crm/v8/__raw',
        bodyType: 'form',
        payload: { name: 'a b&c', JSONString: { x: 1 }, tag: ['t1', 't2'] },
      }),
    );
    assert.equal(put.payload.method, 'PUT');
    assert.match(put.payload.headers['content-type'], /x-www-form-urlencoded/);
    assert.equal(put.payload.body.name, 'a b&c');
    assert.equal(put.payload.body.JSONString, '{"x":1}');

    const patch = ok(
      await exec({ method: 'PATCH', url: '/crm/v8/__raw', payload: '{"raw":true}' }),
    );
    assert.deepEqual(patch.payload.body, { raw: true });

    const del = ok(
      await exec({
        method: 'DELETE',
        url: '/crm/v8/__raw',
        query: { ids: ['1', '2'] },
        bodyType: 'none',
        payload: { ignored: true },
      }),
    );
    assert.equal(del.payload.method, 'DELETE');
    assert.deepEqual(del.payload.query, { ids: '1,2' });
    assert.equal(del.payload.body, undefined);
  });

  it('multipart: fields and file bytes and names round-trip', async () => {
    await load({ url: '/crm/v8/__raw', method: 'POST', bodyType: 'multipart' });
    const bytes = Buffer.from([0, 0xff, 0x10, 0x80, 13, 10]);
    const out = ok(
      await exec({
        payload: { description: 'two files', meta: { a: 1 } },
        fileData: [bytes, 'hello text'],
        fileNames: ['bin.dat', 'note "1".txt'],
        fileField: ['file', 'attachment'],
      }),
    );
    assert.match(out.payload.headers['content-type'], /multipart\/form-data; boundary=/);
    assert.deepEqual(out.payload.body, { description: 'two files', meta: '{"a":1}' });
    assert.deepEqual(out.payload.files, [
      { name: 'file', filename: 'bin.dat', base64: bytes.toString('base64') },
      {
        name: 'attachment',
        filename: 'note "1".txt',
        base64: Buffer.from('hello text').toString('base64'),
      },
    ]);
  });

  it('json, text and binary response types', async () => {
    await load({ url: '/crm/v8/__raw_text', responseType: 'text' });
    const text = ok(await exec({}));
    assert.equal(text.payload, 'plain text answer');
    const json = ok(await exec({ url: '/crm/v8/__raw', responseType: 'json' }));
    assert.equal(json.payload.method, 'GET');
    const asText = ok(await exec({ url: '/crm/v8/__raw' }));
    assert.equal(typeof asText.payload, 'string');
    assert.equal(JSON.parse(asText.payload).method, 'GET');
    const bin = ok(await exec({ url: '/crm/v8/__raw_bin', responseType: 'binary' }));
    assert.ok(Buffer.isBuffer(bin.payload));
    assert.deepEqual([...bin.payload], [0, 1, 2, 0xfe, 0xff]);
    assert.equal(bin.headers['content-type'], 'application/pdf');
  });

  it('a path with the product prefix is not doubled (CRM and Books)', async () => {
    await load({ url: '/crm/v8/__raw' });
    ok(await exec({}));
    ok(await exec({ url: '/v8/__raw' }));
    ok(await exec({ url: 'v8/__raw' }));
    ok(await exec({ product: 'books', url: '/books/v3/__raw' }));
    ok(await exec({ product: 'books', url: '/__raw', query: { organization_id: '42' } }));
    const paths = apiRequests().map((r) => r.path);
    assert.deepEqual(paths, [
      '/crm/v8/__raw',
      '/crm/v8/__raw',
      '/crm/v8/__raw',
      '/books/v3/__raw',
      '/books/v3/__raw',
    ]);
    assert.deepEqual(apiRequests()[4].query, { organization_id: '42' });
  });

  it('an absolute URL of the connection host is accepted', async () => {
    await load({ url: `${sb.url}/crm/v8/__raw`, query: '{"q":"1"}' });
    const out = ok(await exec({}));
    assert.equal(out.payload.path, '/crm/v8/__raw');
    assert.deepEqual(out.payload.query, { q: '1' });
  });

  it("an unemulated desk path answers the sandbox's 404 as a shaped error", async () => {
    await load({ product: 'desk', url: '/api/v1/tickets' });
    const caught = refused(await exec({}), 'NOT_EMULATED');
    assert.equal(caught._error.status, 404);
    assert.match(caught.error.message, /desk/);
    assert.deepEqual(
      apiRequests().map((r) => r.path),
      ['/desk/api/v1/tickets'],
    );
  });

  it('passThroughErrors outputs the 404 with msg.statusCode', async () => {
    await load({ product: 'desk', url: '/api/v1/tickets', passThroughErrors: true });
    const out = ok(await exec({}));
    assert.equal(out.statusCode, 404);
    assert.equal(out.payload.code, 'NOT_EMULATED');
  });

  it('FORBIDDEN_HOST for a foreign or look-alike host, with no request at all', async () => {
    await load({ url: '/crm/v8/__raw' });
    const port = new URL(sb.url).port;
    for (const url of [
      'https://evil.example/crm/v8/org',
      `http://127.0.0.1.evil.example:${port}/crm/v8/__raw`,
      `http://localhost:${port}/crm/v8/__raw`,
      'https://www.zohoapis.com/crm/v8/org',
      'https://www.zohoapis.com.evil.example/crm/v8/org',
    ]) {
      const caught = refused(await exec({ url }), 'FORBIDDEN_HOST');
      assert.match(caught.error.message, /Refusing to send the Zoho token/);
    }
    refused(await exec({ url: `http://127.0.0.1:${port}@evil.example/x` }));
    refused(await exec({ url: 'ftp://127.0.0.1/x' }), 'FORBIDDEN_HOST');
    assert.deepEqual(sb.sandbox.requests, []);
  });

  it('refuses Authorization (any case), Host, Cookie and framing headers', async () => {
    await load({ url: '/crm/v8/__raw', headers: '{"authorization":"Zoho-oauthtoken stolen"}' });
    refused(await exec({}));
    for (const headers of [
      { Authorization: 'Zoho-oauthtoken x' },
      { AUTHORIZATION: 'Bearer x' },
      { 'Proxy-Authorization': 'x' },
      { Host: 'evil.example' },
      { cookie: 'a=b' },
      { 'Content-Length': '0' },
      { 'Transfer-Encoding': 'chunked' },
      { 'X-Ok': 'a\r\nAuthorization: x' },
    ]) {
      const caught = refused(await exec({ headers }));
      assert.doesNotMatch(caught.error.message, /stolen/);
    }
    assert.deepEqual(sb.sandbox.requests, []);
  });

  it('refuses bodies that cannot be serialised, with no request', async () => {
    await load({ url: '/crm/v8/__raw', method: 'POST' });
    const circular: AnyMsg = { a: 1 };
    circular.self = circular;
    let caught = refused(await exec({ payload: circular }));
    assert.match(caught.error.message, /JSON/);
    caught = refused(await exec({ payload: { n: BigInt(1) } }));
    assert.match(caught.error.message, /BigInt/);
    refused(await exec({ payload: 'not json' }));
    refused(await exec({ bodyType: 'form', payload: { nested: { n: BigInt(2) } } }));
    refused(await exec({ bodyType: 'multipart', payload: {} }));
    refused(await exec({ bodyType: 'multipart', fileData: Buffer.from('x') }));
    refused(await exec({ fileData: Buffer.from('x'), fileNames: 'x.txt' }));
    assert.deepEqual(sb.sandbox.requests, []);
  });

  it('refuses unknown product, unknown method and bad paths, with no request', async () => {
    await load({ url: '/crm/v8/__raw' });
    let caught = refused(await exec({ product: 'nope' }));
    assert.match(caught.error.message, /Unknown Zoho product "nope"/);
    caught = refused(await exec({ method: 'TRACE' }));
    assert.match(caught.error.message, /Unknown HTTP method/);
    for (const url of [
      '/crm/v8/../v2/org',
      '/crm/v8/%2e%2e/org',
      '/crm/v8/Leads?fields=x',
      '/crm/v8/Leads#x',
      '/crm/v8/a%2Fb',
      '//evil.example/x',
    ]) {
      refused(await exec({ url }));
    }
    refused(await exec({ responseType: 'xml' }));
    refused(await exec({ timeout: -1 }));
    refused(await exec({ maxRetries: 99 }));
    refused(await exec({ query: 42 }));
    assert.deepEqual(sb.sandbox.requests, []);
  });

  it('retries from msg: a 503 then success gives one message', async () => {
    await load({ url: '/crm/v8/__raw', method: 'POST', maxRetries: '0' });
    sb.sandbox.faults.inject({ kind: 'status', status: 503, match: { path: '/crm/v8/__raw' } });
    const out = ok(await exec({ maxRetries: 2, retryDelay: 10, payload: { a: 1 } }));
    assert.equal(out.statusCode, 201);
    assert.deepEqual(
      apiRequests().map((r) => r.status),
      [503, 201],
    );
    sb.sandbox.clearRequests();
    sb.sandbox.faults.inject({ kind: 'status', status: 503, match: { path: '/crm/v8/__raw' } });
    const caught = refused(await exec({ payload: { a: 1 } }), 'SANDBOX_FAULT');
    assert.equal(caught._error.status, 503);
    assert.equal(apiRequests().length, 1, 'maxRetries 0 from the editor: no retry');
  });

  it('retryOnAllErrors retries a 500 of a POST', async () => {
    await load({ url: '/crm/v8/__raw', method: 'POST', retryDelay: '5' });
    sb.sandbox.faults.inject({ kind: 'status', status: 500, match: { path: '/crm/v8/__raw' } });
    refused(await exec({ payload: {} }), 'INTERNAL_ERROR');
    sb.sandbox.faults.inject({ kind: 'status', status: 500, match: { path: '/crm/v8/__raw' } });
    ok(await exec({ payload: {}, retryOnAllErrors: true }));
  });

  it('debug logs the request without the token or any secret (canaries)', async () => {
    await load({ url: '/crm/v8/__raw', method: 'POST', debug: true });
    ok(await exec({ payload: {} }));
    const config = helper.getNode('c1');
    const accessToken: string = config.getConnection().auth.current().accessToken;
    assert.ok(accessToken.length > 10);
    const log = helper.log() as sinon.SinonSpy;
    log.resetHistory();
    const out = ok(
      await exec({
        payload: { note: `leaked ${accessToken}`, refresh: refreshToken },
        query: { access_token: 'canary-query-secret', other: accessToken },
        headers: { 'X-Custom': `Zoho-oauthtoken ${accessToken}`, 'X-Secret': refreshToken },
      }),
    );
    assert.equal(out.statusCode, 201);
    const lines = log.getCalls().map((c: { args: unknown[] }) => JSON.stringify(c.args[0]));
    const text = lines.join('\n');
    assert.match(text, /→ POST crm:\/crm\/v8\/__raw/);
    assert.match(text, /← 201 application\/json[^(]*\(JSON\)/);
    assertTranslated(lines);
    for (const secret of [
      accessToken,
      refreshToken,
      DEFAULT_CLIENT.clientSecret,
      'canary-query-secret',
    ]) {
      assert.ok(!text.includes(secret), `a log line holds a secret: ${text}`);
    }
  });

  it('response headers of an earlier zoho-raw in msg.headers are not sent again', async () => {
    await load({ url: '/crm/v8/__raw' });
    const first = ok(await exec({}));
    assert.ok(first.headers['content-length']);
    const second = ok(await exec({ headers: first.headers }));
    assert.equal(second.statusCode, 200);
    refused(await exec({ headers: { ...first.headers, 'x-extra': '1' } }));
  });

  it('without a zoho-config the message fails with NO_CONNECTION', async () => {
    await loadFlow([
      { id: 'f1', type: 'tab' },
      { id: 'n1', type: 'zoho-raw', z: 'f1', url: '/crm/v8/org', wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f1' },
      { id: 'ct1', type: 'catch', z: 'f1', scope: ['n1'], wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' },
    ]);
    refused(await exec({}), 'NO_CONNECTION');
  });

  it('the example flow names a zoho-raw node and a sandbox config without credentials', () => {
    const file = path.resolve(__dirname, '..', '..', '..', 'examples', 'zoho-raw.json');
    const flow = JSON.parse(fs.readFileSync(file, 'utf8')) as AnyMsg[];
    assert.ok(Array.isArray(flow));
    const raws = flow.filter((n) => n.type === 'zoho-raw');
    assert.ok(raws.length >= 2);
    const config = flow.find((n) => n.type === 'zoho-config');
    assert.equal(config?.region, 'custom');
    assert.equal(config?.accountsUrl, 'http://127.0.0.1:8800');
    assert.equal(config?.credentials, undefined);
    for (const n of raws) assert.equal(n.config, config?.id);
    assert.ok(raws.some((n) => n.product === 'books'));
  });
});
