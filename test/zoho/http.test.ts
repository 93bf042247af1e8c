import assert from 'node:assert/strict';
import { Sandbox } from '../../src/sandbox/server';
import { accountsFamily } from '../../src/sandbox/accounts';
import { MemoryTokenStore } from '../../src/zoho/core/auth';
import { ZohoConnection } from '../../src/zoho/core/connection';
import { ZohoError } from '../../src/zoho/core/errors';
import { FakeClock } from '../helpers/clock';
import { ProbeFamily, probeFamily } from '../helpers/sandbox';

const CLIENT = { clientId: '1000.SANDBOXCLIENT', clientSecret: 'sandbox-secret' };

describe('http: the one request path', () => {
  let sb: Sandbox;
  let family: ProbeFamily;
  let clock: FakeClock;
  const open: ZohoConnection[] = [];

  beforeEach(async () => {
    family = probeFamily();
    sb = new Sandbox({}, [accountsFamily(), family]);
    await sb.start();
    clock = new FakeClock();
  });
  afterEach(async () => {
    while (open.length) open.pop()?.close();
    await sb.stop();
  });

  function connect(extra: Partial<ConstructorParameters<typeof ZohoConnection>[0]> = {}) {
    const refreshToken = sb.accounts.issueRefreshToken({
      clientId: CLIENT.clientId,
      scope: 'ZohoCRM.modules.ALL',
    });
    const conn = new ZohoConnection({
      region: 'custom',
      accountsUrl: sb.url,
      ...CLIENT,
      refreshToken,
      clock,
      random: () => 1,
      ...extra,
    });
    open.push(conn);
    return conn;
  }

  it('sends the token as Zoho-oauthtoken to api_domain and decodes JSON', async () => {
    const res = await connect().request<{ method: string; query: Record<string, string> }>({
      method: 'GET',
      path: '/v8/__probe',
      query: { fields: ['a', 'b'], skip: undefined },
    });
    assert.equal(res.status, 200);
    assert.equal(res.data.method, 'GET');
    assert.deepEqual(res.data.query, { fields: 'a,b' });
    const seen = sb.requests.find((r) => r.path === '/crm/v8/__probe');
    // The sandbox only accepts `Zoho-oauthtoken <token>` and logs the header cut short.
    assert.match(String(seen?.headers.authorization), /^Zoho-o/);
  });

  it('makes exactly one token request for 200 concurrent calls on an expired token', async () => {
    const store = new MemoryTokenStore({
      accessToken: 'expired',
      expiresAt: Date.now() - 1000,
      apiDomain: sb.url,
    });
    const conn = connect({ tokenStore: store, maxConcurrency: 20 });
    const results = await Promise.all(
      Array.from({ length: 200 }, () => conn.request({ method: 'GET', path: '/v8/__probe' })),
    );
    assert.equal(results.length, 200);
    assert.equal(sb.stats.tokenRequests.refresh_token, 1);
  });

  it('refreshes once and replays once on a 401 INVALID_TOKEN mid-run', async () => {
    const conn = connect();
    await conn.request({ method: 'GET', path: '/v8/__probe' });
    sb.faults.inject({ match: { path: '/crm/v8/__probe' }, kind: 'expire-token' });
    const res = await conn.request({ method: 'GET', path: '/v8/__probe' });
    assert.equal(res.status, 200);
    assert.equal(res.attempts, 1);
    assert.equal(sb.stats.tokenRequests.refresh_token, 2);
  });

  it('retries 429 after Retry-After and tells the connection it is rate-limited', async () => {
    const conn = connect();
    const events: string[] = [];
    conn.on('status', (s) => events.push(s.state));
    sb.faults.inject({
      match: { path: '/crm/v8/__probe' },
      kind: 'status',
      status: 429,
      retryAfter: 7,
      times: 2,
    });
    const res = await conn.request({ method: 'GET', path: '/v8/__probe' });
    assert.equal(res.attempts, 3);
    assert.deepEqual(clock.sleeps.filter((ms) => ms === 7000).length >= 2, true);
    assert.ok(events.includes('rate-limited'));
    assert.equal(events[events.length - 1], 'connected');
  });

  it('backs off exponentially on 5xx for reads', async () => {
    const conn = connect();
    sb.faults.inject({ match: { path: '/crm/v8/__probe' }, kind: 'status', status: 502, times: 3 });
    const res = await conn.request({
      method: 'GET',
      path: '/v8/__probe',
      retry: { retryDelayMs: 100 },
    });
    assert.equal(res.attempts, 4);
    assert.deepEqual(clock.sleeps, [100, 200, 400]);
  });

  it('gives up after maxRetries with the shaped error', async () => {
    const conn = connect();
    sb.faults.inject({
      match: { path: '/crm/v8/__probe' },
      kind: 'status',
      status: 503,
      times: Infinity,
    });
    await assert.rejects(
      conn.request({ method: 'GET', path: '/v8/__probe', retry: { maxRetries: 2 } }),
      (e: ZohoError) => e.status === 503,
    );
    assert.equal(sb.requests.filter((r) => r.path === '/crm/v8/__probe').length, 3);
  });

  it('retries a write only when Zoho cannot have applied it', async () => {
    const conn = connect();
    sb.faults.inject({ match: { path: '/crm/v8/__probe' }, kind: 'status', status: 503 });
    await conn.request({ method: 'POST', path: '/v8/__probe', body: { n: 1 } });
    assert.equal(family.calls, 1);

    sb.faults.inject({ match: { path: '/crm/v8/__probe' }, kind: 'status', status: 500 });
    await assert.rejects(conn.request({ method: 'POST', path: '/v8/__probe', body: { n: 2 } }), {
      status: 500,
    });

    sb.faults.inject({ match: { path: '/crm/v8/__probe' }, kind: 'reset-after' });
    await assert.rejects(conn.request({ method: 'POST', path: '/v8/__probe', body: { n: 3 } }), {
      code: 'NETWORK_ERROR',
    });
    assert.equal(family.calls, 2, 'the reset write was applied once and not retried');

    sb.faults.inject({ match: { path: '/crm/v8/__probe' }, kind: 'reset-before' });
    await assert.rejects(conn.request({ method: 'POST', path: '/v8/__probe', body: { n: 4 } }), {
      code: 'NETWORK_ERROR',
    });
    assert.equal(family.calls, 2);
  });

  it('retries a read after a connection reset and a timeout', async () => {
    const conn = connect();
    sb.faults.inject({ match: { path: '/crm/v8/__probe' }, kind: 'reset-before' });
    assert.equal((await conn.request({ method: 'GET', path: '/v8/__probe' })).attempts, 2);
    sb.faults.inject({ match: { path: '/crm/v8/__probe' }, kind: 'slow', delayMs: 1500 });
    const res = await conn.request({ method: 'GET', path: '/v8/__probe', timeoutMs: 300 });
    assert.equal(res.attempts, 2);
  });

  it('retries everything when asked to (retryOnAllErrors)', async () => {
    const conn = connect();
    sb.faults.inject({ match: { path: '/crm/v8/__probe' }, kind: 'status', status: 500 });
    const res = await conn.request({
      method: 'POST',
      path: '/v8/__probe',
      body: {},
      retry: { retryOnAllErrors: true },
    });
    assert.equal(res.attempts, 2);
  });

  it("shapes Zoho's error envelope into one ZohoError", async () => {
    await assert.rejects(
      (() => {
        const conn = connect();
        sb.faults.inject({
          match: { path: '/crm/v8/__probe' },
          kind: 'status',
          status: 400,
          body: {
            code: 'INVALID_DATA',
            details: { api_name: 'Email' },
            message: 'invalid data',
            status: 'error',
          },
        });
        return conn.request({ method: 'GET', path: '/v8/__probe' });
      })(),
      (e: ZohoError) => {
        assert.equal(e.code, 'INVALID_DATA');
        assert.equal(e.status, 400);
        assert.deepEqual(e.details, { api_name: 'Email' });
        assert.deepEqual(Object.keys(e.toJSON()).sort(), [
          'code',
          'details',
          'kind',
          'message',
          'status',
        ]);
        return true;
      },
    );
  });

  it('keeps concurrency within maxConcurrency, so Zoho never refuses for concurrency', async () => {
    sb.configure({ concurrencyLimit: 3, latencyMs: 30 });
    const conn = connect({ maxConcurrency: 3, clock: undefined });
    await Promise.all(
      Array.from({ length: 30 }, () => conn.request({ method: 'GET', path: '/v8/__probe' })),
    );
    assert.equal(sb.stats.throttled, 0);
    assert.ok(
      sb.stats.maxConcurrent <= 3 && sb.stats.maxConcurrent >= 2,
      `max ${sb.stats.maxConcurrent}`,
    );
  });

  it('refuses unsafe paths and foreign hosts before sending anything', async () => {
    const conn = connect();
    const before = sb.requests.length;
    for (const path of [
      '/v8/../settings',
      '/v8/%2e%2e/x',
      '/v8/a%2Fb',
      'v8/ping',
      '/v8/__probe?x=1',
      '/v8/__probe#x',
    ]) {
      await assert.rejects(conn.request({ method: 'GET', path }), { code: 'INVALID_INPUT' }, path);
    }
    const eu = new ZohoConnection({ region: 'eu', ...CLIENT, refreshToken: 'x' });
    open.push(eu);
    await assert.rejects(
      eu.request({ method: 'GET', url: 'http://www.zohoapis.eu/crm/v8/org' }),
      { code: 'FORBIDDEN_HOST' },
      'plain http to a real Zoho host would expose the token',
    );
    await assert.rejects(
      conn.request({ method: 'GET', url: 'https://evil.example/crm/v8/__probe' }),
      {
        code: 'FORBIDDEN_HOST',
      },
    );
    assert.equal(sb.requests.length, before);
    assert.equal(sb.stats.tokenRequests.total, 0);
  });

  it('stops before the credit budget runs out', async () => {
    sb.configure({ creditLimit: 10 });
    const conn = connect({ creditBackoff: 0.5 });
    let ok = 0;
    let refused: ZohoError | undefined;
    for (let i = 0; i < 10 && !refused; i++) {
      try {
        await conn.request({ method: 'GET', path: '/v8/__probe' });
        ok++;
      } catch (e) {
        refused = e as ZohoError;
      }
    }
    assert.equal(ok, 5);
    assert.equal(refused?.code, 'CREDIT_BUDGET_REACHED');
    assert.equal(sb.requests.filter((r) => r.path === '/crm/v8/__probe').length, 5);
  });

  it('aborts queued calls when the connection closes', async () => {
    sb.configure({ latencyMs: 200 });
    const conn = connect({ maxConcurrency: 1, clock: undefined });
    const calls = [1, 2, 3].map(() => conn.request({ method: 'GET', path: '/v8/__probe' }));
    await new Promise((r) => setTimeout(r, 50));
    conn.close();
    const settled = await Promise.allSettled(calls);
    assert.ok(settled.every((s) => s.status === 'rejected'));
    assert.ok(
      settled.every((s) => s.status === 'rejected' && (s.reason as ZohoError).code === 'ABORTED'),
    );
  });

  it('refuses a call made after the connection closed, sending nothing', async () => {
    const conn = connect({ clock: undefined });
    await conn.request({ method: 'GET', path: '/v8/__probe' });
    const before = sb.requests.length;
    conn.close();
    await assert.rejects(conn.request({ method: 'GET', path: '/v8/__probe' }), {
      code: 'ABORTED',
    });
    await assert.rejects(conn.request({ method: 'POST', path: '/v8/__probe', body: {} }), {
      code: 'ABORTED',
    });
    assert.equal(sb.requests.length, before);
  });
});
