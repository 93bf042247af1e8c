/**
 * The emulator's Books answers against what real Zoho Books answered (fixtures/books-recorded.ts):
 * the same calls, and for each the status, message, envelope key, page_context keys, the initial
 * status of a new entity and the format of its timestamps. Every recorded answer is checked; a
 * difference fails the test with all of them listed.
 */
import assert from 'node:assert/strict';
import { useBooksSandbox } from './books-client';
import { RECORDED_ANSWERS, type RecordedAnswer } from './fixtures/books-recorded';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;
/** Zoho's timestamps: the organization's offset, to the second (2026-06-09T16:22:34-0400). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}$/;

describe('sandbox: Books answers match the recorded real answers', function () {
  const h = useBooksSandbox();
  const call = h.call;

  /** A valid create body per type, with the contacts it refers to. */
  function bodies(customer: string, vendor: string): Record<string, Body> {
    const lines = [{ rate: 1, quantity: 1 }];
    return {
      contacts: { contact_name: 'Recorded Co' },
      items: { name: 'Widget', rate: 5 },
      invoices: { customer_id: customer, line_items: lines },
      estimates: { customer_id: customer, line_items: lines },
      purchaseorders: { vendor_id: vendor, line_items: lines },
      bills: { vendor_id: vendor, bill_number: 'B-1', line_items: lines },
      creditnotes: { customer_id: customer, line_items: lines },
      customerpayments: {
        customer_id: customer,
        payment_mode: 'cash',
        amount: 1,
        date: '2026-06-09',
        invoices: [{ invoice_id: '1', amount_applied: 1 }],
      },
      vendorpayments: { vendor_id: vendor, amount: 1 },
      expenses: { account_id: '1', date: '2026-06-09', amount: 5, paid_through_account_id: '2' },
      journals: {
        journal_date: '2026-06-09',
        line_items: [
          { account_id: '1', amount: 5, debit_or_credit: 'debit' },
          { account_id: '2', amount: 5, debit_or_credit: 'credit' },
        ],
      },
      chartofaccounts: { account_name: 'Petty cash', account_type: 'cash' },
    };
  }

  /** The differences between one recorded answer and the emulator's. */
  function differences(rec: RecordedAnswer, got: { status: number; body: Body }): string[] {
    const out: string[] = [];
    const at = `${rec.kind} ${rec.type}`;
    const same = (what: string, want: unknown, have: unknown) => {
      if (JSON.stringify(want) !== JSON.stringify(have))
        out.push(`${at}: ${what} ${JSON.stringify(have)}, Zoho ${JSON.stringify(want)}`);
    };
    same('status', rec.status, got.status);
    same('message', rec.message, got.body.message);
    const envelope = Object.keys(got.body).filter(
      (k) => !['code', 'message', 'page_context'].includes(k),
    );
    same('envelope', rec.envelope, envelope.join(','));
    if (rec.pageContext) same('page_context', rec.pageContext, Object.keys(got.body.page_context));
    const entity = rec.envelope ? got.body[rec.envelope] : undefined;
    const one: Body = Array.isArray(entity) ? entity[0] : entity;
    if (rec.initialStatus) same('initial status', rec.initialStatus, one?.status);
    for (const key of rec.timestamps ?? []) {
      if (one && !TIMESTAMP.test(String(one[key]))) same(key, 'yyyy-mm-ddThh:mm:ss±hhmm', one[key]);
    }
    return out;
  }

  it(`answers all ${RECORDED_ANSWERS.length} recorded calls in Zoho's shape`, async function () {
    h.books.store.clear();
    const customer = (await call('POST', 'contacts', { contact_name: 'C' })).body.contact
      .contact_id;
    const vendor = (await call('POST', 'contacts', { contact_name: 'V', contact_type: 'vendor' }))
      .body.contact.contact_id;
    const create = bodies(customer, vendor);
    const found: string[] = [];
    let checked = 0;
    const ids = new Map<string, string>();
    const idOf = async (type: string): Promise<string> => {
      if (!ids.has(type)) {
        const made = await call('POST', type, create[type]);
        const key = Object.keys(made.body).find((k) => k !== 'code' && k !== 'message')!;
        const entity = made.body[key] as Record<string, unknown>;
        ids.set(type, String(Object.entries(entity).find(([k]) => k.endsWith('_id'))![1]));
      }
      return ids.get(type)!;
    };
    // Deletes last, so the other calls find their entity.
    const order = [...RECORDED_ANSWERS].sort(
      (a, b) => Number(a.kind === 'delete') - Number(b.kind === 'delete'),
    );
    for (const rec of order) {
      let got;
      if (rec.kind === 'list') got = await call('GET', rec.type);
      else if (rec.kind === 'create') got = await call('POST', rec.type, create[rec.type]);
      else {
        const id = await idOf(rec.type);
        if (rec.kind === 'get') got = await call('GET', `${rec.type}/${id}`);
        else if (rec.kind === 'update') got = await call('PUT', `${rec.type}/${id}`, {});
        else if (rec.kind === 'delete') got = await call('DELETE', `${rec.type}/${id}`);
        else {
          const path = rec.kind.slice('action:'.length);
          const body = path === 'email' ? { to_mail_ids: ['a@example.com'] } : undefined;
          got = await call('POST', `${rec.type}/${id}/${path}`, body);
        }
      }
      found.push(...differences(rec, got));
      checked++;
    }
    assert.equal(checked, RECORDED_ANSWERS.length);
    assert.deepEqual(found, []);
  });
});
