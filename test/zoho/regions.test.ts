import assert from 'node:assert/strict';
import {
  REGION_IDS,
  accountsUrl,
  defaultApiDomain,
  productBaseUrl,
  regionFromLocation,
  trustedApiDomain,
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

  it("lets api_domain win over the region's default only within the data centre", () => {
    assert.equal(
      productBaseUrl('crm', { region: 'eu' }, 'https://sandbox.zohoapis.eu'),
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
      trustedApiDomain({ region: 'com' }, 'https://developer.zohoapis.com/'),
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
      trustedHosts({ region: 'eu' }, 'https://sandbox.zohoapis.eu').has('sandbox.zohoapis.eu'),
    );
  });

  it('maps Zoho redirect locations back to regions', () => {
    assert.equal(regionFromLocation('us'), 'com');
    assert.equal(regionFromLocation('eu'), 'eu');
    assert.equal(regionFromLocation('au'), 'com.au');
    assert.equal(regionFromLocation('mars'), undefined);
  });
});
