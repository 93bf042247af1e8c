import assert from 'node:assert/strict';
import { MemoryTokenStore, ZohoAuth } from '../../src/zoho/core/auth';
import { ZohoHttp } from '../../src/zoho/core/http';
import { hostileApiDomains, useHostileZoho } from './hostile-server';

const CLIENT = { clientId: '1000.HOSTILECLIENT', clientSecret: 'hostile-secret' };

describe('api_domain: only a Zoho API host of the connection’s data centre', () => {
  const rig = useHostileZoho();

  function connect(warnings: string[] = []) {
    return rig.connect({ logger: { debug: () => undefined, warn: (m) => warnings.push(m) } });
  }

  it('a custom connection keeps to its accounts origin whatever api_domain Zoho names', async () => {
    for (const apiDomain of hostileApiDomains(rig.evil.url)) {
      rig.zoho.apiDomain = apiDomain;
      const warnings: string[] = [];
      const conn = connect(warnings);
      const res = await conn.request({ method: 'GET', path: '/v8/org' });
      assert.equal(res.status, 200, String(apiDomain));
      assert.equal(conn.auth.current()?.apiDomain, rig.zoho.url);
      const status = conn.status();
      assert.equal(status.state, 'connected');
      assert.equal(status.warning?.code, 'UNTRUSTED_API_DOMAIN', String(apiDomain));
      assert.equal(warnings.length, 1, String(apiDomain));
    }
    assert.deepEqual(rig.evil.requests, []);
    assert.ok(rig.zoho.requests.every((r) => r.path === '/crm/v8/org'));
  });

  it('accepts the accounts origin itself, without a warning', async () => {
    rig.zoho.apiDomain = rig.zoho.url;
    const warnings: string[] = [];
    const conn = connect(warnings);
    // The product prefix in a path copied from Zoho's docs is not doubled.
    await conn.request({ method: 'GET', path: '/crm/v8/org' });
    assert.deepEqual(
      rig.zoho.requests.map((r) => r.path),
      ['/crm/v8/org'],
    );
    assert.equal(conn.status().warning, undefined);
    assert.deepEqual(warnings, []);
  });

  it('a com auth replaces a foreign api_domain by www.zohoapis.com; the http refuses its host', async () => {
    rig.zoho.apiDomain = rig.evil.url;
    const refused: string[] = [];
    const auth = new ZohoAuth({
      accountsUrl: rig.zoho.url,
      ...CLIENT,
      refreshToken: 'rt',
      region: { region: 'com' },
      onUntrustedApiDomain: (domain) => refused.push(domain),
    });
    assert.equal((await auth.accessToken()).apiDomain, 'https://www.zohoapis.com');
    assert.deepEqual(refused, [rig.evil.url]);
    // A bare auth (region from its accounts URL: custom) paired with a com http, as the attack did.
    const bare = new ZohoAuth({ accountsUrl: rig.zoho.url, ...CLIENT, refreshToken: 'rt' });
    await bare.accessToken();
    const warnings: string[] = [];
    const http = new ZohoHttp({
      auth: bare,
      region: { region: 'com' },
      logger: { debug: () => undefined, warn: (m) => warnings.push(m) },
    });
    await assert.rejects(http.request({ method: 'GET', url: `${rig.evil.url}/crm/v8/org` }), {
      code: 'FORBIDDEN_HOST',
    });
    assert.deepEqual(rig.evil.requests, []);
    assert.equal(warnings.length, 1, 'the http layer says once that it ignores the api_domain');
    http.close();
  });

  it('a stored token with a foreign api_domain is corrected before any use', async () => {
    const store = new MemoryTokenStore({
      accessToken: 'stored',
      expiresAt: Date.now() + 3600_000,
      apiDomain: rig.evil.url,
    });
    const warnings: string[] = [];
    const conn = rig.connect({
      region: 'eu',
      accountsUrl: undefined,
      tokenStore: store,
      logger: { debug: () => undefined, warn: (m) => warnings.push(m) },
    });
    assert.equal(conn.auth.current()?.apiDomain, 'https://www.zohoapis.eu');
    assert.equal(store.load()?.apiDomain, 'https://www.zohoapis.eu');
    assert.equal(conn.status().warning?.code, 'UNTRUSTED_API_DOMAIN');
    assert.equal(warnings.length, 1);
    await assert.rejects(conn.request({ method: 'GET', url: `${rig.evil.url}/crm/v8/org` }), {
      code: 'FORBIDDEN_HOST',
    });
    assert.deepEqual(rig.evil.requests, []);
  });
});
