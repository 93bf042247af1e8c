/**
 * Generated bad input. A seeded generator (the same cases every run, so a failure can be
 * replayed) mixes hostile ids, wrong types, huge values, prototype keys and injection attempts
 * into otherwise valid messages. Each input says what must happen:
 *   refuse — a clear, catchable error and no API request at all;
 *   safe   — the pack may send it (the value is data, e.g. a COQL literal), but every request
 *            must keep its path and query shape, and a failure must still be a clear error.
 * The marker INJ in a value is what an injection would smuggle into a path or a query key.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMsg = Record<string, any>;

export interface BadInput {
  label: string;
  msg: AnyMsg;
  expect: 'refuse' | 'safe';
  /** For COQL and criteria: the literal the request must carry, unchanged. */
  literal?: string;
  /** The query keys the request must carry, no more and no fewer (zoho-raw). */
  queryKeys?: string[];
}

export class Gen {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** mulberry32: small, fast and good enough to spread cases. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)];
  }
  /** A random string of hostile characters, `len` long. */
  junk(len: number): string {
    const chars = [...`/.?#%&=\\'"()[],;:*+ \t\n\r\u0000<>{}|^~\`$@!INJ`, 'é', 'ß', '😀', '\u202e'];
    let s = '';
    for (let i = 0; i < len; i++) s += this.pick(chars);
    return s;
  }
}

/** Ids that must never reach a URL path. */
export const HOSTILE_IDS: readonly string[] = [
  '../INJ',
  '..',
  '.',
  '1/INJ',
  '1?INJ=1',
  '1#INJ',
  '1%2FINJ',
  '%2e%2e',
  '%2e%2e%2fINJ',
  '1 2',
  ' 1',
  '1\u0000',
  '1\r\nINJ: 1',
  'ü1',
  '１２３',
  '😀',
  '',
  '   ',
  '12345678901234567890',
  '-1',
  '1e3',
  '0x10',
  'INJ',
  '1;INJ',
  '1&INJ=1',
  '..\\INJ',
  '%',
  '%zz',
  '__proto__',
  'constructor',
  'null',
];

/** Values of the wrong type where a string id or name is wanted. */
export const WRONG_TYPES: readonly unknown[] = [
  null,
  true,
  false,
  12.5,
  NaN,
  Infinity,
  -1,
  [],
  {},
  ['1', ['2']],
  { id: { $ne: 1 } },
  Buffer.from('12345'),
  new Date(0),
  BigInt(-5),
];

/** Strings that try to end a literal or change a query. */
export const INJECTIONS: readonly string[] = [
  "' or 1=1 --",
  "x' or '1'='1",
  "x') or (1=1",
  "x'; delete from Leads; --",
  "x\\' or 1=1",
  "x\\\\' or Last_Name != '",
  '/* INJ */ x',
  'x -- INJ',
  "''",
  "'",
  '\\',
  '(INJ)',
  'a,b,c',
  'a\\,b',
  ')or(Last_Name:equals:INJ',
  '((()))',
  'x:equals:INJ',
  'é😀\u202e',
  '%27%20or%201%3D1',
  '\u0000',
];

/** Objects with prototype-pollution keys, as JSON.parse makes them (own properties). */
export function protoRecords(): AnyMsg[] {
  return [
    JSON.parse('{"__proto__": {"polluted": "INJ"}, "Last_Name": "P"}'),
    JSON.parse('{"constructor": {"prototype": {"polluted": "INJ"}}, "Last_Name": "P"}'),
    JSON.parse('{"Last_Name": "P", "nested": {"__proto__": {"polluted": "INJ"}}}'),
  ];
}

/** Hostile ids that are not blank: a blank msg property means "use the editor's value". */
const SOLID_IDS = HOSTILE_IDS.filter((s) => s.trim() !== '');
/** Not even the shape of a module or record-type name ("constructor" is one: Zoho says no). */
const NOT_NAMES = SOLID_IDS.filter((s) => !/^[A-Za-z][A-Za-z0-9_]*$/.test(s));

const huge = (g: Gen): string => 'x'.repeat(100_000 + g.int(100_000));

/** Fills `n` cases by cycling through the makers, each drawing its own random variation. */
function fill(g: Gen, n: number, makers: ((g: Gen) => BadInput)[]): BadInput[] {
  const out: BadInput[] = [];
  for (let i = 0; out.length < n; i++) out.push(makers[i % makers.length](g));
  return out;
}

const badId = (g: Gen): unknown =>
  g.next() < 0.7 ? g.pick(HOSTILE_IDS) : g.next() < 0.5 ? g.junk(1 + g.int(12)) : pickWrong(g);
/** Wrong types that are not ids either (exact integers would be valid ids). */
const pickWrong = (g: Gen): unknown => {
  const v = g.pick(WRONG_TYPES);
  return typeof v === 'bigint' ? 'INJ' : v;
};
const notRecord = (g: Gen): unknown =>
  g.pick([
    null,
    42,
    'a string',
    true,
    Buffer.from('{"Last_Name":"buf"}'),
    [1, 2, 3],
    [[{ Last_Name: 'nested' }]],
    new Date(),
    [],
    Array.from({ length: 50_000 + g.int(50_000) }, (_, i) => i),
  ]);

export function crmRecordInputs(g: Gen, n: number): BadInput[] {
  const junkOp = (g2: Gen) => g2.pick([...HOSTILE_IDS, 'GET', 'select', 'drop', 'list ']);
  return fill(g, n, [
    (g) => ({ label: 'operation', expect: 'refuse', msg: { operation: junkOp(g) } }),
    (g) => ({
      label: 'module',
      expect: 'refuse',
      msg: { operation: 'list', module: g.next() < 0.5 ? g.pick(NOT_NAMES) : pickWrong(g) },
    }),
    (g) => ({ label: 'get id', expect: 'refuse', msg: { operation: 'get', recordId: badId(g) } }),
    (g) => ({
      label: 'update id',
      expect: 'refuse',
      msg: { operation: 'update', recordId: badId(g), payload: { Last_Name: 'X' } },
    }),
    (g) => ({
      label: 'delete ids',
      expect: 'refuse',
      msg: { operation: 'delete', payload: ['1', badId(g)] },
    }),
    (g) => ({
      label: 'records',
      expect: 'refuse',
      msg: { operation: g.pick(['create', 'update', 'upsert']), payload: notRecord(g) },
    }),
    (g) => ({
      label: 'fields',
      expect: 'refuse',
      msg: { operation: 'list', fields: `Last_Name,${g.pick(HOSTILE_IDS.slice(0, 14))}` },
    }),
    (g) => ({
      label: 'criteria field',
      expect: 'refuse',
      msg: { operation: 'search', criteria: { [g.pick(HOSTILE_IDS.slice(0, 14))]: 'x' } },
    }),
    (g) => {
      const value = g.next() < 0.8 ? g.pick(INJECTIONS) : g.junk(1 + g.int(30));
      const expect = value === '' ? 'refuse' : 'safe';
      return {
        label: 'criteria value',
        expect,
        literal: value,
        msg: { operation: 'search', criteria: { Last_Name: value } },
      };
    },
    (g) => ({
      label: 'search word',
      expect: 'safe',
      msg: { operation: 'search', word: `${g.pick(INJECTIONS)}x` },
    }),
    (g) => ({
      label: 'proto keys',
      expect: 'safe',
      msg: { operation: 'create', payload: g.pick(protoRecords()) },
    }),
    (g) => ({
      label: 'huge string',
      expect: 'safe',
      msg: { operation: 'create', payload: { Last_Name: 'H', Description: huge(g) } },
    }),
    (g) => ({
      label: 'page token',
      expect: 'safe',
      msg: { operation: 'list', pageToken: g.pick(INJECTIONS) + '&INJ=1' },
    }),
    (g) => ({
      label: 'per page',
      expect: 'safe',
      msg: { operation: 'list', perPage: g.pick([-1, 0, 1e9, 'abc', '1;INJ', 2.5, null]) },
    }),
    (g) => ({
      label: 'trigger',
      expect: 'refuse',
      msg: { operation: 'create', payload: { Last_Name: 'T' }, trigger: g.pick(SOLID_IDS) },
    }),
  ]);
}

const COQL_TEMPLATE = 'select Last_Name, Email from Leads where Last_Name = :name limit 10';

export function coqlInputs(g: Gen, n: number): BadInput[] {
  return fill(g, n, [
    (g) => {
      const value = g.next() < 0.7 ? g.pick(INJECTIONS) : g.junk(1 + g.int(40));
      return {
        label: 'placeholder',
        expect: 'safe',
        literal: value,
        msg: { params: { name: value } },
      };
    },
    (g) => ({
      label: 'placeholder type',
      expect: 'safe',
      msg: { params: { name: g.pick([...WRONG_TYPES, huge(g), [1, "x'"], { a: 1 }]) } },
    }),
    (g) => ({
      label: 'params type',
      expect: 'refuse',
      msg: { params: g.pick(['name', 42, ['Doe'], true, Buffer.from('x')]) },
    }),
    (g) => ({
      label: 'missing placeholder',
      expect: 'refuse',
      msg: { params: g.pick(protoRecords().concat([{}, { other: 'x' }])) },
    }),
    (g) => ({
      label: 'query type',
      expect: 'refuse',
      msg: { query: g.pick([42, true, [], {}, '   ', Buffer.from('select')]), params: {} },
    }),
    (g) => ({
      label: 'placeholder in query',
      expect: 'refuse',
      msg: {
        query: `${COQL_TEMPLATE} and Email = :${g.pick(['x', 'INJ'])}`,
        params: { name: 'a' },
      },
    }),
  ]);
}

export function attachmentInputs(g: Gen, n: number): BadInput[] {
  return fill(g, n, [
    (g) => ({ label: 'operation', expect: 'refuse', msg: { operation: g.pick(HOSTILE_IDS) } }),
    (g) => ({
      label: 'record id',
      expect: 'refuse',
      msg: {
        operation: g.pick(['list', 'upload', 'download', 'delete']),
        recordId: badId(g),
        attachmentId: '1',
        payload: 'x',
      },
    }),
    (g) => ({
      label: 'attachment id',
      expect: 'refuse',
      msg: { operation: g.pick(['download', 'delete']), recordId: '1', attachmentId: badId(g) },
    }),
    (g) => ({
      label: 'module',
      expect: 'refuse',
      msg: { operation: 'list', recordId: '1', module: g.pick(NOT_NAMES) },
    }),
    (g) => ({
      label: 'upload payload',
      expect: 'refuse',
      msg: {
        operation: 'upload',
        recordId: '1',
        filename: 'a.txt',
        payload: g.pick([null, 42, true, { a: 1 }, [1, 2]]),
      },
    }),
    (g) => ({
      label: 'file name',
      expect: 'safe',
      msg: {
        operation: 'upload',
        recordId: '1',
        payload: 'x',
        filename: g.pick([
          '../../etc/passwd',
          'a\r\nContent-Type: INJ',
          'a"; name="INJ',
          huge(g),
          'ü😀.txt',
        ]),
      },
    }),
  ]);
}

/** Over Zoho's 20 MB limit; few, they are big. */
export function oversizeUploads(): BadInput[] {
  return [
    {
      label: 'over limit buffer',
      expect: 'refuse',
      msg: {
        operation: 'upload',
        recordId: '1',
        filename: 'big.bin',
        payload: Buffer.alloc(20 * 1024 * 1024 + 1),
      },
    },
    {
      label: 'over limit string',
      expect: 'refuse',
      msg: {
        operation: 'upload',
        recordId: '1',
        filename: 'big.txt',
        payload: 'x'.repeat(20 * 1024 * 1024 + 1),
      },
    },
  ];
}

export function booksInputs(g: Gen, n: number): BadInput[] {
  return fill(g, n, [
    (g) => ({
      label: 'record type',
      expect: 'refuse',
      msg: { operation: 'list', recordType: g.pick(NOT_NAMES) },
    }),
    (g) => ({
      label: 'operation',
      expect: 'refuse',
      msg: { operation: g.next() < 0.5 ? g.pick(HOSTILE_IDS) : pickWrong(g) },
    }),
    (g) => ({
      label: 'record id',
      expect: 'refuse',
      msg: {
        operation: g.pick(['get', 'update', 'delete', 'inactive']),
        recordId: badId(g),
        payload: { contact_name: 'x' },
      },
    }),
    (g) => ({
      label: 'organization id',
      expect: 'refuse',
      msg: { operation: 'list', organizationId: g.pick(HOSTILE_IDS.filter((s) => s !== '')) },
    }),
    (g) => ({
      label: 'entity',
      expect: 'refuse',
      msg: { operation: g.pick(['create', 'update']), recordId: '1', payload: notRecord(g) },
    }),
    (g) => ({
      label: 'search key',
      expect: 'refuse',
      msg: { operation: 'list', searchFields: { [g.pick(HOSTILE_IDS.slice(0, 14))]: 'x' } },
    }),
    (g) => ({
      label: 'search value',
      expect: 'safe',
      msg: { operation: 'list', searchFields: { contact_name: `${g.pick(INJECTIONS)}&INJ=1` } },
    }),
    (g) => ({
      label: 'proto keys',
      expect: 'safe',
      msg: { operation: 'create', payload: { ...g.pick(protoRecords()), contact_name: 'P' } },
    }),
    (g) => ({
      label: 'parent',
      expect: 'refuse',
      msg: {
        operation: 'list',
        recordType: 'contactpersons',
        parentRecordType: 'contacts',
        parentRecordId: badId(g),
      },
    }),
  ]);
}

export function rawInputs(g: Gen, n: number): BadInput[] {
  const hostileUrls = [
    'https://evil.example/crm/v8/Leads',
    '//evil.example/x',
    'http://127.0.0.1:1/INJ',
    '/crm/v8/../../INJ',
    '/crm/v8/Leads/..%2F..%2FINJ',
    '/crm/v8/%2e%2e/INJ',
    '/crm/v8/Leads?INJ=1',
    '/crm/v8/Leads#INJ',
    '/crm/v8/Leads\\..\\INJ',
    '/crm/v8/Le\u0000ads',
    'file:///etc/passwd',
    'https://accounts.zoho.com.evil.example/',
    'https://www.zohoapis.com@evil.example/',
  ];
  return fill(g, n, [
    (g) => ({ label: 'url', expect: 'refuse', msg: { url: g.pick(hostileUrls) } }),
    (g) => ({ label: 'url type', expect: 'refuse', msg: { url: g.pick([42, true, {}, []]) } }),
    // Not URLs of another host: relative paths on the connection's Zoho host, Zoho answers.
    (g) => ({
      label: 'odd path',
      expect: 'safe',
      msg: {
        url: g.pick(['javascript:alert(1)', 'crm/v8/Leads', '/crm/v8/Le ads', '/crm/v8/Lé😀']),
      },
    }),
    (g) => ({
      label: 'method',
      expect: 'refuse',
      msg: { method: g.pick(['CONNECT', 'TRACE', 'GET\r\nINJ', 'INJ', 7, {}]) },
    }),
    (g) => ({ label: 'product', expect: 'refuse', msg: { product: g.pick(SOLID_IDS) } }),
    (g) => ({
      label: 'headers',
      expect: 'refuse',
      msg: {
        headers: g.pick([
          { Authorization: 'Zoho-oauthtoken INJ' },
          { 'X-A': 'a\r\nINJ: 1' },
          { 'Bad Name': 'x' },
          'INJ',
          42,
        ]),
      },
    }),
    (g) => ({
      label: 'query values',
      expect: 'safe',
      msg: { query: { fields: `Last_Name&INJ=1#${g.pick(INJECTIONS)}` } },
    }),
    (g) => {
      const key = g.pick(['a&b', 'a=b', 'a#b', 'a?b', 'a b', 'ü', '__proto__x']);
      return {
        label: 'query keys',
        expect: 'safe',
        queryKeys: [key],
        msg: { query: { [key]: 'x' } },
      };
    },
    (g) => ({ label: 'query type', expect: 'refuse', msg: { query: g.pick([42, true, [1]]) } }),
    (g) => ({ label: 'timeout', expect: 'refuse', msg: { timeout: g.pick([-1, 'abc', NaN, {}]) } }),
  ]);
}

/** Not a module name, nor a value a node could take for one ("INJ" is a name's shape). */
const notModule = (g: Gen): unknown =>
  g.next() < 0.5 ? g.pick(NOT_NAMES) : g.pick(WRONG_TYPES.filter((v) => typeof v !== 'bigint'));

/** crm-bulk read: only module, fields, criteria and chunk size come from msg. */
export function bulkReadInputs(g: Gen, n: number): BadInput[] {
  return fill(g, n, [
    (g) => ({ label: 'module', expect: 'refuse', msg: { module: notModule(g) } }),
    (g) => ({
      label: 'fields',
      expect: 'refuse',
      msg: { fields: `Last_Name,${g.pick(HOSTILE_IDS.slice(0, 14))}` },
    }),
    (g) => ({
      label: 'criteria field',
      expect: 'refuse',
      msg: { criteria: { [g.pick(HOSTILE_IDS.slice(0, 14))]: 'x' } },
    }),
    (g) => ({
      label: 'criteria operator',
      expect: 'refuse',
      msg: { criteria: { field: 'Last_Name', op: g.pick(SOLID_IDS), value: 'x' } },
    }),
    (g) => ({
      label: 'criteria type',
      expect: 'refuse',
      msg: { criteria: g.pick(["Last_Name:equals:x') or (1=1", 42, true, ['a'], [[]]]) },
    }),
    (g) => ({
      label: 'chunk size',
      expect: 'refuse',
      msg: { chunkSize: g.pick([0, -1, 1e9, 2.5, 'abc', '1;INJ', NaN, {}]) },
    }),
    // A value is data in Bulk Read's JSON criteria: the export runs, matching nothing.
    (g) => ({
      label: 'criteria value',
      expect: 'safe',
      msg: { criteria: { Last_Name: `${g.pick(INJECTIONS)}x` } },
    }),
  ]);
}

/**
 * crm-bulk writes: records in msg.payload (or a CSV file's name), find-by, field mapping. One
 * maker in ten is data a job imports (each costs a job); the rest must be refused unsent.
 */
export function bulkWriteInputs(g: Gen, n: number, operation: string): BadInput[] {
  const valid = () => (operation === 'update' ? { id: '1', Last_Name: 'X' } : { Last_Name: 'X' });
  return fill(g, n, [
    (g) => ({ label: 'records', expect: 'refuse', msg: { payload: notRecord(g) } }),
    (g) => ({
      label: 'one bad record',
      expect: 'refuse',
      msg: { payload: [valid(), valid(), notRecord(g)] },
    }),
    (g) => ({
      label: 'record types',
      expect: 'refuse',
      msg: {
        payload: g.pick([[null], [42], ['x'], [[valid()]], [Buffer.from('x')], [new Date()]]),
      },
    }),
    (g) => ({
      label: 'csv file',
      expect: 'refuse',
      // No Directory on the node: no file is read, wherever the name points.
      msg: { payload: g.pick(['../../etc/passwd.csv', '/etc/passwd', 'leads.csv', '..', 'INJ']) },
    }),
    (g) => ({
      label: 'module',
      expect: 'refuse',
      msg: { module: notModule(g), payload: [valid()] },
    }),
    (g) => ({
      label: 'find by',
      expect: 'refuse',
      msg: { findBy: g.pick(NOT_NAMES), payload: [valid()] },
    }),
    (g) => ({
      label: 'field mapping',
      expect: 'refuse',
      msg: {
        fieldMapping: g.pick([{ a: g.pick(NOT_NAMES) }, { a: 42 }, 'INJ', ['Last_Name'], 42]),
        payload: [valid()],
      },
    }),
    (g) => ({ label: 'empty', expect: 'refuse', msg: { payload: g.pick([[], '', '   ']) } }),
    (g) => ({ label: 'records', expect: 'refuse', msg: { payload: notRecord(g) } }),
    // Values, column names and prototype keys are data in the uploaded CSV: sent, Zoho answers.
    (g) => {
      const record = g.pick([
        { ...valid(), Description: `${g.pick(INJECTIONS)}\r\n"INJ",x` },
        { ...valid(), [g.pick(['a,b', 'x"y', 'c\r\nd', 'é😀'])]: 'v' },
        { ...g.pick(protoRecords()), ...valid() },
      ]);
      return { label: 'data', expect: 'safe', msg: { payload: [record] } };
    },
  ]);
}
