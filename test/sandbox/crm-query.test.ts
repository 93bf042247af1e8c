import assert from 'node:assert/strict';
import { Oas } from '../helpers/oas';
import { startCrm, V8, type CrmHarness } from './crm-client';

const oas = new Oas();

/** n quoted values for a COQL in (…) list. */
function inList(n: number): string {
  return Array.from({ length: n }, (_, i) => `'v${i}'`).join(', ');
}

describe('CRM v8 search and COQL (sandbox)', function () {
  this.timeout(30000);
  let h: CrmHarness;
  before(async () => {
    h = await startCrm();
    const [acme] = h.crm.store.insert('Accounts', [{ Account_Name: 'Acme (EU), Ltd' }]);
    h.crm.store.insert('Leads', [
      {
        Last_Name: 'Paren',
        Company: 'Zylker (UK), Ltd',
        Email: 'p@zylker.example',
        Phone: '+1 (555) 010-2000',
        No_of_Employees: 10,
      },
      { Last_Name: 'Slash', Company: 'C:\\Temp\\Co', Email: 's@temp.example', No_of_Employees: 50 },
      {
        Last_Name: 'Plain',
        Company: 'Zylker',
        Email: 'plain@zylker.example',
        No_of_Employees: 200,
      },
      { Last_Name: 'Comma', Company: 'A,B', Email: null, No_of_Employees: 5 },
    ]);
    h.crm.store.insert('Contacts', [{ Last_Name: 'Linked', Account_Name: { id: acme.id } }]);
  });
  after(() => h.stop());

  const search = (q: string) => h.get(`${V8}/Leads/search?${q}`);
  const names = (body: { data: { Last_Name: string }[] }) =>
    body.data.map((d) => d.Last_Name).sort();
  const crit = (c: string) => search(`criteria=${encodeURIComponent(c)}`);

  describe('search', () => {
    it('matches escaped (, ), comma and backslash literally', async () => {
      let res = await crit('(Company:equals:Zylker \\(UK\\)\\, Ltd)');
      assert.equal(res.status, 200);
      assert.deepEqual(names(res.body), ['Paren']);
      assert.deepEqual(
        oas.check(oas.response('module_search.json', '/crm/v8/{module}/search', 'get'), res.body, {
          lenientNull: true,
        }),
        [],
      );
      res = await crit('(Company:equals:C:\\\\Temp\\\\Co)');
      assert.deepEqual(names(res.body), ['Slash']);
      res = await crit('(Company:equals:A\\,B)');
      assert.deepEqual(names(res.body), ['Comma']);
      res = await crit('(Company:in:A\\,B,Zylker)');
      assert.deepEqual(names(res.body), ['Comma', 'Plain']);
      res = await crit('(Company:starts_with:zylker \\()');
      assert.deepEqual(names(res.body), ['Paren']);
    });

    it('combines and/or with nesting and typed operators', async () => {
      let res = await crit(
        '((No_of_Employees:greater_equal:50)and(Company:starts_with:Zyl))or(Last_Name:equals:Comma)',
      );
      assert.deepEqual(names(res.body), ['Comma', 'Plain']);
      res = await crit('(No_of_Employees:between:6,60)');
      assert.deepEqual(names(res.body), ['Paren', 'Slash']);
      res = await crit('(Last_Name:not_equal:Paren)and(No_of_Employees:less_than:100)');
      assert.deepEqual(names(res.body), ['Comma', 'Slash']);
    });

    it('searches by email, phone and word', async () => {
      assert.deepEqual(names((await search('email=P@ZYLKER.example')).body), ['Paren']);
      assert.deepEqual(names((await search('phone=5550102000')).body), ['Paren']);
      assert.deepEqual(names((await search('word=zylker')).body), ['Paren', 'Plain']);
    });

    it('answers 204 on no match and Zoho errors on bad input', async () => {
      const none = await crit('(Last_Name:equals:Nobody)');
      assert.equal(none.status, 204);
      assert.equal(none.raw.length, 0);
      let res = await search('word=z');
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'INVALID_QUERY');
      assert.equal(res.body.details.api_name, 'word');
      res = await search('');
      assert.equal(res.body.code, 'EXPECTED_PARAM_MISSING');
      assert.deepEqual(res.body.details.param_names, ['criteria', 'email', 'phone', 'word']);
      for (const bad of [
        '(Last_Name:equals:x',
        '(Nope:equals:1)',
        '(Last_Name:like:x)',
        '(No_of_Employees:equals:ten)',
        '(Company:equals:a(b)',
      ]) {
        res = await crit(bad);
        assert.equal(res.status, 400, bad);
        assert.equal(res.body.code, 'INVALID_QUERY', bad);
        assert.equal(res.body.status, 'error');
      }
      res = await search('criteria=(Last_Name:equals:x)&page=11&per_page=200');
      assert.equal(res.body.code, 'LIMIT_REACHED');
      assert.deepEqual(res.body.details, { limit: '2000' });
      assert.equal((await h.get(`${V8}/Nope/search?word=ab`)).body.code, 'INVALID_MODULE');
    });

    it('pages and filters fields', async () => {
      const res = await search('word=zylker&per_page=1&page=2&fields=Email');
      assert.deepEqual(res.body.data.length, 1);
      assert.deepEqual(Object.keys(res.body.data[0]), ['Email', 'id']);
      assert.deepEqual(res.body.info, { per_page: 1, count: 1, page: 2, more_records: false });
    });
  });

  describe('COQL', () => {
    const coql = (select_query: unknown) => h.request('POST', `${V8}/coql`, { select_query });
    const coqlSchema = () => oas.response('coql.json', '/crm/v8/coql', 'post');
    const coqlError = () => oas.response('coql.json', '/crm/v8/coql', 'post', '400');

    it('answers rows with info, lookups as { name, id } and dotted columns', async () => {
      let res = await coql(
        "select Last_Name, Company from Leads where Company like 'zylker%' order by Last_Name desc limit 1",
      );
      assert.equal(res.status, 200);
      assert.deepEqual(
        res.body.data.map((d: { Last_Name: string }) => d.Last_Name),
        ['Plain'],
      );
      assert.deepEqual(res.body.info, { count: 1, more_records: true });
      assert.deepEqual(oas.check(coqlSchema(), res.body), []);
      res = await coql(
        "select Last_Name, Account_Name, Account_Name.Account_Name from Contacts where Account_Name.Account_Name = 'Acme (EU), Ltd'",
      );
      assert.equal(res.body.data[0]['Account_Name.Account_Name'], 'Acme (EU), Ltd');
      // v8 answers a lookup column as { name, id } (COQL-Joins, API v8).
      assert.deepEqual(Object.keys(res.body.data[0].Account_Name).sort(), ['id', 'name']);
      res = await coql(
        "select Last_Name from Leads where Last_Name = 'O\\'Neil' or Company = 'A,B'",
      );
      assert.deepEqual(
        res.body.data.map((d: { Last_Name: string }) => d.Last_Name),
        ['Comma'],
      );
      res = await coql(
        'select Last_Name from Leads where No_of_Employees between 6 and 60 order by No_of_Employees limit 0, 5',
      );
      assert.deepEqual(
        res.body.data.map((d: { Last_Name: string }) => d.Last_Name),
        ['Paren', 'Slash'],
      );
      res = await coql('select Last_Name from Leads where Email is null');
      assert.deepEqual(
        res.body.data.map((d: { Last_Name: string }) => d.Last_Name),
        ['Comma'],
      );
      res = await coql('select Last_Name from Leads');
      assert.equal(res.body.data.length, 4, 'WHERE is optional in v8');
    });

    it('takes 100 values in an in (…) list (v7 and later)', async () => {
      const res = await coql(`select id from Leads where Last_Name not in (${inList(100)})`);
      assert.equal(res.status, 200);
    });

    it('answers 204 when no row matches', async () => {
      const res = await coql("select Last_Name from Leads where Last_Name = 'nobody'");
      assert.equal(res.status, 204);
    });

    it('answers Zoho error codes', async () => {
      const cases: [unknown, string, Record<string, unknown>?][] = [
        ['select Last_Name form Leads', 'SYNTAX_ERROR', { line: 1, column: 18, near: 'form' }],
        ['select Last_Name', 'SYNTAX_ERROR', { clause: 'from' }],
        [
          'select Shoe_Size from Leads',
          'INVALID_QUERY',
          { column_name: 'Shoe_Size', clause: 'select' },
        ],
        ["select id from Nope where id = '1'", 'INVALID_QUERY'],
        ["select id from Leads where No_of_Employees = 'ten'", 'INVALID_QUERY'],
        ['select id from Leads limit 2001', 'LIMIT_EXCEEDED', { by: 'limit', limit: 2000 }],
        ['select id from Leads limit 2000 offset 98001', 'LIMIT_EXCEEDED'],
        ['select id from Leads order by Last_Name, Last_Name', 'DUPLICATE_DATA'],
        [
          `select id from Leads where Last_Name in (${inList(101)})`,
          'LIMIT_EXCEEDED',
          { by: 'in', limit: 100 },
        ],
      ];
      for (const [q, code, details] of cases) {
        const res = await coql(q);
        assert.equal(res.status, 400, String(q));
        assert.equal(res.body.code, code, String(q));
        assert.equal(res.body.status, 'error');
        if (details) assert.deepEqual(res.body.details, details, String(q));
        assert.deepEqual(oas.check(coqlError(), res.body), [], String(q));
      }
      for (const body of [undefined, {}, { select_query: '' }, { select_query: 5 }]) {
        const res = await h.request('POST', `${V8}/coql`, body);
        assert.equal(res.status, 400);
        assert.equal(res.body.code, 'MANDATORY_NOT_FOUND');
      }
    });
  });
});
