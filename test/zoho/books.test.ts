/**
 * The Books client functions through a real ZohoConnection against the sandbox's Books family:
 * organization discovery, unwrapping, Zoho's error codes, paging, nested resources, actions,
 * the per-organization rolling window, and bad input refused with no request.
 */
import assert from 'node:assert/strict';
import { accountsFamily } from '../../src/sandbox/accounts';
import { booksFamily, type BooksFamily } from '../../src/sandbox/books/index';
import { ZohoConnection } from '../../src/zoho/core/connection';
import { ZohoError } from '../../src/zoho/core/errors';
import {
  booksAction,
  booksOperations,
  createBooksRecord,
  deleteBooksRecord,
  getBooksRecord,
  listAllBooksRecords,
  listBooksRecords,
  listOrganizations,
  resolveOrganization,
  updateBooksRecord,
} from '../../src/zoho/books/index';
import { runBooksOperation } from '../../src/nodes/books-record/operation';
import { collectPages } from '../../src/zoho/core/paginate';
import { sandboxConnection, useSandbox } from '../helpers/sandbox';

const ORG = '10234695';
const OTHER = '20234696';

describe('books client against the sandbox', function () {
  this.timeout(60_000);
  let books: BooksFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    books = booksFamily();
    return [accountsFamily(), books];
  });
  let conn: ZohoConnection;

  function connect(): ZohoConnection {
    return sandboxConnection(sb.sandbox, 'ZohoBooks.fullaccess.all', { maxConcurrency: 5 });
  }

  beforeEach(() => {
    books.store.clear();
    books.resetStats();
    books.config.rateLimit = { limit: 100, windowMs: 60_000 };
    conn = connect();
  });
  afterEach(() => conn.close());

  const booksCalls = () => sb.sandbox.requests.filter((r) => r.path.startsWith('/books/'));
  const rejects = async (p: Promise<unknown>, code: string, re?: RegExp) => {
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof ZohoError, String(e));
      assert.equal(e.code, code, e.message);
      if (re) assert.match(e.message, re);
      return true;
    });
  };

  it('discovers the default organization once per connection', async function () {
    const a = await createBooksRecord(conn, 'contacts', { contact_name: 'A' });
    const b = await listBooksRecords(conn, 'contacts');
    const { quota, ...choice } = a.organization;
    assert.deepEqual(quota?.limit, 1000, 'the daily quota of Books’ headers');
    assert.deepEqual(choice, {
      organizationId: ORG,
      source: 'discovered',
      name: 'Sandbox Trading Ltd',
      count: 2,
    });
    assert.equal(b.organization.organizationId, ORG);
    const paths = booksCalls().map((r) => r.path);
    assert.deepEqual(paths, [
      '/books/v3/organizations',
      '/books/v3/contacts',
      '/books/v3/contacts',
    ]);
    assert.ok(
      booksCalls()
        .slice(1)
        .every((r) => r.query.organization_id === ORG),
    );
    assert.equal((await listOrganizations(conn)).length, 2);
    assert.equal(booksCalls().length, 3);
  });

  it('uses the given organization, else the connection default, without discovery', async function () {
    await createBooksRecord(conn, 'contacts', { contact_name: 'E' }, { organizationId: OTHER });
    const r = await listBooksRecords(conn, 'contacts', { defaultOrganizationId: OTHER });
    assert.equal(r.records.length, 1);
    assert.equal(r.organization.source, 'connection');
    const given = await resolveOrganization(conn, {
      organizationId: ORG,
      defaultOrganizationId: OTHER,
    });
    assert.equal(given.source, 'given');
    assert.ok(booksCalls().every((c) => c.path !== '/books/v3/organizations'));
    assert.equal(books.store.count(OTHER, 'contacts'), 1);
  });

  it('unwraps entities and lists with page_context', async function () {
    const c = await createBooksRecord(
      conn,
      'contacts',
      { contact_name: 'Acme' },
      { organizationId: ORG },
    );
    assert.equal(c.record.contact_name, 'Acme');
    assert.equal(c.message, 'The contact has been added.');
    const id = c.record.contact_id as string;
    const got = await getBooksRecord(conn, 'contacts', id, { organizationId: ORG });
    assert.equal(got.record.contact_id, id);
    const upd = await updateBooksRecord(
      conn,
      'contacts',
      id,
      { phone: '1' },
      { organizationId: ORG },
    );
    assert.equal(upd.record.phone, '1');
    const list = await listBooksRecords(conn, 'contacts', {
      organizationId: ORG,
      search: { contact_name_contains: 'acm' },
      perPage: 10,
      sortColumn: 'contact_name',
      sortOrder: 'desc',
    });
    assert.equal(list.records.length, 1);
    assert.equal(list.pageContext.per_page, 10);
    assert.equal(list.pageContext.sort_order, 'D');
    assert.equal(list.pageContext.has_more_page, false);
    const del = await deleteBooksRecord(conn, 'contacts', id, { organizationId: ORG });
    assert.match(del.message, /deleted/);
  });

  it('turns Zoho Books error codes into ZohoErrors', async function () {
    await rejects(
      getBooksRecord(conn, 'invoices', '123', { organizationId: ORG }),
      '1002',
      /Invoice does not exist/,
    );
    await rejects(
      createBooksRecord(conn, 'contacts', { email: 'x@y.z' }, { organizationId: ORG }),
      '4',
      /contact_name/,
    );
    await rejects(listBooksRecords(conn, 'contacts', { organizationId: '999' }), '6041');
    const err = await getBooksRecord(conn, 'contacts', '1', { organizationId: ORG }).catch(
      (e) => e,
    );
    assert.equal(err.status, 404);
    assert.deepEqual(err.details, { code: 1002, message: 'Contact does not exist.' });
  });

  it('refuses a 2xx answer with a non-zero code', async function () {
    const stub = {
      request: () =>
        Promise.resolve({
          status: 200,
          headers: {},
          data: { code: 1001, message: 'odd' },
          attempts: 1,
        }),
    } as unknown as ZohoConnection;
    await rejects(getBooksRecord(stub, 'contacts', '1', { organizationId: ORG }), '1001', /odd/);
  });

  it('returns all of 1,000 contacts in 5 calls', async function () {
    books.seedContacts(1000);
    const all = await collectPages(listAllBooksRecords(conn, 'contacts', { organizationId: ORG }));
    assert.equal(all.items.length, 1000);
    assert.equal(all.pages, 5);
    assert.equal(new Set(all.items.map((c) => c.contact_id)).size, 1000);
    assert.equal(booksCalls().length, 5);
    assert.deepEqual(
      booksCalls().map((r) => r.query.page),
      ['1', '2', '3', '4', '5'],
    );
    assert.ok(booksCalls().every((r) => r.query.per_page === '200'));
  });

  it('walks with filters and caps, discovering the organization first', async function () {
    books.seedContacts(450);
    let told = '';
    const walk = listAllBooksRecords(conn, 'contacts', {
      search: { contact_type: 'vendor' },
      perPage: 50,
      onOrganization: (o) => (told = o.organizationId),
    });
    const all = await collectPages(walk);
    assert.equal(told, ORG);
    assert.equal(all.items.length, 90);
    assert.ok(all.items.every((c) => c.contact_type === 'vendor'));
    const capped = await collectPages(
      listAllBooksRecords(conn, 'contacts', { organizationId: ORG, maxRecords: 250 }),
    );
    assert.equal(capped.items.length, 250);
    assert.equal(capped.truncated, true);
  });

  it('runs actions that change state', async function () {
    const opts = { organizationId: ORG };
    const c = await createBooksRecord(conn, 'contacts', { contact_name: 'C' }, opts);
    const inv = await createBooksRecord(
      conn,
      'invoices',
      { customer_id: c.record.contact_id, line_items: [{ rate: 2, quantity: 2 }] },
      opts,
    );
    const id = inv.record.invoice_id as string;
    const sent = await booksAction(conn, 'invoices', id, 'email', { to_mail_ids: ['a@b.c'] }, opts);
    assert.match(sent.message, /sent/);
    assert.equal((await getBooksRecord(conn, 'invoices', id, opts)).record.status, 'sent');
    await booksAction(conn, 'invoices', id, 'void', undefined, opts);
    assert.equal((await getBooksRecord(conn, 'invoices', id, opts)).record.status, 'void');
    const actions = sb.sandbox.requests.filter((r) => r.method === 'POST').map((r) => r.path);
    assert.ok(actions.includes(`/books/v3/invoices/${id}/status/void`));
    assert.deepEqual(booksOperations('estimates').slice(5, 9), [
      'email',
      'mark_as_sent',
      'mark_as_accepted',
      'mark_as_declined',
    ]);
  });

  it('handles contact persons under a contact (Zoho’s nested and flat paths)', async function () {
    const opts = { organizationId: ORG };
    const c = await createBooksRecord(conn, 'contacts', { contact_name: 'P' }, opts);
    const parent = { ...opts, parentId: c.record.contact_id as string };
    const p = await createBooksRecord(conn, 'contactpersons', { first_name: 'Ann' }, parent);
    const pid = p.record.contact_person_id as string;
    assert.equal(p.record.contact_id, c.record.contact_id);
    const list = await listBooksRecords(conn, 'contactpersons', parent);
    assert.equal(list.records.length, 1);
    // Zoho requires first_name on the update: refused before sending, then sent with contact_id.
    const before = booksCalls().length;
    await rejects(
      updateBooksRecord(conn, 'contactpersons', pid, { last_name: 'Z' }, parent),
      'INVALID_INPUT',
      /requires first_name/,
    );
    assert.equal(booksCalls().length, before);
    await updateBooksRecord(
      conn,
      'contactpersons',
      pid,
      { first_name: 'Ann', last_name: 'Z' },
      parent,
    );
    const put = booksCalls().find((r) => r.method === 'PUT');
    assert.equal((put?.body as { contact_id?: string }).contact_id, c.record.contact_id);
    const got = await getBooksRecord(conn, 'contactpersons', pid, {
      ...parent,
      parentType: 'contacts',
    });
    assert.equal(got.record.last_name, 'Z');
    await deleteBooksRecord(conn, 'contactpersons', pid, parent);
    assert.deepEqual(
      booksCalls().map((r) => `${r.method} ${r.path.replace(/\d{6,}/g, ':id')}`),
      [
        'POST /books/v3/contacts',
        'POST /books/v3/contacts/contactpersons',
        'GET /books/v3/contacts/:id/contactpersons',
        'PUT /books/v3/contacts/contactpersons/:id',
        'GET /books/v3/contacts/:id/contactpersons/:id',
        'DELETE /books/v3/contacts/contactpersons/:id',
      ],
    );
  });

  it('reaches taxes under settings/ and other types by name', async function () {
    const opts = { organizationId: ORG };
    const tax = await createBooksRecord(
      conn,
      'taxes',
      { tax_name: 'VAT', tax_percentage: 20 },
      opts,
    );
    assert.equal(tax.record.tax_name, 'VAT');
    assert.equal(booksCalls()[0].path, '/books/v3/settings/taxes');
    const c = await createBooksRecord(conn, 'contacts', { contact_name: 'R' }, opts);
    const rec = await createBooksRecord(
      conn,
      'recurringinvoices',
      { recurrence_name: 'Monthly', customer_id: c.record.contact_id, line_items: [{ rate: 1 }] },
      opts,
    );
    assert.equal(rec.record.recurrence_name, 'Monthly');
    const list = await listBooksRecords(conn, 'recurringinvoices', opts);
    assert.equal(list.records.length, 1);
  });

  it('runs operations by name with delete and action payloads', async function () {
    const base = { organizationId: ORG };
    const c = await runBooksOperation(conn, {
      ...base,
      recordType: 'contacts',
      operation: 'create',
      payload: { contact_name: 'Op' },
    });
    const id = (c.payload as Record<string, string>).contact_id;
    const u = await runBooksOperation(conn, {
      ...base,
      recordType: 'contacts',
      operation: 'update',
      payload: { contact_id: id, website: 'x.test' },
    });
    assert.equal((u.payload as Record<string, string>).website, 'x.test');
    const a = await runBooksOperation(conn, {
      ...base,
      recordType: 'contacts',
      operation: 'inactive',
      recordId: id,
    });
    assert.deepEqual(a.payload, {
      contact_id: id,
      action: 'inactive',
      message: 'The contact has been marked as inactive.',
    });
    const d = await runBooksOperation(conn, {
      ...base,
      recordType: 'contacts',
      operation: 'delete',
      recordId: id,
    });
    assert.deepEqual(d.payload, {
      contact_id: id,
      deleted: true,
      message: 'The customer has been deleted.',
    });
  });

  it('refuses bad input before any request (org discovery included)', async function () {
    const cases: Array<[string, () => Promise<unknown>, RegExp]> = [
      ['bad type', () => listBooksRecords(conn, 'Invoices'), /record type/],
      ['path type', () => listBooksRecords(conn, '../x'), /record type/],
      ['unknown action', () => booksAction(conn, 'invoices', '1', 'explode'), /Unknown action/],
      [
        'action on proto',
        () => booksAction(conn, 'invoices', '1', 'constructor'),
        /Unknown action/,
      ],
      ['action of other type', () => booksAction(conn, 'items', '1', 'email'), /Unknown action/],
      [
        'email without recipients',
        () => booksAction(conn, 'invoices', '1', 'email'),
        /to_mail_ids/,
      ],
      [
        'sales order email without subject and body',
        () => booksAction(conn, 'salesorders', '1', 'email', { to_mail_ids: ['a@b.c'] }),
        /subject, body to email salesorders/,
      ],
      ['parent without id', () => listBooksRecords(conn, 'contactpersons'), /parent record id/],
      [
        'wrong parent',
        () => listBooksRecords(conn, 'contactpersons', { parentType: 'items', parentId: '1' }),
        /nested under contacts/,
      ],
      [
        'parent on flat type',
        () => listBooksRecords(conn, 'invoices', { parentType: 'contacts', parentId: '1' }),
        /not nested/,
      ],
      [
        'bad parent id',
        () => listBooksRecords(conn, 'contactpersons', { parentId: '1/2' }),
        /parent record id/,
      ],
      ['bad id', () => getBooksRecord(conn, 'invoices', '12a'), /1 to 19 digits/],
      ['traversal id', () => getBooksRecord(conn, 'invoices', '..'), /1 to 19 digits/],
      [
        'array entity',
        () => createBooksRecord(conn, 'contacts', [{ contact_name: 'x' }] as never),
        /an array/,
      ],
      ['string entity', () => updateBooksRecord(conn, 'contacts', '1', 'x' as never), /a string/],
      [
        'bad org',
        () => listBooksRecords(conn, 'contacts', { organizationId: 'abc' }),
        /organization id/,
      ],
      [
        'search string',
        () => listBooksRecords(conn, 'contacts', { search: 'name=x' as never }),
        /filter parameters/,
      ],
      [
        'search reserved',
        () => listBooksRecords(conn, 'contacts', { search: { page: 2 } }),
        /page/,
      ],
      [
        'search nested',
        () => listBooksRecords(conn, 'contacts', { search: { a: { b: 1 } as never } }),
        /string, number/,
      ],
      ['per page', () => listBooksRecords(conn, 'contacts', { perPage: 201 }), /perPage/],
      [
        'sort order',
        () => listBooksRecords(conn, 'contacts', { sortOrder: 'up' as never }),
        /sortOrder/,
      ],
      [
        'walk type',
        () => Promise.resolve().then(() => listAllBooksRecords(conn, 'BAD')),
        /record type/,
      ],
      [
        'op unknown',
        () => runBooksOperation(conn, { recordType: 'invoices', operation: 'explode' }),
        /Unknown operation/,
      ],
      [
        'op no id',
        () => runBooksOperation(conn, { recordType: 'invoices', operation: 'get' }),
        /No record id/,
      ],
      [
        'op action by name type',
        () =>
          runBooksOperation(conn, {
            recordType: 'recurringinvoices',
            operation: 'stop',
            recordId: '1',
          }),
        /Unknown operation/,
      ],
    ];
    for (const [name, run, re] of cases) {
      await assert.rejects(run(), (e: unknown) => {
        assert.ok(e instanceof ZohoError, `${name}: ${String(e)}`);
        assert.equal(e.code, 'INVALID_INPUT', `${name}: ${e.message}`);
        assert.match(e.message, re, name);
        return true;
      });
    }
    assert.deepEqual(sb.sandbox.requests, []);
  });

  it('keeps under the sandbox limit with the rolling window: 60 creates, zero 429s', async function () {
    books.config.rateLimit = { limit: 20, windowMs: 2000 };
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        createBooksRecord(
          conn,
          'contacts',
          { contact_name: `W${i}` },
          { organizationId: ORG, rateLimit: { limit: 20, windowMs: 2000 } },
        ),
      ),
    );
    assert.equal(results.length, 60);
    assert.equal(books.stats.throttled, 0);
    assert.equal(booksCalls().filter((r) => r.status === 429).length, 0);
    assert.equal(books.store.count(ORG, 'contacts'), 60);
    // Three windows' worth: at least two full windows of waiting.
    assert.ok(Date.now() - started >= 4000, `took ${Date.now() - started} ms`);
  });

  it('without the window the same burst meets 429s (the limit is real)', async function () {
    books.config.rateLimit = { limit: 20, windowMs: 2000 };
    await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        createBooksRecord(
          conn,
          'contacts',
          { contact_name: `N${i}` },
          { organizationId: ORG, rateLimit: false },
        ),
      ),
    );
    assert.ok(books.stats.throttled > 0);
  });
});
