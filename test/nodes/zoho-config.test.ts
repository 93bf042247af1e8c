import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as sinon from 'sinon';
import { cacheFile } from '../../src/nodes/zoho-config/token-store';
import type { ZohoConfigNode } from '../../src/nodes/runtime/config-node';
import type { ConnectionStatus } from '../../src/zoho/core/connection';
import {
  FlowNode,
  freshUserDir,
  helper,
  noUserDir,
  runtime,
  startRed,
  stopRed,
  unloadFlow,
  loadFlow,
  userDir,
} from '../helpers/red';
import {
  DEFAULT_CLIENT,
  probeFamily,
  startSandbox,
  useSandbox,
  withProbe,
} from '../helpers/sandbox';

const CLIENT_ID = DEFAULT_CLIENT.clientId;
const CLIENT_SECRET = DEFAULT_CLIENT.clientSecret;
const SCOPE = 'ZohoCRM.modules.ALL,ZohoBooks.fullaccess.all';
const REDIRECT_URI = 'http://127.0.0.1:1880/zoho-config/auth/callback';
const ID = 'cfg1';

function configNode(url: string, extra: Record<string, unknown> = {}): FlowNode {
  return {
    id: ID,
    type: 'zoho-config',
    name: 'sandbox',
    region: 'custom',
    accountsUrl: url,
    scopes: '',
    organizationId: '',
    maxConcurrency: '5',
    creditBackoff: '',
    ...extra,
  };
}

function configOf(): ZohoConfigNode {
  return helper.getNode(ID) as unknown as ZohoConfigNode;
}

function storedCredentials(): Record<string, unknown> {
  return runtime().getCredentials(ID) ?? {};
}

/** Follows Zoho's (the sandbox's) consent page: Accept or Deny; returns the callback path. */
async function consent(url: string, action: 'accept' | 'deny'): Promise<string> {
  const page = await fetch(url);
  assert.equal(page.status, 200);
  const html = await page.text();
  const pending = /name="pending" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(pending, 'the consent page has a pending consent');
  const consentUrl = new URL(url);
  const reply = await fetch(new URL('/oauth/v2/auth/approve', consentUrl.origin), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ pending, action }).toString(),
    redirect: 'manual',
  });
  assert.equal(reply.status, 302);
  const location = new URL(reply.headers.get('location') ?? '');
  assert.equal(location.origin + location.pathname, REDIRECT_URI);
  return location.pathname + location.search;
}

async function startConnect(url: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await helper
    .request()
    .post(`/zoho-config/${ID}/auth/start`)
    .send({
      region: 'custom',
      accountsUrl: url,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scopes: SCOPE,
      redirectUri: REDIRECT_URI,
      ...extra,
    });
  assert.equal(res.status, 200, res.text);
  return res.body.url as string;
}

function assertNoSecrets(text: string, secrets: string[]): void {
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `leaked a secret: ${secret.slice(0, 8)}…`);
  }
}

describe('zoho-config', function () {
  const probe = probeFamily();
  const sb = useSandbox({}, withProbe(probe));

  before(() => startRed());
  beforeEach(() => {
    freshUserDir();
  });
  afterEach(async () => {
    sinon.restore();
    await unloadFlow();
  });
  after(() => stopRed());

  const probeRequest = (node: ZohoConfigNode) =>
    node.getConnection().request({ product: 'crm', method: 'GET', path: '/v8/__probe' });

  describe('loading', function () {
    it('loads with its properties and is not connected without a refresh token', async function () {
      await loadFlow(
        [
          configNode(sb.url, {
            scopes: 'ZohoCRM.modules.ALL, ZohoCRM.org.READ',
            creditBackoff: '0.8',
            maxAnswerMB: '8',
          }),
        ],
        { [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } },
      );
      const node = configOf();
      assert.equal(node.type, 'zoho-config');
      assert.equal(node.region, 'custom');
      assert.deepEqual(node.scopes, ['ZohoCRM.modules.ALL', 'ZohoCRM.org.READ']);
      assert.equal(node.maxConcurrency, 5);
      assert.equal(node.creditBackoff, 0.8);
      assert.equal(node.maxResponseBytes, 8 * 1024 * 1024);
      assert.equal(node.connectionStatus().state, 'not-connected');
      await assert.rejects(probeRequest(node), { code: 'NOT_CONNECTED' });
      const res = await helper.request().get(`/zoho-config/${ID}/status`);
      assert.equal(res.status, 200);
      assert.equal(res.body.connected, false);
      assert.equal(res.body.hasRefreshToken, false);
    });

    it('uses the default scopes and concurrency when empty, and rejects a bad region', async function () {
      await loadFlow([
        configNode(sb.url, { maxConcurrency: '', region: 'mars', maxAnswerMB: '0.5' }),
      ]);
      const node = configOf();
      assert.equal(node.maxResponseBytes, undefined, 'a bad Largest answer leaves the default');
      assert.ok(node.scopes.includes('ZohoCRM.modules.ALL'));
      assert.ok(node.scopes.includes('ZohoBooks.fullaccess.all'));
      assert.equal(node.maxConcurrency, 5);
      assert.equal(node.connectionStatus().state, 'error');
      assert.throws(() => node.getConnection(), { code: 'INVALID_INPUT' });
    });

    it('keeps every secret in password-type credentials', async function () {
      await loadFlow([configNode(sb.url)]);
      const def = (
        runtime() as unknown as {
          getCredentialDefinition(t: string): Record<string, { type: string }>;
        }
      ).getCredentialDefinition('zoho-config');
      for (const key of ['clientSecret', 'refreshToken', 'accessToken', 'tokenKey']) {
        assert.equal(def[key]?.type, 'password', key);
      }
    });
  });

  describe('test helper', function () {
    it('loads core nodes a flow wires in (join, debug, catch) beside zoho-config', async function () {
      await loadFlow([
        configNode(sb.url),
        { id: 'j1', type: 'join', mode: 'custom', build: 'array', count: '2', wires: [['h1']] },
        { id: 'd1', type: 'debug', active: true, console: 'false', complete: 'payload', wires: [] },
        { id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['h1']] },
        { id: 'h1', type: 'helper', wires: [] },
      ]);
      const got = new Promise<unknown>((resolve) =>
        helper.getNode('h1').on('input', (msg: { payload: unknown }) => resolve(msg.payload)),
      );
      helper.getNode('j1').receive({ payload: 1 });
      helper.getNode('j1').receive({ payload: 2 });
      assert.deepEqual(await got, [1, 2]);
      assert.equal(helper.getNode('d1').type, 'debug');
    });
  });

  describe('Self Client grant code', function () {
    it('exchanges the code and stores the refresh token and access token', async function () {
      await loadFlow([configNode(sb.url)], {
        [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      });
      const code = sb.sandbox.accounts.issueGrantCode({ clientId: CLIENT_ID, scope: SCOPE });
      const res = await helper.request().post(`/zoho-config/${ID}/auth/code`).send({
        code,
        region: 'custom',
        accountsUrl: sb.url,
        clientId: CLIENT_ID,
        clientSecret: '__PWRD__',
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.connected, true);
      const node = configOf();
      const creds = node.credentials;
      assert.match(String(creds.refreshToken), /^1000\./);
      assert.match(String(creds.accessToken), /^1000\./);
      assert.equal(creds.apiDomain, sb.url);
      assertNoSecrets(res.text, [
        CLIENT_SECRET,
        String(creds.refreshToken),
        String(creds.accessToken),
        code,
      ]);
      assert.equal(storedCredentials().refreshToken, creds.refreshToken);

      // The encrypted cache holds the token, unreadable and owner-only.
      const file = cacheFile(userDir() as string, ID);
      const raw = fs.readFileSync(file, 'utf8');
      assertNoSecrets(raw, [String(creds.accessToken), String(creds.refreshToken)]);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);

      // The token from the exchange is used: no refresh.
      const reply = await probeRequest(node);
      assert.equal(reply.status, 200);
      assert.equal(sb.sandbox.stats.tokenRequests.authorization_code, 1);
      assert.equal(sb.sandbox.stats.tokenRequests.refresh_token, 0);
    });

    it('refuses a used or unknown code with a clear error and stores nothing', async function () {
      await loadFlow([configNode(sb.url)], {
        [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      });
      const res = await helper.request().post(`/zoho-config/${ID}/auth/code`).send({
        code: '1000.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef',
        region: 'custom',
        accountsUrl: sb.url,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'INVALID_CODE');
      assert.match(res.body.error.message, /Generate a new one/);
      assert.equal(storedCredentials().refreshToken, undefined);
      const status = await helper.request().get(`/zoho-config/${ID}/status`);
      assert.equal(status.body.lastAttempt.ok, false);
    });

    it('works for a node that is not deployed yet', async function () {
      await loadFlow([]);
      const code = sb.sandbox.accounts.issueGrantCode({ clientId: CLIENT_ID, scope: SCOPE });
      const res = await helper.request().post('/zoho-config/newnode1/auth/code').send({
        code,
        region: 'custom',
        accountsUrl: sb.url,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.deployed, false);
      assert.equal(res.body.connected, true);
      assert.match(String(runtime().getCredentials('newnode1')?.refreshToken), /^1000\./);
    });
  });

  describe('connect flow', function () {
    it('start -> consent -> callback stores the credentials; a replay is refused', async function () {
      await loadFlow([configNode(sb.url)], {
        [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      });
      const statuses: ConnectionStatus[] = [];
      configOf().onStatus((s) => statuses.push(s));
      const url = new URL(await startConnect(sb.url, { clientSecret: '__PWRD__' }));
      assert.equal(url.origin, sb.url);
      assert.equal(url.searchParams.get('access_type'), 'offline');
      assert.equal(url.searchParams.get('prompt'), 'consent');
      assert.equal(url.searchParams.get('redirect_uri'), REDIRECT_URI);
      assert.equal(url.searchParams.get('scope'), SCOPE);
      assert.ok((url.searchParams.get('state') ?? '').length >= 22, 'state carries >= 128 bits');
      assert.ok(!url.toString().includes(CLIENT_SECRET));

      const callback = await consent(url.toString(), 'accept');
      const code = new URL(callback, 'http://x').searchParams.get('code') ?? '';
      const res = await helper.request().get(callback);
      assert.equal(res.status, 200);
      assert.match(res.text, /Connected — you can close this window/);
      assert.match(res.text, /window\.close\(\)/);
      assert.match(res.text, /window\.opener/);
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      const creds = configOf().credentials;
      assert.match(String(creds.refreshToken), /^1000\./);
      assertNoSecrets(res.text, [
        code,
        String(creds.refreshToken),
        String(creds.accessToken),
        CLIENT_SECRET,
      ]);
      assert.equal(statuses.at(-1)?.state, 'connected');

      const status = await helper.request().get(`/zoho-config/${ID}/status`);
      assert.equal(status.body.connected, true);
      assert.equal(status.body.apiDomain, sb.url);
      assert.ok(status.body.expiresAt > Date.now());
      assert.equal(status.body.lastAttempt.ok, true);
      assertNoSecrets(JSON.stringify(status.body), [
        String(creds.refreshToken),
        String(creds.accessToken),
        CLIENT_SECRET,
      ]);

      // Replaying the callback: the state was single use.
      const before = sb.sandbox.stats.tokenRequests.total;
      const replay = await helper.request().get(callback);
      assert.equal(replay.status, 400);
      assert.equal(sb.sandbox.stats.tokenRequests.total, before);
      assert.equal(storedCredentials().refreshToken, creds.refreshToken);
    });

    it('refuses an unknown state without echoing the query and stores nothing', async function () {
      await loadFlow([configNode(sb.url)], {
        [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      });
      await startConnect(sb.url);
      const evil = '<script>alert(1)</script>';
      const res = await helper
        .request()
        .get(
          `/zoho-config/auth/callback?state=${encodeURIComponent(evil + 'x'.repeat(30))}&code=abc`,
        );
      assert.equal(res.status, 400);
      assert.ok(!res.text.includes('alert(1)'));
      assert.ok(!res.text.includes('abc'));
      assert.equal(storedCredentials().refreshToken, undefined);
      assert.equal(sb.sandbox.stats.tokenRequests.total, 0);
      const missing = await helper.request().get('/zoho-config/auth/callback?code=abc');
      assert.equal(missing.status, 400);
    });

    it('refuses an expired state (after 10 minutes)', async function () {
      await loadFlow([configNode(sb.url)], {
        [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      });
      const url = await startConnect(sb.url);
      const callback = await consent(url, 'accept');
      const clock = sinon.useFakeTimers({ now: Date.now() + 11 * 60_000, toFake: ['Date'] });
      const res = await helper.request().get(callback);
      clock.restore();
      assert.equal(res.status, 400);
      assert.match(res.text, /not recognised/);
      assert.equal(storedCredentials().refreshToken, undefined);
      assert.equal(sb.sandbox.stats.tokenRequests.total, 0);
    });

    it('says consent was denied when the user clicks Deny', async function () {
      await loadFlow([configNode(sb.url)], {
        [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      });
      const callback = await consent(await startConnect(sb.url), 'deny');
      const res = await helper.request().get(callback);
      assert.match(res.text, /Consent was denied/);
      assert.equal(storedCredentials().refreshToken, undefined);
      const status = await helper.request().get(`/zoho-config/${ID}/status`);
      assert.equal(status.body.connected, false);
      assert.equal(status.body.lastAttempt.error.code, 'ACCESS_DENIED');
    });

    it('never sends the secret to an accounts server that is not the configured one', async function () {
      await loadFlow([configNode(sb.url)], {
        [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      });
      const callback = new URL(await consent(await startConnect(sb.url), 'accept'), 'http://x');
      callback.searchParams.set('accounts-server', 'https://accounts.evil.example');
      const res = await helper.request().get(callback.pathname + callback.search);
      assert.equal(res.status, 400);
      assert.match(res.text, /Wrong data centre/);
      assert.equal(sb.sandbox.stats.tokenRequests.total, 0);
      assert.equal(storedCredentials().refreshToken, undefined);
    });

    it('a consent that lands in another data centre (custom region): refused, the secret goes nowhere', async function () {
      await loadFlow([configNode(sb.url)], {
        [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      });
      // The account lives in an EU emulator: Zoho sends the browser there for consent.
      const eu = await startSandbox({ dc: 'eu' });
      try {
        const start = new URL(await startConnect(sb.url));
        const callback = await consent(`${eu.url}${start.pathname}${start.search}`, 'accept');
        assert.match(callback, /location=eu/);
        const res = await helper.request().get(callback);
        assert.equal(res.status, 400);
        assert.match(res.text, /Wrong data centre/);
        assert.match(res.text, /another accounts server/);
        assert.equal(sb.sandbox.stats.tokenRequests.total + eu.stats.tokenRequests.total, 0);
        assert.equal(storedCredentials().refreshToken, undefined);
        const status = await helper.request().get(`/zoho-config/${ID}/status`);
        assert.equal(status.body.lastAttempt.error.code, 'WRONG_DATA_CENTRE');
      } finally {
        await eu.stop();
      }
    });

    it('a US (.com) connection whose consent says location=eu names the EU data centre', async function () {
      await loadFlow([configNode(sb.url, { region: 'com' })], {
        [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      });
      // Consent is asked of accounts.zoho.com; the emulator stands in for Zoho's EU answer.
      sb.sandbox.configure({ dc: 'eu', accountsServer: 'https://accounts.zoho.eu' });
      const start = new URL(await startConnect(sb.url, { region: 'com' }));
      assert.equal(start.host, 'accounts.zoho.com');
      const callback = await consent(`${sb.url}${start.pathname}${start.search}`, 'accept');
      const res = await helper.request().get(callback);
      assert.equal(res.status, 400);
      assert.match(res.text, /Wrong data centre/);
      assert.match(res.text, /Europe \(zoho.eu\) data centre \(region &#34;eu&#34;\)/);
      assert.equal(sb.sandbox.stats.tokenRequests.total, 0);
      assert.equal(storedCredentials().refreshToken, undefined);
    });

    it('validates the start request', async function () {
      await loadFlow([configNode(sb.url)]);
      const bad = [
        { redirectUri: 'http://evil.example/steal' },
        { clientId: '' },
        { region: 'mars' },
        { region: 'custom', accountsUrl: '' },
        { clientSecret: '__PWRD__' }, // nothing stored to fall back to
      ];
      for (const extra of bad) {
        const res = await helper
          .request()
          .post(`/zoho-config/${ID}/auth/start`)
          .send({
            region: 'custom',
            accountsUrl: sb.url,
            clientId: CLIENT_ID,
            clientSecret: CLIENT_SECRET,
            redirectUri: REDIRECT_URI,
            ...extra,
          });
        assert.equal(res.status, 400, JSON.stringify(extra));
        assert.ok(res.body.error.message);
      }
    });

    it('builds a consent URL for a Zoho data centre', async function () {
      await loadFlow([configNode(sb.url)]);
      const res = await helper.request().post(`/zoho-config/${ID}/auth/start`).send({
        region: 'eu',
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        scopes: '',
        redirectUri: REDIRECT_URI,
      });
      const url = new URL(res.body.url);
      assert.equal(url.origin + url.pathname, 'https://accounts.zoho.eu/oauth/v2/auth');
      assert.match(
        String(url.searchParams.get('scope')),
        /ZohoCRM\.modules\.ALL.*ZohoBooks\.fullaccess\.all/,
      );
    });
  });

  describe('token persistence', function () {
    it('a redeploy with a valid stored token makes no token request', async function () {
      noUserDir();
      const refreshToken = sb.sandbox.accounts.issueRefreshToken({
        clientId: CLIENT_ID,
        scope: SCOPE,
      });
      const flow = [configNode(sb.url)];
      await loadFlow(flow, {
        [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken },
      });
      const first = configOf();
      await probeRequest(first);
      assert.equal(sb.sandbox.stats.tokenRequests.refresh_token, 1);
      assert.match(String(storedCredentials().accessToken), /^1000\./);

      // What the editor sends on deploy: the form's credentials, secrets as __PWRD__.
      await helper.setFlows(
        [
          {
            ...configNode(sb.url),
            name: 'renamed',
            credentials: { clientId: CLIENT_ID, clientSecret: '__PWRD__' },
          },
        ],
        'full',
      );
      const second = configOf();
      assert.notEqual(second, first);
      assert.equal(second.name, 'renamed');
      await probeRequest(second);
      assert.equal(sb.sandbox.stats.tokenRequests.total, 1);
      assert.equal(second.credentials.refreshToken, refreshToken);
    });

    it('a restart reuses the encrypted token cache: no token request', async function () {
      const refreshToken = sb.sandbox.accounts.issueRefreshToken({
        clientId: CLIENT_ID,
        scope: SCOPE,
      });
      const creds = { [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken } };
      await loadFlow([configNode(sb.url)], creds);
      await probeRequest(configOf());
      assert.equal(sb.sandbox.stats.tokenRequests.refresh_token, 1);
      await unloadFlow();

      // A fresh runtime from flows_cred.json as it was (no access token in it), same userDir.
      await loadFlow([configNode(sb.url)], creds);
      await probeRequest(configOf());
      assert.equal(sb.sandbox.stats.tokenRequests.total, 1);
      assert.equal(configOf().connectionStatus().state, 'connected');
    });

    it('never uses a token cached for another refresh token', async function () {
      const rt1 = sb.sandbox.accounts.issueRefreshToken({ clientId: CLIENT_ID, scope: SCOPE });
      await loadFlow([configNode(sb.url)], {
        [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken: rt1 },
      });
      await probeRequest(configOf());
      const cached = String(storedCredentials().accessToken);
      const tokenKey = storedCredentials().tokenKey;
      await unloadFlow();

      const rt2 = sb.sandbox.accounts.issueRefreshToken({ clientId: CLIENT_ID, scope: SCOPE });
      await loadFlow([configNode(sb.url)], {
        // Even the old token left in the credentials is ignored: it belongs to rt1.
        [ID]: {
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          refreshToken: rt2,
          accessToken: cached,
          expiresAt: String(Date.now() + 3_000_000),
          apiDomain: sb.url,
          tokenKey,
        },
      });
      await probeRequest(configOf());
      assert.equal(sb.sandbox.stats.tokenRequests.refresh_token, 2);
      assert.notEqual(storedCredentials().accessToken, cached);
      assert.equal(
        sb.sandbox.accounts.refreshTokenOf(String(storedCredentials().accessToken)),
        rt2,
      );
    });
  });

  describe('secrets', function () {
    it('the flow export, status and logs hold no secret', async function () {
      const canarySecret = 'CANARY-client-secret-7f3a9';
      sb.sandbox.accounts.addClient({ clientId: '1000.CANARY', clientSecret: canarySecret });
      const refreshToken = sb.sandbox.accounts.issueRefreshToken({
        clientId: '1000.CANARY',
        scope: SCOPE,
      });
      await loadFlow([configNode(sb.url)], {
        [ID]: { clientId: '1000.CANARY', clientSecret: canarySecret, refreshToken },
      });
      await probeRequest(configOf());
      const accessToken = String(storedCredentials().accessToken);
      assert.match(accessToken, /^1000\./);
      const exported = JSON.stringify(runtime().getFlows());
      assertNoSecrets(exported, [canarySecret, refreshToken, accessToken]);
      assert.ok(!exported.includes('"credentials"'));
      const status = await helper.request().get(`/zoho-config/${ID}/status?check=1`);
      assertNoSecrets(status.text, [canarySecret, refreshToken, accessToken]);
      const logSpy = helper.log() as sinon.SinonSpy;
      assertNoSecrets(JSON.stringify(logSpy.args), [canarySecret, refreshToken, accessToken]);
    });
  });

  describe('revoked refresh token', function () {
    it('shows the clear error in the status endpoint and to subscribed nodes', async function () {
      noUserDir();
      const refreshToken = sb.sandbox.accounts.issueRefreshToken({
        clientId: CLIENT_ID,
        scope: SCOPE,
      });
      await loadFlow([configNode(sb.url)], {
        [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken },
      });
      const node = configOf();
      const seen: ConnectionStatus[] = [];
      node.onStatus((s) => seen.push(s));
      sb.sandbox.accounts.revokeRefreshToken(refreshToken);

      const res = await helper.request().get(`/zoho-config/${ID}/status?check=1`);
      assert.equal(res.status, 200);
      assert.equal(res.body.connected, false);
      assert.equal(res.body.hasRefreshToken, true);
      assert.equal(res.body.error.code, 'TOKEN_REVOKED');
      assert.match(res.body.error.message, /Open the zoho-config node and click Connect again/);
      assert.equal(seen.at(-1)?.state, 'error');

      await assert.rejects(probeRequest(node), { code: 'TOKEN_REVOKED' });
      const again = await helper.request().get(`/zoho-config/${ID}/status`);
      assert.equal(again.body.error.code, 'TOKEN_REVOKED');
      // Latched: one token request, not one per call.
      assert.equal(sb.sandbox.stats.tokenRequests.refresh_token, 1);
    });
  });

  describe('disconnect', function () {
    it('revokes the refresh token and forgets every token', async function () {
      const refreshToken = sb.sandbox.accounts.issueRefreshToken({
        clientId: CLIENT_ID,
        scope: SCOPE,
      });
      await loadFlow([configNode(sb.url)], {
        [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken },
      });
      await probeRequest(configOf());
      const accessToken = String(storedCredentials().accessToken);
      const file = cacheFile(userDir() as string, ID);
      assert.ok(fs.existsSync(file));

      const res = await helper.request().post(`/zoho-config/${ID}/disconnect`).send({});
      assert.equal(res.status, 200);
      assert.equal(res.body.revoked, true);
      const creds = storedCredentials();
      assert.equal(creds.refreshToken, undefined);
      assert.equal(creds.accessToken, undefined);
      assert.equal(creds.clientId, CLIENT_ID);
      assert.equal(creds.clientSecret, CLIENT_SECRET);
      assert.equal(sb.sandbox.accounts.validateAccessToken(accessToken), undefined);
      assert.ok(!fs.existsSync(file));
      assert.equal(configOf().connectionStatus().state, 'not-connected');
      await assert.rejects(probeRequest(configOf()), { code: 'NOT_CONNECTED' });
    });
  });
});

describe('zoho-config with adminAuth', function () {
  const sb = useSandbox();
  const adminAuth = {
    type: 'credentials',
    users: [],
    tokens: (token: string) =>
      Promise.resolve(token === 'good-token' ? { username: 'admin', permissions: '*' } : null),
  };

  before(() => startRed({ adminAuth }));
  afterEach(() => unloadFlow());
  after(() => stopRed());

  it('every admin endpoint but the callback refuses an unauthenticated caller', async function () {
    await loadFlow([configNode(sb.url)], {
      [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });
    const body = {
      region: 'custom',
      accountsUrl: sb.url,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: REDIRECT_URI,
      code: 'x',
    };
    const calls = [
      () => helper.request().post(`/zoho-config/${ID}/auth/start`).send(body),
      () => helper.request().post(`/zoho-config/${ID}/auth/code`).send(body),
      () => helper.request().get(`/zoho-config/${ID}/status`),
      () => helper.request().post(`/zoho-config/${ID}/disconnect`).send({}),
    ];
    for (const call of calls) assert.equal((await call()).status, 401);
    for (const call of calls) {
      assert.equal((await call().set('Authorization', 'Bearer wrong')).status, 401);
    }
    const allowed = await helper
      .request()
      .get(`/zoho-config/${ID}/status`)
      .set('Authorization', 'Bearer good-token');
    assert.equal(allowed.status, 200);

    // The callback takes no permission: its guard is the state.
    const started = await helper
      .request()
      .post(`/zoho-config/${ID}/auth/start`)
      .set('Authorization', 'Bearer good-token')
      .send(body);
    assert.equal(started.status, 200);
    const callback = await consent(started.body.url, 'accept');
    const res = await helper.request().get(callback);
    assert.equal(res.status, 200);
    assert.match(String(storedCredentials().refreshToken), /^1000\./);
  });
});
