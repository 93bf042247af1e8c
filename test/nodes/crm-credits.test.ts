/**
 * creditBackoff in the Node-RED runtime against the sandbox: the nodes say where the credit
 * budget comes from (Zoho's formula for the org's edition, or the pack's guess), and a message
 * beyond the budget ends in one catchable error with nothing sent.
 */
import * as assert from 'node:assert/strict';
import type { ZohoConfigNode } from '../../src/nodes/runtime/config-node';
import { helper } from '../helpers/red';
import { AnyMsg, crmHarness } from './crm-harness';

describe('creditBackoff in the nodes', function () {
  this.timeout(120_000);
  const h = crmHarness('crm-record');
  const orgReads = () => h.crmRequests().filter((r) => r.path === '/crm/v8/org');
  const list = { operation: 'list', module: 'Leads', fields: 'Last_Name' };
  const yellow = (statuses: AnyMsg[]) =>
    statuses.filter((s) => s.fill === 'yellow').map((s) => s.text as string);

  afterEach(() => h.sb.sandbox.configure({ edition: undefined, licensedUsers: undefined }));

  it("shows the budget Zoho's formula gives a Standard org of 4 users; one org read", async function () {
    h.sb.sandbox.configure({ edition: 'standard', licensedUsers: 4 });
    await h.load(list, [], undefined, { creditBackoff: '0.9' });
    const first = await h.exec({});
    assert.equal(first.dones.length, 1);
    assert.equal(first.dones[0], undefined);
    assert.equal(first.out.length, 1);
    const text =
      "credit budget: 51,000 a day from Standard, 4 users (Zoho's formula; add-ons not counted)";
    assert.ok(yellow(first.statuses).includes(text), JSON.stringify(first.statuses));
    const second = await h.exec({});
    assert.equal(second.out.length, 1);
    assert.equal(orgReads().length, 1, 'the org is read once, not per message');
  });

  it('a Free org: a message beyond its 5,000 credits a day is one catchable error, not sent', async function () {
    h.sb.sandbox.configure({ edition: 'free', licensedUsers: 3 });
    await h.load(list, [], undefined, { creditBackoff: '0.5' });
    assert.equal((await h.exec({})).out.length, 1);
    // Another flow on the same connection spends the rest of the budget (bulk reads, 50 each).
    const config = helper.getNode('c1') as unknown as ZohoConfigNode;
    const conn = config.getConnection();
    const job = { query: { module: { api_name: 'Leads' }, fields: ['Last_Name'] } };
    while (conn.http.creditsSpent() < 2_500) {
      await conn.request({ method: 'POST', path: '/bulk/v8/read', body: job });
    }
    const sent = h.crmRequests().length;
    const o = await h.exec({});
    assert.equal(o.dones.length, 1);
    assert.equal(o.out.length, 0);
    assert.equal(o.caught.length, 1);
    const error = o.caught[0].error as AnyMsg;
    assert.equal(error.code, 'CREDIT_BUDGET_REACHED');
    assert.match(error.message as string, /against 5000 \(Zoho's formula for Free/);
    assert.equal(h.crmRequests().length, sent, 'nothing sent');
    assert.equal(orgReads().length, 1);
  });

  it("an edition the pack does not know: the pack's own estimate, said in the status", async function () {
    h.sb.sandbox.configure({ paidType: 'bigin_express' });
    try {
      await h.load(list, [], undefined, { creditBackoff: '0.9' });
      const o = await h.exec({});
      assert.equal(o.out.length, 1);
      assert.ok(
        yellow(o.statuses).includes("credit budget: pack's own estimate (see the log)"),
        JSON.stringify(o.statuses),
      );
    } finally {
      h.sb.sandbox.configure({ paidType: undefined });
    }
  });
});
