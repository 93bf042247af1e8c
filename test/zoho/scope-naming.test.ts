/**
 * A missing OAuth scope fails the one call, names the scope the call needs (Zoho's, else the
 * one of DEFAULT_SCOPES that covers the call) and leaves the connection connected.
 */
import assert from 'node:assert/strict';
import { DEFAULT_SCOPES, scopeForRequest } from '../../src/zoho/core/consent';
import { CONNECTION_CODES, ZohoError, isConnectionProblem } from '../../src/zoho/core/errors';
import { answer401, useHostileZoho } from './hostile-server';

/** CRM's scope refusal without a scope in its details (the OAS does not promise one). */
const BARE_MISMATCH = {
  code: 'OAUTH_SCOPE_MISMATCH',
  details: {},
  message: 'invalid oauth scope to access this URL',
  status: 'error',
};

describe('scope errors name the scope the call needs', () => {
  const rig = useHostileZoho();

  it('derives the scope of a call from DEFAULT_SCOPES', () => {
    const cases: Array<[string, string, string]> = [
      ['crm', '/v8/Leads', 'ZohoCRM.modules.ALL'],
      ['crm', '/crm/v8/Deals/123/Attachments', 'ZohoCRM.modules.ALL'],
      ['crm', '/v8/coql', 'ZohoCRM.coql.READ'],
      ['crm', '/v8/settings/fields', 'ZohoCRM.settings.ALL'],
      ['crm', '/v8/users', 'ZohoCRM.users.READ'],
      ['crm', '/v8/org', 'ZohoCRM.org.READ'],
      ['crm', '/v8/actions/watch', 'ZohoCRM.notifications.ALL'],
      ['crm', '/v8/Leads/123/actions/send_mail', 'ZohoCRM.send_mail.all.CREATE'],
      ['crm', '/v8/Leads/actions/mass_update', 'ZohoCRM.modules.ALL'],
      ['crm', '/bulk/v8/read', 'ZohoCRM.bulk.ALL'],
      ['books', '/invoices', 'ZohoBooks.fullaccess.all'],
    ];
    for (const [product, path, scope] of cases) {
      assert.equal(scopeForRequest(product, path), scope, `${product} ${path}`);
      assert.ok(DEFAULT_SCOPES.includes(scope), 'from the one list');
    }
    assert.equal(scopeForRequest('desk', '/tickets'), undefined);
  });

  it('CRM OAUTH_SCOPE_MISMATCH: names the scope and the connection scopes; the connection stays connected', async () => {
    rig.zoho.api = (_req, res) => answer401(res, BARE_MISMATCH);
    const conn = rig.connect({ scopes: ['ZohoCRM.modules.ALL'] });
    const err = await conn.request({ method: 'GET', path: '/v8/coql' }).catch((e: ZohoError) => e);
    assert.ok(err instanceof ZohoError);
    assert.equal(err.code, 'OAUTH_SCOPE_MISMATCH');
    assert.equal(err.kind, 'scope');
    assert.equal(err.status, 401);
    assert.match(err.message, /needs the scope ZohoCRM\.coql\.READ/);
    assert.match(err.message, /connection's scopes \(ZohoCRM\.modules\.ALL\) lack it/);
    assert.deepEqual(err.details, {
      requiredScope: 'ZohoCRM.coql.READ',
      scopes: ['ZohoCRM.modules.ALL'],
    });
    assert.equal(conn.status().state, 'connected');
    assert.equal(conn.status().error, undefined);
    assert.equal(rig.zoho.tokenRequests, 1, 'no refresh for a scope refusal');
  });

  it('Books 57 (once known to mean scope) names the Books scope', async () => {
    rig.zoho.api = (_req, res) =>
      answer401(res, { code: 57, message: 'You are not authorized to perform this operation' });
    const conn = rig.connect();
    const call = () =>
      conn
        .request({ product: 'books', method: 'GET', path: '/invoices' })
        .catch((e: ZohoError) => e);
    await call(); // the first 57 gets one refresh (http.ts TOKEN_OR_SCOPE) and then means scope
    const err = await call();
    assert.ok(err instanceof ZohoError);
    assert.equal(err.kind, 'scope');
    assert.equal(
      (err.details as { requiredScope?: string }).requiredScope,
      'ZohoBooks.fullaccess.all',
    );
    assert.match(err.message, /include it: the grant may predate it/);
    assert.equal(conn.status().state, 'connected');
  });

  it('a missing scope is not a connection problem; a changed issuer is', () => {
    assert.equal(isConnectionProblem('OAUTH_SCOPE_MISMATCH'), false);
    assert.equal(CONNECTION_CODES.has('RECONNECT_NEEDED'), true);
  });
});
