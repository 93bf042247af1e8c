/**
 * Scopes in the emulator as Zoho checks them: a token reaches an endpoint only with a scope
 * that covers it (CRM 401 OAUTH_SCOPE_MISMATCH, Books 401 code 57), and nothing happens when it
 * does not. The last cases go through the pack's client, so its scope errors are exercised too.
 */
import assert from 'node:assert/strict';
import { allowed, covers, requiredScopes, type ScopeNeed } from '../../src/sandbox/scopes';
import type { SandboxRequest } from '../../src/sandbox/types';
import { listOrganizations } from '../../src/zoho/books/core';
import { createRecords } from '../../src/zoho/crm/write';
import { authHeader, issueTokens, sandboxConnection, useSandbox } from '../helpers/sandbox';

const LEADS_READ = 'ZohoCRM.modules.leads.READ';

function request(method: string, params: Record<string, string> = {}, body?: unknown) {
  return { method, params, body } as SandboxRequest;
}

describe('sandbox: OAuth scopes per endpoint', function () {
  const sb = useSandbox({ creditLimit: 0 });

  async function call(token: string, method: string, path: string, body?: unknown) {
    const res = await fetch(sb.url + path, {
      method,
      headers: { ...authHeader(token), 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  const narrow = (): string => issueTokens(sb.sandbox, LEADS_READ).accessToken;
  const full = (): string => issueTokens(sb.sandbox).accessToken;

  describe('a token granted only ZohoCRM.modules.leads.READ', () => {
    it('reads leads', async () => {
      await call(full(), 'POST', '/crm/v8/Leads', { data: [{ Last_Name: 'Readable' }] });
      const res = await call(narrow(), 'GET', '/crm/v8/Leads?fields=Last_Name');
      assert.equal(res.status, 200);
      assert.ok(res.body.data.some((r: { Last_Name: string }) => r.Last_Name === 'Readable'));
    });

    it('cannot create a Deal: 401 OAUTH_SCOPE_MISMATCH in Zoho’s envelope, nothing created', async () => {
      const res = await call(narrow(), 'POST', '/crm/v8/Deals', {
        data: [{ Deal_Name: 'Nope', Stage: 'Qualification' }],
      });
      assert.equal(res.status, 401);
      assert.deepEqual(res.body, {
        code: 'OAUTH_SCOPE_MISMATCH',
        details: {},
        message: 'invalid oauth scope to access this URL',
        status: 'error',
      });
      const deals = await call(full(), 'GET', '/crm/v8/Deals?fields=Deal_Name');
      assert.ok(
        !(deals.body?.data ?? []).some((d: { Deal_Name: string }) => d.Deal_Name === 'Nope'),
      );
    });

    it('cannot create a lead either (READ is not CREATE)', async () => {
      const res = await call(narrow(), 'POST', '/crm/v8/Leads', { data: [{ Last_Name: 'X' }] });
      assert.equal(res.status, 401);
      assert.equal(res.body.code, 'OAUTH_SCOPE_MISMATCH');
    });

    it('cannot list Books organizations: 401 code 57', async () => {
      const res = await call(narrow(), 'GET', '/books/v3/organizations');
      assert.equal(res.status, 401);
      assert.deepEqual(res.body, {
        code: 57,
        message: 'You are not authorized to perform this operation',
      });
    });

    it('cannot enable a notification channel, and no channel is left behind', async () => {
      const watch = [
        {
          channel_id: '1000000068001',
          events: ['Leads.all'],
          notify_url: 'https://example.com/hook',
          channel_expiry: new Date(Date.now() + 3600_000).toISOString(),
        },
      ];
      const res = await call(narrow(), 'POST', '/crm/v8/actions/watch', { watch });
      assert.equal(res.status, 401);
      assert.equal(res.body.code, 'OAUTH_SCOPE_MISMATCH');
      const list = await call(full(), 'GET', '/crm/v8/actions/watch');
      assert.ok(
        !(list.body?.watch ?? []).some(
          (w: { channel_id: unknown }) => String(w.channel_id) === '1000000068001',
        ),
      );
    });

    it('cannot read settings, users, org or run COQL', async () => {
      for (const [method, path, body] of [
        ['GET', '/crm/v8/settings/fields?module=Leads'],
        ['GET', '/crm/v8/users'],
        ['GET', '/crm/v8/org'],
        [
          'POST',
          '/crm/v8/coql',
          { select_query: 'select Last_Name from Leads where id is not null' },
        ],
      ] as const) {
        const res = await call(narrow(), method, path, body);
        assert.equal(res.status, 401, path);
        assert.equal(res.body.code, 'OAUTH_SCOPE_MISMATCH', path);
      }
    });
  });

  it('COQL needs ZohoCRM.coql.READ and a read scope for the module it queries', async () => {
    const query = { select_query: 'select Last_Name from Leads where id is not null' };
    const both = issueTokens(sb.sandbox, `ZohoCRM.coql.READ,${LEADS_READ}`).accessToken;
    assert.notEqual((await call(both, 'POST', '/crm/v8/coql', query)).status, 401);
    const coqlOnly = issueTokens(sb.sandbox, 'ZohoCRM.coql.READ').accessToken;
    assert.equal((await call(coqlOnly, 'POST', '/crm/v8/coql', query)).status, 401);
    const dealsQuery = { select_query: 'select Deal_Name from Deals where id is not null' };
    assert.equal((await call(both, 'POST', '/crm/v8/coql', dealsQuery)).status, 401);
  });

  describe('scope grammar', () => {
    const need = (path: string[], op: ScopeNeed['op']): ScopeNeed => ({
      service: 'ZohoCRM',
      path,
      op,
    });
    it('ALL covers every operation, a parent scope its children, case-insensitively', () => {
      assert.ok(covers('ZohoCRM.modules.ALL', need(['modules', 'deals'], 'CREATE')));
      assert.ok(covers('zohocrm.modules.all', need(['modules', 'deals'], 'DELETE')));
      assert.ok(covers('ZohoCRM.modules.READ', need(['modules', 'deals'], 'READ')));
      assert.ok(!covers('ZohoCRM.modules.READ', need(['modules', 'deals'], 'CREATE')));
      assert.ok(covers('ZohoCRM.modules.deals.WRITE', need(['modules', 'deals'], 'UPDATE')));
      assert.ok(!covers('ZohoCRM.modules.deals.WRITE', need(['modules', 'deals'], 'READ')));
      assert.ok(!covers('ZohoCRM.modules.leads.ALL', need(['modules', 'deals'], 'READ')));
      assert.ok(!covers('ZohoCRM.settings.ALL', need(['modules', 'leads'], 'READ')));
      assert.ok(covers('ZohoCRM.settings.ALL', need(['settings', 'fields'], 'READ')));
    });

    it('Books: fullaccess.all covers everything, entity scopes their own entity', () => {
      const books = (path: string, op: ScopeNeed['op']): ScopeNeed => ({
        service: 'ZohoBooks',
        path: [path],
        op,
      });
      assert.ok(covers('ZohoBooks.fullaccess.all', books('invoices', 'DELETE')));
      assert.ok(covers('ZohoBooks.invoices.CREATE', books('invoices', 'CREATE')));
      assert.ok(!covers('ZohoBooks.invoices.READ', books('contacts', 'READ')));
      assert.ok(!covers('ZohoCRM.modules.ALL', books('contacts', 'READ')));
    });

    it('maps routes to needs: custom modules accept modules.custom, items are Books settings', () => {
      const custom = requiredScopes(
        'crm',
        '/crm/v8/:module',
        request('GET', { module: 'Sensors' }),
      );
      assert.ok(custom && allowed('ZohoCRM.modules.custom.READ', custom));
      assert.ok(custom && !allowed('ZohoCRM.modules.leads.ALL', custom));
      const items = requiredScopes('books', '/books/v3/:type', request('POST', { type: 'items' }));
      assert.ok(items && allowed('ZohoBooks.settings.CREATE', items));
      assert.ok(items && !allowed('ZohoBooks.settings.READ', items));
      const upsert = requiredScopes(
        'crm',
        '/crm/v8/:module/upsert',
        request('POST', { module: 'Leads' }),
      );
      assert.ok(upsert && allowed('ZohoCRM.modules.leads.CREATE', upsert));
      assert.equal(requiredScopes('other', '/sandbox/crm/seed', request('POST')), undefined);
    });

    it('send mail needs ZohoCRM.send_mail (all or the module), mass update the module’s UPDATE or mass_update', () => {
      const mail = requiredScopes(
        'crm',
        '/crm/v8/:module/:id/actions/send_mail',
        request('POST', { module: 'Leads', id: '1' }),
      );
      assert.ok(mail && allowed('ZohoCRM.send_mail.all.CREATE', mail));
      assert.ok(mail && allowed('ZohoCRM.send_mail.leads.CREATE', mail));
      assert.ok(mail && !allowed('ZohoCRM.send_mail.deals.CREATE', mail));
      assert.ok(mail && !allowed('ZohoCRM.modules.ALL,ZohoCRM.settings.ALL', mail));
      const mass = requiredScopes(
        'crm',
        '/crm/v8/:module/actions/mass_update',
        request('POST', { module: 'Leads' }),
      );
      assert.ok(mass && allowed('ZohoCRM.modules.ALL', mass));
      assert.ok(mass && allowed('ZohoCRM.mass_update.leads.UPDATE', mass));
      assert.ok(mass && !allowed(LEADS_READ, mass));
      const status = requiredScopes(
        'crm',
        '/crm/v8/:module/actions/mass_update',
        request('GET', { module: 'Leads' }),
      );
      assert.ok(status && allowed(LEADS_READ, status));
    });
  });

  describe('through the pack’s client', () => {
    it('a CRM write without its scope fails as kind "scope", and no refresh is tried', async () => {
      const conn = sandboxConnection(sb.sandbox, LEADS_READ);
      await assert.rejects(
        createRecords(conn, 'Deals', [{ Deal_Name: 'Nope', Stage: 'Qualification' }]),
        (err: { kind: string; code: string }) =>
          err.kind === 'scope' && err.code === 'OAUTH_SCOPE_MISMATCH',
      );
      assert.equal(sb.sandbox.stats.tokenRequests.refresh_token, 1);
    });

    it('Books organizations without a Books scope fail as kind "scope" after one refresh', async () => {
      const conn = sandboxConnection(sb.sandbox, LEADS_READ);
      await assert.rejects(
        listOrganizations(conn),
        (err: { kind: string; code: string }) => err.kind === 'scope' && err.code === '57',
      );
      assert.ok(sb.sandbox.stats.tokenRequests.refresh_token <= 2);
    });
  });
});
