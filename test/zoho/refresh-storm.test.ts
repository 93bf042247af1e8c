import assert from 'node:assert/strict';
import { SCOPE_MISMATCH, answer401, failingCalls, useHostileZoho } from './hostile-server';

describe('401s: refresh only for a refused token, never for a missing scope', () => {
  const rig = useHostileZoho();

  it('20 OAUTH_SCOPE_MISMATCH answers cause no refresh and leave the connection connected', async () => {
    rig.zoho.api = (_req, res) => answer401(res, SCOPE_MISMATCH);
    const conn = rig.connect();
    const errors = await failingCalls(conn, 20);
    assert.equal(rig.zoho.tokenRequests, 1, 'the first access token only');
    assert.equal(rig.zoho.requests.length, 20, 'no replays');
    for (const error of errors) {
      assert.equal(error.code, 'OAUTH_SCOPE_MISMATCH');
      assert.equal(error.kind, 'scope');
      assert.match(
        error.message,
        /needs the scope ZohoCRM\.settings\.ALL or ZohoCRM\.settings\.fields\.READ/,
      );
    }
    assert.equal(conn.status().state, 'connected');
  });

  it('Books 57 gets one refresh per connection; once a fresh token meets it, it means scope', async () => {
    rig.zoho.api = (_req, res) =>
      answer401(res, { code: 57, message: 'You are not authorized to perform this operation' });
    const conn = rig.connect();
    const errors = await failingCalls(conn, 20, '/books/v3/contacts');
    assert.equal(rig.zoho.tokenRequests, 2, 'the first token and one refresh');
    assert.ok(errors.every((e) => e.kind === 'scope' && e.code === '57'));
    assert.equal(conn.status().state, 'connected');
  });

  it('INVALID_TOKEN refreshes once and replays once; a second refusal is not refreshed again', async () => {
    rig.zoho.api = (_req, res) =>
      answer401(res, { code: 'INVALID_TOKEN', message: 'invalid oauth token', status: 'error' });
    const conn = rig.connect();
    const [error] = await failingCalls(conn, 1);
    assert.equal(error.code, 'INVALID_TOKEN');
    assert.equal(rig.zoho.tokenRequests, 2);
    assert.equal(rig.zoho.requests.length, 2);
  });

  it('Books 14 and INVALID_OAUTHTOKEN are a refused token: refreshed, then the call succeeds', async () => {
    for (const body of [
      { code: 14, message: 'Invalid value passed for authtoken.' },
      { code: 'INVALID_OAUTHTOKEN', message: 'invalid oauth token' },
    ]) {
      let first = true;
      rig.zoho.api = (_req, res) => {
        if (!first) return void res.end('{"code":0}');
        first = false;
        answer401(res, body);
      };
      const conn = rig.connect();
      const before = rig.zoho.tokenRequests;
      const res = await conn.request({ method: 'GET', path: '/books/v3/contacts' });
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(rig.zoho.tokenRequests - before, 2, 'first token and one refresh');
    }
  });
});
