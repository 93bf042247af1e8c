/**
 * CRM record actions through a real ZohoConnection against the sandbox's CRM emulator (HTTP on
 * 127.0.0.1): lead conversion and its credits, and bad input refused before anything is sent.
 */
import assert from 'node:assert/strict';
import { accountsFamily } from '../../src/sandbox/accounts';
import { type CrmFamily, crmFamily } from '../../src/sandbox/crm/index';
import type { ZohoConnection } from '../../src/zoho/core/connection';
import { ZohoError } from '../../src/zoho/core/errors';
import { convertLead, countRecords } from '../../src/zoho/crm/index';
import { sandboxConnection, useSandbox } from '../helpers/sandbox';

const invalid = (param: string) => (e: unknown) =>
  e instanceof ZohoError && e.kind === 'input' && e.param === param;

describe('crm record actions against the sandbox', function () {
  this.timeout(60_000);
  let crm: CrmFamily;
  const sb = useSandbox({ creditLimit: 100 }, () => {
    crm = crmFamily();
    return [accountsFamily(), crm];
  });
  let conn: ZohoConnection;
  const lead = (data: Record<string, unknown> = {}) =>
    crm.store.insert('Leads', [
      {
        Last_Name: 'Boyle',
        First_Name: 'Pat',
        Company: 'Zylker',
        Email: 'pat@zylker.com',
        ...data,
      },
    ])[0].id;

  beforeEach(() => {
    crm.store.clear();
    sb.sandbox.resetStats();
    conn = sandboxConnection(sb.sandbox, 'ZohoCRM.modules.ALL,ZohoCRM.settings.ALL');
    sb.sandbox.clearRequests();
  });
  afterEach(() => conn.close());

  describe('convert a lead', () => {
    it('makes a contact, an account and a deal, returns their ids, and costs 5 credits', async () => {
      const id = lead();
      const result = await convertLead(conn, id, {
        deal: { Deal_Name: 'Zylker pilot', Stage: 'Qualification', Amount: 5000 },
        notifyLeadOwner: false,
      });
      assert.equal(result.leadId, id);
      const contact = crm.store.get('Contacts', result.contactId ?? '');
      const account = crm.store.get('Accounts', result.accountId ?? '');
      const deal = crm.store.get('Deals', result.dealId ?? '');
      assert.equal(contact?.data.Last_Name, 'Boyle');
      assert.equal(contact?.data.Email, 'pat@zylker.com');
      assert.equal(account?.data.Account_Name, 'Zylker');
      assert.equal((contact?.data.Account_Name as { id: string }).id, result.accountId);
      assert.equal(deal?.data.Deal_Name, 'Zylker pilot');
      assert.equal((deal?.data.Contact_Name as { id: string }).id, result.contactId);
      const sent = sb.sandbox.requests.filter((r) => r.path.startsWith('/crm/'));
      assert.equal(sent.length, 1);
      assert.equal(sent[0].path, `/crm/v8/Leads/${id}/actions/convert`);
      assert.deepEqual(sent[0].body, {
        data: [
          {
            notify_lead_owner: false,
            Deals: { Deal_Name: 'Zylker pilot', Stage: 'Qualification', Amount: 5000 },
          },
        ],
      });
      assert.equal(conn.http.creditsSpent(), 5, "the pack's own count");
      assert.equal(sb.sandbox.creditsRemaining(), 95, "the emulated org's count");
    });

    it('without deal fields makes no deal; into an existing account, owned by a chosen user', async () => {
      const acc = crm.store.insert('Accounts', [{ Account_Name: 'Existing' }])[0].id;
      const user = crm.store.users[1].id;
      const id = lead();
      const result = await convertLead(conn, id, { accountId: acc, assignTo: user });
      assert.equal(result.dealId, null);
      assert.equal(result.accountId, acc);
      assert.equal(crm.store.count('Deals'), 0);
      assert.equal(crm.store.count('Accounts'), 1);
      const owner = crm.store.get('Contacts', result.contactId ?? '')?.data.Owner as { id: string };
      assert.equal(owner.id, user);
    });

    it('a second conversion is Zoho’s ID_ALREADY_CONVERTED; a deal without its stage is refused', async () => {
      const id = lead();
      await convertLead(conn, id);
      await assert.rejects(
        convertLead(conn, id),
        (e: unknown) => e instanceof ZohoError && e.code === 'ID_ALREADY_CONVERTED',
      );
      const other = lead({ Email: 'other@zylker.com' });
      await assert.rejects(
        convertLead(conn, other, { deal: { Deal_Name: 'No stage' } }),
        (e: unknown) =>
          e instanceof ZohoError && e.code === 'MANDATORY_NOT_FOUND' && e.kind === 'zoho',
      );
      assert.equal(crm.store.count('Deals'), 0);
    });

    it('refuses bad input before sending anything', async () => {
      await assert.rejects(convertLead(conn, 'abc'), invalid('recordId'));
      await assert.rejects(convertLead(conn, '1', { deal: 'x' }), invalid('deal'));
      await assert.rejects(convertLead(conn, '1', { deal: { id: '2' } }), invalid('deal'));
      await assert.rejects(convertLead(conn, '1', { assignTo: 'me' }), invalid('assignTo'));
      await assert.rejects(convertLead(conn, '1', { accountId: [1] }), invalid('accountId'));
      await assert.rejects(
        convertLead(conn, '1', { overwrite: 'yes' as unknown as boolean }),
        invalid('overwrite'),
      );
      assert.deepEqual(sb.sandbox.requests, []);
    });
  });

  describe('record count', () => {
    it('counts a module, and what criteria, word or email select, one call each', async () => {
      crm.store.insert('Leads', [
        { Last_Name: 'Smith', Email: 'a@x.com', Lead_Source: 'Web' },
        { Last_Name: 'Smith', Email: 'b@x.com', Lead_Source: 'Trade Show' },
        { Last_Name: 'Jones', Email: 'c@x.com', Lead_Source: 'Web' },
      ]);
      assert.equal(await countRecords(conn, 'Leads'), 3);
      assert.equal(await countRecords(conn, 'Leads', { criteria: { Lead_Source: 'Web' } }), 2);
      assert.equal(await countRecords(conn, 'Leads', { criteria: '(Last_Name:equals:Smith)' }), 2);
      assert.equal(await countRecords(conn, 'Leads', { email: 'c@x.com' }), 1);
      assert.equal(await countRecords(conn, 'Contacts'), 0);
      const sent = sb.sandbox.requests.filter((r) => r.path.startsWith('/crm/'));
      assert.equal(sent.length, 5);
      assert.ok(sent.every((r) => r.method === 'GET' && /\/actions\/count$/.test(r.path)));
      assert.equal(sent[1].query.criteria, '(Lead_Source:equals:Web)');
    });

    it('refuses a bad module or search before sending anything', async () => {
      await assert.rejects(countRecords(conn, 'Leads;drop'), invalid('module'));
      await assert.rejects(countRecords(conn, 'Leads', { word: 'a' }), invalid('word'));
      await assert.rejects(
        countRecords(conn, 'Leads', { criteria: 'Last_Name:equals:x' }),
        invalid('criteria'),
      );
      assert.deepEqual(sb.sandbox.requests, []);
    });
  });
});
