/**
 * The emulator's Books files and the last write rules: `accept=pdf` answers a real PDF with
 * Zoho's headers, the attachment of invoices and bills and the receipt of expenses, custom
 * document numbers only with ignore_auto_number_generation, chart of accounts pages of 5,000,
 * and unknown query parameters ignored outside lists.
 */
import assert from 'node:assert/strict';
import { authHeader, issueTokens } from '../helpers/sandbox';
import { ORG, useBooksSandbox } from './books-client';

describe('Books emulator: PDFs, attachments, numbering', function () {
  this.timeout(30_000);
  const h = useBooksSandbox();
  let token = '';
  before(() => (token = issueTokens(h.sb.sandbox).accessToken));
  beforeEach(() => h.books.store.clear());

  const customer = () =>
    h.books.store.insert(ORG, 'contacts', [{ contact_name: 'Acme' }])[0].contact_id as string;
  const invoice = () =>
    h.books.store.insert(ORG, 'invoices', [
      { customer_id: customer(), line_items: [{ rate: 5 }], invoice_number: 'INV-000384' },
    ])[0].invoice_id as string;
  const url = (path: string) => `${h.sb.url}/books/v3/${path}?organization_id=${ORG}`;

  it('answers accept=pdf with a PDF named by the document number, as Zoho does', async () => {
    const id = invoice();
    for (const query of ['&accept=pdf', '&accept=pdf&print=true']) {
      const res = await fetch(url(`invoices/${id}`) + query, { headers: authHeader(token) });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/pdf;charset=UTF-8');
      assert.equal(res.headers.get('content-disposition'), 'attachment; filename="INV-000384.pdf"');
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
      assert.match(bytes.toString('latin1'), /startxref\n\d+\n%%EOF\n$/);
    }
    // Without accept=pdf, and with parameters get does not take, the JSON entity.
    const json = await h.call('GET', `invoices/${id}?foo=bar&per_page=1`);
    assert.equal(json.status, 200);
    assert.equal(json.body.invoice.invoice_id, id);
  });

  it('keeps one attachment on an invoice, bill or expense receipt: add, get, delete', async () => {
    const vendor = customer();
    const ids = {
      invoices: invoice(),
      bills: h.books.store.insert(ORG, 'bills', [{ vendor_id: vendor, bill_number: 'B-1' }])[0]
        .bill_id as string,
      expenses: h.books.store.insert(ORG, 'expenses', [{ amount: 3 }])[0].expense_id as string,
    };
    const slots = { invoices: 'attachment', bills: 'attachment', expenses: 'receipt' };
    for (const [type, slot] of Object.entries(slots)) {
      const path = url(`${type}/${ids[type as keyof typeof ids]}/${slot}`);
      const form = new FormData();
      form.append(slot, new Blob([Buffer.from('scan')], { type: 'image/png' }), 'scan.png');
      const added = await fetch(path, { method: 'POST', headers: authHeader(token), body: form });
      assert.equal(added.status, 200, type);
      assert.equal(((await added.json()) as { code: number }).code, 0);
      const got = await fetch(path, { headers: authHeader(token) });
      assert.equal(got.headers.get('content-disposition'), 'attachment; filename="scan.png"');
      assert.equal(Buffer.from(await got.arrayBuffer()).toString(), 'scan');
      const gone = await fetch(path, { method: 'DELETE', headers: authHeader(token) });
      assert.equal(gone.status, 200);
      const again = await fetch(path, { headers: authHeader(token) });
      assert.equal(again.status, 404);
    }
    // The wrong multipart field is refused.
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('x')]), 'x.txt');
    const wrong = await fetch(url(`expenses/${ids.expenses}/receipt`), {
      method: 'POST',
      headers: authHeader(token),
      body: form,
    });
    assert.equal(wrong.status, 400);
  });

  it('takes a custom invoice number only with ignore_auto_number_generation=true', async () => {
    const entity = { customer_id: customer(), line_items: [{ rate: 1 }] };
    const custom = { ...entity, invoice_number: 'MY-7' };
    const refused = await h.call('POST', 'invoices', custom);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.code, 4);
    const noNumber = await h.call('POST', 'invoices?ignore_auto_number_generation=true', entity);
    assert.equal(noNumber.status, 400, 'the parameter mandates the number');
    const kept = await h.call('POST', 'invoices?ignore_auto_number_generation=true', custom);
    assert.equal(kept.status, 201);
    assert.equal(kept.body.invoice.invoice_number, 'MY-7');
    // A parameter create does not take is ignored, as Zoho ignores it.
    const auto = await h.call('POST', 'invoices?foo=bar', entity);
    assert.equal(auto.status, 201);
    assert.match(auto.body.invoice.invoice_number, /^INV-\d{6}$/);
  });

  it('pages the chart of accounts up to 5,000 and other lists up to 200', async () => {
    const rows = Array.from({ length: 250 }, (_, i) => ({
      account_name: `Account ${i}`,
      account_type: 'expense',
    }));
    h.books.store.insert(ORG, 'chartofaccounts', rows);
    const big = await h.call('GET', 'chartofaccounts?per_page=5000');
    assert.equal(big.status, 200);
    assert.equal(big.body.chartofaccounts.length, 250);
    assert.equal((await h.call('GET', 'chartofaccounts?per_page=5001')).status, 400);
    assert.equal((await h.call('GET', 'contacts?per_page=201')).status, 400);
  });
});
