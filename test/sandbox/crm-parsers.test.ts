import assert from 'node:assert/strict';
import {
  CoqlError,
  CriteriaError,
  CrmStore,
  ModuleRegistry,
  compileCriteria,
  parseCriteria,
  parseQuery,
  runCoql,
  sensorsModule,
  standardModules,
} from '../../src/sandbox/crm/index';
import { likeRegExp } from '../../src/sandbox/crm/compare';

function includes(actual: object, expected: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(expected)) {
    assert.deepEqual((actual as Record<string, unknown>)[k], v, `property ${k}`);
  }
}

function store(): CrmStore {
  return new CrmStore(new ModuleRegistry([...standardModules(), sensorsModule()]));
}

function coqlError(text: string, s = store()): CoqlError {
  try {
    runCoql(s, text);
  } catch (err) {
    if (err instanceof CoqlError) return err;
    throw err;
  }
  throw new Error(`no error for: ${text}`);
}

describe('CRM search criteria parser', () => {
  it('parses a single condition', () => {
    assert.deepEqual(parseCriteria('(Last_Name:equals:Smith)'), {
      kind: 'cond',
      field: 'Last_Name',
      operator: 'equals',
      op: 'eq',
      values: ['Smith'],
    });
  });

  it('keeps escaped ( ) , and \\ literal in values', () => {
    const tree = parseCriteria('(Company:equals:Acme \\(EU\\)\\, Ltd \\\\ 1)');
    includes(tree, { kind: 'cond' });
    assert.deepEqual((tree as { values: string[] }).values, ['Acme (EU), Ltd \\ 1']);
  });

  it('splits in/between values on unescaped commas only', () => {
    const tree = parseCriteria('(Company:in:A\\,B,C)') as { values: string[] };
    assert.deepEqual(tree.values, ['A,B', 'C']);
    const between = parseCriteria('(Amount:between:10,20)') as { values: string[] };
    assert.deepEqual(between.values, ['10', '20']);
  });

  it('allows colons inside values (datetimes)', () => {
    const tree = parseCriteria('(Modified_Time:greater_than:2024-01-01T10:00:00+05:30)') as {
      values: string[];
    };
    assert.deepEqual(tree.values, ['2024-01-01T10:00:00+05:30']);
  });

  it('parses and/or with nesting; and binds tighter than or', () => {
    const tree = parseCriteria('((A:equals:1)and(B:equals:2))or(C:equals:3)');
    assert.equal(tree.kind, 'or');
    const flat = parseCriteria('(A:equals:1) or (B:equals:2) and (C:equals:3)');
    assert.equal(flat.kind, 'or');
    assert.equal((flat as { right: { kind: string } }).right.kind, 'and');
  });

  for (const bad of [
    '',
    'Last_Name:equals:x',
    '(Last_Name:equals:x',
    '(Last_Name)',
    '(Last_Name:equals:a(b)',
    '(A:equals:1)(B:equals:2)',
    '(A:equals:1) xor (B:equals:2)',
    '(A:equals:1\\',
  ]) {
    it(`rejects malformed criteria ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseCriteria(bad), CriteriaError);
    });
  }

  it('rejects unknown operators and more than ten conditions', () => {
    assert.throws(
      () => parseCriteria('(A:contains_all:x)'),
      (e: unknown) => e instanceof CriteriaError && e.message.includes('invalid operator'),
    );
    const eleven = Array.from({ length: 11 }, (_, i) => `(A:equals:${i})`).join('or');
    assert.throws(
      () => parseCriteria(eleven),
      (e: unknown) => e instanceof CriteriaError && e.message.includes('more than 10'),
    );
  });

  it('evaluates typed comparisons against records', () => {
    const s = store();
    const leads = s.modules.get('Leads')!;
    const match = (c: string, data: Record<string, unknown>): boolean =>
      compileCriteria(parseCriteria(c), leads)(data);
    assert.equal(match('(Last_Name:equals:smith)', { Last_Name: 'Smith' }), true);
    assert.equal(match('(Last_Name:starts_with:Sm)', { Last_Name: 'Smith' }), true);
    assert.equal(match('(No_of_Employees:greater_than:9)', { No_of_Employees: 10 }), true);
    assert.equal(match('(No_of_Employees:between:1,5)', { No_of_Employees: 10 }), false);
    assert.equal(match('(Email_Opt_Out:equals:true)', { Email_Opt_Out: true }), true);
    assert.equal(
      match('(Modified_Time:greater_equal:2024-01-01T00:00:00+00:00)', {
        Modified_Time: '2024-01-01T05:30:00+05:30',
      }),
      true,
    );
    assert.throws(() => compileCriteria(parseCriteria('(Nope:equals:1)'), leads), CriteriaError);
    assert.throws(
      () => compileCriteria(parseCriteria('(No_of_Employees:equals:many)'), leads),
      CriteriaError,
    );
    assert.throws(
      () => compileCriteria(parseCriteria('(Email_Opt_Out:greater_than:1)'), leads),
      CriteriaError,
    );
  });
});

describe('COQL parser', () => {
  it('parses the full grammar', () => {
    const q = parseQuery(
      "SELECT Last_Name, Email, Account_Name.Account_Name FROM Contacts WHERE (Last_Name = 'O\\'Brien' OR Email like '%@x.example') AND Created_Time between '2024-01-01T00:00:00+00:00' and '2025-01-01T00:00:00+00:00' ORDER BY Last_Name desc, id LIMIT 5, 10",
    );
    assert.deepEqual(q.columns, ['Last_Name', 'Email', 'Account_Name.Account_Name']);
    assert.equal(q.module, 'Contacts');
    assert.deepEqual(q.orderBy, [
      { column: 'Last_Name', desc: true },
      { column: 'id', desc: false },
    ]);
    assert.equal(q.offset, 5);
    assert.equal(q.limit, 10);
    assert.equal(q.where?.kind, 'and');
    const left = (q.where as { left: { kind: string; left: { values: unknown[] } } }).left;
    assert.equal(left.kind, 'or');
    assert.deepEqual(left.left.values, ["O'Brien"]);
  });

  it('accepts LIMIT n OFFSET m, keywords in any case, and all comparison forms', () => {
    const q = parseQuery(
      "select id from Leads where a != 1 and b <> 2 and c <= 3 and d >= 4 and e < 5 and f > 6 and g not like 'x%' and h in ('a', 'b') and i not in (1) and j is null and k is not null and l not between 1 and 2 limit 10 offset 20",
    );
    assert.equal(q.limit, 10);
    assert.equal(q.offset, 20);
    const ops: string[] = [];
    const walk = (w: unknown): void => {
      const node = w as { kind: string; op?: string; left?: unknown; right?: unknown };
      if (node.kind === 'cond') ops.push(node.op!);
      else {
        walk(node.left);
        walk(node.right);
      }
    };
    walk(q.where);
    assert.deepEqual(ops, [
      'ne',
      'ne',
      'le',
      'ge',
      'lt',
      'gt',
      'not_like',
      'in',
      'not_in',
      'is_null',
      'not_null',
      'not_between',
    ]);
  });

  it("accepts '' as an escaped quote too", () => {
    const q = parseQuery("select id from Leads where Last_Name = 'O''Brien'");
    assert.deepEqual((q.where as { values: unknown[] }).values, ["O'Brien"]);
  });

  const syntax: [string, Record<string, unknown>][] = [
    ['select Last_Name form Leads', { line: 1, column: 18, near: 'form' }],
    ["select Last_Name from Leads where Last_Name = 'x", { line: 1, column: 47 }],
    ['select from Leads', { near: 'from' }],
    ['select Last_Name from Leads where', { near: '<EOF>' }],
    ['select Last_Name from Leads where Last_Name = ', { near: '<EOF>' }],
    ['select Last_Name from Leads limit -1', { near: '-1' }],
    ['select Last_Name from Leads where (Last_Name = 1', { near: '<EOF>' }],
    ['select Last_Name from Leads where Last_Name ~ 1', { near: '~' }],
    ['select Last_Name from Leads\nwhere Last_Name == 1', { line: 2, column: 18 }],
    ['select * from Leads', { near: '*' }],
  ];
  for (const [text, details] of syntax) {
    it(`SYNTAX_ERROR for ${JSON.stringify(text)}`, () => {
      const err = coqlError(text);
      assert.equal(err.code, 'SYNTAX_ERROR');
      includes(err.details, details);
    });
  }

  it('SYNTAX_ERROR missing clause for a query without FROM or SELECT', () => {
    assert.deepEqual(coqlError('select Last_Name').details, { clause: 'from' });
    assert.deepEqual(coqlError('').details, { clause: 'select' });
  });

  it('INVALID_QUERY for unknown columns, modules, bad values and operators', () => {
    let err = coqlError('select Nope from Leads');
    assert.equal(err.code, 'INVALID_QUERY');
    includes(err.details, { column_name: 'Nope', clause: 'select' });
    err = coqlError("select id from Leads where Nope = 'x'");
    includes(err.details, { column_name: 'Nope', clause: 'where' });
    err = coqlError("select id from Nope where id = '1'");
    includes(err.details, { module: 'Nope' });
    err = coqlError("select id from Leads where No_of_Employees = 'many'");
    assert.equal(err.message, 'value given seems to be invalid for the column');
    err = coqlError("select id from Leads where Email_Opt_Out like 'x'");
    includes(err.details, { reason: 'invalid operator found' });
    err = coqlError('select id from Leads where Email_Opt_Out > true');
    assert.equal(err.code, 'INVALID_QUERY');
  });

  it('LIMIT_EXCEEDED beyond 2000 rows per call and 100000 rows in all', () => {
    assert.deepEqual(coqlError('select id from Leads limit 2001').details, {
      by: 'limit',
      limit: 2000,
    });
    assert.deepEqual(coqlError('select id from Leads limit 99000, 2000').details, {
      by: 'offset',
      limit: 100000,
    });
    const many = Array.from({ length: 26 }, (_, i) => `Last_Name = '${i}'`).join(' or ');
    assert.equal(coqlError(`select id from Leads where ${many}`).code, 'LIMIT_EXCEEDED');
    assert.deepEqual(runCoql(store(), 'select id from Leads limit 98000, 2000').data, []);
  });

  it('DUPLICATE_DATA for a column repeated in ORDER BY', () => {
    assert.equal(coqlError('select id from Leads order by id, id').code, 'DUPLICATE_DATA');
  });

  it('evaluates where, like, in, null, between, lookups, ordering and paging', () => {
    const s = store();
    const [acme] = s.insert('Accounts', [{ Account_Name: 'Acme (EU), Ltd' }]);
    s.insert('Contacts', [
      {
        Last_Name: "O'Brien",
        First_Name: 'Ann',
        Email: 'ann@x.example',
        Account_Name: { id: acme.id },
      },
      { Last_Name: 'Smith', First_Name: 'Bob', Email: 'bob@y.example' },
      { Last_Name: 'Smythe', Email: null },
      { Last_Name: 'Adams', First_Name: 'Cy', Email: 'cy@x.example' },
    ]);
    const names = (q: string): unknown[] => runCoql(s, q).data.map((r) => r.Last_Name);
    assert.deepEqual(
      names("select Last_Name from Contacts where Email like '%@x.example' order by Last_Name"),
      ['Adams', "O'Brien"],
    );
    assert.deepEqual(
      names("select Last_Name from Contacts where Last_Name like 'sm%' order by Last_Name desc"),
      ['Smythe', 'Smith'],
    );
    assert.deepEqual(names('select Last_Name from Contacts where Email is null'), ['Smythe']);
    assert.deepEqual(
      names(
        "select Last_Name from Contacts where Last_Name in ('adams', 'smith') order by Last_Name",
      ),
      ['Adams', 'Smith'],
    );
    assert.deepEqual(
      names("select Last_Name from Contacts where Account_Name.Account_Name = 'Acme (EU), Ltd'"),
      ["O'Brien"],
    );
    assert.deepEqual(names(`select Last_Name from Contacts where Account_Name = '${acme.id}'`), [
      "O'Brien",
    ]);
    assert.deepEqual(
      names(
        "select Last_Name from Contacts where Last_Name != 'Smith' and (Email like '%x%' or Email is null) order by Last_Name limit 1 offset 1",
      ),
      ["O'Brien"],
    );
    const row = runCoql(
      s,
      "select Account_Name, Account_Name.Account_Name from Contacts where Last_Name = 'O\\'Brien'",
    ).data[0];
    // v8 answers a lookup column with its display value and id (COQL-Joins, API v8).
    assert.deepEqual(row.Account_Name, { name: 'Acme (EU), Ltd', id: acme.id });
    assert.equal(row['Account_Name.Account_Name'], 'Acme (EU), Ltd');
    assert.equal(typeof row.id, 'string');
    const paged = runCoql(s, 'select Last_Name from Contacts order by Last_Name limit 2');
    assert.deepEqual(paged.info, { count: 2, more_records: true });
    assert.equal(
      runCoql(
        s,
        "select id from Contacts where Created_Time between '2000-01-01T00:00:00+00:00' and '2100-01-01T00:00:00Z'",
      ).data.length,
      4,
    );
  });

  it('LIKE escapes regular-expression characters', () => {
    assert.equal(likeRegExp('a.c%').test('abcd'), false);
    assert.equal(likeRegExp('a.c%').test('a.cd'), true);
    assert.equal(likeRegExp('a_c').test('abc'), true);
  });
});
