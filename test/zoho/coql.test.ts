import assert from 'node:assert/strict';
import { bindCoql, coqlLiteral, runCoql, splitLimit } from '../../src/zoho/crm/coql';
import { ZohoError } from '../../src/zoho/core/errors';
import type { RequestSpec } from '../../src/zoho/core/http';
import { StubAnswer, StubRequester } from './stub-requester';

function invalid(e: unknown): boolean {
  return e instanceof ZohoError && e.code === 'INVALID_INPUT';
}

describe('coql: binding', () => {
  it('renders values as COQL literals, hostile strings included', () => {
    const table: Array<[unknown, string]> = [
      ['Smith', "'Smith'"],
      ["x' or 1=1 --", "'x\\' or 1=1 --'"],
      ["O'Brien", "'O\\'Brien'"],
      [')', "')'"],
      ['\\', "'\\\\'"],
      ["\\'", "'\\\\\\''"],
      [
        "a\\' or id is not null or Last_Name = '",
        "'a\\\\\\' or id is not null or Last_Name = \\''",
      ],
      ['日本語 ü 🎉', "'日本語 ü 🎉'"],
      ['', "''"],
      [42, '42'],
      [-1.5, '-1.5'],
      [0, '0'],
      [12345678901234567890n, '12345678901234567890'],
      [true, 'true'],
      [false, 'false'],
      [null, 'null'],
      [new Date(Date.UTC(2024, 0, 31, 10, 0, 0)), "'2024-01-31T10:00:00+00:00'"],
    ];
    for (const [value, expected] of table)
      assert.equal(coqlLiteral(value), expected, String(value));
    for (const bad of [
      NaN,
      Infinity,
      -Infinity,
      {},
      [1],
      undefined,
      () => 1,
      Symbol('x'),
      new Date('x'),
      'a\u0000b',
    ]) {
      assert.throws(() => coqlLiteral(bad), invalid, String(typeof bad));
    }
  });

  it('binds named placeholders from params', () => {
    assert.equal(
      bindCoql('select Last_Name from Leads where Last_Name = :name and Amount > :min', {
        name: "x' or 1=1 --",
        min: 10,
      }),
      "select Last_Name from Leads where Last_Name = 'x\\' or 1=1 --' and Amount > 10",
    );
    assert.equal(
      bindCoql('select id from Leads where id = :id or Owner = :id', { id: '1' }),
      "select id from Leads where id = '1' or Owner = '1'",
    );
    assert.equal(
      bindCoql('select id from Leads where Created_Time >= :since', {
        since: new Date(Date.UTC(2024, 0, 31, 10)),
      }),
      "select id from Leads where Created_Time >= '2024-01-31T10:00:00+00:00'",
    );
  });

  it('binds arrays as lists for in (…), with or without parentheses in the query', () => {
    assert.equal(
      bindCoql('select id from Leads where id in (:ids)', { ids: ['1', '2'] }),
      "select id from Leads where id in ('1', '2')",
    );
    assert.equal(
      bindCoql('select id from Leads where id in :ids', { ids: [1, "a'b"] }),
      "select id from Leads where id in (1, 'a\\'b')",
    );
    assert.equal(
      bindCoql('select id from Leads where id in ( :ids ) limit 5', { ids: ['1'] }),
      "select id from Leads where id in ( '1' ) limit 5",
    );
    assert.throws(
      () => bindCoql('select id from Leads where id in (:ids)', { ids: [] }),
      /empty array/,
    );
    assert.throws(
      () => bindCoql('select id from Leads where id in (:ids)', { ids: [['1']] as never }),
      invalid,
    );
  });

  it('never binds inside string literals of the query', () => {
    assert.equal(
      bindCoql(
        "select id from Leads where Description = 'at :name o\\'clock :x' and Last_Name = :name",
        { name: 'N' },
      ),
      "select id from Leads where Description = 'at :name o\\'clock :x' and Last_Name = 'N'",
    );
    assert.equal(
      bindCoql("select id from Leads where Time = '10:30:00'", {}),
      "select id from Leads where Time = '10:30:00'",
    );
    assert.throws(() => bindCoql("select id from Leads where a = 'open", {}), /unterminated/);
  });

  it('refuses a placeholder without a value, naming it', () => {
    assert.throws(
      () => bindCoql('select id from Leads where a = :a and b = :b and c = :a', { b: 1 }),
      (e: unknown) =>
        invalid(e) && /:a/.test((e as Error).message) && !/:b/.test((e as Error).message),
    );
    assert.throws(() => bindCoql('select id from Leads where a = :a', { a: undefined }), /:a/);
    assert.throws(() => bindCoql('select id from Leads where a = :a'), /:a/);
    assert.throws(() => bindCoql('', {}), invalid);
    assert.throws(() => bindCoql('select 1', [] as never), invalid);
    // Not placeholders: parts of words, double colons.
    assert.equal(bindCoql('select a:b from X', {}), 'select a:b from X');
  });

  it('reads LIMIT / OFFSET clauses', () => {
    assert.deepEqual(splitLimit('select id from Leads'), { base: 'select id from Leads' });
    assert.deepEqual(splitLimit('select id from Leads limit 10'), {
      base: 'select id from Leads',
      limit: 10,
      offset: undefined,
    });
    assert.deepEqual(splitLimit('select id from Leads LIMIT 10 OFFSET 20;'), {
      base: 'select id from Leads',
      limit: 10,
      offset: 20,
    });
    assert.deepEqual(splitLimit('select id from Leads limit 20, 10'), {
      base: 'select id from Leads',
      limit: 10,
      offset: 20,
    });
    assert.deepEqual(splitLimit("select id from Leads where a = 'limit 5'"), {
      base: "select id from Leads where a = 'limit 5'",
    });
  });

  it('reads the LIMIT of a query holding a 200 kB literal at once (no regex backtracking)', () => {
    const value = ' '.repeat(100_000) + 'x'.repeat(100_000);
    const query = bindCoql('select id from Leads where a = :v limit 5', { v: value });
    const started = Date.now();
    const clause = splitLimit(query);
    assert.equal(clause.limit, 5);
    assert.equal(clause.base.length, query.length - ' limit 5'.length);
    // It took minutes with literals masked by spaces; a linear scan takes milliseconds.
    assert.ok(Date.now() - started < 1000, `${Date.now() - started} ms`);
  });
});

/** A COQL endpoint over `total` rows honouring LIMIT n OFFSET m, like Zoho (default LIMIT 200). */
function coqlStub(total: number) {
  return new StubRequester((spec) => coqlAnswer(total, spec));
}

function coqlAnswer(total: number, spec: RequestSpec): StubAnswer {
  const query = (spec.body as { select_query: string }).select_query;
  const m = /limit (\d+) offset (\d+)$/i.exec(query);
  const limit = m ? Number(m[1]) : 200;
  const offset = m ? Number(m[2]) : 0;
  if (limit > 2000 || offset + limit > 100_000)
    return { status: 400, data: { code: 'LIMIT_EXCEEDED' } };
  const rows = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => ({
    id: String(offset + i),
  }));
  if (rows.length === 0) return { status: 204 };
  return {
    data: {
      data: rows,
      info: { count: rows.length, more_records: offset + rows.length < total },
    },
  };
}

describe('coql: running', () => {
  it('sends an in (…) of 100 values, and commas inside quoted values do not count', async () => {
    const stub = coqlStub(1);
    const names = Array.from({ length: 100 }, (_, i) => `Smith, J${i}`);
    await runCoql(stub, 'select id from Leads where Last_Name in :names', { params: { names } });
    assert.equal(stub.calls.length, 1);
  });

  it('sends one idempotent POST to /v8/coql', async () => {
    const stub = coqlStub(300);
    const result = await runCoql(stub, 'select id from Leads where Last_Name = :n', {
      params: { n: 'x' },
    });
    assert.equal(stub.calls.length, 1);
    const spec = stub.calls[0];
    assert.equal(spec.method, 'POST');
    assert.equal(spec.path, '/v8/coql');
    assert.equal(spec.idempotent, true);
    assert.deepEqual(spec.body, { select_query: "select id from Leads where Last_Name = 'x'" });
    assert.equal(result.rows.length, 200);
    assert.equal(result.info.more_records, true);
    assert.equal(result.info.truncated, false);
  });

  it('pages with LIMIT 2000 OFFSET n, rewriting the query', async () => {
    const stub = coqlStub(4500);
    const result = await runCoql(stub, 'select id from Leads order by id', { returnAll: true });
    assert.deepEqual(
      stub.calls.map((c) => (c.body as { select_query: string }).select_query),
      [
        'select id from Leads order by id LIMIT 2000 OFFSET 0',
        'select id from Leads order by id LIMIT 2000 OFFSET 2000',
        'select id from Leads order by id LIMIT 2000 OFFSET 4000',
      ],
    );
    assert.equal(result.rows.length, 4500);
    assert.equal(result.rows[4499].id, '4499');
    assert.deepEqual(
      { ...result.info, query: undefined },
      {
        count: 4500,
        more_records: false,
        pages: 3,
        calls: 3,
        truncated: false,
        query: undefined,
      },
    );
  });

  it("keeps the query's own LIMIT/OFFSET as bounds of the walk", async () => {
    const stub = coqlStub(10_000);
    const result = await runCoql(stub, 'select id from Leads limit 2500 offset 100', {
      returnAll: true,
    });
    assert.deepEqual(
      stub.calls.map((c) => (c.body as { select_query: string }).select_query),
      ['select id from Leads LIMIT 2000 OFFSET 100', 'select id from Leads LIMIT 500 OFFSET 2100'],
    );
    assert.equal(result.rows.length, 2500);
    assert.equal(result.info.truncated, false);
  });

  it('stops at maxRecords with truncated: true', async () => {
    const stub = coqlStub(10_000);
    const result = await runCoql(stub, 'select id from Leads', {
      returnAll: true,
      maxRecords: 2500,
    });
    assert.equal(result.rows.length, 2500);
    assert.equal(result.info.truncated, true);
    assert.equal(
      (stub.calls[1].body as { select_query: string }).select_query,
      'select id from Leads LIMIT 500 OFFSET 2000',
    );
  });

  it("stops at Zoho's 100,000-row ceiling with truncated: true", async () => {
    const stub = coqlStub(150_000);
    const result = await runCoql(stub, 'select id from Leads', { returnAll: true });
    assert.equal(stub.calls.length, 50);
    assert.equal(result.rows.length, 100_000);
    assert.equal(result.info.truncated, true);
    assert.equal(result.info.more_records, true);
  });

  it('with concurrency fetches the offsets side by side, rows in order, a failed page failing the walk', async () => {
    const stub = coqlStub(9_500);
    const result = await runCoql(stub, 'select id from Leads', { returnAll: true, concurrency: 3 });
    assert.deepEqual(
      result.rows.map((r) => r.id),
      Array.from({ length: 9_500 }, (_, i) => String(i)),
    );
    // 5 pages hold the rows; at most 2 more were asked for past the end (answered empty).
    assert.ok(stub.calls.length >= 5 && stub.calls.length <= 7, `${stub.calls.length} calls`);
    assert.equal(result.info.truncated, false);
    assert.equal(result.info.more_records, false);
    await assert.rejects(
      runCoql(stub, 'select id from Leads', { returnAll: true, concurrency: 0 }),
      invalid,
    );

    const failing = new StubRequester((spec, index) => {
      if (index === 2) throw new ZohoError({ code: 'INTERNAL_ERROR', message: 'page 3 failed' });
      return coqlAnswer(9_500, spec);
    });
    await assert.rejects(
      runCoql(failing, 'select id from Leads', { returnAll: true, concurrency: 3 }),
      (e: ZohoError) => e.code === 'INTERNAL_ERROR',
    );
  });

  it('joins the rows of more pages than one concat takes, all of them in order', async () => {
    // pageSize 2 over 2,101 rows: 1,051 pages, past the 1,000 pages joined at a time.
    const stub = coqlStub(2_101);
    const result = await runCoql(stub, 'select id from Leads', { returnAll: true, pageSize: 2 });
    assert.equal(result.info.pages, 1_051);
    assert.deepEqual(
      result.rows.map((r) => r.id),
      Array.from({ length: 2_101 }, (_, i) => String(i)),
    );
  });

  it('treats 204 as no rows and refuses bad input before sending', async () => {
    const stub = coqlStub(0);
    const empty = await runCoql(stub, 'select id from Leads', { returnAll: true });
    assert.deepEqual(empty.rows, []);
    assert.equal(empty.info.truncated, false);
    const before = stub.calls.length;
    await assert.rejects(runCoql(stub, 'select id from Leads where a = :a'), /:a/);
    await assert.rejects(runCoql(stub, 'delete from Leads'), /SELECT/);
    await assert.rejects(runCoql(stub, 'select id from Leads limit 5000'), /2000/);
    const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    await assert.rejects(
      runCoql(stub, 'select id from Leads where Last_Name in :names', {
        params: { names: values(101) },
      }),
      (e: unknown) =>
        invalid(e) &&
        (e as ZohoError).param === 'query' &&
        /at most 100 values; this one has 101/.test((e as Error).message),
    );
    await assert.rejects(
      runCoql(
        stub,
        `select id from Leads where Email not in (${values(120)
          .map((v) => `'${v}'`)
          .join(', ')})`,
      ),
      /at most 100 values; this one has 120/,
    );
    await assert.rejects(
      runCoql(stub, 'select id from Leads limit 10 offset 100000', { returnAll: true }),
      /100000/,
    );
    await assert.rejects(
      runCoql(stub, 'select id from Leads', { returnAll: true, maxRecords: 0 }),
      invalid,
    );
    await assert.rejects(
      runCoql(stub, 'select id from Leads', { returnAll: true, pageSize: 2001 }),
      invalid,
    );
    assert.equal(stub.calls.length, before);
  });
});
