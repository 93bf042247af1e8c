import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { authHeader, issueTokens, probeFamily, useSandbox, withProbe } from '../helpers/sandbox';
import { DEFAULT_CLIENT } from '../../src/sandbox/accounts';

type Json = Record<string, unknown>;

describe('sandbox faults', () => {
  const probe = probeFamily();
  const sb = useSandbox({}, withProbe(probe));
  let tokens: { accessToken: string; refreshToken: string };
  beforeEach(() => {
    tokens = issueTokens(sb.sandbox);
    probe.calls = 0;
  });
  const call = (path = '/crm/v8/__probe', method = 'GET') =>
    fetch(sb.url + path, { method, headers: authHeader(tokens.accessToken) });

  it('status: answers the given status, body and Retry-After without running the handler', async () => {
    const fault = sb.sandbox.faults.inject({
      match: { path: '/crm/v8/__probe' },
      kind: 'status',
      status: 429,
      retryAfter: 2,
    });
    const res = await call();
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '2');
    assert.equal(((await res.json()) as Json).code, 'TOO_MANY_REQUESTS');
    assert.equal(probe.calls, 0);
    assert.equal(fault.hits, 1);
    assert.equal(fault.done, true);
    assert.equal((await call()).status, 200, 'times defaults to 1');
  });

  it('status: a custom body, several times, matched by method and RegExp', async () => {
    const fault = sb.sandbox.faults.inject({
      match: { method: 'post', path: /__probe$/ },
      kind: 'status',
      status: 503,
      body: 'down',
      times: 2,
    });
    assert.equal((await call()).status, 200, 'GET does not match');
    for (let i = 0; i < 2; i++) {
      const res = await call('/crm/v8/__probe', 'POST');
      assert.equal(res.status, 503);
      assert.equal(await res.text(), 'down');
    }
    assert.equal((await call('/crm/v8/__probe', 'POST')).status, 200);
    assert.equal(fault.hits, 2);
  });

  it('a string path also matches the paths below it; Infinity keeps a rule until clear()', async () => {
    const fault = sb.sandbox.faults.inject({
      match: { path: '/crm/v8/__probe' },
      kind: 'status',
      status: 500,
      times: Infinity,
    });
    assert.equal((await call('/crm/v8/__probe/1')).status, 500);
    assert.equal((await call('/crm/v8/__probe_costly')).status, 200, 'a sibling is no child');
    assert.equal((await call()).status, 500);
    sb.sandbox.faults.clear();
    assert.equal((await call()).status, 200);
    assert.equal(fault.hits, 2);
  });

  it('reset-before: drops the connection and the handler never runs', async () => {
    sb.sandbox.faults.inject({ kind: 'reset-before' });
    await assert.rejects(call());
    assert.equal(probe.calls, 0);
    assert.equal(sb.sandbox.requests.at(-1)?.reset, true);
    assert.equal((await call()).status, 200);
  });

  it('reset-after: the handler runs, then the connection drops', async () => {
    sb.sandbox.faults.inject({ match: { method: 'POST' }, kind: 'reset-after' });
    await assert.rejects(call('/crm/v8/__probe', 'POST'));
    assert.equal(probe.calls, 1);
  });

  it('slow: delays the response by delayMs', async () => {
    sb.sandbox.faults.inject({ kind: 'slow', delayMs: 300 });
    const t0 = Date.now();
    assert.equal((await call()).status, 200);
    assert.ok(Date.now() - t0 >= 290);
    const t1 = Date.now();
    await call();
    assert.ok(Date.now() - t1 < 250);
  });

  it('slow: a client timeout does not undo the effect', async () => {
    sb.sandbox.faults.inject({ kind: 'slow', delayMs: 400 });
    await assert.rejects(
      fetch(`${sb.url}/crm/v8/__probe`, {
        method: 'POST',
        headers: authHeader(tokens.accessToken),
        signal: AbortSignal.timeout(100),
      }),
    );
    assert.equal(probe.calls, 1);
  });

  it('expire-token: the presented token dies, the refresh token still works', async () => {
    sb.sandbox.faults.inject({ kind: 'expire-token' });
    const res = await call();
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as Json).code, 'INVALID_TOKEN');
    const refreshed = await fetch(`${sb.url}/oauth/v2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.refreshToken,
        client_id: DEFAULT_CLIENT.clientId,
        client_secret: DEFAULT_CLIENT.clientSecret,
      }),
    });
    assert.ok(((await refreshed.json()) as Json).access_token);
  });

  it('revoke-token: revokes the refresh token behind the presented access token', async () => {
    sb.sandbox.faults.inject({ kind: 'revoke-token' });
    assert.equal((await call()).status, 401);
    const refreshed = await fetch(`${sb.url}/oauth/v2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.refreshToken,
        client_id: DEFAULT_CLIENT.clientId,
        client_secret: DEFAULT_CLIENT.clientSecret,
      }),
    });
    assert.deepEqual(await refreshed.json(), { error: 'invalid_code' });
  });

  it('applies to the token endpoint too', async () => {
    sb.sandbox.faults.inject({ match: { path: '/oauth/v2/token' }, kind: 'status', status: 502 });
    const res = await fetch(`${sb.url}/oauth/v2/token`, { method: 'POST' });
    assert.equal(res.status, 502);
    assert.equal(sb.sandbox.stats.tokenRequests.total, 1);
  });

  describe('the link (issue 15 outage kinds)', () => {
    afterEach(() => sb.sandbox.setLink('up'));
    const cause = (e: unknown) => inspect((e as { cause?: unknown }).cause);

    it('refused: nothing listens (ECONNREFUSED); up again on the same port', async () => {
      const url = sb.url;
      await sb.sandbox.setLink('refused');
      // A connection kept alive from before was cut: the first call may meet that instead.
      await assert.rejects(call());
      await assert.rejects(call(), (e: unknown) => cause(e).includes('ECONNREFUSED'));
      assert.equal(sb.sandbox.linkState, 'refused');
      await sb.sandbox.setLink('up');
      assert.equal(sb.url, url);
      assert.equal((await call()).status, 200);
      assert.equal(probe.calls, 1, 'only the call made while up was handled');
    });

    it('blackhole: accepted, never answered, never handled; up cuts what it held', async () => {
      await sb.sandbox.setLink('blackhole');
      const before = sb.sandbox.requests.length;
      const started = Date.now();
      await assert.rejects(
        fetch(`${sb.url}/crm/v8/__probe`, {
          headers: authHeader(tokens.accessToken),
          signal: AbortSignal.timeout(300),
        }),
        /aborted|timeout/i,
      );
      assert.ok(Date.now() - started >= 250, 'no answer, not a quick refusal');
      const held = call();
      await new Promise((r) => setTimeout(r, 100));
      await sb.sandbox.setLink('up');
      await assert.rejects(held, (e: unknown) => /socket|closed|reset/i.test(cause(e)));
      assert.equal(probe.calls, 0);
      assert.equal(sb.sandbox.requests.length, before, 'Zoho never saw them');
      assert.equal((await call()).status, 200);
    });

    it('accountsDown: token calls are cut unanswered while the API answers', async () => {
      const down = sb.sandbox.accountsDown();
      await assert.rejects(fetch(`${sb.url}/oauth/v2/token`, { method: 'POST' }));
      assert.equal((await call()).status, 200);
      down.remove();
      const res = await fetch(`${sb.url}/oauth/v2/token`, { method: 'POST' });
      assert.ok(res.status >= 200 && res.status < 500);
    });
  });
});
