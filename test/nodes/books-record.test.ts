/**
 * books-record end to end through a real Node-RED (test/helpers/red.ts) against the sandbox's
 * Books family: every operation, actions, nested contact persons, msg overrides, organization
 * discovery in the status, per-page output + Join, bad input with zero requests, done once per
 * message, errors to Catch, the admin organization endpoint, and the example flow.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as sinon from 'sinon';
import { accountsFamily } from '../../src/sandbox/accounts';
import { booksFamily, type BooksFamily } from '../../src/sandbox/books/index';
import {
  FlowNode,
  freshUserDir,
  helper,
  loadFlow,
  startRed,
  stopRed,
  unloadFlow,
} from '../helpers/red';
import { DEFAULT_CLIENT, issueTokens, useSandbox } from '../helpers/sandbox';
import { assertTranslated, textsOf } from './texts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMsg = Record<string, any>;
const ORG = '10234695';
const OTHER = '20234696';

interface Outcome {
  out: AnyMsg[];
  caught: AnyMsg[];
  dones: unknown[];
  statuses: AnyMsg[];
}

describe('books-record node', function () {
  this.timeout(60_000);
  let books: BooksFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    books = booksFamily();
    return [accountsFamily(), books];
  });

  before(() => startRed());
  beforeEach(() => {
    freshUserDir();
    books.store.clear();
    books.resetStats();
    books.config.rateLimit = { limit: 100, windowMs: 60_000 };
    books.config.dailyLimit = 1000;
  });
  afterEach(async () => {
    sinon.restore();
    await unloadFlow();
  });
  after(() => stopRed());

  const booksCalls = () => sb.sandbox.requests.filter((r) => r.path.startsWith('/books/'));
  const creds = () => ({
    c1: {
      clientId: DEFAULT_CLIENT.clientId,
      clientSecret: DEFAULT_CLIENT.clientSecret,
      refreshToken: issueTokens(sb.sandbox).refreshToken,
    },
  });

  async function load(node: AnyMsg, extra: FlowNode[] = [], config: AnyMsg = {}): Promise<void> {
    await loadFlow(
      [
        { id: 'f1', type: 'tab' },
        { id: 'c1', type: 'zoho-config', region: 'custom', accountsUrl: sb.url, ...config },
        { id: 'n1', type: 'books-record', z: 'f1', config: 'c1', wires: [['out']], ...node },
        { id: 'out', type: 'helper', z: 'f1' },
        { id: 'ct1', type: 'catch', z: 'f1', scope: ['n1'], wires: [['caught']] },
        { id: 'caught', type: 'helper', z: 'f1' },
        ...extra,
      ],
      creds(),
    );
    sb.sandbox.clearRequests();
  }

  async function exec(msg: AnyMsg, settleMs = 50): Promise<Outcome> {
    const o: Outcome = { out: [], caught: [], dones: [], statuses: [] };
    const n1 = helper.getNode('n1');
    helper.getNode('out').on('input', (m: AnyMsg) => o.out.push(m));
    helper.getNode('caught').on('input', (m: AnyMsg) => o.caught.push(m));
    const complete = sinon.spy(n1, '_complete');
    const onStatus = (call: { args: unknown[] }) => o.statuses.push(call.args[0] as AnyMsg);
    n1.on('call:status', onStatus);
    n1.receive(msg);
    const deadline = Date.now() + 30_000;
    while (complete.callCount === 0) {
      if (Date.now() > deadline) throw new Error('the node never called done()');
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, settleMs));
    o.dones = complete.getCalls().map((c) => c.args[1]);
    for (const id of ['out', 'caught']) helper.getNode(id).removeAllListeners('input');
    complete.restore();
    n1.removeListener('call:status', onStatus);
    assertTranslated(textsOf(o));
    return o;
  }

  function ok(o: Outcome): AnyMsg {
    assert.equal(o.dones.length, 1);
    assert.equal(o.dones[0], undefined, String(o.dones[0]));
    assert.equal(o.caught.length, 0, JSON.stringify(o.caught[0]?.error));
    assert.equal(o.out.length, 1);
    return o.out[0];
  }

  function failed(o: Outcome, code: string, re?: RegExp): AnyMsg {
    assert.equal(o.dones.length, 1);
    assert.ok(o.dones[0], 'done(err)');
    assert.equal(o.out.length, 0);
    assert.equal(o.caught.length, 1);
    const caught = o.caught[0];
    assert.equal(caught.error.code, code, caught.error.message);
    assert.equal(caught._error.code, code);
    if (re) assert.match(caught.error.message, re);
    return caught;
  }

  const seedContact = (name = 'Acme', org = ORG) =>
    books.store.insert(org, 'contacts', [{ contact_name: name }])[0].contact_id as string;

  it('creates, gets, updates, lists and deletes a contact', async function () {
    await load({ recordType: 'contacts', operation: 'msg', organizationId: ORG });
    let m = ok(
      await exec({ operation: 'create', payload: { contact_name: 'Acme', email: 'a@acme.test' } }),
    );
    assert.equal(m.payload.contact_name, 'Acme');
    assert.equal(m.organizationId, ORG);
    assert.equal(m.info.message, 'The contact has been added.');
    const id = m.payload.contact_id;
    m = ok(await exec({ operation: 'get', recordId: id }));
    assert.equal(m.payload.email, 'a@acme.test');
    m = ok(await exec({ operation: 'update', recordId: id, payload: { phone: '42' } }));
    assert.equal(m.payload.phone, '42');
    m = ok(await exec({ operation: 'list' }));
    assert.equal(m.payload.length, 1);
    assert.equal(m.info.has_more_page, false);
    m = ok(await exec({ operation: 'delete', recordId: id }));
    assert.deepEqual(m.payload, {
      contact_id: id,
      deleted: true,
      message: 'The customer has been deleted.',
    });
    assert.equal(books.store.count(ORG, 'contacts'), 0);
  });

  it('every status names what was done and the organization given (discovered: next test)', async function () {
    const last = (o: Outcome): string => String(o.statuses[o.statuses.length - 1]?.text);
    await load({ recordType: 'contacts', operation: 'msg', organizationId: ORG });
    let o = await exec({ operation: 'create', payload: { contact_name: 'Acme' } });
    const id = ok(o).payload.contact_id as string;
    assert.equal(last(o), `created · org ${ORG}`);
    o = await exec({ operation: 'update', recordId: id, payload: { phone: '42' } });
    assert.equal(last(o), `updated · org ${ORG}`);
    o = await exec({ operation: 'get', recordId: id });
    assert.equal(last(o), `found · org ${ORG}`);
    o = await exec({ operation: 'list' });
    assert.equal(last(o), `1 record · org ${ORG}`);
    o = await exec({ operation: 'delete', recordId: id });
    assert.equal(last(o), `deleted · org ${ORG}`);
  });

  it('uses the account’s default organization, once discovered, and names it in the status', async function () {
    seedContact();
    await load({ recordType: 'contacts', operation: 'list' });
    const o = await exec({});
    const m = ok(o);
    assert.equal(m.organizationId, ORG);
    const last = o.statuses[o.statuses.length - 1];
    assert.match(last.text, /org Sandbox Trading Ltd \(default of 2\)/);
    ok(await exec({}));
    const orgCalls = booksCalls().filter((r) => r.path === '/books/v3/organizations');
    assert.equal(orgCalls.length, 1);
    assert.ok(
      booksCalls().every(
        (r) => r.path === '/books/v3/organizations' || r.query.organization_id === ORG,
      ),
    );
  });

  it('uses the connection’s default organization and msg.organizationId over it', async function () {
    seedContact('Euro', OTHER);
    await load({ recordType: 'contacts', operation: 'list' }, [], { organizationId: OTHER });
    let m = ok(await exec({}));
    assert.equal(m.payload[0].contact_name, 'Euro');
    m = ok(await exec({ organizationId: ORG }));
    assert.equal(m.payload.length, 0);
    assert.ok(booksCalls().every((r) => r.path !== '/books/v3/organizations'));
  });

  it('takes record type, operation, ids and search from msg and TypedInputs', async function () {
    const a = seedContact('Alpha');
    seedContact('Beta');
    await load({
      recordType: 'msg',
      operation: 'msg',
      recordId: 'want',
      recordIdType: 'msg',
      organizationId: ORG,
      searchFields: '{"contact_name_contains":"alp"}',
      searchFieldsType: 'json',
    });
    let m = ok(await exec({ recordType: 'contacts', operation: 'get', want: a }));
    assert.equal(m.payload.contact_name, 'Alpha');
    m = ok(await exec({ recordType: 'contacts', operation: 'list' }));
    assert.deepEqual(
      m.payload.map((c: AnyMsg) => c.contact_name),
      ['Alpha'],
    );
    m = ok(
      await exec({
        recordType: 'contacts',
        operation: 'list',
        searchFields: { contact_name: 'beta' },
        sortColumn: 'contact_name',
      }),
    );
    assert.deepEqual(
      m.payload.map((c: AnyMsg) => c.contact_name),
      ['Beta'],
    );
    const q = booksCalls()[booksCalls().length - 1].query;
    assert.equal(q.contact_name, 'beta');
    assert.equal(q.sort_column, 'contact_name');
  });

  it('runs invoice actions that change state: email, then void', async function () {
    const cid = seedContact();
    await load({ recordType: 'invoices', operation: 'msg', organizationId: ORG });
    let m = ok(
      await exec({
        operation: 'create',
        payload: { customer_id: cid, line_items: [{ rate: 10, quantity: 2 }] },
      }),
    );
    const id = m.payload.invoice_id;
    assert.equal(m.payload.status, 'draft');
    m = ok(
      await exec({ operation: 'email', recordId: id, actionBody: { to_mail_ids: ['x@y.z'] } }),
    );
    assert.deepEqual(m.payload, {
      invoice_id: id,
      action: 'email',
      message: 'Your invoice has been sent.',
    });
    assert.equal(books.store.get(ORG, 'invoices', id)!.status, 'sent');
    const email = booksCalls().find((r) => r.path.endsWith('/email'))!;
    assert.deepEqual(email.body, { to_mail_ids: ['x@y.z'] });
    ok(await exec({ operation: 'void', recordId: id }));
    assert.equal(books.store.get(ORG, 'invoices', id)!.status, 'void');
    // Zoho refuses to email a void invoice: its error reaches Catch.
    const c = failed(
      await exec({ operation: 'email', recordId: id, actionBody: { to_mail_ids: ['x@y.z'] } }),
      '1003',
    );
    assert.equal(c._error.status, 400);
    // Without recipients the node refuses before sending, naming msg.actionBody.
    const before = booksCalls().length;
    const none = failed(await exec({ operation: 'email', recordId: id }), 'INVALID_INPUT');
    assert.match(none.error.message, /to_mail_ids.*msg\.actionBody/s);
    assert.equal(booksCalls().length, before);
  });

  it('handles contact persons under a contact', async function () {
    const cid = seedContact();
    await load({
      recordType: 'contactpersons',
      parentRecordType: 'contacts',
      parentRecordId: 'contact',
      parentRecordIdType: 'msg',
      operation: 'msg',
      organizationId: ORG,
    });
    let m = ok(await exec({ contact: cid, operation: 'create', payload: { first_name: 'Ann' } }));
    assert.equal(m.payload.contact_id, cid);
    m = ok(await exec({ contact: cid, operation: 'list' }));
    assert.deepEqual(
      m.payload.map((p: AnyMsg) => p.first_name),
      ['Ann'],
    );
    assert.equal(booksCalls()[1].path, `/books/v3/contacts/${cid}/contactpersons`);
    // No parent id: refused before any request.
    sb.sandbox.clearRequests();
    failed(await exec({ operation: 'list' }), 'INVALID_INPUT', /parent record id/);
    assert.deepEqual(sb.sandbox.requests, []);
  });

  it('returns all pages as one array or one message per page that Join rebuilds', async function () {
    books.seedContacts(450);
    await load(
      {
        recordType: 'contacts',
        operation: 'list',
        returnAll: true,
        organizationId: ORG,
        output: 'pages',
        wires: [['out', 'j1']],
      },
      [
        { id: 'j1', type: 'join', z: 'f1', mode: 'auto', wires: [['joined']] },
        { id: 'joined', type: 'helper', z: 'f1' },
      ],
    );
    const joined: AnyMsg[] = [];
    helper.getNode('joined').on('input', (m: AnyMsg) => joined.push(m));
    const o = await exec({}, 150);
    assert.equal(o.dones.length, 1);
    assert.equal(o.dones[0], undefined);
    assert.equal(o.out.length, 3);
    assert.deepEqual(
      o.out.map((m) => m.payload.length),
      [200, 200, 50],
    );
    assert.deepEqual(
      o.out.map((m) => m.parts.index),
      [0, 1, 2],
    );
    assert.equal(joined.length, 1);
    assert.equal(joined[0].payload.length, 450);
    assert.equal(new Set(joined[0].payload.map((c: AnyMsg) => c.contact_id)).size, 450);
    const m = ok(await exec({ output: 'array' }));
    assert.equal(m.payload.length, 450);
    assert.equal(m.info.pages, 3);
    assert.equal(m.info.count, 450);
  });

  it('lists one page with page and perPage', async function () {
    books.seedContacts(30);
    await load({
      recordType: 'contacts',
      operation: 'list',
      organizationId: ORG,
      perPage: '10',
      page: '3',
    });
    const m = ok(await exec({}));
    assert.equal(m.payload.length, 10);
    assert.equal(m.payload[0].contact_name, 'Customer 000021');
    assert.equal(m.info.page, 3);
  });

  it('reaches other record types by name', async function () {
    const cid = seedContact();
    await load({ recordType: 'recurringinvoices', operation: 'create', organizationId: ORG });
    const m = ok(
      await exec({
        payload: { recurrence_name: 'Monthly', customer_id: cid, line_items: [{ rate: 1 }] },
      }),
    );
    assert.equal(m.payload.recurrence_name, 'Monthly');
  });

  it('refuses bad input with a catchable error and no request', async function () {
    // Everything from msg: each case sets what it breaks over these defaults.
    await load({ recordType: 'msg', operation: 'msg', organizationId: '' });
    const defaults = { recordType: 'invoices', operation: 'get', organizationId: ORG };
    const cases: Array<[AnyMsg, RegExp]> = [
      [{ recordType: 'Invoices!' }, /record type/],
      [{ recordType: '../contacts' }, /record type/],
      [{ operation: 'explode', recordId: '1' }, /Unknown operation/],
      [{ operation: 'mark_as_accepted', recordId: '1' }, /Unknown operation/],
      [{ recordId: '12ab' }, /1 to 19 digits/],
      [{ recordId: '../1' }, /1 to 19 digits/],
      [{}, /No record id/],
      [{ operation: 'create', payload: 'text' }, /a string/],
      [{ operation: 'create', payload: [{ customer_id: '1' }] }, /an array/],
      [{ operation: 'update', recordId: '1', payload: null }, /null/],
      [{ recordType: 'contactpersons', operation: 'list' }, /parent record id/],
      [{ operation: 'list', searchFields: 'status=sent' }, /filter parameters/],
      [{ operation: 'list', perPage: 500 }, /perPage/],
      [{ organizationId: 'acme', recordId: '1' }, /organization id/],
    ];
    for (const [msg, re] of cases) {
      failed(await exec({ ...defaults, ...msg }), 'INVALID_INPUT', re);
    }
    assert.deepEqual(sb.sandbox.requests, []);
  });

  it('gets a document as a PDF Buffer with its file name; refuses a PDF of a contact', async function () {
    const id = books.store.insert(ORG, 'invoices', [{ customer_id: seedContact() }])[0]
      .invoice_id as string;
    // The record type is left to msg: a contact's PDF is refused, not fetched as an invoice.
    await load({ recordType: 'msg', operation: 'get', format: 'pdf', organizationId: ORG });
    const m = ok(await exec({ recordType: 'invoices', recordId: id, print: 'true' }));
    assert.ok(Buffer.isBuffer(m.payload));
    assert.equal(m.payload.subarray(0, 5).toString(), '%PDF-');
    assert.equal(m.filename, 'INV-000001.pdf');
    assert.equal(m.contentType, 'application/pdf');
    assert.equal(booksCalls()[0].query.print, 'true');
    const json = ok(await exec({ recordType: 'invoices', recordId: id, format: 'json' }));
    assert.equal(json.payload.invoice_id, id);
    sb.sandbox.clearRequests();
    failed(await exec({ recordType: 'contacts', recordId: id }), 'INVALID_INPUT', /no PDF/);
    failed(
      await exec({ recordType: 'invoices', recordId: id, format: 'html' }),
      'INVALID_INPUT',
      /json.*pdf/,
    );
    assert.deepEqual(booksCalls(), []);
  });

  it('creates with its own number only with Keep the number given; send from msg', async function () {
    const entity = { customer_id: seedContact(), line_items: [{ rate: 3 }], invoice_number: 'A-9' };
    await load({ recordType: 'invoices', operation: 'create', organizationId: ORG });
    failed(await exec({ payload: entity }), '4', /invoice_number/);
    const made = ok(
      await exec({ payload: entity, ignoreAutoNumberGeneration: true, send: 'true' }),
    );
    assert.equal(made.payload.invoice_number, 'A-9');
    const { query } = booksCalls().at(-1)!;
    assert.equal(query.ignore_auto_number_generation, 'true');
    assert.equal(query.send, 'true');
    await unloadFlow();
    const custom = { ...entity, invoice_number: 'A-10' };
    await load({
      recordType: 'invoices',
      operation: 'create',
      organizationId: ORG,
      ignoreAutoNumber: true,
    });
    assert.equal(ok(await exec({ payload: custom })).payload.invoice_number, 'A-10');
    failed(await exec({ payload: custom, send: 'yes' }), 'INVALID_INPUT', /send/);
  });

  it('adds, gets and deletes the attachment of a bill; refuses a bad file before sending', async function () {
    const vendor = seedContact('Vendor');
    const id = books.store.insert(ORG, 'bills', [{ vendor_id: vendor, bill_number: 'B-1' }])[0]
      .bill_id as string;
    await load({ recordType: 'msg', operation: 'msg', organizationId: ORG });
    const file = Buffer.from('%PDF-1.4 scan');
    const bill = { recordType: 'bills', recordId: id };
    const add = { ...bill, operation: 'add_attachment' };
    const added = ok(await exec({ ...add, payload: file, filename: 'scan.pdf' }));
    assert.equal(added.payload.message, 'The document has been attached.');
    const got = ok(await exec({ ...bill, operation: 'get_attachment' }));
    assert.deepEqual(got.payload, file);
    assert.equal(got.filename, 'scan.pdf');
    ok(await exec({ ...bill, operation: 'delete_attachment' }));
    failed(await exec({ ...bill, operation: 'get_attachment' }), '1002');
    sb.sandbox.clearRequests();
    failed(await exec({ ...add, payload: file }), 'INVALID_INPUT', /file name/);
    const big = Buffer.alloc(10 * 1024 * 1024 + 1);
    failed(await exec({ ...add, payload: big, filename: 'b.pdf' }), 'INVALID_INPUT', /10 MB/);
    failed(await exec({ ...add, recordType: 'estimates' }), 'INVALID_INPUT', /Unknown operation/);
    assert.deepEqual(booksCalls(), []);
  });

  it('sends Zoho’s error codes to Catch with done once', async function () {
    await load({ recordType: 'invoices', operation: 'msg', organizationId: ORG });
    const c = failed(
      await exec({ operation: 'get', recordId: '123' }),
      '1002',
      /Invoice does not exist/,
    );
    assert.equal(c._error.status, 404);
    assert.deepEqual(c._error.details, { code: 1002, message: 'Invoice does not exist.' });
    failed(await exec({ operation: 'create', payload: { customer_id: '1' } }), '4');
    const o = await exec({ operation: 'get', recordId: '1' });
    assert.equal(o.dones.length, 1);
    assert.equal(o.statuses[o.statuses.length - 1].fill, 'red');
  });

  it('keeps under the organization’s per-minute limit: 60 messages, zero 429s', async function () {
    books.config.rateLimit = { limit: 20, windowMs: 1000 };
    await load({
      recordType: 'contacts',
      operation: 'create',
      organizationId: ORG,
      rateLimit: 20,
      rateWindowMs: 1000,
    });
    const n1 = helper.getNode('n1');
    let done = 0;
    helper.getNode('out').on('input', () => done++);
    for (let i = 0; i < 60; i++) n1.receive({ payload: { contact_name: `R${i}` } });
    const deadline = Date.now() + 20_000;
    while (done < 60 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(done, 60);
    assert.equal(books.stats.throttled, 0);
    assert.equal(books.store.count(ORG, 'contacts'), 60);
  });

  it("shows the organization's remaining daily calls when they run low, then refuses clearly", async function () {
    books.config.dailyLimit = 10;
    await load({ recordType: 'contacts', operation: 'list', organizationId: ORG });
    const texts: string[] = [];
    for (let i = 0; i < 10; i++) {
      const o = await exec({});
      ok(o);
      texts.push(String(o.statuses.at(-1)?.text));
    }
    assert.doesNotMatch(texts[0], /left today/);
    assert.match(texts[9], /0 of 10 Books calls left today/);
    const refused = await exec({});
    failed(refused, 'DAILY_LIMIT_REACHED', /10 API calls for today are used/);
    assert.equal(books.stats.throttled, 0, "Zoho's own refusal was met");
  });

  it('serves the organizations to the editor behind zoho-config.read', async function () {
    await load({ recordType: 'contacts', operation: 'list' });
    const res = await helper.request().get('/zoho-books/c1/organizations').expect(200);
    assert.deepEqual(
      res.body.organizations.map((o: AnyMsg) => [o.organization_id, o.is_default_org]),
      [
        [ORG, true],
        [OTHER, false],
      ],
    );
    await helper.request().get('/zoho-books/nope/organizations').expect(404);
  });

  it('runs the example flow: customer and invoice from a deal, then email', async function () {
    const file = path.join(__dirname, '..', '..', '..', 'examples', 'books-record.json');
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as FlowNode[];
    const flow: FlowNode[] = [{ id: 'f1', type: 'tab' }];
    const credentials: Record<string, AnyMsg> = {};
    for (const n of raw) {
      if (n.type === 'comment') continue;
      if (n.type === 'zoho-config') {
        flow.push({ ...n, accountsUrl: sb.url });
        credentials[n.id] = creds().c1;
      } else if (n.type === 'debug') flow.push({ id: n.id, type: 'helper', z: 'f1' });
      else flow.push({ ...n, z: 'f1' });
    }
    await loadFlow(flow, credentials);
    const inject = raw.find((n) => n.type === 'inject')!;
    const debug = raw.find((n) => n.type === 'debug')!;
    const got: AnyMsg[] = [];
    helper.getNode(debug.id).on('input', (m: AnyMsg) => got.push(m));
    (helper.getNode(inject.id) as unknown as { receive(m: AnyMsg): void }).receive({});
    const deadline = Date.now() + 10_000;
    while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(
      got.length,
      1,
      `the example reached its debug node: ${JSON.stringify(sb.sandbox.requests.map((r) => [r.path, r.status]))}`,
    );
    const invoices = [...books.store.table(ORG, 'invoices').values()];
    assert.equal(invoices.length, 1);
    assert.equal(invoices[0].status, 'sent');
    assert.equal(books.store.count(ORG, 'contacts'), 1);
  });
});
