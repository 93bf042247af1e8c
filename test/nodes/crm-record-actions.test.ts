/**
 * crm-record's record actions (convert a lead) in a real Node-RED runtime against the sandbox:
 * values from the node and from msg, the result on msg.payload, Zoho's refusal as one catchable
 * error, and bad input refused before anything is sent.
 */
import * as assert from 'node:assert/strict';
import { DEAL_STAGES } from '../../src/sandbox/crm/modules';
import { helper } from '../helpers/red';
import { AnyMsg, crmHarness } from './crm-harness';

describe('crm-record node: record actions', function () {
  this.timeout(60_000);
  const h = crmHarness('crm-record');
  const lead = (email = 'pat@zylker.com') =>
    h.crm.store.insert('Leads', [
      { Last_Name: 'Boyle', First_Name: 'Pat', Company: 'Zylker', Email: email },
    ])[0].id;

  function assertOk(o: Awaited<ReturnType<typeof h.exec>>): AnyMsg {
    assert.equal(o.dones.length, 1);
    assert.equal(o.dones[0], undefined, String((o.dones[0] as Error | undefined)?.message));
    assert.equal(o.caught.length, 0);
    assert.equal(o.out.length, 1);
    return o.out[0];
  }

  describe('convert a lead', function () {
    it('converts with the node’s deal and options; msg.payload has the new ids', async function () {
      const id = lead();
      await h.load({
        operation: 'convertLead',
        module: 'Leads',
        recordId: id,
        deal: '{"Deal_Name":"Pilot","Stage":"Qualification"}',
        dealType: 'json',
        notifyLeadOwner: true,
      });
      const out = assertOk(await h.exec({}));
      assert.equal(out.payload.leadId, id);
      assert.equal(h.crm.store.get('Deals', out.payload.dealId)?.data.Deal_Name, 'Pilot');
      assert.equal(h.crm.store.get('Contacts', out.payload.contactId)?.data.Last_Name, 'Boyle');
      assert.equal(h.crm.store.get('Accounts', out.payload.accountId)?.data.Account_Name, 'Zylker');
      const sent = h.crmRequests();
      assert.equal(sent.length, 1);
      assert.deepEqual(sent[0].body, {
        data: [{ notify_lead_owner: true, Deals: { Deal_Name: 'Pilot', Stage: 'Qualification' } }],
      });
    });

    it('takes the lead, account and owner from msg; no deal without deal fields', async function () {
      const acc = h.crm.store.insert('Accounts', [{ Account_Name: 'Existing' }])[0].id;
      const user = h.crm.store.users[1].id;
      const id = lead();
      await h.load({
        operation: 'convertLead',
        module: 'Leads',
        recordId: '',
        recordIdType: 'str',
      });
      const out = assertOk(
        await h.exec({ recordId: id, accountId: acc, assignTo: user, notifyLeadOwner: false }),
      );
      assert.equal(out.payload.accountId, acc);
      assert.equal(out.payload.dealId, null);
      assert.equal(h.crm.store.count('Deals'), 0);
      assert.deepEqual(h.crmRequests()[0].body, {
        data: [{ notify_lead_owner: false, Accounts: { id: acc }, assign_to: { id: user } }],
      });
    });

    it('a lead converted before fails the message once with Zoho’s ID_ALREADY_CONVERTED', async function () {
      const id = lead();
      await h.load({ operation: 'convertLead', module: 'Leads', recordId: id });
      assertOk(await h.exec({}));
      const o = await h.exec({});
      assert.equal(o.dones.length, 1);
      assert.ok(o.dones[0]);
      assert.equal(o.out.length, 0);
      assert.equal(o.caught.length, 1);
      assert.equal(o.caught[0].error.code, 'ID_ALREADY_CONVERTED');
    });

    it('refuses another module before sending anything', async function () {
      await h.load({ operation: 'convertLead', module: 'Contacts', recordId: '123' });
      const o = await h.exec({});
      assert.equal(o.dones.length, 1);
      assert.equal(o.caught.length, 1);
      assert.equal(o.caught[0].error.code, 'INVALID_INPUT');
      assert.match(o.caught[0].error.message, /Module to Leads/);
      assert.deepEqual(h.crmRequests(), []);
    });

    it('refuses a deal that is not fields before sending anything', async function () {
      await h.load({ operation: 'convertLead', module: 'Leads', recordId: lead() });
      const o = await h.exec({ deal: ['not', 'fields'] });
      assert.equal(o.dones.length, 1);
      assert.equal(o.caught.length, 1);
      assert.equal(o.caught[0].error.code, 'INVALID_INPUT');
      assert.match(o.caught[0].error.message, /Deal/);
      assert.deepEqual(h.crmRequests(), []);
    });
  });

  describe('record count', function () {
    it('counts the module; msg.criteria counts what it selects', async function () {
      h.crm.store.insert('Leads', [
        { Last_Name: 'Smith', Lead_Source: 'Web' },
        { Last_Name: 'Jones', Lead_Source: 'Web' },
        { Last_Name: 'Lee', Lead_Source: 'Trade Show' },
      ]);
      await h.load({ operation: 'count', module: 'Leads', searchBy: 'criteria', search: '' });
      let out = assertOk(await h.exec({}));
      assert.equal(out.payload, 3);
      out = assertOk(await h.exec({ criteria: { Lead_Source: 'Web' } }));
      assert.equal(out.payload, 2);
      const sent = h.crmRequests();
      assert.equal(sent.length, 2);
      assert.equal(sent[1].query.criteria, '(Lead_Source:equals:Web)');
    });

    it('counts by the node’s word; a one-letter word is refused before sending', async function () {
      h.crm.store.insert('Leads', [{ Last_Name: 'Smith' }, { Last_Name: 'Jones' }]);
      await h.load({ operation: 'count', module: 'Leads', searchBy: 'word', search: 'Smith' });
      assert.equal(assertOk(await h.exec({})).payload, 1);
      h.sb.sandbox.clearRequests();
      const o = await h.exec({ word: 'S' });
      assert.equal(o.dones.length, 1);
      assert.equal(o.caught.length, 1);
      assert.equal(o.caught[0].error.code, 'INVALID_INPUT');
      assert.deepEqual(h.crmRequests(), []);
    });
  });

  it('the example flow converts the newest lead, counts web leads, lists sales reps and deal fields, marks web leads contacted, mails one', async function () {
    h.crm.store.insert('Leads', [
      { Last_Name: 'Old', Company: 'Acme', Lead_Source: 'Web' },
      { Last_Name: 'New', Company: 'Zylker', Lead_Source: 'Web', Email: 'new@zylker.com' },
      { Last_Name: 'Other', Lead_Source: 'Trade Show' },
    ]);
    await h.loadExample('crm-actions');
    const results: AnyMsg[] = [];
    const errors: AnyMsg[] = [];
    helper.getNode('d-act-1').on('input', (m: AnyMsg) => results.push(m));
    helper.getNode('d-act-2').on('input', (m: AnyMsg) => errors.push(m));
    const step = async (inject: string, count: number): Promise<AnyMsg> => {
      helper.getNode(inject).receive({});
      for (let i = 0; i < 300 && results.length + errors.length < count; i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(errors, []);
      assert.equal(results.length, count);
      return results[count - 1];
    };
    const converted = (await step('i-act-1', 1)).payload as AnyMsg;
    assert.equal(h.crm.store.get('Leads', converted.leadId)?.data.Last_Name, 'Other');
    assert.equal(h.crm.store.get('Deals', converted.dealId)?.data.Deal_Name, 'First order');
    assert.equal(h.crm.store.get('Contacts', converted.contactId)?.data.Last_Name, 'Other');
    assert.equal(converted.accountId, null, 'no Company, no account');
    assert.equal((await step('i-act-2', 2)).payload, 2);
    const reps = (await step('i-act-3', 3)).payload as AnyMsg[];
    assert.deepEqual(
      reps.map((u) => u.name),
      h.crm.store.users
        .filter((u) => u.status === 'active' && u.role === 'Sales Rep')
        .map((u) => u.name),
    );
    const fields = (await step('i-act-4', 4)).payload as AnyMsg[];
    const stage = fields.find((f) => f.api_name === 'Stage');
    assert.deepEqual(
      stage?.pick_list_values.map((v: AnyMsg) => v.actual_value),
      [...DEAL_STAGES],
    );
    const web = h.crm.store.all('Leads').filter((r) => r.data.Lead_Source === 'Web');
    const mass = (await step('i-act-5', 5)).payload as AnyMsg;
    assert.equal(mass.status, 'COMPLETED');
    assert.equal(mass.updated, web.length);
    for (const r of web) assert.equal(r.data.Lead_Status, 'Contacted');
    const mailed = (await step('i-act-6', 6)).payload as AnyMsg;
    const newLead = web.find((r) => r.data.Email === 'new@zylker.com');
    assert.equal(mailed.recordId, newLead?.id);
    const sent = h.crm.mailer.sent.at(-1);
    assert.deepEqual(sent?.mail.to, [{ email: 'new@zylker.com' }]);
    assert.equal(sent?.mail.content, '<p>Dear New, thanks for your interest.</p>');
  });
});
