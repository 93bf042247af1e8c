/**
 * crm-record's users and metadata operations in a real Node-RED runtime against the sandbox:
 * users by type and role, modules, a module's fields (types, picklist values, lookups) and
 * layouts, the connection's cache and its refresh (node option and msg.refresh), and bad input
 * refused before anything is sent.
 */
import * as assert from 'node:assert/strict';
import { DEAL_STAGES } from '../../src/sandbox/crm/modules';
import { AnyMsg, crmHarness } from './crm-harness';

describe('crm-record node: users and metadata', function () {
  this.timeout(60_000);
  const h = crmHarness('crm-record');
  const paths = () => h.crmRequests().map((r) => `${r.method} ${r.target}`);

  function assertOk(o: Awaited<ReturnType<typeof h.exec>>): AnyMsg {
    assert.equal(o.dones.length, 1);
    assert.equal(o.dones[0], undefined, String((o.dones[0] as Error | undefined)?.message));
    assert.equal(o.caught.length, 0);
    assert.equal(o.out.length, 1);
    return o.out[0];
  }

  it('lists active users, then those of a role from msg.role, from one call of Zoho', async function () {
    await h.load({ operation: 'listUsers', userType: 'ActiveUsers', module: '' });
    const all = assertOk(await h.exec({})).payload as AnyMsg[];
    const active = h.crm.store.users.filter((u) => u.status === 'active');
    assert.deepEqual(
      all.map((u) => u.id),
      active.map((u) => u.id),
    );
    assert.ok(all.every((u) => u.status === 'active' && u.role?.name && u.profile?.name));
    assert.deepEqual(paths(), ['GET /crm/v8/users?type=ActiveUsers&page=1&per_page=200']);
    const reps = assertOk(await h.exec({ role: 'sales rep' })).payload as AnyMsg[];
    assert.deepEqual(
      reps.map((u) => u.name),
      active.filter((u) => u.role === 'Sales Rep').map((u) => u.name),
    );
    // The second message was answered from the connection's cache.
    assert.equal(h.crmRequests().length, 1);
  });

  it('msg.userType picks administrators; All users sends no type (Zoho’s default)', async function () {
    await h.load({ operation: 'listUsers', userType: 'AllUsers' });
    const admins = assertOk(await h.exec({ userType: 'AdminUsers' })).payload as AnyMsg[];
    assert.deepEqual(
      admins.map((u) => u.profile.name),
      h.crm.store.users.filter((u) => u.profile === 'Administrator').map(() => 'Administrator'),
    );
    const everyone = assertOk(await h.exec({})).payload as AnyMsg[];
    assert.equal(everyone.length, h.crm.store.users.length);
    assert.deepEqual(paths(), [
      'GET /crm/v8/users?type=AdminUsers&page=1&per_page=200',
      'GET /crm/v8/users?page=1&per_page=200',
    ]);
  });

  it('an unknown user type is a catchable input error naming userType; nothing sent', async function () {
    await h.load({ operation: 'listUsers' });
    const o = await h.exec({ userType: 'Admins' });
    assert.equal(o.dones.length, 1);
    assert.equal(o.out.length, 0);
    assert.equal(o.caught.length, 1);
    assert.equal(o.caught[0].error.code, 'INVALID_INPUT');
    assert.equal(o.caught[0]._error.param, 'userType');
    assert.match(o.caught[0].error.message, /Admins/);
    assert.equal(h.crmRequests().length, 0);
  });

  it('lists the modules without a module set', async function () {
    await h.load({ operation: 'listModules', module: '' });
    const mods = assertOk(await h.exec({})).payload as AnyMsg[];
    const names = mods.map((m) => m.api_name);
    for (const m of ['Leads', 'Contacts', 'Accounts', 'Deals']) assert.ok(names.includes(m), m);
    assert.deepEqual(paths(), ['GET /crm/v8/settings/modules']);
  });

  it('lists a module’s fields with types, picklist values and lookups; cached until msg.refresh', async function () {
    await h.load({ operation: 'listFields', module: 'Deals' });
    const first = assertOk(await h.exec({})).payload as AnyMsg[];
    const stage = first.find((f) => f.api_name === 'Stage');
    assert.equal(stage?.data_type, 'picklist');
    assert.deepEqual(
      stage?.pick_list_values.map((v: AnyMsg) => v.actual_value),
      [...DEAL_STAGES],
    );
    const account = first.find((f) => f.api_name === 'Account_Name');
    assert.equal(account?.data_type, 'lookup');
    assert.equal(account?.lookup_module, 'Accounts');
    assertOk(await h.exec({}));
    assert.equal(h.crmRequests().length, 1, 'the second message used the cache');
    assertOk(await h.exec({ refresh: true }));
    assert.deepEqual(paths(), [
      'GET /crm/v8/settings/fields?module=Deals',
      'GET /crm/v8/settings/fields?module=Deals',
    ]);
  });

  it('with "Ask Zoho every time" each message asks; msg.refresh false uses the cache', async function () {
    await h.load({ operation: 'listFields', module: 'Leads', refresh: true });
    assertOk(await h.exec({}));
    assertOk(await h.exec({}));
    assert.equal(h.crmRequests().length, 2);
    assertOk(await h.exec({ refresh: false }));
    assert.equal(h.crmRequests().length, 2);
  });

  it('lists a module’s layouts: profiles and sections naming every field', async function () {
    await h.load({ operation: 'listLayouts', module: 'Contacts' });
    const layouts = assertOk(await h.exec({})).payload as AnyMsg[];
    assert.equal(layouts.length, 1);
    assert.equal(layouts[0].status, 'active');
    assert.ok(layouts[0].profiles.some((p: AnyMsg) => p.name === 'Administrator'));
    const inLayout = layouts[0].sections.flatMap((s: AnyMsg) => s.fields as string[]);
    const def = h.crm.store.modules.get('Contacts');
    assert.deepEqual(
      inLayout,
      def?.fields.map((f) => f.api_name),
    );
    assert.deepEqual(paths(), ['GET /crm/v8/settings/layouts?module=Contacts']);
  });

  it('a module Zoho does not have fails the message once with Zoho’s INVALID_MODULE', async function () {
    await h.load({ operation: 'listLayouts', module: 'Nope' });
    const o = await h.exec({});
    assert.equal(o.dones.length, 1);
    assert.ok(o.dones[0]);
    assert.equal(o.out.length, 0);
    assert.equal(o.caught.length, 1);
    assert.equal(o.caught[0].error.code, 'INVALID_MODULE');
    // A failure is not cached: the next message asks again.
    await h.exec({});
    assert.equal(h.crmRequests().length, 2);
  });
});
