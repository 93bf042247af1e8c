/**
 * The emulator lists and writes as Zoho Books does (src/sandbox/books/filters.ts names the
 * sources): filter_by values per type and code 2 for others, `last_modified_time` as "modified at
 * or after" only where Zoho documents it, unknown parameters ignored, default sorts per type,
 * timestamps in the organization's time zone, and the writes Zoho refuses.
 */
import assert from 'node:assert/strict';
import * as sinon from 'sinon';
import { BERLIN, useBooksSandbox } from './books-client';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

describe('sandbox: Books lists and writes as Zoho does', function () {
  const h = useBooksSandbox();
  const call = h.call;
  beforeEach(() => h.books.store.clear());
  afterEach(() => sinon.restore());

  const names = async (path: string, key = 'contacts', field = 'contact_name') =>
    ((await call('GET', path)).body[key] as Body[]).map((e) => e[field]);

  it('knows each type’s filter_by values and answers code 2 for any other', async function () {
    await call('POST', 'contacts', { contact_name: 'Cust', contact_type: 'customer' });
    await call('POST', 'contacts', { contact_name: 'Vend', contact_type: 'vendor' });
    assert.deepEqual(await names('contacts?filter_by=Status.Customers'), ['Cust']);
    assert.deepEqual(await names('contacts?filter_by=Status.Vendors'), ['Vend']);
    const okFor = async (path: string) => (await call('GET', path)).status;
    assert.equal(await okFor('chartofaccounts?filter_by=AccountType.Asset'), 200);
    assert.equal(await okFor('customerpayments?filter_by=PaymentMode.Cash'), 200);
    assert.equal(await okFor('journals?filter_by=JournalDate.ThisMonth'), 200);
    assert.equal(await okFor('invoices?filter_by=Date.PaymentExpectedDate'), 200);
    assert.equal(await okFor('invoices?filter_by=Status.Unpaid'), 200);
    const wrong = await call('GET', 'contacts?filter_by=AccountType.Asset');
    assert.deepEqual(wrong.body, { code: 2, message: 'Invalid value passed for filter_by' });
  });

  it('ignores unknown parameters instead of filtering on them', async function () {
    await call('POST', 'contacts', { contact_name: 'A' });
    assert.deepEqual(await names('contacts?foo=bar'), ['A']);
    assert.deepEqual(await names('contacts?contact_name=B'), []);
  });

  it('reads last_modified_time as modified at or after, only where Zoho documents it', async function () {
    const clock = sinon.useFakeTimers({ now: Date.UTC(2026, 5, 9, 12), toFake: ['Date'] });
    const cid = (await call('POST', 'contacts', { contact_name: 'C' })).body.contact.contact_id;
    const lines = [{ rate: 1 }];
    await call('POST', 'invoices', {
      customer_id: cid,
      line_items: lines,
      reference_number: 'old',
    });
    clock.tick(60_000);
    await call('POST', 'invoices', {
      customer_id: cid,
      line_items: lines,
      reference_number: 'new',
    });
    // 08:01 in New York is 12:01 UTC: only the second invoice is at or after it.
    const since = encodeURIComponent('2026-06-09T08:01:00-0400');
    assert.deepEqual(
      await names(`invoices?last_modified_time=${since}`, 'invoices', 'reference_number'),
      ['new'],
    );
    // Contacts have no such filter in Zoho's docs: the parameter changes nothing.
    assert.deepEqual(await names(`contacts?last_modified_time=${since}`), ['C']);
  });

  it('sorts each type as Zoho does by default', async function () {
    for (const name of ['b', 'c', 'a']) await call('POST', 'contacts', { contact_name: name });
    assert.deepEqual(await names('contacts'), ['a', 'b', 'c']);
    const clock = sinon.useFakeTimers({ now: Date.UTC(2026, 5, 9, 12), toFake: ['Date'] });
    const cid = (await call('POST', 'contacts', { contact_name: 'C' })).body.contact.contact_id;
    for (const ref of ['first', 'second']) {
      await call('POST', 'invoices', {
        customer_id: cid,
        line_items: [{ rate: 1 }],
        reference_number: ref,
      });
      clock.tick(1000);
    }
    const r = await call('GET', 'invoices');
    assert.deepEqual(
      r.body.invoices.map((i: Body) => i.reference_number),
      ['second', 'first'],
    );
    assert.equal(r.body.page_context.sort_column, 'created_time');
    assert.equal(r.body.page_context.sort_order, 'D');
  });

  it('writes timestamps in the organization’s time zone, to the second', async function () {
    sinon.useFakeTimers({ now: Date.UTC(2026, 5, 9, 20, 22, 34, 567), toFake: ['Date'] });
    const ny = (await call('POST', 'contacts', { contact_name: 'NY' })).body.contact;
    assert.equal(ny.created_time, '2026-06-09T16:22:34-0400');
    const de = (await call('POST', 'contacts', { contact_name: 'DE' }, BERLIN)).body.contact;
    assert.equal(de.last_modified_time, '2026-06-09T22:22:34+0200');
  });

  it('refuses the writes Zoho refuses, and starts journals published, expenses nonbillable', async function () {
    const cid = (await call('POST', 'contacts', { contact_name: 'C' })).body.contact.contact_id;
    const refused = async (path: string, body: Body, field: string) => {
      const r = await call('POST', path, body);
      assert.deepEqual(r.body, { code: 4, message: `Invalid value passed for ${field}` }, path);
    };
    await refused('customerpayments', { customer_id: cid, amount: 1 }, 'payment_mode');
    await refused('expenses', { account_id: '1', amount: 1 }, 'date');
    const lines = [{ rate: 1 }];
    await refused('invoices', { customer_id: cid, line_items: lines, date: '09/06/2026' }, 'date');
    const unbalanced = [
      { amount: 5, debit_or_credit: 'debit' },
      { amount: 4, debit_or_credit: 'credit' },
    ];
    await refused('journals', { journal_date: '2026-06-09', line_items: unbalanced }, 'line_items');
    const balanced = [unbalanced[0], { amount: 5, debit_or_credit: 'credit' }];
    const journal = await call('POST', 'journals', {
      journal_date: '2026-06-09',
      line_items: balanced,
    });
    assert.equal(journal.body.journal.status, 'published');
    const expense = await call('POST', 'expenses', {
      account_id: '1',
      date: '2026-06-09',
      amount: 1,
      paid_through_account_id: '2',
    });
    assert.equal(expense.body.expense.status, 'nonbillable');
  });
});
