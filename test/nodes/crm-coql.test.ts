import * as assert from 'node:assert/strict';
import { helper, unloadFlow } from '../helpers/red';
import { DEFAULT_CLIENT } from '../helpers/sandbox';
import { AnyMsg, crmHarness } from './crm-harness';

describe('crm-coql node', function () {
  this.timeout(120_000);
  const h = crmHarness('crm-coql');
  const coqlCalls = () => h.crmRequests().filter((r) => r.path === '/crm/v8/coql');
  const sentQuery = (i = 0) => (coqlCalls()[i].body as AnyMsg).select_query as string;

  function assertCaught(o: Awaited<ReturnType<typeof h.exec>>, code: string): AnyMsg {
    assert.equal(o.dones.length, 1);
    assert.ok(o.dones[0]);
    assert.equal(o.out.length, 0);
    assert.equal(o.caught.length, 1);
    assert.equal(o.caught[0].error.code, code, o.caught[0].error.message);
    return o.caught[0];
  }

  beforeEach(() => {
    h.crm.store.insert('Leads', [
      { Last_Name: 'Smith', Company: 'Acme', Email: 'smith@example.com' },
      { Last_Name: "O'Brien", Company: 'Acme' },
      { Last_Name: 'Jones', Company: 'Other' },
    ]);
  });

  it('binds named placeholders from msg.params and returns rows and msg.info', async function () {
    await h.load({
      query: 'SELECT Last_Name, Email FROM Leads WHERE Company = :company ORDER BY Last_Name',
    });
    const o = await h.exec({ params: { company: 'Acme' } });
    assert.equal(o.dones.length, 1);
    assert.equal(o.dones[0], undefined);
    assert.deepEqual(
      o.out[0].payload.map((r: AnyMsg) => r.Last_Name),
      ["O'Brien", 'Smith'],
    );
    assert.equal(o.out[0].info.count, 2);
    assert.equal(o.out[0].info.truncated, false);
    assert.equal(
      sentQuery(),
      "SELECT Last_Name, Email FROM Leads WHERE Company = 'Acme' ORDER BY Last_Name",
    );
    assert.equal(o.completed.length, 1);
  });

  it('msg.query overrides the editor query; a string with a quote binds safely', async function () {
    await h.load({ query: 'SELECT Last_Name FROM Contacts WHERE Last_Name is not null' });
    const o = await h.exec({
      query: 'SELECT Last_Name FROM Leads WHERE Last_Name = :name',
      params: { name: "O'Brien" },
    });
    assert.equal(o.out[0].payload.length, 1);
    assert.equal(o.out[0].payload[0].Last_Name, "O'Brien");
    assert.equal(sentQuery(), "SELECT Last_Name FROM Leads WHERE Last_Name = 'O\\'Brien'");
  });

  it('hostile placeholder values do not change the query', async function () {
    await h.load({ query: 'SELECT Last_Name FROM Leads WHERE Last_Name = :name' });
    const hostile = [
      "x' or Last_Name is not null or Last_Name = 'y",
      "' or 1=1 --",
      '\\',
      'a) or (1=1',
    ];
    for (const [i, name] of hostile.entries()) {
      const o = await h.exec({ params: { name } });
      assert.equal(o.dones[0], undefined, `value ${i}: ${JSON.stringify(o.caught[0]?.error)}`);
      assert.deepEqual(o.out[0].payload, [], `value ${i} matched rows`);
      const q = sentQuery(i);
      const literal = q.slice('SELECT Last_Name FROM Leads WHERE Last_Name = '.length);
      assert.ok(literal.startsWith("'") && literal.endsWith("'"), q);
      // Inside the literal every quote is escaped: the value cannot close the string.
      assert.doesNotMatch(literal.slice(1, -1).replace(/\\\\/g, ''), /(^|[^\\])'/, q);
    }
  });

  it('refuses a placeholder without a value, without a request', async function () {
    await h.load({
      query: 'SELECT Last_Name FROM Leads WHERE Last_Name = :name and Company = :co',
    });
    const o = await h.exec({ params: { name: 'Smith' } });
    const caught = assertCaught(o, 'INVALID_INPUT');
    assert.match(caught.error.message, /:co/);
    // The client names the option at fault; the node says where this node takes it.
    assert.equal(caught._error.kind, 'input');
    assert.equal(caught._error.param, 'params');
    assert.match(caught.error.message, / — check msg\.params$/);
    assert.deepEqual(h.sb.sandbox.requests, []);
  });

  it('refuses a missing query and non-object params, without a request', async function () {
    await h.load({ query: '' });
    let o = await h.exec({});
    assert.equal(
      assertCaught(o, 'INVALID_INPUT')._error.message,
      "No COQL query — check the node's Query or msg.query",
    );
    o = await h.exec({ query: 'SELECT id FROM Leads WHERE id = :id', params: ['1'] });
    assert.equal(
      assertCaught(o, 'INVALID_INPUT')._error.message,
      'The placeholder values must be an object of names to values — check msg.params',
    );
    assert.deepEqual(h.sb.sandbox.requests, []);
  });

  it('refuses an in (…) of more than 100 values, naming the limit, without a request', async function () {
    await h.load({ query: 'SELECT Last_Name FROM Leads WHERE Last_Name in :names' });
    const names = Array.from({ length: 101 }, (_, i) => `N${i}`);
    const caught = assertCaught(await h.exec({ params: { names } }), 'INVALID_INPUT');
    assert.match(caught.error.message, /at most 100 values; this one has 101/);
    assert.equal(caught._error.kind, 'input');
    assert.equal(caught._error.param, 'query');
    assert.deepEqual(h.sb.sandbox.requests, []);
  });

  it('a grant without ZohoCRM.coql.READ: one catchable error naming the scope, yellow "missing scope"', async function () {
    const scope = 'ZohoCRM.modules.ALL,ZohoCRM.settings.ALL';
    const narrow = () =>
      h.sb.sandbox.accounts.issueRefreshToken({ clientId: DEFAULT_CLIENT.clientId, scope });
    const { clientId, clientSecret } = DEFAULT_CLIENT;
    const creds = () => ({ clientId, clientSecret, refreshToken: narrow() });
    // The node's Scopes list it (the defaults), the grant does not: connect again.
    await h.load({ query: 'SELECT Last_Name FROM Leads WHERE Company = :c' }, [], creds());
    let o = await h.exec({ params: { c: 'Acme' } });
    let caught = assertCaught(o, 'OAUTH_SCOPE_MISMATCH');
    assert.equal(caught._error.kind, 'scope');
    assert.match(caught.error.message, /needs the OAuth scope ZohoCRM\.coql\.READ/);
    assert.match(caught.error.message, /click Connect again/);
    assert.deepEqual(o.statuses.at(-1), {
      fill: 'yellow',
      shape: 'dot',
      text: 'missing scope: ZohoCRM.coql.READ',
    });
    assert.equal(coqlCalls().length, 1, 'one call, no retry');
    // The node's Scopes do not list it: the message names them, so the user knows what to edit.
    await unloadFlow();
    await h.load({ query: 'SELECT Last_Name FROM Leads' }, [], creds(), { scopes: scope });
    o = await h.exec({});
    caught = assertCaught(o, 'OAUTH_SCOPE_MISMATCH');
    assert.match(
      caught.error.message,
      /needs the OAuth scope ZohoCRM\.coql\.READ, which is not in the Scopes of the zoho-config node \(ZohoCRM\.modules\.ALL, ZohoCRM\.settings\.ALL\)/,
    );
    assert.equal(o.statuses.at(-1)?.text, 'missing scope: ZohoCRM.coql.READ');
  });

  it("surfaces Zoho's COQL error with its code and message", async function () {
    await h.load({ query: 'SELECT No_Such_Field FROM Leads WHERE Last_Name is not null' });
    const o = await h.exec({});
    const caught = assertCaught(o, 'INVALID_QUERY');
    assert.match(caught.error.message, /column given seems to be invalid/);
    assert.equal(caught._error.status, 400);
    assert.equal(o.statuses.at(-1)?.text, 'error: INVALID_QUERY');
  });

  it('returnAll pages with LIMIT/OFFSET over 2,000 rows', async function () {
    h.crm.store.clear();
    h.crm.store.insert(
      'Leads',
      Array.from({ length: 4500 }, (_, i) => ({ Last_Name: `R${i}`, Company: 'Bulk' })),
    );
    await h.load({
      query: "SELECT Last_Name FROM Leads WHERE Company = 'Bulk' ORDER BY id",
      returnAll: true,
    });
    const o = await h.exec({});
    assert.equal(o.out[0].payload.length, 4500);
    assert.equal(o.out[0].info.pages, 3);
    assert.equal(o.out[0].info.truncated, false);
    // Pages go side by side (the connection runs 5): those asked for past the end come back empty.
    const offsets = coqlCalls().map((r) =>
      Number(/OFFSET (\d+)$/.exec((r.body as AnyMsg).select_query)?.[1]),
    );
    for (const needed of [0, 2000, 4000]) assert.ok(offsets.includes(needed), String(offsets));
    assert.ok(offsets.length <= 3 + 5, String(offsets));
    assert.ok(
      offsets.filter((x) => x > 4000).every((x) => x % 2000 === 0),
      String(offsets),
    );
    assert.equal(o.out[0].info.calls, offsets.length);
    // Progress shows the first page (the others follow within PROGRESS_EVERY_MS here).
    assert.ok(o.statuses.some((s) => s.text === 'page 1 · 2000 rows'));
    assert.equal(o.statuses.at(-1)?.text, '4500 rows');
  });

  it("says msg.info.truncated when Zoho's 100,000-row OFFSET ceiling cuts the walk", async function () {
    h.crm.store.clear();
    h.crm.store.insert(
      'Leads',
      Array.from({ length: 100_050 }, (_, i) => ({ Last_Name: `C${i}` })),
    );
    await h.load({
      query:
        'SELECT Last_Name FROM Leads WHERE Last_Name is not null ORDER BY id LIMIT 2000 OFFSET 99000',
      returnAll: true,
    });
    const o = await h.exec({});
    assert.equal(o.dones[0], undefined);
    assert.equal(o.out[0].payload.length, 1000);
    assert.equal(o.out[0].info.truncated, true);
    assert.match(o.statuses.at(-1)?.text, /truncated/);
  });

  it('the example flow runs against the sandbox', async function () {
    h.crm.store.insert('Leads', [{ Last_Name: 'Web one', Lead_Source: 'Web Download' }]);
    await h.loadExample('crm-coql');
    const rows: AnyMsg[] = [];
    const errors: AnyMsg[] = [];
    helper.getNode('d-coql').on('input', (m: AnyMsg) => rows.push(m));
    helper.getNode('d-coql-err').on('input', (m: AnyMsg) => errors.push(m));
    helper.getNode('i-coql-1').receive({});
    helper.getNode('i-coql-2').receive({});
    for (let i = 0; i < 300 && rows.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(errors, []);
    const bySource = rows.find((m) => m.payload.length === 1);
    assert.equal(bySource?.payload[0].Last_Name, 'Web one');
    assert.ok(rows.some((m) => m.payload.length === 4 && m.info.pages === 1));
  });
});
