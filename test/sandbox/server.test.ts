import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { accountsFamily } from '../../src/sandbox/accounts';
import type { ApiFamily } from '../../src/sandbox/types';
import { oasDir } from '../helpers/oas';
import { authHeader, issueTokens, probeFamily, startSandbox, useSandbox } from '../helpers/sandbox';

type Json = Record<string, unknown>;

/** CRM's API_Exception, read from Zoho's own OpenAPI file when it is there. */
function crmErrorKeys(): string[] {
  try {
    const spec = JSON.parse(readFileSync(`${oasDir()}/common.json`, 'utf8')) as {
      components: { schemas: { API_Exception: { required: string[] } } };
    };
    return [...spec.components.schemas.API_Exception.required].sort();
  } catch (err) {
    throw new Error(`cannot read Zoho's OpenAPI common.json: ${String(err)}`, { cause: err });
  }
}

describe('sandbox server', () => {
  const probe = probeFamily();
  // Only accounts and the probe: the CRM family's /:module routes would shadow unknown URLs.
  const sb = useSandbox({}, () => [accountsFamily(), probe]);
  let auth: Record<string, string>;
  beforeEach(() => {
    auth = authHeader(issueTokens(sb.sandbox).accessToken);
  });

  async function get(path: string, headers: Record<string, string> = auth) {
    const res = await fetch(sb.url + path, { headers });
    const text = await res.text();
    return { res, status: res.status, body: (text ? JSON.parse(text) : undefined) as Json };
  }

  it('binds to 127.0.0.1 only', async () => {
    assert.match(sb.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(sb.url).port);
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (!external) return;
    await assert.rejects(
      new Promise((resolve, reject) => {
        const s = net.connect(port, external.address, () => resolve(s.end()));
        s.on('error', reject);
      }),
    );
  });

  it('answers 401 AUTHENTICATION_FAILURE without a token, INVALID_TOKEN with a bad one', async () => {
    const missing = await get('/crm/v8/__probe', {});
    assert.equal(missing.status, 401);
    assert.deepEqual(missing.body, {
      code: 'AUTHENTICATION_FAILURE',
      details: {},
      message: 'Authentication failed',
      status: 'error',
    });
    assert.deepEqual(Object.keys(missing.body).sort(), crmErrorKeys());
    const bad = await get('/crm/v8/__probe', authHeader('1000.bad.bad'));
    assert.equal(bad.status, 401);
    assert.deepEqual(bad.body, {
      code: 'INVALID_TOKEN',
      details: {},
      message: 'invalid oauth token',
      status: 'error',
    });
    const books = await get('/books/v3/__probe', authHeader('1000.bad.bad'));
    assert.equal(books.status, 401);
    assert.deepEqual(books.body, {
      code: 57,
      message: 'You are not authorized to perform this operation',
    });
    assert.equal(probe.calls, 0);
  });

  it('expires access tokens after tokenLifetimeSec and on expireAccessTokens()', async () => {
    let now = Date.now();
    sb.sandbox.configure({ now: () => now, tokenLifetimeSec: 60 });
    const { accessToken } = issueTokens(sb.sandbox);
    assert.equal((await get('/crm/v8/__probe', authHeader(accessToken))).status, 200);
    now += 60_000;
    assert.equal(
      (await get('/crm/v8/__probe', authHeader(accessToken))).body.code,
      'INVALID_TOKEN',
    );
    sb.sandbox.accounts.expireAccessTokens();
    assert.equal((await get('/crm/v8/__probe')).status, 401);
  });

  it('routes with decoded params, literal segments first, and sets req.token', async () => {
    const one = await get('/crm/v8/__probe/a%2Fb%20c?x=1&x=2');
    assert.deepEqual(one.body.params, { id: 'a/b c' });
    assert.deepEqual((one.body.token as Json).clientId, '1000.SANDBOXCLIENT');
    assert.deepEqual((await get('/crm/v8/__probe/search')).body, { search: true });
    assert.equal((await get('/crm/v8/__probe_empty')).status, 204);
  });

  it('answers unknown URLs with each product’s 404 envelope', async () => {
    const crm = await get('/crm/v8/Nope/1/2/3');
    assert.equal(crm.status, 404);
    assert.deepEqual(crm.body, {
      code: 'INVALID_URL_PATTERN',
      details: {},
      message: 'Please check if the URL trying to access is a correct one',
      status: 'error',
    });
    const desk = await get('/desk/v1/tickets');
    assert.equal(desk.status, 404);
    assert.deepEqual(desk.body, {
      code: 'NOT_EMULATED',
      message: 'the sandbox does not emulate desk',
    });
    const method = await fetch(`${sb.url}/crm/v8/__probe_costly`, {
      method: 'DELETE',
      headers: auth,
    });
    assert.equal(method.status, 405);
  });

  it('turns a throwing handler into a 500 envelope', async () => {
    const res = await get('/crm/v8/__probe_throw');
    assert.equal(res.status, 500);
    assert.equal(res.body.code, 'INTERNAL_ERROR');
  });

  it('parses JSON, form and multipart bodies', async () => {
    const post = async (body: BodyInit, headers: Record<string, string> = {}) =>
      (await (
        await fetch(`${sb.url}/crm/v8/__probe`, {
          method: 'POST',
          body,
          headers: { ...auth, ...headers },
        })
      ).json()) as Json;
    assert.deepEqual(
      (await post(JSON.stringify({ data: [{ a: 1 }] }), { 'content-type': 'application/json' }))
        .body,
      { data: [{ a: 1 }] },
    );
    assert.deepEqual((await post(new URLSearchParams({ a: '1', b: 'x y' }))).body, {
      a: '1',
      b: 'x y',
    });
    const fd = new FormData();
    fd.append('note', 'hello');
    fd.append('file', new Blob(['line1\r\nline2'], { type: 'text/plain' }), 'a "b".txt');
    const multi = await post(fd);
    assert.deepEqual(multi.body, { note: 'hello' });
    assert.deepEqual(multi.files, [
      { name: 'file', filename: 'a "b".txt', contentType: 'text/plain', data: 'line1\r\nline2' },
    ]);
    const bad = await fetch(`${sb.url}/crm/v8/__probe`, {
      method: 'POST',
      body: '{nope',
      headers: { ...auth, 'content-type': 'application/json' },
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as Json).code, 'INVALID_DATA');
  });

  it('logs every request with the Authorization value redacted', async () => {
    sb.sandbox.clearRequests();
    await fetch(`${sb.url}/crm/v8/__probe?fields=a,b`, { headers: auth });
    await get('/nothing', {});
    const [first, second] = sb.sandbox.requests;
    assert.equal(first.method, 'GET');
    assert.equal(first.path, '/crm/v8/__probe');
    assert.deepEqual(first.query, { fields: 'a,b' });
    assert.equal(first.headers.authorization, 'Zoho-o…');
    assert.equal(first.status, 200);
    assert.ok(first.time > 0);
    assert.doesNotMatch(JSON.stringify(sb.sandbox.requests), /1000\.[0-9a-f]{32}/);
    assert.equal(second.status, 404);
    assert.equal(sb.sandbox.stats.apiRequests, 1);
  });

  it('adds latencyMs to every response', async () => {
    sb.sandbox.configure({ latencyMs: 150 });
    for (const path of ['/crm/v8/__probe', '/oauth/serverinfo', '/crm/v8/none']) {
      const t0 = Date.now();
      await get(path);
      assert.ok(Date.now() - t0 >= 140, path);
    }
  });

  it("counts latencyMs from the request's arrival, the emulator's own work inside it", async () => {
    // A route that works 150 ms on the event loop, as a large page or write would.
    const busy: ApiFamily = {
      name: 'busy',
      register(r) {
        const work = () => {
          const until = Date.now() + 150;
          while (Date.now() < until);
          return { status: 200, body: {} };
        };
        r.route('GET', '/oauth/__busy', work, { auth: false });
      },
    };
    const other = await startSandbox({ latencyMs: 200 }, [busy]);
    try {
      const t0 = Date.now();
      const res = await fetch(`${other.url}/oauth/__busy`);
      const elapsed = Date.now() - t0;
      assert.equal(res.status, 200);
      // 150 ms of work + 200 ms of latency would be 350 ms: the work is inside the 200.
      assert.ok(elapsed >= 190 && elapsed < 300, `answered after ${elapsed} ms`);
    } finally {
      await other.stop();
    }
  });

  it('answers 429 beyond the concurrency limit', async () => {
    sb.sandbox.configure({ concurrencyLimit: 2, latencyMs: 200 });
    const results = await Promise.all([1, 2, 3, 4].map(() => get('/crm/v8/__probe')));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 200, 429, 429]);
    const refused = results.find((r) => r.status === 429)!.body;
    assert.equal(refused.code, 'TOO_MANY_REQUESTS');
    assert.equal(refused.status, 'error');
    assert.deepEqual(refused.details, {});
    assert.match(String(refused.message), /concurrency/);
    assert.equal(sb.sandbox.stats.maxConcurrent, 2);
    assert.equal((await get('/crm/v8/__probe')).status, 200, 'slots are released');
  });

  it('counts API credits in a rolling 24 h window, X-API-CREDITS-REMAINING from half used', async () => {
    let now = Date.now();
    sb.sandbox.configure({ creditLimit: 4, now: () => now });
    const first = await get('/crm/v8/__probe');
    assert.equal(first.res.headers.get('x-api-credits-remaining'), null, 'under half used');
    assert.equal(first.res.headers.get('x-ratelimit-limit'), null, 'Zoho sends no X-RATELIMIT-*');
    const half = await get('/crm/v8/__probe');
    assert.equal(half.res.headers.get('x-api-credits-remaining'), '2');
    assert.equal(
      (await get('/crm/v8/__probe_costly')).res.headers.get('x-api-credits-remaining'),
      '0',
    );
    const out = await get('/crm/v8/__probe');
    assert.equal(out.status, 429);
    assert.equal(out.body.code, 'TOO_MANY_REQUESTS');
    assert.equal((await get('/oauth/serverinfo', {})).status, 200, 'accounts calls are free');
    now += 86_400_001;
    const fresh = authHeader(issueTokens(sb.sandbox).accessToken);
    const again = await get('/crm/v8/__probe', fresh);
    assert.equal(again.res.headers.get('x-api-credits-remaining'), null);
    assert.equal(sb.sandbox.creditsRemaining(), 3);
  });

  it('stop() closes keep-alive sockets and pending responses, so nothing stays open', async () => {
    const other = await startSandbox();
    const url = other.url;
    await fetch(`${url}/oauth/serverinfo`, { method: 'GET' }).catch(() => undefined);
    other.configure({ latencyMs: 60_000 });
    const slow = fetch(`${url}/oauth/serverinfo`).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await other.stop();
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(await slow, 'failed');
    await assert.rejects(fetch(`${url}/oauth/serverinfo`));
  });
});
