/**
 * The token requests on the wire: what each form carries and where, and the transport rules they
 * share with every other call (no redirects, nothing of the request in an error, a signal). Also
 * that axios is loaded by the first request, not by loading the pack.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ZohoAuth, exchangeAuthorizationCode, revokeRefreshToken } from '../../src/zoho/core/auth';
import { ZohoError } from '../../src/zoho/core/errors';

const CLIENT = { clientId: '1000.WIRECLIENT', clientSecret: 'wire-secret-7d1e' };
const REFRESH_TOKEN = '1000.refresh-token-3b9f';

interface Seen {
  method: string;
  url: string;
  form: URLSearchParams;
  headers: http.IncomingHttpHeaders;
}

type Answer = (res: http.ServerResponse) => void;

const TOKEN_BODY = { access_token: '1000.access', expires_in: 3600, refresh_token: '1000.new' };

/** An accounts server that records each request and answers with `answer`. */
async function accountsServer(): Promise<{
  url: string;
  seen: Seen[];
  answer: Answer;
  close(): Promise<void>;
}> {
  const server = http.createServer();
  const rig = {
    url: '',
    seen: [] as Seen[],
    answer: ((res) => json(res, 200, TOKEN_BODY)) as Answer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
      rig.seen.push({ ...seen, form: new URLSearchParams(body) });
      rig.answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  rig.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return rig;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Every text an error carries, where a secret could hide. */
function textsOf(error: ZohoError): string {
  return JSON.stringify([error.message, error.details, error.stack]);
}

describe('token requests on the wire', () => {
  let zoho: Awaited<ReturnType<typeof accountsServer>>;
  beforeEach(async () => {
    zoho = await accountsServer();
  });
  afterEach(() => zoho.close());

  it('refreshes with a form holding the grant and the client, under the accounts path', async () => {
    const auth = new ZohoAuth({
      accountsUrl: `${zoho.url}/prefix/`,
      ...CLIENT,
      refreshToken: REFRESH_TOKEN,
    });
    await auth.accessToken();
    assert.equal(zoho.seen.length, 1);
    const [sent] = zoho.seen;
    assert.equal(sent.method, 'POST');
    assert.equal(sent.url, '/prefix/oauth/v2/token', 'nothing in the query string');
    assert.match(String(sent.headers['content-type']), /application\/x-www-form-urlencoded/);
    assert.equal(sent.headers.authorization, undefined, 'Zoho reads the client from the body');
    assert.deepEqual(Object.fromEntries(sent.form), {
      grant_type: 'refresh_token',
      refresh_token: REFRESH_TOKEN,
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
    });
  });

  it('exchanges a Self Client code without redirect_uri, a consent code with it', async () => {
    await exchangeAuthorizationCode({ accountsUrl: zoho.url, ...CLIENT, code: 'c1' });
    const redirectUri = 'http://localhost:1880/zoho-config/auth/callback';
    await exchangeAuthorizationCode({ accountsUrl: zoho.url, ...CLIENT, code: 'c2', redirectUri });
    const [selfClient, consent] = zoho.seen.map((s) => Object.fromEntries(s.form));
    assert.deepEqual(selfClient, {
      grant_type: 'authorization_code',
      code: 'c1',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
    });
    assert.equal(consent.redirect_uri, redirectUri);
    assert.equal(consent.code, 'c2');
  });

  it('revokes with the token in the form body, never in the URL', async () => {
    zoho.answer = (res) => json(res, 200, { status: 'success' });
    await revokeRefreshToken({ accountsUrl: zoho.url, ...CLIENT, refreshToken: REFRESH_TOKEN });
    const [sent] = zoho.seen;
    assert.equal(sent.url, '/oauth/v2/token/revoke');
    assert.equal(sent.form.get('token'), REFRESH_TOKEN);
    assert.equal(sent.form.get('client_id'), CLIENT.clientId);
  });

  it('maps Zoho answers: 4xx with error, 5xx page, 200 not JSON', async () => {
    const auth = () => new ZohoAuth({ accountsUrl: zoho.url, ...CLIENT, refreshToken: 'r' });
    zoho.answer = (res) => json(res, 400, { error: 'invalid_client' });
    await assert.rejects(auth().accessToken(), { code: 'INVALID_CLIENT', status: 400 });
    zoho.answer = (res) => res.writeHead(503, { 'Content-Type': 'text/html' }).end('<h1>down</h1>');
    await assert.rejects(auth().accessToken(), { code: 'ACCOUNTS_SERVER_ERROR', status: 503 });
    zoho.answer = (res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<p>portal</p>');
    await assert.rejects(auth().accessToken(), { code: 'HTTP_200' });
  });

  it('follows no redirect: the secret never reaches the host it points to', async () => {
    const elsewhere = await accountsServer();
    try {
      zoho.answer = (res) =>
        res.writeHead(307, { Location: `${elsewhere.url}/oauth/v2/token` }).end();
      await assert.rejects(
        exchangeAuthorizationCode({ accountsUrl: zoho.url, ...CLIENT, code: 'c' }),
        { code: 'HTTP_307' },
      );
      assert.equal(elsewhere.seen.length, 0);
    } finally {
      await elsewhere.close();
    }
  });

  it('an unreachable server is NETWORK_ERROR holding nothing of the request', async () => {
    await zoho.close();
    const auth = new ZohoAuth({ accountsUrl: zoho.url, ...CLIENT, refreshToken: REFRESH_TOKEN });
    const error = await auth.accessToken().then(
      () => assert.fail('no server, no token'),
      (e: ZohoError) => e,
    );
    assert.equal(error.code, 'NETWORK_ERROR');
    assert.equal(error.cause, undefined);
    for (const secret of [CLIENT.clientSecret, REFRESH_TOKEN]) {
      assert.ok(!textsOf(error).includes(secret), `the error holds ${secret}`);
    }
    zoho = await accountsServer(); // for afterEach
  });

  it("the caller's signal ends an exchange that gets no answer", async () => {
    zoho.answer = () => undefined;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await assert.rejects(
      exchangeAuthorizationCode({
        accountsUrl: zoho.url,
        ...CLIENT,
        code: 'c',
        signal: controller.signal,
      }),
      { code: 'NETWORK_ERROR' },
    );
    assert.ok(Date.now() - started < 5_000);
  });
});

describe('the transport is loaded by the first request', () => {
  it('loading the client and every node leaves axios unloaded; a request loads it', () => {
    const root = path.join(__dirname, '..', '..', '..');
    // A fresh process: this one loaded axios long ago (the sandbox, other tests).
    const probe = `
      const path = require('path');
      const pkg = require(${JSON.stringify(path.join(root, 'package.json'))});
      const loaded = () => Object.keys(require.cache).some((f) => /node_modules[\\\\/]axios[\\\\/]/.test(f));
      require(path.join(${JSON.stringify(root)}, pkg.main));
      for (const file of Object.values(pkg['node-red'].nodes)) require(path.join(${JSON.stringify(root)}, file));
      const atLoad = loaded();
      const { revokeRefreshToken } = require(path.join(${JSON.stringify(root)}, 'dist/src/zoho/core/auth'));
      revokeRefreshToken({ accountsUrl: 'http://127.0.0.1:9', clientId: 'c', clientSecret: 's', refreshToken: 'r' })
        .catch(() => undefined)
        .then(() => console.log(JSON.stringify({ atLoad, afterRequest: loaded() })));
    `;
    const out = execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), { atLoad: false, afterRequest: true });
  });
});
