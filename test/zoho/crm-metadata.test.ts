/**
 * CRM users and metadata through a real ZohoConnection against the sandbox (HTTP on 127.0.0.1):
 * every page of users, the role filter, fields with picklists, layouts, and the per-connection
 * cache with its refresh.
 */
import assert from 'node:assert/strict';
import { accountsFamily } from '../../src/sandbox/accounts';
import { type CrmFamily, crmFamily } from '../../src/sandbox/crm/index';
import type { ZohoConnection } from '../../src/zoho/core/connection';
import { ZohoError } from '../../src/zoho/core/errors';
import { cachedUsers, listLayouts, listUsers } from '../../src/zoho/crm/index';
import { sandboxConnection, useSandbox } from '../helpers/sandbox';

describe('crm users and metadata against the sandbox', function () {
  this.timeout(30_000);
  let crm: CrmFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    crm = crmFamily();
    return [accountsFamily(), crm];
  });
  let conn: ZohoConnection;
  const userCalls = () => sb.sandbox.requests.filter((r) => r.path === '/crm/v8/users');

  beforeEach(() => {
    crm.store.clear();
    crm.store.users.splice(4);
    conn = sandboxConnection(sb.sandbox, 'ZohoCRM.users.READ,ZohoCRM.settings.ALL');
    sb.sandbox.clearRequests();
  });

  it('walks every page of users, 200 a page, and keeps a role’s (by name or id)', async () => {
    for (let i = 0; i < 446; i++) {
      crm.store.users.push({
        id: String(5876876000000300000 + i),
        name: `User ${i}`,
        first_name: 'User',
        last_name: String(i),
        email: `u${i}@sandbox.zoho.example`,
        role: i % 2 ? 'Manager' : 'Support',
        profile: 'Standard',
        status: 'active',
      });
    }
    const all = await listUsers(conn);
    assert.equal(all.length, 450);
    assert.deepEqual(
      userCalls().map((r) => r.query.page),
      ['1', '2', '3'],
    );
    const support = await listUsers(conn, { type: 'ActiveUsers', role: 'SUPPORT' });
    assert.equal(support.length, 223);
    const roleId = support[0].role?.id ?? '';
    const byId = await listUsers(conn, { role: roleId });
    assert.ok(byId.length >= 223 && byId.every((u) => u.role?.id === roleId));
  });

  it('refuses an unknown user type before sending anything', async () => {
    await assert.rejects(
      listUsers(conn, { type: 'Everyone' }),
      (e: unknown) => e instanceof ZohoError && e.kind === 'input' && e.param === 'userType',
    );
    assert.equal(sb.sandbox.requests.length, 0);
  });

  it('caches users per connection and type; refresh asks again', async () => {
    const a = await cachedUsers(conn, { type: 'ActiveUsers' });
    const b = await cachedUsers(conn, { type: 'ActiveUsers', role: 'manager' });
    assert.equal(userCalls().length, 1);
    assert.deepEqual(
      b.map((u) => u.id),
      a.filter((u) => u.role?.name === 'Manager').map((u) => u.id),
    );
    await cachedUsers(conn, { type: 'ActiveUsers', refresh: true });
    await cachedUsers(conn, { type: 'AdminUsers' });
    assert.equal(userCalls().length, 3);
  });

  it('lists a module’s layouts with its sections’ fields', async () => {
    const layouts = await listLayouts(conn, 'Leads');
    assert.equal(layouts.length, 1);
    const names = layouts[0].sections.flatMap((s) => s.fields);
    assert.deepEqual(
      names,
      crm.store.modules.get('Leads')?.fields.map((f) => f.api_name),
    );
    await assert.rejects(
      listLayouts(conn, '1bad'),
      (e: unknown) => e instanceof ZohoError && e.param === 'module',
    );
    assert.equal(sb.sandbox.requests.filter((r) => r.path.includes('layouts')).length, 1);
  });
});
