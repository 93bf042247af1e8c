import assert from 'node:assert/strict';
import type { CrmChange } from '../../src/sandbox/crm/index';
import { Oas } from '../helpers/oas';
import { startCrm, V8, type CrmHarness } from './crm-client';

const oas = new Oas();
const REC = '/crm/v8/{module_api_name}';

function conforms(
  file: string,
  path: string,
  method: string,
  body: unknown,
  lenientNull = false,
): void {
  assert.deepEqual(oas.check(oas.response(file, path, method), body, { lenientNull }), []);
}

describe('CRM v8 records (sandbox)', function () {
  this.timeout(30000);
  let h: CrmHarness;
  const changes: CrmChange[] = [];

  before(async () => {
    h = await startCrm();
    h.sandbox.events.on('crm.change', (c: CrmChange) => changes.push(c));
  });
  after(() => h.stop());
  beforeEach(() => {
    h.crm.store.clear();
    changes.length = 0;
  });

  const leads = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({
      Last_Name: `Lead ${from + i}`,
      Email: `l${from + i}@x.example`,
    }));

  describe('insert', () => {
    it('answers 201 with per-record details and emits crm.change', async () => {
      const res = await h.request('POST', `${V8}/Leads`, { data: leads(2), trigger: ['workflow'] });
      assert.equal(res.status, 201);
      assert.equal(res.body.data.length, 2);
      const [first] = res.body.data;
      assert.equal(first.code, 'SUCCESS');
      assert.equal(first.message, 'record added');
      assert.equal(first.status, 'success');
      assert.match(first.details.id, /^\d{19}$/);
      assert.match(first.details.Created_Time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
      assert.deepEqual(Object.keys(first.details.Created_By).sort(), ['email', 'id', 'name']);
      conforms('record.json', REC, 'post', res.body);
      assert.equal(h.crm.store.count('Leads'), 2);
      assert.equal(changes.length, 1);
      assert.equal(changes[0].module, 'Leads');
      assert.equal(changes[0].operation, 'insert');
      assert.deepEqual(
        changes[0].ids,
        res.body.data.map((d: { details: { id: string } }) => d.details.id),
      );
      assert.deepEqual(changes[0].fields?.sort(), ['Email', 'Last_Name']);
      assert.equal(typeof changes[0].time, 'number');
    });

    it('refuses more than 100 records with LIMIT_EXCEEDED and accepts exactly 100', async () => {
      const res = await h.request('POST', `${V8}/Leads`, { data: leads(101) });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'LIMIT_EXCEEDED');
      assert.equal(res.body.status, 'error');
      assert.equal(res.body.details.limit, 100);
      assert.equal(h.crm.store.count('Leads'), 0);
      const ok = await h.request('POST', `${V8}/Leads`, { data: leads(100) });
      assert.equal(ok.status, 201);
      assert.equal(h.crm.store.count('Leads'), 100);
    });

    it('checks the envelope', async () => {
      let res = await h.request('POST', `${V8}/Leads`, { records: [] });
      assert.equal(res.body.code, 'MANDATORY_NOT_FOUND');
      assert.equal(res.body.details.api_name, 'data');
      res = await h.request('POST', `${V8}/Leads`, { data: [] });
      assert.equal(res.body.code, 'INVALID_DATA');
      res = await h.request('POST', `${V8}/Leads`, { data: leads(1), trigger: 'workflow' });
      assert.equal(res.body.details.api_name, 'trigger');
    });

    it('answers mandatory, type, lookup and duplicate errors per record (207 when mixed)', async () => {
      const [acct] = h.crm.store.insert('Accounts', [{ Account_Name: 'Acme' }]);
      h.crm.store.insert('Leads', [{ Last_Name: 'Taken', Email: 'taken@x.example' }]);
      const res = await h.request('POST', `${V8}/Contacts`, {
        data: [
          { Last_Name: 'Ok', Account_Name: { id: acct.id } },
          { First_Name: 'No last name' },
          { Last_Name: '' },
          { Last_Name: 'Bad email', Email: 'not-an-email' },
          { Last_Name: 'String lookup', Account_Name: acct.id },
          { Last_Name: 'Missing lookup', Account_Name: { id: '4876876000099999999' } },
          { Last_Name: 'Bad date', Date_of_Birth: '2024-02-30' },
          { Last_Name: 'Dup 1', Email: 'same@x.example' },
          { Last_Name: 'Dup 2', Email: 'SAME@x.example' },
          { Last_Name: 'Unknown fields are ignored', Shoe_Size: 44 },
        ],
      });
      assert.equal(res.status, 207);
      const codes = res.body.data.map((d: { code: string }) => d.code);
      assert.deepEqual(codes, [
        'SUCCESS',
        'MANDATORY_NOT_FOUND',
        'MANDATORY_NOT_FOUND',
        'INVALID_DATA',
        'INVALID_DATA',
        'INVALID_DATA',
        'INVALID_DATA',
        'SUCCESS',
        'DUPLICATE_DATA',
        'SUCCESS',
      ]);
      assert.deepEqual(res.body.data[1].details, {
        api_name: 'Last_Name',
        json_path: '$.data[1].Last_Name',
      });
      assert.equal(res.body.data[1].message, 'required field not found');
      assert.deepEqual(res.body.data[4].details, {
        expected_data_type: 'jsonobject',
        api_name: 'Account_Name',
        json_path: '$.data[4].Account_Name',
      });
      assert.equal(res.body.data[8].details.api_name, 'Email');
      conforms('record.json', REC, 'post', res.body);
      const dupLead = await h.request('POST', `${V8}/Leads`, {
        data: [{ Last_Name: 'x', Email: 'Taken@x.example' }],
      });
      assert.equal(dupLead.status, 400);
      assert.equal(dupLead.body.data[0].code, 'DUPLICATE_DATA');
      assert.equal(dupLead.body.data[0].message, 'duplicate data');
      assert.equal(dupLead.body.data[0].details.duplicate_record.module.api_name, 'Leads');
      const stored = h.crm.store.all('Contacts');
      assert.equal(stored.length, 3);
      assert.deepEqual(stored[0].data.Account_Name, { name: 'Acme', id: acct.id });
      assert.equal(stored[2].data.Shoe_Size, undefined);
    });

    it('checks numbers, booleans, datetimes, picklist lists and owners', async () => {
      const res = await h.request('POST', `${V8}/Sensors`, {
        data: [
          {
            Name: 'ok',
            Temperature: 21.5,
            Humidity: 40,
            Active: true,
            Reading_Time: '2024-05-03T10:15:30+05:30',
            Tags: ['indoor'],
          },
          { Name: 'int', Humidity: 40.5 },
          { Name: 'bool', Active: 'yes' },
          { Name: 'dt', Reading_Time: '2024-05-03 10:15' },
          { Name: 'multi', Tags: 'indoor' },
          { Name: 'owner', Owner: { id: '1' } },
          { Name: 'double', Temperature: '21' },
        ],
      });
      assert.deepEqual(
        res.body.data.map(
          (d: { code: string; details: { api_name?: string } }) => d.details.api_name ?? d.code,
        ),
        ['SUCCESS', 'Humidity', 'Active', 'Reading_Time', 'Tags', 'Owner', 'Temperature'],
      );
      assert.equal(res.body.data[0].code, 'SUCCESS');
    });

    it('keeps Tag as tag objects { name, id, color_code }, one id per name; refuses plain strings', async () => {
      const res = await h.request('POST', `${V8}/Leads`, {
        data: [
          { Last_Name: 'T1', Tag: [{ name: 'vip' }, { name: 'hot' }] },
          { Last_Name: 'T2', Tag: [{ name: 'VIP' }] },
        ],
      });
      assert.equal(res.status, 201);
      const [a, b] = res.body.data.map((d: { details: { id: string } }) => d.details.id);
      const got = await h.get(`${V8}/Leads/${a}`);
      const tags = got.body.data[0].Tag;
      assert.deepEqual(
        tags.map((t: Record<string, unknown>) => [t.name, t.color_code, typeof t.id]),
        [
          ['vip', null, 'string'],
          ['hot', null, 'string'],
        ],
      );
      const other = (await h.get(`${V8}/Leads/${b}`)).body.data[0].Tag;
      assert.equal(other[0].id, tags[0].id, 'a tag name has one id in the org');
      const tagSchema = oas.schema('tags.json', '#/components/schemas/Tag');
      for (const t of tags) {
        const errors = oas.check(tagSchema, t, { lenientNull: true });
        // The OAS lists created/modified times and users as required; a record's tag carries
        // only name, id and color_code (Zoho's SDK models it as tags/tag with all optional).
        assert.deepEqual(
          errors.filter((e) => !/created_|modified_/.test(e)),
          [],
        );
      }
      for (const bad of [['vip'], [{ name: '' }], [{ name: 'x'.repeat(26) }], 'vip']) {
        const refused = await h.request('POST', `${V8}/Leads`, {
          data: [{ Last_Name: 'Bad', Tag: bad }],
        });
        assert.equal(refused.status, 400, JSON.stringify(bad));
        assert.equal(refused.body.data[0].details.api_name, 'Tag');
        assert.equal(refused.body.data[0].details.expected_data_type, 'jsonarray');
      }
    });

    it('answers 400 INVALID_MODULE for unknown or wrongly cased modules, 401 without a token', async () => {
      for (const m of ['Nope', 'leads']) {
        const res = await h.request('POST', `${V8}/${m}`, { data: leads(1) });
        assert.equal(res.status, 400);
        assert.equal(res.body.code, 'INVALID_MODULE');
        conforms('record.json', REC, 'get', res.body);
      }
      const anon = await fetch(`${h.sandbox.url}${V8}/Leads?fields=Last_Name`);
      assert.equal(anon.status, 401);
    });
  });

  describe('update, upsert, delete', () => {
    it('updates in bulk and by id, with per-record errors', async () => {
      const [a, b] = h.crm.store.insert('Leads', leads(2), { time: Date.now() - 60000 });
      const res = await h.request('PUT', `${V8}/Leads`, {
        data: [
          { id: a.id, Company: 'New Co' },
          { Company: 'no id' },
          { id: '4876876000099999999', Company: 'unknown' },
          { id: 'abc', Company: 'bad' },
          { id: b.id, Last_Name: null },
        ],
      });
      assert.equal(res.status, 207);
      assert.deepEqual(
        res.body.data.map((d: { code: string }) => d.code),
        ['SUCCESS', 'MANDATORY_NOT_FOUND', 'INVALID_DATA', 'INVALID_DATA', 'MANDATORY_NOT_FOUND'],
      );
      assert.equal(res.body.data[0].message, 'record updated');
      assert.equal(res.body.data[2].message, 'the id given seems to be invalid');
      assert.equal(h.crm.store.get('Leads', a.id)?.data.Company, 'New Co');
      assert.notEqual(
        h.crm.store.get('Leads', a.id)?.data.Modified_Time,
        h.crm.store.get('Leads', a.id)?.data.Created_Time,
      );
      assert.deepEqual(
        changes.map((c) => [c.operation, c.ids, c.fields]),
        [['update', [a.id], ['Company']]],
      );
      const one = await h.request('PUT', `${V8}/Leads/${b.id}`, { data: [{ Company: 'Single' }] });
      assert.equal(one.status, 200);
      assert.equal(one.body.data[0].details.id, b.id);
      assert.equal(h.crm.store.get('Leads', b.id)?.data.Company, 'Single');
      const allBad = await h.request('PUT', `${V8}/Leads`, { data: [{ Company: 'x' }] });
      assert.equal(allBad.status, 400);
    });

    it('upserts on duplicate_check_fields or the module default', async () => {
      const [a] = h.crm.store.insert('Leads', [{ Last_Name: 'A', Email: 'a@x.example' }]);
      const res = await h.request('POST', `${V8}/Leads/upsert`, {
        data: [
          { Last_Name: 'A2', Email: 'A@x.example' },
          { Last_Name: 'B', Email: 'b@x.example' },
          { Email: 'c@x.example' },
        ],
      });
      assert.equal(res.status, 207);
      const [upd, ins, bad] = res.body.data;
      assert.deepEqual(
        [upd.action, upd.duplicate_field, upd.details.id],
        ['update', 'Email', a.id],
      );
      assert.deepEqual(
        [ins.action, ins.duplicate_field, ins.message],
        ['insert', null, 'record added'],
      );
      assert.equal(bad.code, 'MANDATORY_NOT_FOUND');
      conforms('record.json', '/crm/v8/{module_api_name}/upsert', 'post', res.body, true);
      const byName = await h.request('POST', `${V8}/Leads/upsert`, {
        data: [{ Last_Name: 'B', Company: 'Matched by name' }],
        duplicate_check_fields: ['Last_Name'],
      });
      assert.equal(byName.status, 200);
      assert.equal(byName.body.data[0].action, 'update');
      assert.equal(byName.body.data[0].duplicate_field, 'Last_Name');
      const badField = await h.request('POST', `${V8}/Leads/upsert`, {
        data: [{ Last_Name: 'B' }],
        duplicate_check_fields: ['Nope'],
      });
      assert.equal(badField.status, 400);
      assert.equal(badField.body.code, 'INVALID_DATA');
      assert.deepEqual(
        changes.map((c) => c.operation),
        ['insert', 'update', 'update'],
      );
    });

    it('deletes by ids and by id, logs deletions and lists them', async () => {
      const recs = h.crm.store.insert('Leads', leads(3));
      const ids = recs.map((r) => r.id);
      const res = await h.request(
        'DELETE',
        `${V8}/Leads?ids=${ids[0]},${ids[1]},4876876000099999999,abc&wf_trigger=false`,
      );
      assert.equal(res.status, 207);
      assert.deepEqual(
        res.body.data.map((d: { code: string }) => d.code),
        ['SUCCESS', 'SUCCESS', 'INVALID_DATA', 'INVALID_DATA'],
      );
      assert.deepEqual(res.body.data[0], {
        code: 'SUCCESS',
        details: { id: ids[0] },
        message: 'record deleted',
        status: 'success',
      });
      conforms('record.json', REC, 'delete', res.body);
      const one = await h.request('DELETE', `${V8}/Leads/${ids[2]}`);
      assert.equal(one.status, 200);
      assert.equal(h.crm.store.count('Leads'), 0);
      const missing = await h.request('DELETE', `${V8}/Leads`);
      assert.equal(missing.body.code, 'REQUIRED_PARAM_MISSING');
      const tooMany = Array.from({ length: 101 }, (_, i) =>
        String(4876876000000000000n + BigInt(i)),
      ).join(',');
      assert.equal(
        (await h.request('DELETE', `${V8}/Leads?ids=${tooMany}`)).body.code,
        'LIMIT_EXCEEDED',
      );
      assert.deepEqual(
        changes.map((c) => [c.operation, c.ids.length]),
        [
          ['delete', 2],
          ['delete', 1],
        ],
      );

      const log = await h.get(`${V8}/Leads/deleted?type=all&per_page=2`);
      assert.equal(log.status, 200);
      assert.equal(log.body.data.length, 2);
      assert.equal(log.body.data[0].id, ids[2]);
      assert.equal(log.body.data[0].type, 'recycle');
      assert.equal(log.body.data[0].display_name, 'Lead 2');
      assert.deepEqual(log.body.info, { per_page: 2, count: 2, page: 1, more_records: true });
      conforms('record.json', '/crm/v8/{module_api_name}/deleted', 'get', log.body);
      assert.equal((await h.get(`${V8}/Leads/deleted?type=permanent`)).status, 204);
      h.crm.store.purge('Leads');
      assert.equal((await h.get(`${V8}/Leads/deleted?type=permanent`)).body.data.length, 3);
      assert.equal((await h.get(`${V8}/Leads/deleted?type=bogus`)).body.code, 'INVALID_DATA');
      assert.equal((await h.get(`${V8}/Contacts/deleted`)).status, 204);
    });
  });

  describe('read', () => {
    it('requires fields, returns only them plus id, 204 when empty', async () => {
      let res = await h.get(`${V8}/Leads`);
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'REQUIRED_PARAM_MISSING');
      assert.equal(res.body.details.param, 'fields');
      assert.equal(res.body.message, 'One of the expected parameter is missing');
      conforms('record.json', REC, 'get', res.body);
      res = await h.get(`${V8}/Leads?fields=Last_Name`);
      assert.equal(res.status, 204);
      assert.equal(res.raw.length, 0);
      h.crm.store.insert('Leads', leads(3));
      res = await h.get(`${V8}/Leads?fields=Last_Name,Email`);
      assert.equal(res.status, 200);
      assert.deepEqual(Object.keys(res.body.data[0]), ['Last_Name', 'Email', 'id']);
      conforms('record.json', REC, 'get', res.body, true);
      res = await h.get(`${V8}/Leads?fields=Last_Name,Shoe_Size`);
      assert.equal(res.body.code, 'INVALID_DATA');
    });

    it('sorts by id, Created_Time and Modified_Time in both orders (desc by default)', async () => {
      const t0 = Date.now() - 100000;
      const recs = [2, 0, 1].map(
        (k, i) => h.crm.store.insert('Leads', [{ Last_Name: `L${i}` }], { time: t0 + k * 1000 })[0],
      );
      h.crm.store.update('Leads', recs[0].id, { Company: 'touched' }, { time: t0 + 10000 });
      const order = async (q: string) =>
        (await h.get(`${V8}/Leads?fields=Last_Name&${q}`)).body.data.map(
          (d: { Last_Name: string }) => d.Last_Name,
        );
      assert.deepEqual(await order(''), ['L2', 'L1', 'L0']);
      assert.deepEqual(await order('sort_by=id&sort_order=asc'), ['L0', 'L1', 'L2']);
      assert.deepEqual(await order('sort_by=Created_Time&sort_order=asc'), ['L1', 'L2', 'L0']);
      assert.deepEqual(await order('sort_by=Modified_Time&sort_order=desc'), ['L0', 'L2', 'L1']);
      assert.equal(
        (await h.get(`${V8}/Leads?fields=Last_Name&sort_by=Email`)).body.code,
        'INVALID_DATA',
      );
      assert.equal(
        (await h.get(`${V8}/Leads?fields=Last_Name&sort_order=up`)).body.code,
        'INVALID_DATA',
      );
    });

    it('filters by ids', async () => {
      const recs = h.crm.store.insert('Leads', leads(5));
      const res = await h.get(
        `${V8}/Leads?fields=Last_Name&ids=${recs[1].id},${recs[3].id}&sort_order=asc`,
      );
      assert.deepEqual(
        res.body.data.map((d: { id: string }) => d.id),
        [recs[1].id, recs[3].id],
      );
      assert.equal((await h.get(`${V8}/Leads?fields=Last_Name&ids=12x`)).body.code, 'INVALID_DATA');
    });

    it('honours If-Modified-Since and answers 304 when nothing changed', async () => {
      const t0 = Date.UTC(2024, 0, 1, 12, 0, 0);
      const [old, recent] = h.crm.store.insert('Leads', leads(2), { time: t0 });
      h.crm.store.update('Leads', recent.id, { Company: 'x' }, { time: t0 + 3600000 });
      const since = (s: string) =>
        h.get(`${V8}/Leads?fields=Last_Name`, { 'If-Modified-Since': s });
      let res = await since('2024-01-01T12:30:00+00:00');
      assert.equal(res.status, 200);
      assert.deepEqual(
        res.body.data.map((d: { id: string }) => d.id),
        [recent.id],
      );
      res = await since('2024-01-01T18:00:00+05:30');
      assert.equal(res.status, 200, 'offsets are honoured: 18:00+05:30 is 12:30Z');
      res = await since('2024-01-01T13:00:00+00:00');
      assert.equal(res.status, 304);
      assert.equal(res.raw.length, 0);
      assert.ok(old);
      assert.equal((await since('yesterday-ish')).body.code, 'INVALID_DATA');
    });

    it('pages with page/per_page up to 2,000 records, then with page_token', async function () {
      h.crm.seed({ Leads: 2450 });
      const first = await h.get(`${V8}/Leads?fields=Last_Name&per_page=500`);
      assert.equal(first.body.info.per_page, 200, 'per_page is capped at 200');
      assert.equal(first.body.data.length, 200);
      const p10 = await h.get(`${V8}/Leads?fields=Last_Name&page=10&per_page=200`);
      assert.equal(p10.status, 200);
      const info = p10.body.info;
      assert.equal(info.page, 10);
      assert.equal(info.count, 200);
      assert.equal(info.more_records, true);
      assert.equal(info.sort_by, 'id');
      assert.equal(info.sort_order, 'desc');
      assert.match(info.next_page_token, /^[0-9a-f]{48}$/);
      assert.match(info.page_token_expiry, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
      conforms('record.json', REC, 'get', p10.body, true);
      const p11 = await h.get(`${V8}/Leads?fields=Last_Name&page=11&per_page=200`);
      assert.equal(p11.status, 400);
      assert.equal(p11.body.code, 'DISCRETE_PAGINATION_LIMIT_EXCEEDED');
      assert.equal(p11.body.status, 'error');
      const seen = new Set<string>();
      for (let page = 1; page <= 10; page++) {
        const r = await h.get(`${V8}/Leads?fields=Last_Name&page=${page}`);
        r.body.data.forEach((d: { id: string }) => seen.add(d.id));
      }
      let token: string | null = info.next_page_token;
      let pages = 0;
      while (token) {
        const r = await h.get(`${V8}/Leads?fields=Last_Name&page_token=${token}`);
        assert.equal(r.status, 200);
        r.body.data.forEach((d: { id: string }) => seen.add(d.id));
        assert.equal(r.body.info.previous_page_token, token);
        token = r.body.info.next_page_token;
        if (!r.body.info.more_records) assert.equal(token, null);
        pages++;
      }
      assert.equal(pages, 3);
      assert.equal(seen.size, 2450);
      const bad = await h.get(`${V8}/Leads?fields=Last_Name&page_token=nope`);
      assert.equal(bad.body.code, 'INVALID_DATA');
      assert.equal(bad.body.details.param, 'page_token');
      const wrongModule = await h.get(
        `${V8}/Contacts?fields=Last_Name&page_token=${info.next_page_token}`,
      );
      assert.equal(wrongModule.body.code, 'INVALID_DATA');
      assert.equal((await h.get(`${V8}/Leads?fields=Last_Name&page=0`)).body.code, 'INVALID_DATA');
      assert.equal((await h.get(`${V8}/Leads?fields=Last_Name&page=5&per_page=200`)).status, 200);
      assert.equal((await h.get(`${V8}/Leads?fields=Last_Name&page=21&per_page=100`)).status, 400);
    });

    it('page tokens survive writes between pages and expire after a day', async () => {
      h.crm.seed({ Leads: 5 });
      const first = await h.get(`${V8}/Leads?fields=Last_Name&per_page=2&sort_order=asc`);
      const token = first.body.info.next_page_token;
      const [extra] = h.crm.store.insert('Leads', [{ Last_Name: 'late' }]);
      h.crm.store.remove('Leads', [first.body.data[0].id]);
      const second = await h.get(`${V8}/Leads?fields=Last_Name&per_page=2&page_token=${token}`);
      assert.equal(second.body.info.page, 2);
      const ids = second.body.data.map((d: { id: string }) => d.id);
      assert.ok(!ids.includes(first.body.data[1].id));
      assert.ok(!ids.includes(extra.id));
      const later = Date.now() + 25 * 3600 * 1000;
      h.sandbox.configure({ now: () => later });
      try {
        const { accessToken } = await import('../helpers/sandbox').then((m) =>
          m.issueTokens(h.sandbox),
        );
        const res = await fetch(
          `${h.sandbox.url}${V8}/Leads?fields=Last_Name&page_token=${token}`,
          {
            headers: { Authorization: `Zoho-oauthtoken ${accessToken}` },
          },
        );
        assert.equal(res.status, 400);
      } finally {
        h.sandbox.configure({ now: undefined });
      }
    });

    it('gets one record with every field, 204 when absent, INVALID_DATA for a malformed id', async () => {
      const [rec] = h.crm.store.insert('Leads', [
        { First_Name: 'Ada', Last_Name: 'Lovelace', Email: 'ada@x.example' },
      ]);
      let res = await h.get(`${V8}/Leads/${rec.id}`);
      assert.equal(res.status, 200);
      const data = res.body.data[0];
      assert.equal(data.id, rec.id);
      assert.equal(data.Full_Name, 'Ada Lovelace');
      assert.equal(data.Company, null);
      assert.deepEqual(data.Owner, {
        name: 'Sandbox Admin',
        id: '4876876000000225001',
        email: 'admin@sandbox.zoho.example',
      });
      conforms('record.json', '/crm/v8/{module_api_name}/{id}', 'get', res.body, true);
      res = await h.get(`${V8}/Leads/${rec.id}?fields=Email`);
      assert.deepEqual(res.body.data[0], { Email: 'ada@x.example', id: rec.id });
      assert.equal((await h.get(`${V8}/Leads/4876876000099999999`)).status, 204);
      res = await h.get(`${V8}/Leads/not-an-id`);
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'INVALID_DATA');
      assert.equal(res.body.message, 'the id given seems to be invalid');
      conforms('record.json', '/crm/v8/{module_api_name}/{id}', 'get', res.body);
      assert.equal((await h.get(`${V8}/Contacts/${rec.id}`)).status, 204, 'ids are per module');
    });
  });
});
