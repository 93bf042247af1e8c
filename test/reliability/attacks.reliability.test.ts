/**
 * The outside attack of issue 13, replayed against the client library with a hostile "Zoho" on
 * 127.0.0.1: each case asserts the pack holds and records a figure of what got through.
 */
import assert from 'node:assert/strict';
import { ZohoConnection } from '../../src/zoho/core/connection';
import {
  HostileServer,
  SCOPE_MISMATCH,
  answer401,
  failingCalls,
  hostileApiDomains,
  hostileServer,
} from '../zoho/hostile-server';
import { figure } from './figures';

const CLIENT = { clientId: '1000.ATTACKCLIENT', clientSecret: 'attack-secret' };

describe('reliability: attacks from a hostile Zoho', function () {
  this.timeout(120_000);
  let accounts: HostileServer;
  let evil: HostileServer;
  const open: ZohoConnection[] = [];
  beforeEach(async () => {
    accounts = await hostileServer();
    evil = await hostileServer();
  });
  afterEach(async () => {
    while (open.length) open.pop()?.close();
    await accounts.close();
    await evil.close();
  });

  function connect(extra: Partial<ConstructorParameters<typeof ZohoConnection>[0]> = {}) {
    const conn = new ZohoConnection({
      region: 'custom',
      accountsUrl: accounts.url,
      ...CLIENT,
      refreshToken: 'rt',
      ...extra,
    });
    open.push(conn);
    return conn;
  }

  it('api_domain: no foreign or insecure api_domain is ever used', async () => {
    const domains = hostileApiDomains(evil.url);
    let accepted = 0;
    for (const apiDomain of domains) {
      accounts.apiDomain = apiDomain;
      const conn = connect();
      await conn.request({ method: 'GET', path: '/v8/org' });
      if (conn.auth.current()?.apiDomain !== accounts.url) accepted++;
    }
    accepted += evil.requests.length;
    figure('attack.api_domain.hostile_values', domains.length);
    figure('attack.api_domain.foreign_accepted', accepted);
    assert.equal(accepted, 0);
  });

  it('401 storm: 20 scope-mismatch answers cause no refresh and leave the connection green', async () => {
    accounts.api = (_req, res) => answer401(res, SCOPE_MISMATCH);
    const conn = connect();
    const errors = await failingCalls(conn, 20);
    const refreshes = accounts.tokenRequests - 1;
    figure('attack.scope_mismatch.refreshes_per_20', refreshes);
    figure('attack.scope_mismatch.connection_red', conn.status().state === 'connected' ? 0 : 1);
    assert.equal(refreshes, 0);
    assert.ok(errors.every((e) => e.kind === 'scope'));
  });
});
