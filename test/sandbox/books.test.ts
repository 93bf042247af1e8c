/**
 * The Books v3 family of the sandbox over real HTTP: organizations, envelopes, page_context,
 * filters, mandatory fields, error codes, actions, nested contact persons, organization_id on
 * every call and the per-organization request limit.
 */
import assert from 'node:assert/strict';
import { accountsFamily } from '../../src/sandbox/accounts';
import { booksFamily, type BooksFamily } from '../../src/sandbox/books/index';
import { authHeader, issueTokens, useSandbox } from '../helpers/sandbox';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

describe('sandbox: Zoho Books v3', function () {
  let books: BooksFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    books = booksFamily();
    return [accountsFamily(), books];
  });
  let token = '';
  const ORG = '10234695';
  const OTHER = '20234696';

  before(() => {
    token = issueTokens(sb.sandbox).accessToken;
  });
  beforeEach(() => {
    books.store.clear();
    books.resetStats();
    books.config.rateLimit = { limit: 100, windowMs: 60_000 };
  });

  async function call(
    method: string,
    path: string,
    body?: unknown,
    org: string | null = ORG,
  ): Promise<{ status: number; body: Body }> {
    const url = new URL(sb.url + '/books/v3' + path);
    if (org) url.searchParams.set('organization_id', org);
    const init: RequestInit = { method, headers: { ...authHeader(token) } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    }
    const res = await fetch(url, init);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  const contact = async (name = 'Acme'): Promise<string> =>
    (await call('POST', '/contacts', { contact_name: name })).body.contact.contact_id;

  it('lists two organizations, one default, without organization_id', async function () {
    const r = await call('GET', '/organizations', undefined, null);
    assert.equal(r.status, 200);
    assert.equal(r.body.code, 0);
    assert.equal(r.body.organizations.length, 2);
    assert.deepEqual(
      r.body.organizations
        .filter((o: Body) => o.is_default_org)
        .map((o: Body) => o.organization_id),
      [ORG],
    );
  });

  it('requires organization_id on every entity call and knows its organizations', async function () {
    let r = await call('GET', '/contacts', undefined, null);
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 6041);
    r = await call('GET', '/contacts', undefined, '999');
    assert.equal(r.status, 400);
    assert.match(r.body.message, /not associated/);
  });

  it('refuses a call without a token (code 14) or with a dead one (code 57) in Books’ envelope', async function () {
    const res = await fetch(`${sb.url}/books/v3/contacts?organization_id=${ORG}`);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).code, 14);
    const dead = await fetch(`${sb.url}/books/v3/contacts?organization_id=${ORG}`, {
      headers: authHeader('1000.dead.token'),
    });
    assert.equal(dead.status, 401);
    assert.deepEqual(await dead.json(), {
      code: 57,
      message: 'You are not authorized to perform this operation',
    });
  });

  it('creates, gets, updates and deletes a contact with Zoho envelopes', async function () {
    let r = await call('POST', '/contacts', { contact_name: 'Acme', email: 'a@acme.test' });
    assert.equal(r.status, 201);
    assert.equal(r.body.code, 0);
    assert.equal(r.body.message, 'The contact has been added.');
    const id = r.body.contact.contact_id;
    assert.match(id, /^\d+$/);
    r = await call('GET', `/contacts/${id}`);
    assert.equal(r.body.contact.contact_name, 'Acme');
    assert.equal(r.body.contact.status, 'active');
    r = await call('PUT', `/contacts/${id}`, { phone: '123' });
    assert.equal(r.body.contact.phone, '123');
    assert.equal(r.body.contact.contact_name, 'Acme');
    r = await call('DELETE', `/contacts/${id}`);
    assert.deepEqual(r.body, { code: 0, message: 'The customer has been deleted.' });
    r = await call('GET', `/contacts/${id}`);
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, { code: 1002, message: 'Contact does not exist.' });
  });

  it('keeps organizations apart', async function () {
    const id = await contact();
    const r = await call('GET', `/contacts/${id}`, undefined, OTHER);
    assert.equal(r.body.code, 1002);
  });

  it('checks mandatory fields and references (code 4)', async function () {
    let r = await call('POST', '/contacts', { email: 'x@y.z' });
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, { code: 4, message: 'Invalid value passed for contact_name' });
    r = await call('POST', '/invoices', { customer_id: '1' });
    assert.equal(r.body.code, 4);
    r = await call('POST', '/invoices', { customer_id: '1', line_items: [{ rate: 1 }] });
    assert.equal(r.body.message, 'Invalid value passed for customer_id');
    r = await call('POST', '/invoices', { customer_id: await contact(), line_items: [] });
    assert.equal(r.body.message, 'Invalid value passed for line_items');
  });

  it('creates an invoice with a number, totals and the customer name', async function () {
    const cid = await contact('Globex');
    const r = await call('POST', '/invoices', {
      customer_id: cid,
      line_items: [{ name: 'Widget', rate: 10, quantity: 3 }],
    });
    assert.equal(r.status, 201);
    const inv = r.body.invoice;
    assert.equal(inv.invoice_number, 'INV-000001');
    assert.equal(inv.status, 'draft');
    assert.equal(inv.total, 30);
    assert.equal(inv.customer_name, 'Globex');
  });

  it('runs invoice actions with their state changes', async function () {
    const cid = await contact();
    const mk = async () =>
      (await call('POST', '/invoices', { customer_id: cid, line_items: [{ rate: 5 }] })).body
        .invoice.invoice_id;
    const a = await mk();
    // Zoho's email needs its recipients.
    let r = await call('POST', `/invoices/${a}/email`);
    assert.deepEqual(r.body, { code: 4, message: 'Invalid value passed for to_mail_ids' });
    r = await call('POST', `/invoices/${a}/email`, { to_mail_ids: [] });
    assert.equal(r.body.code, 4);
    assert.equal((await call('GET', `/invoices/${a}`)).body.invoice.status, 'draft');
    r = await call('POST', `/invoices/${a}/email`, { to_mail_ids: ['x@y.z'] });
    assert.deepEqual(r.body, {
      code: 0,
      message: 'Your invoice has been sent.',
      is_first_email: true,
    });
    r = await call('GET', `/invoices/${a}`);
    assert.equal(r.body.invoice.status, 'sent');
    assert.equal(r.body.invoice.is_emailed, true);
    r = await call('POST', `/invoices/${a}/status/void`);
    assert.equal(r.body.code, 0);
    assert.equal((await call('GET', `/invoices/${a}`)).body.invoice.status, 'void');
    r = await call('POST', `/invoices/${a}/email`);
    assert.equal(r.status, 400);
    const b = await mk();
    await call('POST', `/invoices/${b}/status/sent`);
    assert.equal((await call('GET', `/invoices/${b}`)).body.invoice.status, 'sent');
    await call('POST', `/invoices/${b}/submit`);
    assert.equal((await call('GET', `/invoices/${b}`)).body.invoice.status, 'pending_approval');
    r = await call('POST', `/invoices/${b}/status/nonsense`);
    assert.equal(r.status, 404);
    assert.equal(r.body.code, 5);
  });

  it('marks estimates accepted and sales orders open', async function () {
    const cid = await contact();
    const est = (await call('POST', '/estimates', { customer_id: cid, line_items: [{ rate: 1 }] }))
      .body.estimate.estimate_id;
    await call('POST', `/estimates/${est}/status/accepted`);
    assert.equal((await call('GET', `/estimates/${est}`)).body.estimate.status, 'accepted');
    const so = (await call('POST', '/salesorders', { customer_id: cid, line_items: [{ rate: 1 }] }))
      .body.salesorder.salesorder_id;
    await call('POST', `/salesorders/${so}/status/open`);
    assert.equal((await call('GET', `/salesorders/${so}`)).body.salesorder.status, 'open');
  });

  it('pages with page_context and honours per_page up to 200', async function () {
    books.seedContacts(450);
    let r = await call('GET', '/contacts');
    assert.equal(r.body.contacts.length, 200);
    assert.equal(r.body.page_context.page, 1);
    assert.equal(r.body.page_context.per_page, 200);
    assert.equal(r.body.page_context.has_more_page, true);
    r = await call('GET', '/contacts?page=3');
    assert.equal(r.body.contacts.length, 50);
    assert.equal(r.body.page_context.has_more_page, false);
    r = await call('GET', '/contacts?per_page=201');
    assert.deepEqual(r.body, { code: 4, message: 'Invalid value passed for per_page' });
  });

  it('filters by name, _contains, _startswith, status, dates and search_text; sorts', async function () {
    await call('POST', '/contacts', { contact_name: 'Alpha Corp', email: 'a@alpha.test' });
    await call('POST', '/contacts', { contact_name: 'Beta Ltd', email: 'b@beta.test' });
    const g = await contact('Gamma Alpha');
    await call('POST', `/contacts/${g}/inactive`);
    const names = async (q: string) =>
      (await call('GET', '/contacts' + q)).body.contacts.map((c: Body) => c.contact_name);
    assert.deepEqual(await names('?contact_name=alpha%20corp'), ['Alpha Corp']);
    assert.deepEqual(await names('?contact_name_contains=alpha'), ['Alpha Corp', 'Gamma Alpha']);
    assert.deepEqual(await names('?contact_name_startswith=be'), ['Beta Ltd']);
    assert.deepEqual(await names('?email=b@beta.test'), ['Beta Ltd']);
    assert.deepEqual(await names('?filter_by=Status.Inactive'), ['Gamma Alpha']);
    assert.deepEqual(await names('?status=active&search_text=alp'), ['Alpha Corp']);
    assert.deepEqual(await names('?sort_column=contact_name&sort_order=D'), [
      'Gamma Alpha',
      'Beta Ltd',
      'Alpha Corp',
    ]);
    const cid = await contact('Dated');
    for (const date of ['2024-01-10', '2024-02-10', '2024-03-10']) {
      await call('POST', '/invoices', { customer_id: cid, date, line_items: [{ rate: 1 }] });
    }
    const r = await call('GET', '/invoices?date_start=2024-02-01&date_end=2024-03-01');
    assert.deepEqual(
      r.body.invoices.map((i: Body) => i.date),
      ['2024-02-10'],
    );
    assert.deepEqual((await call('GET', '/contacts?filter_by=Nope')).body, {
      code: 2,
      message: 'Invalid value passed for filter_by',
    });
  });

  it('serves contact persons nested under a contact and on Zoho’s flat write paths', async function () {
    const cid = await contact();
    let r = await call('POST', `/contacts/${cid}/contactpersons`, { first_name: 'Ann' });
    assert.equal(r.status, 201);
    const pid = r.body.contact_person.contact_person_id;
    r = await call('POST', '/contacts/contactpersons', { contact_id: cid, first_name: 'Bob' });
    const bob = r.body.contact_person.contact_person_id;
    r = await call('GET', `/contacts/${cid}/contactpersons`);
    assert.deepEqual(
      r.body.contact_persons.map((p: Body) => p.first_name),
      ['Ann', 'Bob'],
    );
    // Zoho requires contact_id and first_name on the update, contact_id the person's own.
    r = await call('PUT', `/contacts/contactpersons/${bob}`, { last_name: 'B' });
    assert.deepEqual(r.body, { code: 4, message: 'Invalid value passed for contact_id' });
    r = await call('PUT', `/contacts/contactpersons/${bob}`, { contact_id: cid, last_name: 'B' });
    assert.deepEqual(r.body, { code: 4, message: 'Invalid value passed for first_name' });
    const other = await contact('Other');
    r = await call('PUT', `/contacts/contactpersons/${bob}`, {
      contact_id: other,
      first_name: 'B',
    });
    assert.equal(r.body.code, 4);
    r = await call('PUT', `/contacts/contactpersons/${bob}`, {
      contact_id: cid,
      first_name: 'Bob',
      last_name: 'B',
    });
    assert.equal(r.body.contact_person.last_name, 'B');
    r = await call('GET', `/contacts/${cid}/contactpersons/${pid}`);
    assert.equal(r.body.contact_person.first_name, 'Ann');
    r = await call('GET', `/contacts/123/contactpersons`);
    assert.deepEqual(r.body, { code: 1002, message: 'Contact does not exist.' });
    r = await call('DELETE', `/contacts/${cid}/contactpersons/${pid}`);
    assert.equal(r.body.code, 0);
    assert.equal(
      (await call('GET', `/contacts/${cid}/contactpersons`)).body.contact_persons.length,
      1,
    );
  });

  it('serves taxes under settings/, and the other types', async function () {
    let r = await call('POST', '/settings/taxes', { tax_name: 'VAT', tax_percentage: 20 });
    assert.equal(r.body.tax.tax_name, 'VAT');
    r = await call('GET', '/settings/taxes');
    assert.equal(r.body.taxes.length, 1);
    assert.equal((await call('GET', '/taxes')).status, 404);
    for (const [path, body, key] of [
      ['/items', { name: 'Widget', rate: 5 }, 'item'],
      [
        '/expenses',
        { account_id: '1', date: '2024-01-01', amount: 5, paid_through_account_id: '2' },
        'expense',
      ],
      ['/chartofaccounts', { account_name: 'Cash', account_type: 'cash' }, 'chart_of_account'],
      [
        '/journals',
        {
          journal_date: '2024-01-01',
          line_items: [
            { amount: 1, debit_or_credit: 'debit' },
            { amount: 1, debit_or_credit: 'credit' },
          ],
        },
        'journal',
      ],
    ] as const) {
      r = await call('POST', path, body);
      assert.equal(r.status, 201, `${path}: ${JSON.stringify(r.body)}`);
      assert.ok(r.body[key], path);
    }
    assert.deepEqual((await call('GET', '/nothing')).body, {
      code: 5,
      message: 'Invalid URL Passed',
    });
  });

  it('accepts the JSONString form body', async function () {
    const form = new URLSearchParams({ JSONString: JSON.stringify({ contact_name: 'Form Co' }) });
    const res = await fetch(`${sb.url}/books/v3/contacts?organization_id=${ORG}`, {
      method: 'POST',
      headers: authHeader(token),
      body: form,
    });
    assert.equal(res.status, 201);
    assert.equal((await res.json()).contact.contact_name, 'Form Co');
  });

  it('answers 429 with Books’ body past the per-minute limit of an organization', async function () {
    books.config.rateLimit = { limit: 5, windowMs: 300 };
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await call('GET', '/contacts')).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
    const url = `${sb.url}/books/v3/contacts?organization_id=${ORG}`;
    const res = await fetch(url, { headers: authHeader(token) });
    // Books' own body and no Retry-After (quota.ts names the sources).
    assert.deepEqual(await res.json(), { code: 45, message: 'Request Limit Exceeded' });
    assert.equal(res.headers.get('retry-after'), null);
    assert.equal((await call('GET', '/contacts', undefined, OTHER)).status, 200);
    assert.equal(books.stats.throttled, 3);
    await new Promise((res) => setTimeout(res, 320));
    assert.equal((await call('GET', '/contacts')).status, 200);
  });
});
