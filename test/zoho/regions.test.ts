import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  REGION_IDS,
  accountsUrl,
  defaultApiDomain,
  productBaseUrl,
  regionFromLocation,
  trustedApiDomain,
  issuerOf,
  settingsOfIssuer,
  trustedHosts,
} from '../../src/zoho/core/regions';

describe('regions', () => {
  it('maps every data centre to its accounts and API hosts', () => {
    const expected: Record<string, [string, string]> = {
      com: ['https://accounts.zoho.com', 'https://www.zohoapis.com'],
      eu: ['https://accounts.zoho.eu', 'https://www.zohoapis.eu'],
      in: ['https://accounts.zoho.in', 'https://www.zohoapis.in'],
      'com.au': ['https://accounts.zoho.com.au', 'https://www.zohoapis.com.au'],
      jp: ['https://accounts.zoho.jp', 'https://www.zohoapis.jp'],
      uk: ['https://accounts.zoho.uk', 'https://www.zohoapis.uk'],
      ca: ['https://accounts.zohocloud.ca', 'https://www.zohoapis.ca'],
      sa: ['https://accounts.zoho.sa', 'https://www.zohoapis.sa'],
      'com.cn': ['https://accounts.zoho.com.cn', 'https://www.zohoapis.com.cn'],
    };
    assert.deepEqual([...REGION_IDS].sort(), Object.keys(expected).sort());
    for (const region of REGION_IDS) {
      assert.equal(accountsUrl({ region }), expected[region][0], region);
      assert.equal(defaultApiDomain({ region }), expected[region][1], region);
    }
  });

  it('routes eu products to eu hosts', () => {
    assert.equal(productBaseUrl('crm', { region: 'eu' }), 'https://www.zohoapis.eu/crm');
    assert.equal(productBaseUrl('books', { region: 'eu' }), 'https://www.zohoapis.eu/books/v3');
    assert.equal(productBaseUrl('desk', { region: 'eu' }), 'https://desk.zoho.eu/api/v1');
    assert.equal(productBaseUrl('desk', { region: 'ca' }), 'https://desk.zohocloud.ca/api/v1');
  });

  it("lets api_domain win over the region's default only within the data centre and environment", () => {
    const sandbox = { region: 'eu' as const, environment: 'sandbox' as const };
    assert.equal(
      productBaseUrl('crm', sandbox, 'https://sandbox.zohoapis.eu'),
      'https://sandbox.zohoapis.eu/crm',
    );
    // A production connection never sends to the sandbox host, nor a sandbox one to production.
    assert.equal(
      productBaseUrl('crm', { region: 'eu' }, 'https://sandbox.zohoapis.eu'),
      'https://www.zohoapis.eu/crm',
    );
    assert.equal(
      productBaseUrl('crm', sandbox, 'https://www.zohoapis.eu'),
      'https://sandbox.zohoapis.eu/crm',
    );
    assert.equal(
      productBaseUrl('crm', { region: 'eu' }, 'https://www.zohoapis.com'),
      'https://www.zohoapis.eu/crm',
    );
  });

  it('trusts an api_domain only when https and a Zoho API host of the data centre', () => {
    const custom = { region: 'custom' as const, accountsUrl: 'http://127.0.0.1:9999/' };
    assert.equal(
      trustedApiDomain({ region: 'com' }, 'https://www.zohoapis.com'),
      'https://www.zohoapis.com',
    );
    assert.equal(
      trustedApiDomain(
        { region: 'com', environment: 'developer' },
        'https://developer.zohoapis.com/',
      ),
      'https://developer.zohoapis.com',
    );
    assert.equal(trustedApiDomain(custom, 'http://127.0.0.1:9999'), 'http://127.0.0.1:9999');
    for (const bad of [
      'http://www.zohoapis.com',
      'https://www.zohoapis.eu',
      'https://www.zohoapis.com.evil.example',
      'https://x@www.zohoapis.com',
      'https://www.zohoapis.com:444',
      'https://www.zohoapis.com/x',
      'https://evil.zohoapis.com',
      'https://sandbox.zohoapis.com',
      'https://developer.zohoapis.com',
      '',
      undefined,
      7,
    ]) {
      assert.equal(trustedApiDomain({ region: 'com' }, bad), undefined, String(bad));
    }
    assert.equal(trustedApiDomain(custom, 'http://127.0.0.1:9998'), undefined);
    assert.equal(trustedApiDomain(custom, 'https://127.0.0.1:9999'), undefined);
  });

  it('serves every product from the custom accounts URL (the sandbox)', () => {
    const settings = { region: 'custom' as const, accountsUrl: 'http://127.0.0.1:9999/' };
    assert.equal(accountsUrl(settings), 'http://127.0.0.1:9999');
    assert.equal(productBaseUrl('crm', settings), 'http://127.0.0.1:9999/crm');
    assert.equal(productBaseUrl('desk', settings), 'http://127.0.0.1:9999/desk/api/v1');
    assert.throws(() => accountsUrl({ region: 'custom' }), /accounts URL/);
    assert.throws(() => accountsUrl({ region: 'custom', accountsUrl: 'ftp://x' }), /http/);
  });

  it('trusts only the hosts of the connection', () => {
    const hosts = trustedHosts({ region: 'eu' });
    assert.ok(hosts.has('www.zohoapis.eu'));
    assert.ok(hosts.has('accounts.zoho.eu'));
    assert.ok(hosts.has('desk.zoho.eu'));
    assert.ok(!hosts.has('www.zohoapis.com'));
    assert.ok(!hosts.has('evil.example'));
    assert.ok(!trustedHosts({ region: 'eu' }, 'https://www.zohoapis.com').has('www.zohoapis.com'));
    assert.ok(
      !trustedHosts({ region: 'eu' }, 'https://sandbox.zohoapis.eu').has('sandbox.zohoapis.eu'),
    );
    const sandbox = trustedHosts({ region: 'eu', environment: 'sandbox' });
    assert.ok(sandbox.has('sandbox.zohoapis.eu'));
    assert.ok(!sandbox.has('www.zohoapis.eu'));
  });

  it("has each data centre's sandbox and developer CRM hosts, as Zoho's SDK defines them", () => {
    // Read from the SDK itself: lib/routes/dc/<dc>_data_center.js, PRODUCTION / SANDBOX / DEVELOPER.
    // The SDK has no UK file; uk follows the same pattern (unverified, docs/ZOHO-FACTS.md).
    const sdkFile: Partial<Record<string, string>> = {
      com: 'us',
      eu: 'eu',
      in: 'in',
      'com.au': 'au',
      jp: 'jp',
      ca: 'ca',
      sa: 'sa',
      'com.cn': 'cn',
    };
    const dir = path.dirname(require.resolve('@zohocrm/nodejs-sdk-8.0/package.json'));
    for (const region of REGION_IDS) {
      const file = sdkFile[region];
      if (!file) continue;
      const source = fs.readFileSync(
        path.join(dir, 'lib/routes/dc', `${file}_data_center.js`),
        'utf8',
      );
      for (const environment of ['production', 'sandbox', 'developer'] as const) {
        const re = new RegExp(
          `_${environment.toUpperCase()} = DataCenter\\.setEnvironment\\("([^"]+)"`,
        );
        const sdkHost = re.exec(source)?.[1];
        assert.ok(sdkHost, `${file} ${environment}`);
        assert.equal(
          defaultApiDomain({ region, environment }),
          sdkHost,
          `${region} ${environment}`,
        );
        assert.equal(productBaseUrl('crm', { region, environment }), `${sdkHost}/crm`);
        assert.equal(accountsUrl({ region, environment }), accountsUrl({ region }));
      }
    }
    assert.equal(
      defaultApiDomain({ region: 'uk', environment: 'sandbox' }),
      'https://sandbox.zohoapis.uk',
    );
  });

  it('refuses Books (and every product but CRM) on a sandbox or developer environment', () => {
    for (const environment of ['sandbox', 'developer'] as const) {
      for (const region of ['com', 'custom'] as const) {
        const settings = { region, environment, accountsUrl: 'http://127.0.0.1:9999' };
        assert.throws(() => productBaseUrl('books', settings), {
          code: 'ENVIRONMENT_UNSUPPORTED',
          kind: 'config',
          param: 'environment',
          message: /Zoho books has no .* host/,
        });
        assert.throws(() => productBaseUrl('desk', settings), { code: 'ENVIRONMENT_UNSUPPORTED' });
      }
    }
  });

  it('allows a plain-http custom accounts URL only to loopback, unless explicitly allowed', () => {
    for (const ok of [
      'http://127.0.0.1:8800',
      'http://localhost:1',
      'http://[::1]:8',
      'https://zoho.test',
    ]) {
      assert.equal(accountsUrl({ region: 'custom', accountsUrl: ok }), ok, ok);
    }
    for (const bad of [
      'http://192.168.1.5:8800',
      'http://zoho.test',
      'http://127.0.0.1.evil.test',
    ]) {
      assert.throws(() => accountsUrl({ region: 'custom', accountsUrl: bad }), {
        code: 'INVALID_INPUT',
        param: 'accountsUrl',
        message: /plain http .* tick "insecure"/,
      });
      const allowed = { region: 'custom' as const, accountsUrl: bad, allowInsecureHttp: true };
      assert.equal(accountsUrl(allowed), bad);
    }
  });

  it('names the issuer of tokens by region, environment and accounts URL, and reads it back', () => {
    const settings = [
      { region: 'com' as const },
      { region: 'com' as const, environment: 'sandbox' as const },
      { region: 'eu' as const, environment: 'developer' as const },
      { region: 'custom' as const, accountsUrl: 'http://127.0.0.1:9999' },
    ];
    const issuers = settings.map((s) => issuerOf(s));
    assert.equal(new Set(issuers).size, settings.length);
    assert.equal(issuers[0], 'com production https://accounts.zoho.com');
    for (const issuer of issuers) assert.equal(issuerOf(settingsOfIssuer(issuer)!), issuer);
    for (const bad of ['', 'mars production x', 'com staging https://accounts.zoho.com', 7]) {
      assert.equal(settingsOfIssuer(bad), undefined, String(bad));
    }
  });

  it('maps Zoho redirect locations back to regions', () => {
    assert.equal(regionFromLocation('us'), 'com');
    assert.equal(regionFromLocation('eu'), 'eu');
    assert.equal(regionFromLocation('au'), 'com.au');
    assert.equal(regionFromLocation('mars'), undefined);
  });
});
