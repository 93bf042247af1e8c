import assert from 'node:assert/strict';
import { Oas } from '../helpers/oas';
import { startCrm, V8, type CrmHarness } from './crm-client';

const oas = new Oas();
const ok = () => oas.response('coql.json', '/crm/v8/coql', 'post');
const refused = () => oas.response('coql.json', '/crm/v8/coql', 'post', '400');

describe('COQL v8 joins, aggregates and limits (sandbox)', function () {
  this.timeout(30000);
  let h: CrmHarness;
  let king: string;
  const coql = (select_query: string) => h.request('POST', `${V8}/coql`, { select_query });

  before(async () => {
    h = await startCrm();
    const store = h.crm.store;
    [{ id: king }] = store.insert('Accounts', [{ Account_Name: 'King' }]);
    const [zylker] = store.insert('Accounts', [
      { Account_Name: 'Zylker', Parent_Account: { id: king } },
    ]);
    store.insert('Contacts', [
      { Last_Name: 'Under', Account_Name: { id: zylker.id } },
      { Last_Name: 'Alone' },
    ]);
    store.insert('Deals', [
      { Deal_Name: 'a', Stage: 'Qualification', Amount: 100, Closing_Date: '2026-01-05' },
      { Deal_Name: 'b', Stage: 'Qualification', Amount: 300, Closing_Date: '2026-03-01' },
      { Deal_Name: 'c', Stage: 'Closed Won', Amount: 1000, Closing_Date: '2026-02-01' },
      { Deal_Name: 'd', Stage: 'Closed Won' },
    ]);
  });
  after(() => h.stop());

  it('follows two lookups in one column and answers each lookup as { name, id }', async () => {
    // The query of Zoho's v8 COQL-Joins page, with its quoted columns.
    const res = await coql(
      "select 'Account_Name','Account_Name.Account_Name','Account_Name.Parent_Account'," +
        "'Account_Name.Parent_Account.Account_Name' from Contacts " +
        "where (Account_Name.Parent_Account.Account_Name = 'King') limit 1",
    );
    assert.equal(res.status, 200);
    const [row] = res.body.data;
    assert.equal(row['Account_Name.Parent_Account.Account_Name'], 'King');
    assert.deepEqual(row['Account_Name.Parent_Account'], { name: 'King', id: king });
    assert.equal(row['Account_Name.Account_Name'], 'Zylker');
    assert.equal(row.Account_Name.name, 'Zylker');
    assert.deepEqual(oas.check(ok(), res.body), []);
  });

  it('joins the owner: Owner.first_name in select and where', async () => {
    const res = await coql(
      "select Last_Name, Owner, Owner.first_name from Contacts where Owner.first_name = 'Sandbox'",
    );
    assert.equal(res.status, 200);
    assert.equal(res.body.data.length, 2);
    assert.equal(res.body.data[0]['Owner.first_name'], 'Sandbox');
    assert.equal(res.body.data[0].Owner.name, 'Sandbox Admin');
  });

  it('refuses a third lookup in one column', async () => {
    const res = await coql(
      'select Account_Name.Parent_Account.Parent_Account.Account_Name from Contacts',
    );
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'INVALID_QUERY');
    assert.deepEqual(oas.check(refused(), res.body), []);
  });

  it('aggregates with GROUP BY, keyed FN(column) or by alias', async () => {
    const res = await coql(
      'select Stage, COUNT(id), SUM(Amount), MAX(Amount) as top, MIN(Closing_Date), AVG(Amount) ' +
        'from Deals group by Stage order by Stage desc',
    );
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data, [
      {
        Stage: 'Qualification',
        'COUNT(id)': 2,
        'SUM(Amount)': 400,
        top: 300,
        'MIN(Closing_Date)': '2026-01-05',
        'AVG(Amount)': 200,
      },
      {
        Stage: 'Closed Won',
        'COUNT(id)': 2,
        'SUM(Amount)': 1000,
        top: 1000,
        'MIN(Closing_Date)': '2026-02-01',
        'AVG(Amount)': 1000,
      },
    ]);
    assert.deepEqual(res.body.info, { count: 2, more_records: false });
    assert.deepEqual(oas.check(ok(), res.body), []);
    const all = await coql("select count(Amount) from Deals where Stage = 'Closed Won'");
    assert.deepEqual(all.body.data, [{ 'COUNT(Amount)': 1 }]);
  });

  it('refuses ungrouped columns, SUM of text and a repeated alias', async () => {
    const cases: [string, string][] = [
      ['select Stage, Deal_Name, COUNT(id) from Deals group by Stage', 'INVALID_QUERY'],
      ['select SUM(Deal_Name) from Deals', 'INVALID_QUERY'],
      ['select COUNT(id) from Deals order by Stage', 'INVALID_QUERY'],
      ['select COUNT(id) as n, SUM(Amount) as n from Deals', 'DUPLICATE_ALIAS'],
    ];
    for (const [q, code] of cases) {
      const res = await coql(q);
      assert.equal(res.status, 400, q);
      assert.equal(res.body.code, code, q);
      assert.deepEqual(oas.check(refused(), res.body), [], q);
    }
  });

  it('takes 500 columns in SELECT and refuses 501 (v7 and later)', async () => {
    const cols = (n: number) => Array.from({ length: n }, () => 'Deal_Name').join(', ');
    assert.equal((await coql(`select ${cols(500)} from Deals`)).status, 200);
    const res = await coql(`select ${cols(501)} from Deals`);
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'LIMIT_EXCEEDED');
    assert.deepEqual(res.body.details, { by: 'select', limit: 500 });
  });
});
