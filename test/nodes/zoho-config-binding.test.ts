/**
 * zoho-config: where its tokens and stored secret may go. Tokens carry the issuer (region,
 * environment, accounts URL) they were earned from; a changed setting asks to reconnect and sends
 * nothing. The admin routes take the settings from the node, not the request, whenever the
 * stored client secret is used. CRM sandbox/developer environments show in every status.
 */
import * as assert from 'node:assert/strict';
import type { ZohoConfigNode } from '../../src/nodes/runtime/config-node';
import { issuerOf } from '../../src/zoho/core/regions';
import { HostileServer, hostileServer } from '../zoho/hostile-server';
import {
  FlowNode,
  freshUserDir,
  helper,
  loadFlow,
  runtime,
  startRed,
  stopRed,
  unloadFlow,
} from '../helpers/red';
import { DEFAULT_CLIENT, probeFamily, useSandbox, withProbe } from '../helpers/sandbox';

const { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } = DEFAULT_CLIENT;
const SCOPE = 'ZohoCRM.modules.ALL,ZohoBooks.fullaccess.all';
const ID = 'cfgbind';

function configNode(accountsUrl: string, extra: Record<string, unknown> = {}): FlowNode {
  return { id: ID, type: 'zoho-config', region: 'custom', accountsUrl, scopes: '', ...extra };
}

const configOf = () => helper.getNode(ID) as unknown as ZohoConfigNode;
const storedCredentials = () => runtime().getCredentials(ID) ?? {};
const probe = (node: ZohoConfigNode, product: 'crm' | 'books' = 'crm') =>
  node
    .getConnection()
    .request({ product, method: 'GET', path: product === 'crm' ? '/v8/__probe' : '/__probe' });

describe('zoho-config: tokens, secrets and settings', function () {
  const sb = useSandbox({}, withProbe(probeFamily()));
  let evil: HostileServer;

  before(() => startRed());
  beforeEach(async () => {
    freshUserDir();
    evil = await hostileServer();
  });
  afterEach(async () => {
    await unloadFlow();
    await evil.close();
  });
  after(() => stopRed());

  const issueRefreshToken = () =>
    sb.sandbox.accounts.issueRefreshToken({ clientId: CLIENT_ID, scope: SCOPE });

  it('a changed accounts URL asks to reconnect and sends nothing anywhere', async function () {
    const refreshToken = issueRefreshToken();
    const issuer = issuerOf({ region: 'custom', accountsUrl: sb.url });
    await loadFlow([configNode(evil.url)], {
      [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken, issuer },
    });
    const node = configOf();
    await assert.rejects(probe(node), { code: 'RECONNECT_NEEDED' });
    assert.equal(node.connectionStatus().state, 'error');
    assert.equal(node.connectionStatus().error?.code, 'RECONNECT_NEEDED');
    const status = await helper.request().get(`/zoho-config/${ID}/status?check=1`);
    assert.equal(status.body.connected, false);
    assert.match(status.body.error.message, /changed since it was connected.*click Connect again/);
    assert.equal(evil.tokenRequests + evil.requests.length, 0);
    assert.equal(sb.sandbox.stats.tokenRequests.total, 0);
  });

  it('records the issuer of credentials stored before issuers existed, then holds to it', async function () {
    const refreshToken = issueRefreshToken();
    await loadFlow([configNode(sb.url)], {
      [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken },
    });
    assert.equal((await probe(configOf())).status, 200);
    assert.equal(storedCredentials().issuer, issuerOf({ region: 'custom', accountsUrl: sb.url }));
  });

  it('a sandbox environment shows in the status; Books is refused there, nothing sent', async function () {
    const refreshToken = issueRefreshToken();
    const issuer = issuerOf({ region: 'custom', accountsUrl: sb.url, environment: 'sandbox' });
    await loadFlow([configNode(sb.url, { environment: 'sandbox' })], {
      [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken, issuer },
    });
    const node = configOf();
    assert.equal(node.environment, 'sandbox');
    assert.equal((await probe(node)).status, 200);
    const requests = sb.sandbox.stats.tokenRequests.total;
    await assert.rejects(probe(node, 'books'), {
      code: 'ENVIRONMENT_UNSUPPORTED',
      message: /no sandbox environment host/,
    });
    assert.equal(sb.sandbox.stats.tokenRequests.total, requests);
    assert.equal(node.connectionStatus().environment, 'sandbox');
    const status = await helper.request().get(`/zoho-config/${ID}/status`);
    assert.equal(status.body.environment, 'sandbox');
  });

  it('a plain-http accounts URL beyond loopback is refused unless "insecure" is ticked', async function () {
    await loadFlow([configNode('http://192.0.2.1:8800')], {
      [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken: 'rt' },
    });
    await assert.rejects(async () => probe(configOf()), {
      code: 'INVALID_INPUT',
      param: 'accountsUrl',
    });
    assert.equal(configOf().connectionStatus().error?.code, 'INVALID_INPUT');
    const res = await helper.request().post(`/zoho-config/${ID}/auth/code`).send({
      code: '1000.abc',
      region: 'custom',
      accountsUrl: 'http://192.0.2.1:8800',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    });
    assert.equal(res.status, 400);
    assert.match(res.body.error.message, /plain http/);
    await unloadFlow();
    await loadFlow([configNode('http://192.0.2.1:8800', { insecureHttp: true })], {
      [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken: 'rt' },
    });
    assert.equal(configOf().connectionStatus().state, 'connected');
  });

  describe('admin routes with the stored secret', function () {
    const exchange = (code: string, accountsUrl: string, clientSecret = '__PWRD__') =>
      helper.request().post(`/zoho-config/${ID}/auth/code`).send({
        code,
        region: 'custom',
        accountsUrl,
        clientId: CLIENT_ID,
        clientSecret,
      });

    it('code exchange: the stored secret goes only where the node is set, never where the body says', async function () {
      await loadFlow([configNode(sb.url)], {
        [ID]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      });
      const code = sb.sandbox.accounts.issueGrantCode({ clientId: CLIENT_ID, scope: SCOPE });
      const refused = await exchange(code, evil.url);
      assert.equal(refused.status, 400);
      assert.match(refused.body.error.message, /enter the Client Secret again/);
      assert.equal(evil.tokenRequests + evil.requests.length, 0);

      const ok = await exchange(code, sb.url);
      assert.equal(ok.status, 200, ok.text);
      assert.equal(storedCredentials().issuer, issuerOf({ region: 'custom', accountsUrl: sb.url }));
      // A secret typed into the request is the requester's own: it goes where the request says.
      const typed = await exchange('1000.x', evil.url, 'typed-secret');
      assert.notEqual(typed.status, 200, 'the hostile server issues no refresh token');
      assert.equal(evil.tokenRequests, 1);
    });

    it('code exchange for an undeployed node uses the issuer of its stored secret', async function () {
      await loadFlow([]);
      const first = sb.sandbox.accounts.issueGrantCode({ clientId: CLIENT_ID, scope: SCOPE });
      const post = (code: string, accountsUrl: string, clientSecret = '__PWRD__') =>
        helper.request().post('/zoho-config/undeployed1/auth/code').send({
          code,
          region: 'custom',
          accountsUrl,
          clientId: CLIENT_ID,
          clientSecret,
        });
      assert.equal((await post(first, sb.url, CLIENT_SECRET)).status, 200);
      const again = sb.sandbox.accounts.issueGrantCode({ clientId: CLIENT_ID, scope: SCOPE });
      assert.equal((await post(again, evil.url)).status, 400);
      assert.equal(evil.tokenRequests, 0);
      assert.equal((await post(again, sb.url)).status, 200);
    });

    it('disconnect revokes at the issuer of the token, whatever the body names', async function () {
      // Not deployed: before, the body's accounts URL was used here.
      await loadFlow([]);
      const code = sb.sandbox.accounts.issueGrantCode({ clientId: CLIENT_ID, scope: SCOPE });
      const connect = await helper.request().post('/zoho-config/undeployed2/auth/code').send({
        code,
        region: 'custom',
        accountsUrl: sb.url,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
      });
      assert.equal(connect.status, 200, connect.text);
      const accessToken = String(runtime().getCredentials('undeployed2')?.accessToken);
      const res = await helper
        .request()
        .post('/zoho-config/undeployed2/disconnect')
        .send({ region: 'custom', accountsUrl: evil.url });
      assert.equal(res.status, 200);
      assert.equal(res.body.revoked, true);
      assert.equal(evil.tokenRequests + evil.requests.length, 0);
      assert.equal(sb.sandbox.accounts.validateAccessToken(accessToken), undefined);
      assert.equal(runtime().getCredentials('undeployed2')?.refreshToken, undefined);
    });
  });
});
