/**
 * The demo data `npm start` loads, read back over real HTTP the way the nodes read it: leads,
 * contacts, accounts and deals in CRM, customers and invoices in Books, all with names a
 * newcomer would believe (no "Lead 1", no "Customer 000001"), linked to each other.
 */
import assert from 'node:assert/strict';
import { DEMO_CRM_COUNTS } from '../../src/sandbox/demo';
import { authHeader, issueTokens, useSandbox } from '../helpers/sandbox';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

const PLACEHOLDER = /^(lead|contact|account|deal|customer|company|record|test)\s*#?\d+$/i;

describe('sandbox: demo data for npm start', function () {
  const sb = useSandbox({ creditLimit: 0 });
  let token = '';

  before(() => {
    const counts = sb.sandbox.seedDemo();
    assert.equal(counts.crm.Leads, DEMO_CRM_COUNTS.Leads);
    assert.ok(counts.books.invoices > 0, JSON.stringify(counts));
    token = issueTokens(sb.sandbox).accessToken;
  });

  async function get(path: string): Promise<Body> {
    const res = await fetch(sb.url + path, { headers: authHeader(token) });
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    return res.json();
  }

  for (const [module, field] of [
    ['Leads', 'Last_Name'],
    ['Contacts', 'Last_Name'],
    ['Accounts', 'Account_Name'],
    ['Deals', 'Deal_Name'],
  ] as const) {
    it(`CRM ${module}: every seeded record, each with a believable ${field}`, async () => {
      const body = await get(`/crm/v8/${module}?fields=${field}&per_page=200`);
      assert.equal(body.data.length, DEMO_CRM_COUNTS[module]);
      for (const r of body.data) {
        assert.equal(typeof r[field], 'string', JSON.stringify(r));
        assert.doesNotMatch(r[field], PLACEHOLDER);
        assert.match(r[field], /[a-z]{2}/, `${field} reads like a name: ${r[field]}`);
      }
    });
  }

  it('CRM deals point at seeded accounts', async () => {
    const deals = await get('/crm/v8/Deals?fields=Deal_Name,Account_Name,Amount,Stage');
    const accounts = await get('/crm/v8/Accounts?fields=Account_Name&per_page=200');
    const ids = new Set(accounts.data.map((a: Body) => a.id));
    for (const d of deals.data) {
      assert.ok(ids.has(d.Account_Name?.id), `deal ${d.Deal_Name} has a seeded account`);
      assert.ok(d.Amount > 0 && d.Stage, JSON.stringify(d));
    }
  });

  it('Books: customers with an email, and invoices of those customers with totals', async () => {
    const contacts = (await get('/books/v3/contacts?organization_id=10234695')).contacts;
    assert.ok(contacts.length >= 5, `contacts: ${contacts.length}`);
    for (const c of contacts) {
      assert.doesNotMatch(c.contact_name, PLACEHOLDER);
      assert.match(c.email, /^[a-z]+\.[a-z]+@[\w.-]+$/);
    }
    const invoices = (await get('/books/v3/invoices?organization_id=10234695')).invoices;
    assert.ok(invoices.length >= contacts.length, `invoices: ${invoices.length}`);
    const names = new Set(contacts.map((c: Body) => c.contact_name));
    for (const inv of invoices) {
      assert.ok(names.has(inv.customer_name), `invoice ${inv.invoice_number} of a customer`);
      assert.ok(inv.total > 0, `invoice ${inv.invoice_number} total ${inv.total}`);
      assert.match(inv.invoice_number, /^INV-\d+$/);
    }
    const statuses = new Set(invoices.map((i: Body) => i.status));
    assert.ok(
      statuses.has('paid') && statuses.has('sent') && statuses.has('draft'),
      [...statuses].join(),
    );
  });
});
