/**
 * Tokens are bound to who issued them (region, environment, accounts URL): a connection whose
 * settings changed since it was authorised sends nothing — no refresh token or client secret to
 * the new accounts server, no cached access token to the new API host — and says to reconnect.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryTokenStore, exchangeAuthorizationCode } from '../../src/zoho/core/auth';
import { ZohoConnection } from '../../src/zoho/core/connection';
import { issuerOf } from '../../src/zoho/core/regions';
import { HostileServer, useHostileZoho } from './hostile-server';

const CLIENT = { clientId: '1000.BINDING', clientSecret: 'binding-secret', refreshToken: 'rt' };

describe('tokens bound to region, environment and accounts URL', () => {
  const rig = useHostileZoho();
  const open: ZohoConnection[] = [];
  afterEach(() => {
    while (open.length) open.pop()?.close();
  });

  function connection(options: ConstructorParameters<typeof ZohoConnection>[0]): ZohoConnection {
    const conn = new ZohoConnection(options);
    open.push(conn);
    return conn;
  }

  /** A custom connection to `url` holding a refresh token issued by `issuer`. */
  const customAt = (url: string, issuer: string) =>
    connection({ region: 'custom', accountsUrl: url, ...CLIENT, refreshTokenIssuer: issuer });
  const sentTo = (server: HostileServer) => server.tokenRequests + server.requests.length;

  /** The call fails with RECONNECT_NEEDED, and so does the status, before anything is sent. */
  async function assertReconnect(conn: ZohoConnection): Promise<void> {
    await assert.rejects(conn.request({ method: 'GET', path: '/v8/org' }), {
      code: 'RECONNECT_NEEDED',
      kind: 'config',
      message: /changed since it was authorised.*Connect again/,
    });
    // Books is refused too (on a sandbox environment already by its missing host).
    await assert.rejects(
      conn.request({ product: 'books', method: 'GET', path: '/organizations' }),
      {
        code: /^(RECONNECT_NEEDED|ENVIRONMENT_UNSUPPORTED)$/,
      },
    );
    assert.equal(conn.status().state, 'error');
    assert.equal(conn.status().error?.code, 'RECONNECT_NEEDED');
    assert.equal((await conn.check()).error?.code, 'RECONNECT_NEEDED');
    assert.equal(conn.auth.tokenRequests, 0, 'no token request was even tried');
  }

  it('custom -> another custom server: the new server is sent nothing', async () => {
    const issuer = issuerOf({ region: 'custom', accountsUrl: rig.zoho.url });
    await assertReconnect(customAt(rig.evil.url, issuer));
    assert.equal(sentTo(rig.evil), 0);
    assert.equal(sentTo(rig.zoho), 0);
  });

  it('custom -> com: the refresh token and secret go nowhere, the custom server sees nothing', async () => {
    const issuer = issuerOf({ region: 'custom', accountsUrl: rig.zoho.url });
    // A token still cached from the custom server, for its api_domain: never used for com.
    const store = new MemoryTokenStore({
      accessToken: 'cached-custom-token',
      expiresAt: Date.now() + 3_600_000,
      apiDomain: rig.zoho.url,
      issuer,
    });
    const conn = connection({
      region: 'com',
      ...CLIENT,
      tokenStore: store,
      refreshTokenIssuer: issuer,
    });
    await assertReconnect(conn);
    assert.equal(conn.auth.current(), undefined, 'the cached token is not this connection’s');
    assert.equal(sentTo(rig.zoho), 0);
  });

  it('com -> custom: the real refresh token and secret never reach the custom server', async () => {
    await assertReconnect(customAt(rig.evil.url, issuerOf({ region: 'com' })));
    assert.equal(sentTo(rig.evil), 0);
  });

  it('production -> sandbox environment of the same data centre asks to reconnect too', async () => {
    const conn = connection({
      region: 'com',
      environment: 'sandbox',
      ...CLIENT,
      refreshTokenIssuer: issuerOf({ region: 'com', environment: 'production' }),
    });
    await assertReconnect(conn);
  });

  it('a cached token of another issuer is never sent, even without a recorded refresh issuer', async () => {
    const store = new MemoryTokenStore({
      accessToken: 'token-of-the-other-server',
      expiresAt: Date.now() + 3_600_000,
      apiDomain: rig.evil.url,
      issuer: issuerOf({ region: 'custom', accountsUrl: rig.evil.url }),
    });
    const conn = connection({
      region: 'custom',
      accountsUrl: rig.zoho.url,
      ...CLIENT,
      tokenStore: store,
    });
    await conn.request({ method: 'GET', path: '/v8/org' });
    assert.equal(rig.zoho.tokenRequests, 1, 'a fresh token from its own server');
    assert.equal(rig.zoho.requests.length, 1);
    assert.notEqual(
      rig.zoho.requests[0].authorization,
      'Zoho-oauthtoken token-of-the-other-server',
    );
    assert.equal(sentTo(rig.evil), 0);
    assert.equal(store.load()?.issuer, issuerOf({ region: 'custom', accountsUrl: rig.zoho.url }));
  });

  it('the same issuer works as before (control)', async () => {
    const conn = customAt(rig.zoho.url, issuerOf({ region: 'custom', accountsUrl: rig.zoho.url }));
    await conn.request({ method: 'GET', path: '/v8/org' });
    assert.equal(conn.status().state, 'connected');
    assert.equal(rig.zoho.tokenRequests, 1);
  });
});

describe('Self Client code exchange', () => {
  it('sends no redirect_uri parameter when none is given (as Zoho’s SDK)', async () => {
    const bodies: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        bodies.push(body);
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ access_token: 'at', refresh_token: 'rt', expires_in: 3600 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const base = { accountsUrl: url, clientId: 'id', clientSecret: 'secret', code: 'c0de' };
      const result = await exchangeAuthorizationCode(base);
      assert.equal(result.tokens.issuer, issuerOf({ region: 'custom', accountsUrl: url }));
      await exchangeAuthorizationCode({ ...base, redirectUri: 'https://nr.example/cb' });
      const [selfClient, server2] = bodies.map((b) => new URLSearchParams(b));
      assert.equal(selfClient.get('code'), 'c0de');
      assert.equal(selfClient.get('grant_type'), 'authorization_code');
      assert.equal(selfClient.has('redirect_uri'), false, bodies[0]);
      assert.equal(server2.get('redirect_uri'), 'https://nr.example/cb');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
