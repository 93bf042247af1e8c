import assert from 'node:assert/strict';
import {
  Criteria,
  buildCriteria,
  createRecords,
  deleteRecords,
  escapeCriteriaValue,
  getDeletedRecords,
  getRecord,
  listAll,
  listAllRecords,
  listRecords,
  searchAll,
  searchRecords,
  updateRecords,
  upsertRecords,
} from '../../src/zoho/crm/index';
import { ZohoError } from '../../src/zoho/core/errors';
import { StubRequester, fail, ok } from './stub-requester';

function invalid(e: unknown): boolean {
  return e instanceof ZohoError && e.code === 'INVALID_INPUT';
}

/** A stub module of `total` records; answers list/search by page or page_token like Zoho v8. */
function moduleStub(total: number) {
  return new StubRequester((spec) => {
    const q = spec.query ?? {};
    const perPage = Number(q.per_page ?? 200);
    let start: number;
    if (q.page_token !== undefined) start = Number(String(q.page_token).replace('tok-', ''));
    else {
      const page = Number(q.page ?? 1);
      if (page * perPage > 2000)
        return { status: 400, data: { code: 'DISCRETE_PAGINATION_LIMIT_EXCEEDED' } };
      start = (page - 1) * perPage;
    }
    const data = Array.from({ length: Math.max(0, Math.min(perPage, total - start)) }, (_, i) => ({
      id: String(start + i + 1),
    }));
    const more = start + data.length < total;
    return {
      data: {
        data,
        info: {
          per_page: perPage,
          count: data.length,
          more_records: more,
          next_page_token: more ? `tok-${start + data.length}` : null,
        },
      },
    };
  });
}

describe('crm: records', () => {
  it('gets one record by id, encoded in the path; 204 is null', async () => {
    const stub = new StubRequester((_s, i) =>
      i === 0 ? { data: { data: [{ id: '1', Last_Name: 'x' }] } } : { status: 204 },
    );
    assert.deepEqual(await getRecord(stub, 'Leads', '1', { fields: ['Last_Name'] }), {
      id: '1',
      Last_Name: 'x',
    });
    assert.equal(await getRecord(stub, 'Leads', '2'), null);
    assert.equal(stub.calls[0].path, '/v8/Leads/1');
    assert.equal(stub.calls[0].method, 'GET');
    assert.equal(stub.calls[0].product, 'crm');
    assert.equal(stub.calls[0].query?.fields, 'Last_Name');
  });

  it('refuses bad module names and ids before any request', async () => {
    const stub = new StubRequester();
    await assert.rejects(getRecord(stub, '../settings', '1'), invalid);
    await assert.rejects(getRecord(stub, 'Leads', '1/../../x'), invalid);
    await assert.rejects(getRecord(stub, 'Leads', 'abc'), invalid);
    await assert.rejects(listRecords(stub, 'Leads', {}), /fields/);
    await assert.rejects(listRecords(stub, 'Leads', { fields: 'a', perPage: 201 }), invalid);
    await assert.rejects(listRecords(stub, 'Leads', { fields: 'a', page: 11 }), /2000/);
    await assert.rejects(
      listRecords(stub, 'Leads', { fields: 'a', page: 2, pageToken: 't' }),
      invalid,
    );
    await assert.rejects(
      listRecords(stub, 'Leads', { fields: 'a', sortOrder: 'up' as 'asc' }),
      invalid,
    );
    await assert.rejects(listRecords(stub, 'Leads', { fields: 'a', ids: ['1', 'x'] }), invalid);
    await assert.rejects(
      listRecords(stub, 'Leads', { fields: Array.from({ length: 51 }, (_, i) => `f${i}`) }),
      /50/,
    );
    assert.equal(stub.calls.length, 0);
  });

  it('lists one page with Zoho parameters and If-Modified-Since', async () => {
    const stub = new StubRequester(() => ({
      data: { data: [{ id: '1' }], info: { more_records: true, page: 2 } },
    }));
    const result = await listRecords(stub, 'Contacts', {
      fields: ['Last_Name', 'Email'],
      page: 2,
      perPage: 50,
      sortBy: 'Modified_Time',
      sortOrder: 'desc',
      ids: ['1', '2'],
      modifiedSince: new Date(Date.UTC(2024, 0, 31, 10)),
    });
    assert.deepEqual(result, {
      records: [{ id: '1' }],
      info: { more_records: true, page: 2 },
      notModified: false,
    });
    const spec = stub.calls[0];
    assert.equal(spec.path, '/v8/Contacts');
    assert.deepEqual(
      Object.fromEntries(Object.entries(spec.query ?? {}).filter(([, v]) => v !== undefined)),
      {
        fields: 'Last_Name,Email',
        page: 2,
        per_page: 50,
        sort_by: 'Modified_Time',
        sort_order: 'desc',
        ids: '1,2',
      },
    );
    assert.deepEqual(spec.headers, { 'If-Modified-Since': '2024-01-31T10:00:00+00:00' });
  });

  it('turns 304 into "no changes" and 204 into an empty page', async () => {
    const stub = new StubRequester((_s, i) => ({ status: i === 0 ? 304 : 204 }));
    const a = await listRecords(stub, 'Leads', {
      fields: 'id',
      modifiedSince: '2024-01-01T00:00:00+00:00',
    });
    assert.equal(a.notModified, true);
    assert.deepEqual(a.records, []);
    const b = await listRecords(stub, 'Leads', { fields: 'id' });
    assert.equal(b.notModified, false);
    assert.deepEqual(b.records, []);
  });

  it('lists every page, switching from page to page_token past 2,000 records', async () => {
    const stub = moduleStub(4500);
    const pages = [];
    for await (const page of listAllRecords(stub, 'Leads', { fields: 'id' })) pages.push(page);
    assert.equal(pages.length, 23);
    assert.equal(pages.at(-1)?.total, 4500);
    const queries = stub.calls.map((c) => c.query ?? {});
    assert.deepEqual(
      queries.slice(0, 10).map((q) => q.page),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    assert.equal(queries[10].page, undefined);
    assert.equal(queries[10].page_token, 'tok-2000');
    assert.equal(queries[22].page_token, 'tok-4400');
    assert.ok(queries.every((q) => q.per_page === 200 && q.fields === 'id'));
    const ids = pages.flatMap((p) => p.items.map((r) => r.id));
    assert.equal(new Set(ids).size, 4500);
  });

  it('listAll honours maxRecords and reports truncation; smaller pages switch at the same reach', async () => {
    const stub = moduleStub(5000);
    const all = await listAll(stub, 'Leads', { fields: 'id', maxRecords: 2100, perPage: 100 });
    assert.equal(all.records.length, 2100);
    assert.equal(all.truncated, true);
    assert.equal(stub.calls.length, 21);
    assert.equal(stub.calls[19].query?.page, 20);
    assert.equal(stub.calls[20].query?.page_token, 'tok-2000');
    const small = await listAll(moduleStub(30), 'Leads', { fields: 'id' });
    assert.equal(small.truncated, false);
    assert.equal(small.records.length, 30);
  });

  it('stops truncated past 2,000 when Zoho gives no page token', async () => {
    const stub = new StubRequester((spec) => ({
      data: {
        data: Array.from({ length: 200 }, (_, i) => ({
          id: `${Number(spec.query?.page) * 1000 + i}`,
        })),
        info: { more_records: true },
      },
    }));
    const all = await listAll(stub, 'Leads', { fields: 'id' });
    assert.equal(all.records.length, 2000);
    assert.equal(all.truncated, true);
    assert.equal(stub.calls.length, 10);
  });
});

describe('crm: writes', () => {
  it('creates 1,000 records in 10 calls of 100, in order, with no trigger by default (Zoho runs its automations)', async () => {
    let n = 0;
    const stub = new StubRequester((spec) => ({
      status: 201,
      data: { data: (spec.body as { data: unknown[] }).data.map(() => ok(String(++n))) },
    }));
    const records = Array.from({ length: 1000 }, (_, i) => ({ Last_Name: `L${i}` }));
    const result = await createRecords(stub, 'Leads', records);
    assert.equal(stub.calls.length, 10);
    for (const [i, call] of stub.calls.entries()) {
      assert.equal(call.method, 'POST');
      assert.equal(call.path, '/v8/Leads');
      const body = call.body as { data: Array<{ Last_Name: string }>; trigger?: string[] };
      assert.equal('trigger' in body, false);
      assert.equal(body.data.length, 100);
      assert.equal(body.data[0].Last_Name, `L${i * 100}`);
    }
    assert.equal(result.results.length, 1000);
    assert.deepEqual(
      result.results.map((r) => r.index),
      records.map((_, i) => i),
    );
    assert.equal(result.results[999].id, '1000');
    assert.equal(result.failed.length, 0);
    assert.equal(result.succeeded, 1000);
  });

  it('keeps per-record errors in input order and lists the failed', async () => {
    const stub = new StubRequester(() => ({
      status: 202,
      data: {
        data: [ok('11'), fail('INVALID_DATA', 'invalid data', { api_name: 'Email' }), ok('13')],
      },
    }));
    const result = await createRecords(stub, 'Leads', [{ a: 1 }, { a: 2 }, { a: 3 }], {
      trigger: ['workflow', 'approval'],
    });
    assert.deepEqual((stub.calls[0].body as { trigger: string[] }).trigger, [
      'workflow',
      'approval',
    ]);
    assert.deepEqual(result.results[1], {
      index: 1,
      status: 'error',
      code: 'INVALID_DATA',
      message: 'invalid data',
      details: { api_name: 'Email' },
    });
    assert.deepEqual(
      result.failed.map((f) => f.index),
      [1],
    );
    assert.equal(result.results[2].id, '13');
  });

  it('recovers per-record results from a 400 whose body lists every record', async () => {
    let call = 0;
    const stub = new StubRequester(() => {
      call++;
      if (call === 2) {
        throw new ZohoError({
          code: 'INVALID_DATA',
          status: 400,
          message: 'x',
          details: { data: [fail('INVALID_DATA', 'a'), fail('DUPLICATE_DATA', 'b')] },
        });
      }
      return { data: { data: [ok('1'), ok('2')] } };
    });
    const result = await createRecords(stub, 'Leads', [{}, {}, {}, {}], { batchSize: 2 });
    assert.deepEqual(
      result.results.map((r) => r.code),
      ['SUCCESS', 'SUCCESS', 'INVALID_DATA', 'DUPLICATE_DATA'],
    );
    assert.deepEqual(
      result.failed.map((f) => f.index),
      [2, 3],
    );
  });

  it('falls back to the json_path of a 400 that kept only the first entry', async () => {
    const stub = new StubRequester(() => {
      throw new ZohoError({
        code: 'MANDATORY_NOT_FOUND',
        status: 400,
        message: 'required field not found',
        details: { api_name: 'Last_Name', json_path: '$.data[1].Last_Name' },
      });
    });
    const result = await createRecords(stub, 'Leads', [{}, {}, {}]);
    assert.deepEqual(
      result.results.map((r) => r.code),
      ['BATCH_REFUSED', 'MANDATORY_NOT_FOUND', 'BATCH_REFUSED'],
    );
    assert.equal(result.failed.length, 3);
    const module = new StubRequester(() => {
      throw new ZohoError({
        code: 'INVALID_MODULE',
        status: 400,
        message: 'x',
        details: { resource_path_index: 0 },
      });
    });
    await assert.rejects(
      createRecords(module, 'Leads', [{}]),
      (e: unknown) => (e as ZohoError).code === 'INVALID_MODULE',
    );
  });

  it('throws the call error when nothing reached Zoho, and keeps partial results otherwise', async () => {
    const auth = new ZohoError({ code: 'TOKEN_REVOKED', message: 'reconnect' });
    const dead = new StubRequester(() => {
      throw auth;
    });
    await assert.rejects(createRecords(dead, 'Leads', [{}, {}]), (e) => e === auth);
    let call = 0;
    const flaky = new StubRequester((spec) => {
      if (++call === 2) throw new ZohoError({ code: 'TIMEOUT', message: 'slow' });
      return {
        data: { data: (spec.body as { data: unknown[] }).data.map((_, i) => ok(String(i))) },
      };
    });
    const result = await createRecords(
      flaky,
      'Leads',
      Array.from({ length: 250 }, () => ({})),
    );
    assert.equal(flaky.calls.length, 2);
    assert.equal(result.results.length, 250);
    assert.equal(result.results[99].status, 'success');
    assert.equal(result.results[100].code, 'TIMEOUT');
    assert.equal(result.results[249].code, 'NOT_SENT');
    assert.equal(result.failed.length, 150);
  });

  it('updates with PUT and needs an id in every record', async () => {
    const stub = new StubRequester(() => ({ data: { data: [ok('5')] } }));
    await assert.rejects(
      updateRecords(stub, 'Leads', [{ Last_Name: 'x' }]),
      /Record 0 needs the id/,
    );
    await assert.rejects(updateRecords(stub, 'Leads', [{ id: '../1' }]), invalid);
    assert.equal(stub.calls.length, 0);
    const result = await updateRecords(stub, 'Leads', { id: 5, Last_Name: 'x' });
    assert.equal(stub.calls[0].method, 'PUT');
    assert.deepEqual((stub.calls[0].body as { data: unknown[] }).data, [
      { id: '5', Last_Name: 'x' },
    ]);
    assert.equal(result.results[0].id, '5');
  });

  it('upserts with duplicate_check_fields and reports the action', async () => {
    const stub = new StubRequester(() => ({
      data: { data: [ok('1', { action: 'insert' }), ok('2', { action: 'update' })] },
    }));
    const result = await upsertRecords(stub, 'Contacts', [{ Email: 'a@x' }, { Email: 'b@x' }], {
      duplicateCheckFields: ['Email'],
      trigger: ['blueprint'],
    });
    assert.equal(stub.calls[0].path, '/v8/Contacts/upsert');
    assert.deepEqual(stub.calls[0].body, {
      data: [{ Email: 'a@x' }, { Email: 'b@x' }],
      trigger: ['blueprint'],
      duplicate_check_fields: ['Email'],
    });
    assert.deepEqual(
      result.results.map((r) => r.action),
      ['insert', 'update'],
    );
  });

  it('refuses bad writes before sending', async () => {
    const stub = new StubRequester();
    await assert.rejects(createRecords(stub, 'Leads', 'a string' as never), invalid);
    await assert.rejects(createRecords(stub, 'Leads', [{}, null] as never), /Record 1/);
    await assert.rejects(
      createRecords(stub, 'Leads', [{}], { trigger: ['everything' as 'workflow'] }),
      /Unknown trigger/,
    );
    await assert.rejects(createRecords(stub, 'Leads', [{}], { batchSize: 101 }), invalid);
    await assert.rejects(
      upsertRecords(stub, 'Leads', [{}], { duplicateCheckFields: 'E mail' }),
      invalid,
    );
    await assert.rejects(
      createRecords(stub, 'Deals', [{ Account_Name: 'Zylker' }], {
        fieldMeta: [{ api_name: 'Account_Name', data_type: 'lookup' }],
      }),
      /lookup/,
    );
    await assert.rejects(deleteRecords(stub, 'Leads', ['1', 'DROP']), invalid);
    assert.equal(stub.calls.length, 0);
  });

  it('deletes by ids, 100 per call, results matched to ids', async () => {
    const stub = new StubRequester((spec) => {
      const ids = String(spec.query?.ids).split(',');
      // Zoho may answer in another order: results are matched by id.
      return {
        data: {
          data: [...ids]
            .reverse()
            .map((id) => (id === '150' ? fail('INVALID_DATA', 'no such id', { id }) : ok(id))),
        },
      };
    });
    const ids = Array.from({ length: 250 }, (_, i) => String(i + 1));
    const result = await deleteRecords(stub, 'Leads', ids, { workflowTrigger: true });
    assert.equal(stub.calls.length, 3);
    assert.equal(stub.calls[0].method, 'DELETE');
    assert.equal(stub.calls[0].query?.wf_trigger, 'true');
    assert.equal(String(stub.calls[2].query?.ids).split(',').length, 50);
    assert.deepEqual(
      result.results.map((r) => r.id),
      ids,
    );
    assert.deepEqual(
      result.failed.map((f) => f.index),
      [149],
    );
  });
});

describe('crm: search criteria', () => {
  it('escapes ( ) , and \\ in values', () => {
    const table: Array<[string, string]> = [
      ['plain', 'plain'],
      ['Zylker (USA)', 'Zylker \\(USA\\)'],
      ['a,b', 'a\\,b'],
      ['back\\slash', 'back\\\\slash'],
      ['\\(', '\\\\\\('],
      ['))', '\\)\\)'],
      ['x:equals:y', 'x:equals:y'],
      ['Ünïcödé 日本', 'Ünïcödé 日本'],
    ];
    for (const [input, expected] of table)
      assert.equal(escapeCriteriaValue(input), expected, input);
  });

  it('builds conditions, groups, tuples and shorthand objects', () => {
    const table: Array<[unknown, string]> = [
      [{ field: 'Last_Name', op: 'equals', value: 'Smith' }, '(Last_Name:equals:Smith)'],
      [{ field: 'Company', value: 'Zylker (UK), Ltd' }, '(Company:equals:Zylker \\(UK\\)\\, Ltd)'],
      [['Amount', 'greater_than', 1000], '(Amount:greater_than:1000)'],
      [
        { field: 'Lead_Source', op: 'in', value: ['Web', 'Cold, Call'] },
        '(Lead_Source:in:Web,Cold\\, Call)',
      ],
      [
        {
          field: 'Created_Time',
          op: 'between',
          value: [new Date(Date.UTC(2024, 0, 1)), '2024-02-01T00:00:00+05:30'],
        },
        '(Created_Time:between:2024-01-01T00:00:00+00:00,2024-02-01T00:00:00+05:30)',
      ],
      [
        { Last_Name: 'Smith', City: ['Paris', 'Rome'] },
        '((Last_Name:equals:Smith)and(City:in:Paris,Rome))',
      ],
      [
        {
          or: [
            { field: 'A', value: 1 },
            {
              and: [
                ['B', 'starts_with', 'x'],
                ['C', 'not_equal', true],
              ],
            },
          ],
        },
        '((A:equals:1)or((B:starts_with:x)and(C:not_equal:true)))',
      ],
      [[{ field: 'A', value: 'a' }], '(A:equals:a)'],
      [
        [
          ['A', 'less_equal', 5],
          ['B', 'greater_equal', 6],
          ['C', 'less_than', 7],
        ],
        '((A:less_equal:5)and(B:greater_equal:6)and(C:less_than:7))',
      ],
    ];
    for (const [input, expected] of table)
      assert.equal(buildCriteria(input as Criteria), expected, JSON.stringify(input));
  });

  it('refuses criteria that cannot be right', () => {
    const bad: unknown[] = [
      { field: 'A', op: 'like', value: 'x' },
      { field: 'A b', value: 'x' },
      { field: 'A', op: 'between', value: [1] },
      { field: 'A', op: 'in', value: [] },
      { field: 'A', op: 'equals', value: ['x'] },
      { field: 'A', value: null },
      { field: 'A', value: {} },
      { field: 'A', value: '' },
      { field: 'A', value: NaN },
      { field: 'A' },
      { and: [] },
      { or: 'x' },
      {},
      'string',
      { field: 'A', value: 1, extra: 2 },
    ];
    for (const input of bad)
      assert.throws(() => buildCriteria(input as Criteria), invalid, JSON.stringify(input));
  });

  it('searches by criteria, word, email or phone; 204 is empty', async () => {
    const stub = new StubRequester((_s, i) =>
      i === 0 ? { data: { data: [{ id: '1' }], info: { more_records: false } } } : { status: 204 },
    );
    const a = await searchRecords(
      stub,
      'Leads',
      { criteria: { field: 'Company', value: 'A(B)' } },
      { perPage: 10 },
    );
    assert.deepEqual(a.records, [{ id: '1' }]);
    assert.equal(stub.calls[0].path, '/v8/Leads/search');
    assert.equal(stub.calls[0].query?.criteria, '(Company:equals:A\\(B\\))');
    assert.equal(stub.calls[0].query?.per_page, 10);
    const b = await searchRecords(stub, 'Leads', { word: 'zy' });
    assert.deepEqual(b.records, []);
    assert.equal(stub.calls[1].query?.word, 'zy');
    await searchRecords(stub, 'Leads', { email: 'a@b.c' });
    await searchRecords(stub, 'Leads', { phone: '+1 555' });
    await searchRecords(stub, 'Leads', { criteria: '(Last_Name:equals:Smith)' });
    assert.equal(stub.calls[2].query?.email, 'a@b.c');
    assert.equal(stub.calls[3].query?.phone, '+1 555');
    assert.equal(stub.calls[4].query?.criteria, '(Last_Name:equals:Smith)');
  });

  it('refuses bad searches before sending', async () => {
    const stub = new StubRequester();
    await assert.rejects(searchRecords(stub, 'Leads', { word: 'a' }), /at least 2/);
    await assert.rejects(searchRecords(stub, 'Leads', { word: ' a ' }), /at least 2/);
    await assert.rejects(searchRecords(stub, 'Leads', {} as { word: string }), invalid);
    await assert.rejects(
      searchRecords(stub, 'Leads', { word: 'ab', email: 'x@y' }),
      /not word and email/,
    );
    await assert.rejects(
      searchRecords(stub, 'Leads', { criteria: 'Last_Name:equals:x' }),
      /criteria string/,
    );
    await assert.rejects(
      searchRecords(stub, 'Leads', { email: 5 } as unknown as { email: string }),
      invalid,
    );
    assert.equal(stub.calls.length, 0);
  });

  it('searchAll pages to 2,000 and reports truncation past it', async () => {
    const stub = new StubRequester(() => ({
      data: {
        data: Array.from({ length: 200 }, (_, i) => ({ id: String(i) })),
        info: { more_records: true },
      },
    }));
    const all = await searchAll(stub, 'Leads', { word: 'zylker' });
    assert.equal(all.records.length, 2000);
    assert.equal(all.truncated, true);
    assert.equal(stub.calls.length, 10);
  });
});

describe('crm: deleted records', () => {
  it('lists deleted records with type and paging', async () => {
    const stub = new StubRequester(() => ({
      data: { data: [{ id: '9', type: 'recycle' }], info: { more_records: false } },
    }));
    const result = await getDeletedRecords(stub, 'Leads', { type: 'recycle', perPage: 5, page: 2 });
    assert.deepEqual(result.records, [{ id: '9', type: 'recycle' }]);
    assert.equal(stub.calls[0].path, '/v8/Leads/deleted');
    assert.equal(stub.calls[0].query?.type, 'recycle');
    assert.equal(stub.calls[0].query?.page, 2);
    await assert.rejects(getDeletedRecords(stub, 'Leads', { type: 'gone' as 'all' }), invalid);
  });
});
