import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OAuthStates } from '../../src/nodes/zoho-config/oauth-states';
import {
  NodeTokenStore,
  ZohoConfigCredentials,
  cacheFile,
  decryptTokens,
  encryptTokens,
  readCacheFile,
  tokenCredentials,
  tokensFromCredentials,
  writeCacheFile,
} from '../../src/nodes/zoho-config/token-store';

const identity = {
  nodeId: 'abc123.def',
  clientId: '1000.CLIENT',
  clientSecret: 'secret',
  refreshToken: '1000.aaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbb',
  issuer: 'eu production https://accounts.zoho.eu',
};
const tokens = {
  accessToken: '1000.cccccccccccccccccccc.dddddddddddddddddddd',
  expiresAt: 1_900_000_000_000,
  apiDomain: 'https://www.zohoapis.eu',
  scope: 'ZohoCRM.modules.ALL',
};

describe('zoho-config token store', function () {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-ts-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips the encrypted cache only for the same client, secret, refresh token and node', function () {
    const file = encryptTokens(identity, tokens);
    assert.ok(!JSON.stringify(file).includes(tokens.accessToken));
    assert.deepEqual(decryptTokens(identity, file), tokens);
    for (const change of [
      { refreshToken: '1000.other' },
      { clientSecret: 'other' },
      { clientId: '1000.OTHER' },
      { nodeId: 'other' },
      { issuer: 'com production https://accounts.zoho.com' },
    ]) {
      assert.equal(
        decryptTokens({ ...identity, ...change }, file),
        undefined,
        JSON.stringify(change),
      );
    }
    const tampered = { ...file, data: Buffer.from('x' + file.data).toString('base64') };
    assert.equal(decryptTokens(identity, tampered), undefined);
    assert.equal(decryptTokens(identity, { v: 99 }), undefined);
    assert.equal(decryptTokens(identity, null), undefined);
  });

  it('writes the cache file owner-only, with a safe name, atomically', function () {
    assert.ok(writeCacheFile(dir, { ...identity, nodeId: '../../evil' }, tokens));
    const file = cacheFile(dir, '../../evil');
    assert.equal(path.dirname(file), path.join(dir, '.zoho-tokens'));
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readCacheFile(dir, { ...identity, nodeId: '../../evil' }), tokens);
    assert.deepEqual(fs.readdirSync(path.dirname(file)).length, 1);
  });

  it('binds tokens kept in the credentials to their refresh token', function () {
    const creds = tokenCredentials(identity, tokens);
    assert.deepEqual(tokensFromCredentials(identity, creds), tokens);
    assert.equal(tokensFromCredentials({ ...identity, refreshToken: '1000.x' }, creds), undefined);
    assert.equal(tokensFromCredentials(identity, { ...creds, tokenKey: undefined }), undefined);
  });

  it('loads the freshest of credentials and file, and writes both on save', function () {
    let creds: ZohoConfigCredentials = {
      clientId: identity.clientId,
      clientSecret: identity.clientSecret,
      refreshToken: identity.refreshToken,
      ...tokenCredentials(identity, { ...tokens, expiresAt: tokens.expiresAt - 1000 }),
    };
    writeCacheFile(dir, identity, tokens);
    const store = new NodeTokenStore({
      identity,
      userDir: dir,
      readCredentials: () => creds,
      writeCredentials: (next) => {
        creds = next;
      },
    });
    assert.equal(store.load()?.expiresAt, tokens.expiresAt);
    const next = { ...tokens, accessToken: '1000.eeee.ffff', expiresAt: tokens.expiresAt + 5 };
    store.save(next);
    assert.equal(creds.accessToken, next.accessToken);
    assert.equal(creds.refreshToken, identity.refreshToken);
    assert.deepEqual(readCacheFile(dir, identity), next);

    // A reconnect replaced the refresh token meanwhile: a late save must not overwrite it.
    creds = { ...creds, refreshToken: '1000.new' };
    store.save({ ...next, accessToken: '1000.late' });
    assert.equal(creds.accessToken, next.accessToken);
  });

  it('works in memory without a user directory', function () {
    let creds: ZohoConfigCredentials = { refreshToken: identity.refreshToken };
    const store = new NodeTokenStore({
      identity,
      readCredentials: () => creds,
      writeCredentials: (next) => {
        creds = next;
      },
    });
    assert.equal(store.load(), undefined);
    store.save(tokens);
    assert.deepEqual(store.load(), tokens);
    assert.equal(creds.accessToken, tokens.accessToken);
  });
});

describe('zoho-config OAuth states', function () {
  const pending = {
    nodeId: 'n1',
    region: 'com' as const,
    environment: 'production' as const,
    accountsUrl: 'https://accounts.zoho.com',
    clientId: '1000.X',
    clientSecret: 's',
    redirectUri: 'http://127.0.0.1:1880/zoho-config/auth/callback',
  };

  it('hands out random single-use states that expire', function () {
    let now = 1000;
    const states = new OAuthStates(60_000, () => now);
    const a = states.create(pending);
    const b = states.create(pending);
    assert.notEqual(a, b);
    assert.ok(Buffer.from(a, 'base64url').length >= 16);
    assert.deepEqual(states.take(a), pending);
    assert.equal(states.take(a), undefined);
    now += 60_001;
    assert.equal(states.take(b), undefined);
    assert.equal(states.take(undefined), undefined);
    assert.equal(states.take(['x']), undefined);
  });

  it('forgets the states of a node', function () {
    const states = new OAuthStates();
    const a = states.create(pending);
    const b = states.create({ ...pending, nodeId: 'n2' });
    states.forget('n1');
    assert.equal(states.take(a), undefined);
    assert.ok(states.take(b));
  });
});
