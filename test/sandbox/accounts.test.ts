import assert from 'node:assert/strict';
import { DEFAULT_CLIENT, useSandbox } from '../helpers/sandbox';

const { clientId, clientSecret } = DEFAULT_CLIENT;
const REDIRECT = 'http://127.0.0.1:1880/zoho/callback';

async function form(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
}

async function token(base: string, fields: Record<string, string>) {
  const res = await form(`${base}/oauth/v2/token`, fields);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('sandbox accounts server', () => {
  const sb = useSandbox();

  function consentUrl(extra: Record<string, string> = {}): string {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      scope: 'ZohoCRM.modules.ALL,ZohoCRM.settings.READ',
      redirect_uri: REDIRECT,
      state: 'st<&>"1',
      access_type: 'offline',
      prompt: 'consent',
      ...extra,
    });
    return `${sb.url}/oauth/v2/auth?${q}`;
  }

  async function consent(action: 'accept' | 'deny', extra?: Record<string, string>) {
    const page = await fetch(consentUrl(extra));
    const html = await page.text();
    const pending = /name="pending" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(pending, 'consent form carries a pending id');
    const res = await form(`${sb.url}/oauth/v2/auth/approve`, { pending, action });
    return { res, html, location: new URL(res.headers.get('location') ?? '') };
  }

  it('serves an HTML consent page with scopes, Accept and Deny, escaping echoed values', async () => {
    const res = await fetch(consentUrl({ scope: 'ZohoCRM.modules.ALL,<script>x</script>' }));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const html = await res.text();
    assert.match(html, /Sandbox Client/);
    assert.match(html, /<li>ZohoCRM\.modules\.ALL<\/li>/);
    assert.match(html, />Accept<\/button>/);
    assert.match(html, />Deny<\/button>/);
    assert.match(html, /action="\/oauth\/v2\/auth\/approve"/);
    assert.doesNotMatch(html, /<script>x/);
    assert.doesNotMatch(html, new RegExp(REDIRECT), 'raw params stay server-side');
  });

  it('Accept redirects with state, code, location and accounts-server', async () => {
    const { res, location } = await consent('accept');
    assert.equal(res.status, 302);
    assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
    assert.equal(location.searchParams.get('state'), 'st<&>"1');
    assert.match(location.searchParams.get('code') ?? '', /^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/);
    assert.equal(location.searchParams.get('location'), 'us');
    assert.equal(location.searchParams.get('accounts-server'), sb.url);
  });

  it('an account in another data centre: the redirect names its location and accounts server', async () => {
    sb.sandbox.configure({ dc: 'eu', accountsServer: 'https://accounts.zoho.eu' });
    const { location } = await consent('accept');
    assert.equal(location.searchParams.get('location'), 'eu');
    assert.equal(location.searchParams.get('accounts-server'), 'https://accounts.zoho.eu');
  });

  it('Deny redirects with error=access_denied and the state', async () => {
    const { res, location } = await consent('deny');
    assert.equal(res.status, 302);
    assert.equal(location.searchParams.get('error'), 'access_denied');
    assert.equal(location.searchParams.get('state'), 'st<&>"1');
    assert.equal(location.searchParams.get('code'), null);
  });

  it('a consent form cannot be submitted twice', async () => {
    const html = await (await fetch(consentUrl())).text();
    const pending = /name="pending" value="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.equal(
      (await form(`${sb.url}/oauth/v2/auth/approve`, { pending, action: 'accept' })).status,
      302,
    );
    assert.equal(
      (await form(`${sb.url}/oauth/v2/auth/approve`, { pending, action: 'accept' })).status,
      400,
    );
  });

  it('shows an error page for an unknown client or an unregistered redirect URI', async () => {
    const unknown = await fetch(consentUrl({ client_id: '1000.NOPE' }));
    assert.equal(unknown.status, 400);
    assert.match(await unknown.text(), /Invalid Client/);
    sb.sandbox.accounts.addClient({
      clientId: '1000.STRICT',
      clientSecret: 's',
      redirectUris: ['https://example.com/cb'],
    });
    const bad = await fetch(consentUrl({ client_id: '1000.STRICT' }));
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /Invalid Redirect Uri/);
    const good = await fetch(
      consentUrl({ client_id: '1000.STRICT', redirect_uri: 'https://example.com/cb' }),
    );
    assert.equal(good.status, 200);
  });

  it('exchanges a code for tokens with Zoho fields, once', async () => {
    const code = (await consent('accept')).location.searchParams.get('code') ?? '';
    const fields = {
      grant_type: 'authorization_code',
      code,
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uri: REDIRECT,
    };
    const first = await token(sb.url, fields);
    assert.equal(first.status, 200);
    assert.deepEqual(Object.keys(first.body).sort(), [
      'access_token',
      'api_domain',
      'expires_in',
      'refresh_token',
      'scope',
      'token_type',
    ]);
    assert.match(String(first.body.access_token), /^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/);
    assert.match(String(first.body.refresh_token), /^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/);
    assert.equal(first.body.api_domain, sb.url);
    assert.equal(first.body.token_type, 'Bearer');
    assert.equal(first.body.expires_in, 3600);
    assert.equal(first.body.scope, 'ZohoCRM.modules.ALL,ZohoCRM.settings.READ');
    assert.deepEqual(await token(sb.url, fields), { status: 200, body: { error: 'invalid_code' } });
    assert.equal(sb.sandbox.stats.tokenRequests.authorization_code, 2);
  });

  it('accepts token params in the query string', async () => {
    const code = sb.sandbox.accounts.issueGrantCode({ clientId, scope: 'ZohoCRM.modules.ALL' });
    const q = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      client_id: clientId,
      client_secret: clientSecret,
    });
    const res = await fetch(`${sb.url}/oauth/v2/token?${q}`, { method: 'POST' });
    assert.ok(((await res.json()) as { access_token?: string }).access_token);
  });

  it('checks the redirect URI of a consent code; online access gives no refresh token', async () => {
    const code =
      (await consent('accept', { access_type: 'online' })).location.searchParams.get('code') ?? '';
    const base = {
      grant_type: 'authorization_code',
      code,
      client_id: clientId,
      client_secret: clientSecret,
    };
    assert.deepEqual((await token(sb.url, { ...base, redirect_uri: 'http://evil/' })).body, {
      error: 'invalid_redirect_uri',
    });
    const ok = await token(sb.url, { ...base, redirect_uri: REDIRECT });
    assert.ok(ok.body.access_token);
    assert.equal(ok.body.refresh_token, undefined);
  });

  it('expires grant codes after 3 minutes', async () => {
    let now = Date.now();
    sb.sandbox.configure({ now: () => now });
    const code = sb.sandbox.accounts.issueGrantCode({ clientId, scope: 'ZohoCRM.modules.ALL' });
    now += 3 * 60 * 1000 + 1;
    const res = await token(sb.url, {
      grant_type: 'authorization_code',
      code,
      client_id: clientId,
      client_secret: clientSecret,
    });
    assert.deepEqual(res.body, { error: 'invalid_code' });
  });

  it('refreshes without returning a refresh token; a revoked one gives invalid_code with HTTP 200', async () => {
    const rt = sb.sandbox.accounts.issueRefreshToken({ clientId, scope: 'ZohoCRM.modules.ALL' });
    const fields = {
      grant_type: 'refresh_token',
      refresh_token: rt,
      client_id: clientId,
      client_secret: clientSecret,
    };
    const ok = await token(sb.url, fields);
    assert.equal(ok.status, 200);
    assert.deepEqual(Object.keys(ok.body).sort(), [
      'access_token',
      'api_domain',
      'expires_in',
      'scope',
      'token_type',
    ]);
    assert.ok(sb.sandbox.accounts.validateAccessToken(String(ok.body.access_token)));
    const revoke = await fetch(`${sb.url}/oauth/v2/token/revoke?token=${rt}`, { method: 'POST' });
    assert.deepEqual(await revoke.json(), { status: 'success' });
    assert.equal(sb.sandbox.accounts.validateAccessToken(String(ok.body.access_token)), undefined);
    assert.deepEqual(await token(sb.url, fields), { status: 200, body: { error: 'invalid_code' } });
    assert.equal(sb.sandbox.stats.tokenRequests.refresh_token, 2);
    assert.equal(sb.sandbox.stats.tokenRequests.total, 2);
  });

  it('answers invalid_client for an unknown client or a wrong secret', async () => {
    const rt = sb.sandbox.accounts.issueRefreshToken({ clientId, scope: 'ZohoCRM.modules.ALL' });
    const base = { grant_type: 'refresh_token', refresh_token: rt };
    assert.deepEqual(
      await token(sb.url, { ...base, client_id: 'x', client_secret: clientSecret }),
      { status: 200, body: { error: 'invalid_client' } },
    );
    assert.deepEqual(
      await token(sb.url, { ...base, client_id: clientId, client_secret: 'wrong' }),
      { status: 200, body: { error: 'invalid_client' } },
    );
  });

  it('throttles more than 10 refreshes of one token in 10 minutes with HTTP 400 Access Denied', async () => {
    let now = Date.now();
    sb.sandbox.configure({ now: () => now });
    const rt = sb.sandbox.accounts.issueRefreshToken({ clientId, scope: 'ZohoCRM.modules.ALL' });
    const fields = {
      grant_type: 'refresh_token',
      refresh_token: rt,
      client_id: clientId,
      client_secret: clientSecret,
    };
    for (let i = 0; i < 10; i++) assert.equal((await token(sb.url, fields)).status, 200);
    assert.deepEqual(await token(sb.url, fields), {
      status: 400,
      body: {
        error_description:
          'You have made too many requests continuously. Please try again after some time.',
        error: 'Access Denied',
        status: 'failure',
      },
    });
    now += 600001;
    assert.ok((await token(sb.url, fields)).body.access_token);
  });

  it('serves /oauth/serverinfo pointing every location at the sandbox', async () => {
    const body = (await (await fetch(`${sb.url}/oauth/serverinfo`)).json()) as {
      result: string;
      locations: Record<string, string>;
    };
    assert.equal(body.result, 'success');
    assert.equal(body.locations.us, sb.url);
    assert.equal(body.locations.eu, sb.url);
  });

  it('hands out Self Client codes on /sandbox/self-client', async () => {
    const res = await fetch(`${sb.url}/sandbox/self-client`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: clientId, scope: 'ZohoCRM.modules.ALL' }),
    });
    const { code } = (await res.json()) as { code: string };
    const t = await token(sb.url, {
      grant_type: 'authorization_code',
      code,
      client_id: clientId,
      client_secret: clientSecret,
    });
    assert.ok(t.body.refresh_token);
    const bad = await form(`${sb.url}/sandbox/self-client`, { client_id: 'nope', scope: 'x' });
    assert.equal(bad.status, 400);
  });

  it('answers unsupported grant types in Zoho style', async () => {
    assert.deepEqual((await token(sb.url, { grant_type: 'password' })).body, {
      error: 'unsupported_grant_type',
    });
  });
});
