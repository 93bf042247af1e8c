/**
 * Where tokens and secrets may go when a connection's settings change (issue 13 items 2 and 12,
 * issue 12 item 6), counted: every switch between issuers sends nothing and asks to reconnect;
 * plain http beyond loopback is refused without the explicit tick; every scope refusal names the
 * scope its call needs.
 */
import assert from 'node:assert/strict';
import { ZohoConnection } from '../../src/zoho/core/connection';
import type { ZohoError } from '../../src/zoho/core/errors';
import { RegionSettings, accountsUrl, issuerOf } from '../../src/zoho/core/regions';
import { answer401, useHostileZoho } from '../zoho/hostile-server';
import { figure } from './figures';

const CLIENT = { clientId: '1000.SWITCH', clientSecret: 'switch-secret', refreshToken: 'rt' };

describe('attack: settings changed under deployed tokens', function () {
  const rig = useHostileZoho();

  it('every switch of region, environment or accounts URL sends nothing and asks to reconnect', async () => {
    const settings: RegionSettings[] = [
      { region: 'custom', accountsUrl: rig.zoho.url },
      { region: 'custom', accountsUrl: rig.evil.url },
      { region: 'custom', accountsUrl: rig.evil.url, environment: 'sandbox' },
      { region: 'com' },
      { region: 'com', environment: 'sandbox' },
      { region: 'com', environment: 'developer' },
      { region: 'eu' },
    ];
    let switches = 0;
    let refreshAttempts = 0;
    let notAskedToReconnect = 0;
    for (const from of settings) {
      for (const to of settings) {
        if (from === to) continue;
        switches++;
        const conn = new ZohoConnection({
          ...to,
          ...CLIENT,
          refreshTokenIssuer: issuerOf(from),
        });
        const err = await conn.request({ method: 'GET', path: '/v8/org' }).then(
          () => undefined,
          (e: ZohoError) => e,
        );
        if (err?.code !== 'RECONNECT_NEEDED' || conn.status().error?.code !== 'RECONNECT_NEEDED') {
          notAskedToReconnect++;
        }
        refreshAttempts += conn.auth.tokenRequests;
        conn.close();
      }
    }
    const reached = [rig.zoho, rig.evil].reduce(
      (n, s) => n + s.tokenRequests + s.requests.length,
      0,
    );
    figure('attack.settings_switch.switches', switches);
    figure('attack.settings_switch.requests_sent', reached + refreshAttempts);
    figure('attack.settings_switch.not_asked_to_reconnect', notAskedToReconnect);
    assert.equal(reached + refreshAttempts, 0);
    assert.equal(notAskedToReconnect, 0);
  });

  it('a plain-http accounts URL beyond loopback is refused unless ticked', () => {
    const hosts = ['192.0.2.1', '10.0.0.5:8800', 'zoho.lan', '127.0.0.1.nip.example', '[fe80::1]'];
    let accepted = 0;
    for (const host of hosts) {
      try {
        accountsUrl({ region: 'custom', accountsUrl: `http://${host}` });
        accepted++;
      } catch {
        // refused, as it must be
      }
      assert.ok(
        accountsUrl({ region: 'custom', accountsUrl: `http://${host}`, allowInsecureHttp: true }),
      );
    }
    figure('attack.insecure_accounts_url.tried', hosts.length);
    figure('attack.insecure_accounts_url.accepted_without_tick', accepted);
    assert.equal(accepted, 0);
  });

  it('every scope refusal names the scope its call needs; the connection stays connected', async () => {
    rig.zoho.api = (_req, res) =>
      answer401(res, { code: 'OAUTH_SCOPE_MISMATCH', details: {}, message: 'x', status: 'error' });
    const conn = rig.connect();
    const paths = ['/v8/Leads', '/v8/coql', '/v8/settings/fields', '/v8/users', '/v8/org'];
    let unnamed = 0;
    for (let i = 0; i < 20; i++) {
      const err = await conn.request({ method: 'GET', path: paths[i % paths.length] }).then(
        () => undefined,
        (e: ZohoError) => e,
      );
      const named = (err?.details as { requiredScope?: unknown } | undefined)?.requiredScope;
      if (typeof named !== 'string' || !err?.message.includes(named)) unnamed++;
    }
    figure('attack.scope_mismatch.unnamed_of_20', unnamed);
    figure('attack.scope_mismatch.connection_state', conn.status().state);
    assert.equal(unnamed, 0);
    assert.equal(conn.status().state, 'connected');
  });
});
