import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import { helper, redSettings, unloadFlow } from '../helpers/red';
import { AnyMsg, crmHarness, startSlowCreate } from './crm-harness';
import { assertTranslated } from './texts';

const FIELDS = 'Last_Name,Company,Email';

function leads(n: number, tag = 'L'): AnyMsg[] {
  return Array.from({ length: n }, (_, i) => ({
    Last_Name: `${tag}-${String(i).padStart(5, '0')}`,
    Company: 'Acme',
  }));
}

describe('crm-record node', function () {
  this.timeout(60_000);
  const h = crmHarness('crm-record');
  const seed = (n: number, tag = 'S') => h.crm.store.insert('Leads', leads(n, tag));

  /** The node made no request at all (not even a token refresh). */
  const assertNoRequests = () => assert.deepEqual(h.sb.sandbox.requests, []);

  /** Exactly one done(), with an error, caught once, nothing sent. */
  function assertFailed(o: Awaited<ReturnType<typeof h.exec>>, code: string): AnyMsg {
    assert.equal(o.dones.length, 1);
    assert.ok(o.dones[0], 'done(err)');
    assert.equal(o.out.length, 0);
    assert.equal(o.caught.length, 1);
    const caught = o.caught[0];
    assert.equal(caught.error.code, code, caught.error.message);
    assert.equal(caught._error.code, code);
    assert.equal(caught.error.source.id, 'n1');
    return caught;
  }

  describe('reads', function () {
    it('gets a record by id from the editor, or by msg.recordId when the field is empty', async function () {
      const [a, b] = seed(2);
      await h.load({ operation: 'get', module: 'Leads', moduleType: 'str', recordId: a.id });
      const n1 = helper.getNode('n1');
      const warnings: unknown[] = [];
      n1.warn = (text: unknown) => warnings.push(text);
      let o = await h.exec({});
      assert.equal(o.dones.length, 1);
      assert.equal(o.dones[0], undefined);
      assert.equal(o.out[0].payload.id, a.id);
      assert.equal(o.completed.length, 1);
      // The node's own id wins over msg.recordId (Node-RED's convention), with one warning.
      o = await h.exec({ recordId: b.id });
      assert.equal(o.out[0].payload.id, a.id);
      await h.exec({ recordId: b.id });
      assert.equal(warnings.length, 1);
      assert.match(String(warnings[0]), /msg\.recordId is ignored/);
    });

    it('takes msg.recordId when the node leaves the record id empty', async function () {
      const [, b] = seed(2);
      await h.load({ operation: 'get', module: 'Leads', moduleType: 'str', recordId: '' });
      const o = await h.exec({ recordId: b.id });
      assert.equal(o.out[0].payload.Last_Name, b.data.Last_Name);
    });

    it('a stray msg.operation on a node set to list lists and deletes nothing', async function () {
      const [a] = seed(1);
      await h.load({ operation: 'list', module: 'Leads', fields: FIELDS });
      const o = await h.exec({ operation: 'delete', payload: [a.id], recordId: a.id });
      assert.equal(o.out[0].payload.length, 1);
      assert.ok(h.crm.store.get('Leads', a.id), 'the record is still there');
      assert.deepEqual(
        h.crmRequests().map((r) => r.method),
        ['GET'],
      );
    });

    it('reads module, operation and fields from msg and from a msg TypedInput', async function () {
      h.crm.store.insert('Sensors', [{ Name: 'probe-1', Temperature: 21.5 }]);
      await h.load({ operation: 'msg', module: 'where', moduleType: 'msg', fields: 'Name' });
      const o = await h.exec({ where: 'Sensors', operation: 'list' });
      assert.equal(o.out.length, 1);
      assert.equal(o.out[0].payload.length, 1);
      assert.equal(o.out[0].payload[0].Name, 'probe-1');
      assert.equal(o.out[0].info.more_records, false);
      const list = h.crmRequests()[0];
      assert.equal(list.path, '/crm/v8/Sensors');
    });

    it('lists one page with perPage, page and sort', async function () {
      seed(30);
      await h.load({
        operation: 'list',
        module: 'Leads',
        fields: FIELDS,
        perPage: '10',
        page: '2',
        sortBy: 'id',
        sortOrder: 'desc',
      });
      const o = await h.exec({});
      assert.equal(o.out[0].payload.length, 10);
      assert.equal(o.out[0].payload[0].Last_Name, 'S-00019');
      assert.equal(o.out[0].info.more_records, true);
      const list = h.crmRequests().filter((r) => r.path === '/crm/v8/Leads');
      assert.equal(list.length, 1, JSON.stringify(h.crmRequests().map((r) => r.path)));
      const q = list[0].query;
      assert.equal(q.per_page, '10');
      assert.equal(q.page, '2');
      assert.equal(q.sort_order, 'desc');
    });

    it('counts records in the status with the plural of the count', async function () {
      seed(1);
      await h.load({ operation: 'msg', module: 'Leads', fields: FIELDS });
      let o = await h.exec({ operation: 'list' });
      assert.equal(o.statuses.at(-1)?.text, '1 record');
      seed(29);
      o = await h.exec({ operation: 'list' });
      assert.equal(o.statuses.at(-1)?.text, '30 records');
      o = await h.exec({ operation: 'get', recordId: o.out[0].payload[0].id });
      assert.equal(o.statuses.at(-1)?.text, 'found');
    });

    it("surfaces Zoho's own error code, status and details", async function () {
      await h.load({ operation: 'list', module: 'Leads', fields: FIELDS, sortBy: 'Last_Name' });
      const o = await h.exec({});
      const caught = assertFailed(o, 'INVALID_DATA');
      assert.equal(caught._error.status, 400);
      assert.equal(caught._error.details.param, 'sort_by');
      assert.equal(o.statuses.at(-1)?.text, 'error: INVALID_DATA');
    });

    it('returnAll walks past 2,000 records into one array, with progress in the status', async function () {
      seed(2150);
      await h.load({ operation: 'list', module: 'Leads', fields: FIELDS, returnAll: true });
      const o = await h.exec({});
      assert.equal(o.dones.length, 1);
      assert.equal(o.out.length, 1);
      const names = o.out[0].payload.map((r: AnyMsg) => r.Last_Name);
      assert.equal(names.length, 2150);
      assert.equal(new Set(names).size, 2150);
      assert.equal(o.out[0].info.count, 2150);
      assert.equal(o.out[0].info.pages, 11);
      assert.equal(o.out[0].info.truncated, false);
      assert.ok(
        h.crmRequests().some((r) => r.query.page_token),
        'used a page token past 2,000',
      );
      const texts = o.statuses.map((s) => s.text);
      assert.ok(texts.includes('page 1 · 200 records'), texts.join('|'));
      assert.ok(texts.includes('page 11 · 2150 records'));
      assert.equal(o.statuses.at(-1)?.fill, 'green');
    });

    it("returnAll stops after the node's Stop after, or msg.maxRecords, and says more were left", async function () {
      this.timeout(30_000);
      seed(650);
      await h.load({
        operation: 'list',
        module: 'Leads',
        fields: FIELDS,
        returnAll: true,
        maxRecords: '250',
      });
      const o = await h.exec({});
      assert.equal(o.out.length, 1);
      assert.equal(o.out[0].payload.length, 250);
      assert.equal(o.out[0].info.truncated, true);
      assert.equal(h.crmRequests().length, 2, 'two pages of 200, no third');
      const fromMsg = await h.exec({ maxRecords: 420 });
      assert.equal(fromMsg.out[0].payload.length, 420);
      assert.equal(fromMsg.out[0].info.truncated, true);
      const before = h.crmRequests().length;
      const bad = await h.exec({ maxRecords: 'all of them' });
      const caught = assertFailed(bad, 'INVALID_INPUT');
      assert.equal(caught._error.param, 'maxRecords');
      assert.match(caught._error.message, /Stop after or msg\.maxRecords/);
      assert.equal(h.crmRequests().length, before, 'nothing sent');
    });

    it('returnAll with one message per page is reassembled by a core Join node', async function () {
      seed(2150);
      await h.load(
        {
          operation: 'list',
          module: 'Leads',
          fields: FIELDS,
          returnAll: true,
          output: 'pages',
          wires: [['j1', 'pages']],
        },
        [
          { id: 'j1', type: 'join', z: 'f1', mode: 'auto', wires: [['joined']] },
          { id: 'joined', type: 'helper', z: 'f1' },
          { id: 'pages', type: 'helper', z: 'f1' },
        ],
      );
      const pages: AnyMsg[] = [];
      const joined: AnyMsg[] = [];
      helper.getNode('pages').on('input', (m: AnyMsg) => pages.push(m));
      helper.getNode('joined').on('input', (m: AnyMsg) => joined.push(m));
      const o = await h.exec({ topic: 't' }, { settleMs: 200 });
      assert.equal(o.dones.length, 1);
      assert.equal(pages.length, 11);
      assert.deepEqual(
        pages.map((p) => p.parts.index),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      assert.ok(pages.slice(0, 10).every((p) => p.parts.count === undefined));
      assert.equal(pages[10].parts.count, 11);
      assert.equal(joined.length, 1);
      assert.equal(joined[0].payload.length, 2150);
      assert.equal(joined[0].topic, 't');
      assert.equal(o.statuses.at(-1)?.text, '2150 records in 11 messages');
      assert.equal(new Set(joined[0].payload.map((r: AnyMsg) => r.id)).size, 2150);
    });

    it('returnAll into one array stops at its memory budget with an error that names per-page output', async function () {
      // 2,600 records with a full 32,000-character multi-line field (CRM's field limit) are
      // about 83 MB of JSON, past the 64 MiB one message may gather (DEFAULT_MAX_COLLECT_BYTES)
      // by page 11 of 13.
      const long = 'x'.repeat(32_000);
      h.crm.store.insert(
        'Leads',
        leads(2600).map((r) => ({ ...r, Description: long })),
      );
      await h.load({
        operation: 'list',
        module: 'Leads',
        fields: 'Last_Name,Description',
        returnAll: true,
      });
      const o = await h.exec({}, { timeoutMs: 50_000 });
      const caught = assertFailed(o, 'RESULT_TOO_LARGE');
      assert.equal(caught._error.kind, 'input');
      assert.match(caught.error.message, /one message per page/);
      assert.equal(caught._error.details.limit, 64 * 1024 * 1024);
      assert.equal(caught._error.details.records, 2000);
      assert.equal(h.crmRequests().length, 11, 'stopped at the page past the budget');
      assert.match(String(o.statuses.at(-1)?.text), /^error: RESULT_TOO_LARGE/);

      // The advice works: one message per page walks all of it.
      await unloadFlow();
      await h.load({
        operation: 'list',
        module: 'Leads',
        fields: 'Last_Name,Description',
        returnAll: true,
        output: 'pages',
      });
      const paged = await h.exec({}, { timeoutMs: 50_000, settleMs: 100 });
      assert.equal(paged.dones.length, 1);
      assert.equal(paged.dones[0], undefined);
      const sizes = paged.out.map((m) => (m.payload as unknown[]).length);
      assert.equal(sizes.length, 13);
      assert.equal(
        sizes.reduce((a, b) => a + b, 0),
        2600,
      );
    });

    it("the connection's Largest answer cuts a bigger page with advice, and lets a smaller one by", async function () {
      // 200 records with a full 32,000-character multi-line field are a 6.4 MB page.
      const long = 'x'.repeat(32_000);
      h.crm.store.insert(
        'Leads',
        leads(200).map((r) => ({ ...r, Description: long })),
      );
      const fields = 'Last_Name,Description';
      await h.load({ operation: 'list', module: 'Leads', fields }, [], undefined, {
        maxAnswerMB: '1',
      });
      const o = await h.exec({});
      const caught = assertFailed(o, 'RESPONSE_TOO_LARGE');
      assert.equal(caught._error.details.limit, 1024 * 1024);
      assert.match(caught.error.message, /passed 1048576 bytes and was cut off/);
      assert.equal(h.crmRequests().length, 1, 'cut once, not retried');
      // 20 of them (640 KB) pass.
      const small = await h.exec({ perPage: 20 });
      assert.equal(small.dones[0], undefined);
      assert.equal(small.out[0].payload.length, 20);
      assert.equal(small.out[0].payload[0].Description.length, 32_000);

      // The default (empty) takes the same page.
      await unloadFlow();
      await h.load({ operation: 'list', module: 'Leads', fields }, [], undefined, {
        maxAnswerMB: '',
      });
      const whole = await h.exec({});
      assert.equal(whole.dones[0], undefined);
      assert.equal(whole.out[0].payload.length, 200);
    });

    it('searches by a criteria object, by email, and a 204 is an empty array', async function () {
      h.crm.store.insert('Leads', [
        { Last_Name: 'Smith', Company: 'A', Email: 'smith@example.com' },
        { Last_Name: 'Jones', Company: 'B' },
      ]);
      await h.load({ operation: 'search', module: 'Leads', fields: FIELDS });
      let o = await h.exec({ criteria: { Last_Name: 'Smith' } });
      assert.equal(o.out[0].payload.length, 1);
      assert.equal(o.out[0].payload[0].Email, 'smith@example.com');
      assert.equal(h.crmRequests()[0].query.criteria, '(Last_Name:equals:Smith)');
      o = await h.exec({ email: 'smith@example.com' });
      assert.equal(o.out[0].payload[0].Last_Name, 'Smith');
      o = await h.exec({ criteria: '(Last_Name:equals:Nobody)' });
      assert.equal(o.dones[0], undefined);
      assert.deepEqual(o.out[0].payload, []);
    });

    it('searches by the editor criteria (JSON TypedInput) with returnAll', async function () {
      seed(5, 'Find');
      await h.load({
        operation: 'search',
        module: 'Leads',
        fields: FIELDS,
        searchBy: 'criteria',
        search: '{"field":"Company","op":"equals","value":"Acme"}',
        searchType: 'json',
        returnAll: true,
      });
      const o = await h.exec({});
      assert.equal(o.out[0].payload.length, 5);
      assert.equal(o.out[0].info.truncated, false);
    });

    it('refuses a word under 2 characters without a request', async function () {
      await h.load({ operation: 'search', module: 'Leads', searchBy: 'word', search: 'a' });
      const o = await h.exec({});
      const caught = assertFailed(o, 'INVALID_INPUT');
      assert.match(caught.error.message, /at least 2 characters/);
      assertNoRequests();
    });

    it('retries a 503 transparently', async function () {
      seed(3);
      await h.load({ operation: 'list', module: 'Leads', fields: FIELDS });
      h.sb.sandbox.faults.inject({
        match: { method: 'GET', path: '/crm/v8/Leads' },
        kind: 'status',
        status: 503,
      });
      const o = await h.exec({});
      assert.equal(o.dones[0], undefined);
      assert.equal(o.out[0].payload.length, 3);
      const calls = h.crmRequests().filter((r) => r.path === '/crm/v8/Leads');
      assert.deepEqual(
        calls.map((r) => r.status),
        [503, 200],
      );
    });
  });

  describe('writes', function () {
    it('creates 250 records in 3 calls with results in input order', async function () {
      await h.load({ operation: 'create', module: 'Leads', trigger: 'workflow' });
      const o = await h.exec({ payload: leads(250, 'W') });
      assert.equal(o.dones.length, 1);
      assert.equal(o.dones[0], undefined);
      const results = o.out[0].payload;
      assert.equal(results.length, 250);
      assert.ok(results.every((r: AnyMsg, i: number) => r.index === i && r.status === 'success'));
      const posts = h.crmRequests().filter((r) => r.method === 'POST');
      assert.equal(posts.length, 3);
      assert.deepEqual(
        posts.map((p) => (p.body as AnyMsg).data.length),
        [100, 100, 50],
      );
      assert.deepEqual((posts[0].body as AnyMsg).trigger, ['workflow']);
      const stored = h.crm.store.get('Leads', results[249].id);
      assert.equal(stored?.data.Last_Name, 'W-00249');
    });

    it("sends no trigger by default, so Zoho runs its automations; 'none' sends trigger: []", async function () {
      await h.load({ operation: 'create', module: 'Leads' });
      await h.exec({ payload: { Last_Name: 'One' } });
      await h.exec({ payload: { Last_Name: 'Two' }, trigger: 'none' });
      await h.exec({ payload: { Last_Name: 'Three' }, trigger: [] });
      await h.exec({ payload: { Last_Name: 'Four' }, trigger: 'approval, blueprint' });
      const bodies = h
        .crmRequests()
        .filter((r) => r.method === 'POST')
        .map((r) => r.body as AnyMsg);
      assert.equal(bodies.length, 4);
      assert.equal('trigger' in bodies[0], false, 'no trigger key at all by default');
      assert.deepEqual(bodies[1].trigger, []);
      assert.deepEqual(bodies[2].trigger, []);
      assert.deepEqual(bodies[3].trigger, ['approval', 'blueprint']);
    });

    it('delete: no wf_trigger by default; Run none or workflow sets it false or true', async function () {
      const ids = seed(3).map((r) => r.id);
      await h.load({ operation: 'delete', module: 'Leads' });
      await h.exec({ payload: ids[0] });
      await h.exec({ payload: ids[1], trigger: 'none' });
      await h.exec({ payload: ids[2], trigger: ['workflow'] });
      const deletes = h.crmRequests().filter((r) => r.method === 'DELETE');
      assert.deepEqual(
        deletes.map((r) => r.query.wf_trigger),
        [undefined, 'false', 'true'],
      );
    });

    it('on a partial failure sends every result AND raises one catchable error with the failed item', async function () {
      await h.load({ operation: 'create', module: 'Leads' });
      const o = await h.exec({
        payload: [{ Last_Name: 'Ok1' }, { Company: 'No last name' }, { Last_Name: 'Ok2' }],
      });
      assert.equal(o.dones.length, 1);
      assert.ok(o.dones[0]);
      assert.equal(o.out.length, 1);
      const results = o.out[0].payload;
      assert.deepEqual(
        results.map((r: AnyMsg) => r.status),
        ['success', 'error', 'success'],
      );
      assert.equal(o.out[0].error.code, 'MANDATORY_NOT_FOUND');
      assert.equal(o.caught.length, 1);
      const caught = o.caught[0];
      assert.equal(caught.error.code, 'MANDATORY_NOT_FOUND');
      assert.equal(caught._error.status, 207);
      assert.equal(caught._error.details.failed.length, 1);
      assert.equal(caught._error.details.failed[0].index, 1);
      assert.equal(caught._error.details.succeeded, 2);
      assert.match(caught._error.message, /^1 of 3 records failed \(record 1: MANDATORY_NOT_FOUND/);
      assert.equal(o.statuses.at(-1)?.text, '1 of 3 failed: MANDATORY_NOT_FOUND');
      assert.equal(o.completed.length, 0);
    });

    it('updates by msg.recordId, upserts with duplicateCheckFields, deletes ids from msg.payload', async function () {
      const [a, b] = seed(2);
      await h.load({ operation: 'msg', module: 'Leads' });
      let o = await h.exec({
        operation: 'update',
        recordId: a.id,
        payload: { Company: 'Changed' },
      });
      assert.equal(o.out[0].payload[0].status, 'success');
      assert.equal(h.crm.store.get('Leads', a.id)?.data.Company, 'Changed');

      o = await h.exec({
        operation: 'upsert',
        duplicateCheckFields: 'Last_Name',
        payload: [{ Last_Name: b.data.Last_Name, Company: 'Upserted' }, { Last_Name: 'Brand new' }],
      });
      assert.deepEqual(
        o.out[0].payload.map((r: AnyMsg) => r.action),
        ['update', 'insert'],
      );
      const upsert = h.crmRequests().find((r) => r.path === '/crm/v8/Leads/upsert');
      assert.deepEqual((upsert?.body as AnyMsg).duplicate_check_fields, ['Last_Name']);

      o = await h.exec({ operation: 'delete', payload: [a.id, { id: b.id }] });
      assert.deepEqual(
        o.out[0].payload.map((r: AnyMsg) => [r.id, r.status]),
        [
          [a.id, 'success'],
          [b.id, 'success'],
        ],
      );
      assert.equal(h.crm.store.get('Leads', a.id), undefined);
    });

    it("explains a plain string in a lookup field from Zoho's answer, with no extra call", async function () {
      await h.load({ operation: 'create', module: 'Sensors' });
      const before = h.crmRequests().length;
      const o = await h.exec({
        payload: [{ Name: 'probe', Account: 'Acme Inc' }, { Name: 'fine' }],
      });
      // One write call, no metadata request: Zoho's per-record answer names the field.
      assert.equal(h.crmRequests().length - before, 1);
      assert.equal(o.out.length, 1);
      const [bad, good] = o.out[0].payload;
      assert.equal(bad.status, 'error');
      assert.equal(bad.code, 'INVALID_DATA');
      assert.match(bad.message, /Field "Account" is a lookup: give \{ "id": "<record id>" \}/);
      assert.equal(good.status, 'success');
      assert.equal(o.caught.length, 1);
      assert.equal(o.caught[0]._error.details.failed[0].index, 0);
      assert.match(o.caught[0]._error.details.failed[0].message, /is a lookup/);
    });
  });

  describe('bad input: a catchable error and no request', function () {
    const cases: [string, AnyMsg, AnyMsg, RegExp][] = [
      [
        'unknown operation',
        { operation: 'msg' },
        { operation: 'explode' },
        /^Unknown operation "explode": use get, list, create, update, upsert, delete, search, listRelated, linkRelated, unlinkRelated, listNotes, addNote, updateNotes, deleteNotes, addTags, removeTags, listTags, convertLead, count, massUpdate, sendMail, listUsers, listModules, listFields, listLayouts — check the node's Operation or msg\.operation$/,
      ],
      [
        'bad module name',
        { operation: 'list', module: '' },
        { module: 'Leads/../x' },
        /not a Zoho module/,
      ],
      ['non-digit record id', { operation: 'get' }, { recordId: '12a' }, /1 to 19 digits/],
      ['non-object record', { operation: 'create' }, { payload: 'hello' }, /must be an object/],
      ['record array with a number', { operation: 'create' }, { payload: [{}, 4] }, /Record 1/],
      [
        'missing record id',
        { operation: 'get' },
        {},
        /^No record id given — check the node's Record id or msg\.recordId$/,
      ],
      ['missing module', { operation: 'list', module: '' }, {}, /No module/],
      ['missing fields for a list', { operation: 'list' }, {}, /fields/],
      ['bad trigger', { operation: 'create' }, { payload: {}, trigger: 'cron' }, /Unknown trigger/],
      ['two searches', { operation: 'search' }, { word: 'ab', email: 'a@b.c' }, /not word and/],
      ['bad delete id', { operation: 'delete' }, { payload: ['1', 'DROP'] }, /Item 1/],
    ];
    for (const [name, props, msg, message] of cases) {
      it(name, async function () {
        await h.load({ module: 'Leads', ...props });
        const o = await h.exec(msg);
        const caught = assertFailed(o, 'INVALID_INPUT');
        assert.match(caught._error.message, message);
        assert.equal(o.out.length, 0);
        assertNoRequests();
      });
    }
  });

  describe('connection', function () {
    it('a revoked refresh token gives an auth error and a red ring', async function () {
      await h.load({ operation: 'list', module: 'Leads', fields: FIELDS });
      h.sb.sandbox.accounts.revokeRefreshToken(h.refreshToken());
      const o = await h.exec({});
      const caught = assertFailed(o, 'TOKEN_REVOKED');
      assert.doesNotMatch(JSON.stringify(caught), new RegExp(h.refreshToken()));
      const last = o.statuses.at(-1);
      assert.equal(last?.fill, 'red');
      assert.equal(last?.shape, 'ring');
      assert.match(String(last?.text), /reconnect/);
      assert.equal(caught._error.kind, 'auth');
      assert.match(caught.error.message, /Open the zoho-config node and click Connect again/);
    });

    it('shows rate-limited (yellow ring) while Zoho asks to wait, then carries on', async function () {
      seed(2);
      await h.load({ operation: 'list', module: 'Leads', fields: FIELDS });
      h.sb.sandbox.faults.inject({
        match: { method: 'GET', path: '/crm/v8/Leads' },
        kind: 'status',
        status: 429,
        retryAfter: 1,
      });
      const o = await h.exec({});
      assert.equal(o.dones[0], undefined);
      assert.equal(o.out[0].payload.length, 2);
      const limited = o.statuses.find((s) => s.fill === 'yellow');
      assert.equal(limited?.shape, 'ring');
      assert.match(String(limited?.text), /rate-limited/);
      assert.equal(o.statuses.at(-1)?.fill, 'green');
    });

    it('without a config node every message fails with a catchable error', async function () {
      await h.load({ operation: 'list', module: 'Leads', config: 'missing' });
      const o = await h.exec({});
      const caught = assertFailed(o, 'NO_CONNECTION');
      assert.equal(
        caught._error.message,
        'No Zoho connection: pick a zoho-config node in this node and deploy',
      );
      assert.equal(o.statuses.at(-1)?.text, 'error: NO_CONNECTION');
    });
  });

  describe('messaging', function () {
    it('calls done exactly once per message with several messages in flight', async function () {
      const [a] = seed(1);
      await h.load({ operation: 'get', module: 'Leads' });
      h.sb.sandbox.faults.inject({ kind: 'slow', delayMs: 150, times: 2 });
      const n1 = helper.getNode('n1');
      const complete = sinon.spy(n1, '_complete');
      const out: AnyMsg[] = [];
      helper.getNode('out').on('input', (m: AnyMsg) => out.push(m));
      n1.receive({ recordId: a.id, n: 1 });
      n1.receive({ recordId: 'bad id', n: 2 });
      n1.receive({ recordId: a.id, n: 3 });
      for (let i = 0; i < 200 && complete.callCount < 3; i++)
        await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(complete.callCount, 3);
      assert.deepEqual(
        complete
          .getCalls()
          .map((c) => [c.args[0].n, Boolean(c.args[1])])
          .sort(),
        [
          [1, false],
          [2, true],
          [3, false],
        ],
      );
      assert.deepEqual(out.map((m) => m.n).sort(), [1, 3]);
    });

    it('closing the flow mid-request aborts it and completes the message quietly', async function () {
      seed(1);
      await h.load({ operation: 'list', module: 'Leads', fields: FIELDS });
      h.sb.sandbox.faults.inject({ kind: 'slow', delayMs: 1500, match: { path: '/crm/v8/Leads' } });
      const n1 = helper.getNode('n1');
      const complete = sinon.spy(n1, '_complete');
      let errors = 0;
      n1.on('call:error', () => errors++);
      const out: AnyMsg[] = [];
      helper.getNode('out').on('input', (m: AnyMsg) => out.push(m));
      n1.receive({});
      await new Promise((r) => setTimeout(r, 200));
      const t0 = Date.now();
      await unloadFlow();
      for (let i = 0; i < 300 && complete.callCount < 1; i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.ok(Date.now() - t0 < 500, 'the request was aborted, not waited for');
      assert.equal(out.length, 0);
      assert.equal(complete.callCount, 1);
      assert.equal(complete.firstCall.args[1], undefined);
      assert.equal(errors, 0);
    });
    it('a redeploy mid-batch finishes the calls in flight, sends no more, and reports both', async function () {
      const { complete, warnings } = await startSlowCreate(h, 1500, 400);
      await new Promise((r) => setTimeout(r, 150));
      await unloadFlow();
      for (let i = 0; i < 300 && complete.callCount < 1; i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.equal(complete.callCount, 1);
      const err = complete.firstCall.args[1] as { code: string; shape: AnyMsg };
      assert.equal(err?.code, 'WRITE_INTERRUPTED');
      const written = h.crm.store.count('Leads');
      assert.ok(written > 0 && written < 1500, `written ${written}`);
      assert.deepEqual(err.shape.details, {
        written,
        notWritten: 1500 - written,
        unknown: 0,
        total: 1500,
      });
      assert.equal(warnings.length, 1);
      const warning = String(warnings[0]);
      assert.match(warning, new RegExp(`${written} written, ${1500 - written} not sent`));
      assertTranslated([warning]);
    });
  });

  describe('editor admin endpoints', function () {
    it('lists modules and fields of the deployed connection, cached', async function () {
      await h.load({ operation: 'list', module: 'Leads' });
      const mods = await helper.request().get('/zoho-crm/c1/modules');
      assert.equal(mods.status, 200, mods.text);
      const names = mods.body.modules.map((m: AnyMsg) => m.api_name);
      assert.ok(names.includes('Leads') && names.includes('Sensors'));
      const fields = await helper.request().get('/zoho-crm/c1/fields').query({ module: 'Sensors' });
      assert.equal(fields.status, 200, fields.text);
      const account = fields.body.fields.find((f: AnyMsg) => f.api_name === 'Account');
      assert.equal(account.data_type, 'lookup');
      await helper.request().get('/zoho-crm/c1/modules');
      const calls = h.crmRequests().filter((r) => r.path === '/crm/v8/settings/modules');
      assert.equal(calls.length, 1, 'the second ask came from the cache');
      const bad = await helper.request().get('/zoho-crm/c1/fields').query({ module: 'a b' });
      assert.equal(bad.status, 400);
      const none = await helper.request().get('/zoho-crm/nope/modules');
      assert.equal(none.status, 404);
    });

    it('refuses callers without the zoho-config.read permission', async function () {
      redSettings({
        adminAuth: {
          type: 'credentials',
          users: [],
          tokens: (token: string) =>
            Promise.resolve(
              token === 'reader'
                ? { username: 'r', permissions: ['zoho-config.read'] }
                : token === 'other'
                  ? { username: 'o', permissions: ['flows.read'] }
                  : null,
            ),
        },
      });
      try {
        await h.load({ operation: 'list', module: 'Leads' });
        const anon = await helper.request().get('/zoho-crm/c1/modules');
        assert.equal(anon.status, 401);
        const other = await helper
          .request()
          .get('/zoho-crm/c1/fields?module=Leads')
          .set('Authorization', 'Bearer other');
        assert.equal(other.status, 401);
        const reader = await helper
          .request()
          .get('/zoho-crm/c1/modules')
          .set('Authorization', 'Bearer reader');
        assert.equal(reader.status, 200, reader.text);
      } finally {
        redSettings({});
      }
    });
  });

  it('the example flow runs against the sandbox', async function () {
    await h.loadExample('crm-record');
    const results: AnyMsg[] = [];
    const errors: AnyMsg[] = [];
    helper.getNode('d-rec-1').on('input', (m: AnyMsg) => results.push(m));
    helper.getNode('d-rec-2').on('input', (m: AnyMsg) => errors.push(m));
    const step = async (inject: string, count: number) => {
      helper.getNode(inject).receive({});
      for (let i = 0; i < 300 && results.length < count; i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(errors, []);
      assert.equal(results.length, count);
      return results[count - 1];
    };
    assert.equal((await step('i-rec-1', 1)).payload.length, 2);
    assert.equal((await step('i-rec-2', 2)).payload[0].action, 'update');
    assert.equal((await step('i-rec-3', 3)).payload.length, 2);
    assert.equal((await step('i-rec-4', 4)).payload.length, 2);
    const found = await step('i-rec-5', 5);
    assert.equal(found.payload[0].Company, 'Babbage & Co');
  });
});
