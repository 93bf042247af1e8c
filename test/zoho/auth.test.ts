import assert from 'node:assert/strict';
import { Sandbox } from '../../src/sandbox/server';
import { accountsFamily } from '../../src/sandbox/accounts';
import {
  MemoryTokenStore,
  ZohoAuth,
  authorizationUrl,
  exchangeAuthorizationCode,
} from '../../src/zoho/core/auth';
import { ZohoError } from '../../src/zoho/core/errors';
import { FakeClock } from '../helpers/clock';

const CLIENT = { clientId: '1000.SANDBOXCLIENT', clientSecret: 'sandbox-secret' };
const SCOPE = 'ZohoCRM.modules.ALL';

describe('auth', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = new Sandbox({}, [accountsFamily()]);
    await sb.start();
  });
  afterEach(() => sb.stop());

  function auth(
    refreshToken: string,
    extra: Partial<ConstructorParameters<typeof ZohoAuth>[0]> = {},
  ) {
    return new ZohoAuth({ accountsUrl: sb.url, ...CLIENT, refreshToken, ...extra });
  }

  it('builds a consent URL for offline access', () => {
    const url = new URL(
      authorizationUrl({
        accountsUrl: 'https://accounts.zoho.eu',
        clientId: 'cid',
        scopes: ['ZohoCRM.modules.ALL', 'ZohoBooks.fullaccess.all'],
        redirectUri: 'http://localhost:1880/zoho-config/auth/callback',
        state: 'st',
      }),
    );
    assert.equal(url.origin + url.pathname, 'https://accounts.zoho.eu/oauth/v2/auth');
    assert.equal(url.searchParams.get('access_type'), 'offline');
    assert.equal(url.searchParams.get('prompt'), 'consent');
    assert.equal(url.searchParams.get('state'), 'st');
    assert.equal(url.searchParams.get('scope'), 'ZohoCRM.modules.ALL,ZohoBooks.fullaccess.all');
    assert.equal(url.searchParams.get('response_type'), 'code');
  });

  it('exchanges a grant code for a refresh token and an access token on api_domain', async () => {
    const code = sb.accounts.issueGrantCode({ clientId: CLIENT.clientId, scope: SCOPE });
    const result = await exchangeAuthorizationCode({ accountsUrl: sb.url, ...CLIENT, code });
    assert.match(result.refreshToken, /^1000\./);
    assert.equal(result.tokens.apiDomain, sb.url);
    assert.ok(result.tokens.expiresAt > Date.now() + 3000_000);
    assert.ok(sb.accounts.validateAccessToken(result.tokens.accessToken));
    // Grant codes are single-use.
    await assert.rejects(
      exchangeAuthorizationCode({ accountsUrl: sb.url, ...CLIENT, code }),
      (e: ZohoError) => e.code === 'INVALID_CODE' && /already used|expired/.test(e.message),
    );
  });

  it('refreshes, and shares one refresh among 200 concurrent callers', async () => {
    const rt = sb.accounts.issueRefreshToken({ clientId: CLIENT.clientId, scope: SCOPE });
    const store = new MemoryTokenStore({
      accessToken: 'stale',
      expiresAt: Date.now() - 1,
      apiDomain: sb.url,
    });
    const a = auth(rt, { store });
    const tokens = await Promise.all(Array.from({ length: 200 }, () => a.accessToken()));
    assert.equal(sb.stats.tokenRequests.refresh_token, 1);
    assert.equal(a.tokenRequests, 1);
    assert.equal(new Set(tokens.map((t) => t.accessToken)).size, 1);
    assert.ok(sb.accounts.validateAccessToken(tokens[0].accessToken));
    assert.equal(store.load()?.accessToken, tokens[0].accessToken);
  });

  it('makes no token request while the stored token is valid (redeploy)', async () => {
    const rt = sb.accounts.issueRefreshToken({ clientId: CLIENT.clientId, scope: SCOPE });
    const store = new MemoryTokenStore();
    await auth(rt, { store }).accessToken();
    for (let i = 0; i < 10; i++) await auth(rt, { store }).accessToken();
    assert.equal(sb.stats.tokenRequests.refresh_token, 1);
  });

  it('refreshes ahead of expiry, inside the margin', async () => {
    const rt = sb.accounts.issueRefreshToken({ clientId: CLIENT.clientId, scope: SCOPE });
    const clock = new FakeClock();
    const store = new MemoryTokenStore();
    const a = auth(rt, { store, clock, refreshMarginMs: 60_000 });
    await a.accessToken();
    clock.advance(3600_000 - 120_000);
    await a.accessToken();
    assert.equal(sb.stats.tokenRequests.refresh_token, 1);
    clock.advance(90_000);
    await a.accessToken();
    assert.equal(sb.stats.tokenRequests.refresh_token, 2);
  });

  it('turns a revoked refresh token into one clear error, never a refresh storm', async () => {
    const rt = sb.accounts.issueRefreshToken({ clientId: CLIENT.clientId, scope: SCOPE });
    sb.accounts.revokeRefreshToken(rt);
    const a = auth(rt);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => a.accessToken()));
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      const error = r.reason as ZohoError;
      assert.equal(error.code, 'TOKEN_REVOKED');
      assert.match(error.message, /revoked or has expired.*authorise the client again/);
    }
    await assert.rejects(a.accessToken(), { code: 'TOKEN_REVOKED' });
    assert.equal(sb.stats.tokenRequests.refresh_token, 1);
  });

  it('says what to do about a wrong client', async () => {
    const rt = sb.accounts.issueRefreshToken({ clientId: CLIENT.clientId, scope: SCOPE });
    const a = new ZohoAuth({
      accountsUrl: sb.url,
      clientId: 'nope',
      clientSecret: 'x',
      refreshToken: rt,
    });
    await assert.rejects(
      a.accessToken(),
      (e: ZohoError) =>
        e.code === 'INVALID_CLIENT' && /client id and client secret/.test(e.message),
    );
  });

  it('refuses a client id or secret with characters Zoho never uses, clearly and unsent', async () => {
    const before = sb.stats.tokenRequests.total;
    for (const [clientId, clientSecret] of [
      ['1000.ABC\u00a0', 'x'],
      ['😀', 'x'],
      [CLIENT.clientId, 'sécret'],
    ]) {
      await assert.rejects(
        exchangeAuthorizationCode({ accountsUrl: sb.url, clientId, clientSecret, code: 'c' }),
        (e: ZohoError) => e.code === 'INVALID_INPUT' && /paste it again/.test(e.message),
      );
    }
    assert.equal(sb.stats.tokenRequests.total, before);
  });

  it('names a failing accounts server (5xx) as such, not as a refusal', async () => {
    const rt = sb.accounts.issueRefreshToken({ clientId: CLIENT.clientId, scope: SCOPE });
    sb.faults.inject({ match: { path: '/oauth/v2/token' }, kind: 'status', status: 502 });
    const a = new ZohoAuth({ accountsUrl: sb.url, ...CLIENT, refreshToken: rt });
    await assert.rejects(
      a.accessToken(),
      (e: ZohoError) =>
        e.code === 'ACCOUNTS_SERVER_ERROR' && e.status === 502 && /HTTP 502/.test(e.message),
    );
  });

  it('backs off when Zoho throttles the token endpoint', async () => {
    sb.configure({ tokenRateLimit: { max: 1, windowMs: 600_000 } });
    const rt = sb.accounts.issueRefreshToken({ clientId: CLIENT.clientId, scope: SCOPE });
    const clock = new FakeClock();
    const store = new MemoryTokenStore();
    const a = auth(rt, { store, clock });
    await a.accessToken();
    store.save({ accessToken: 'x', expiresAt: 0, apiDomain: sb.url });
    await assert.rejects(a.accessToken(), { code: 'TOKEN_THROTTLED' });
    await assert.rejects(a.accessToken(), { code: 'TOKEN_THROTTLED' });
    assert.equal(sb.stats.tokenRequests.refresh_token, 2, 'the second failure came from the latch');
    clock.advance(3 * 60_000);
    sb.configure({ tokenRateLimit: { max: 100, windowMs: 600_000 } });
    await a.accessToken();
    assert.equal(sb.stats.tokenRequests.refresh_token, 3);
  });

  it('a caller that backs off itself may lift the network pause (not a throttle)', async () => {
    const rt = sb.accounts.issueRefreshToken({ clientId: CLIENT.clientId, scope: SCOPE });
    const clock = new FakeClock();
    const a = auth(rt, { clock });
    await sb.setLink('refused');
    await assert.rejects(a.accessToken(), { code: 'NETWORK_ERROR' });
    await sb.setLink('up');
    // Paused after the network failure: the link is back, yet nothing is asked.
    await assert.rejects(a.accessToken(), { code: 'NETWORK_ERROR' });
    assert.equal(sb.stats.tokenRequests.total, 0);
    a.retryNetworkNow();
    assert.ok((await a.accessToken()).accessToken);
    assert.equal(sb.stats.tokenRequests.refresh_token, 1);
    // A throttle's pause stays, whoever asks.
    sb.configure({ tokenRateLimit: { max: 0, windowMs: 600_000 } });
    const b = auth(rt, { clock });
    await assert.rejects(b.accessToken(), { code: 'TOKEN_THROTTLED' });
    b.retryNetworkNow();
    await assert.rejects(b.accessToken(), { code: 'TOKEN_THROTTLED' });
    assert.equal(sb.stats.tokenRequests.refresh_token, 2);
  });

  it('refuses to run without a refresh token', async () => {
    await assert.rejects(new ZohoAuth({ accountsUrl: sb.url, ...CLIENT }).accessToken(), {
      code: 'NOT_CONNECTED',
    });
    assert.equal(sb.stats.tokenRequests.total, 0);
  });
});
