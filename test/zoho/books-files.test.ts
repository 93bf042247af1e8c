/**
 * The Books client's query parameters and files against the sandbox: send and
 * ignore_auto_number_generation on writes, documents as PDF (a Buffer with its file name), the
 * attachment of invoices and bills and the receipt of expenses, and bad input refused before
 * any request.
 */
import assert from 'node:assert/strict';
import { ZohoConnection } from '../../src/zoho/core/connection';
import { ZohoError } from '../../src/zoho/core/errors';
import {
  BOOKS_MAX_ATTACHMENT_BYTES,
  addBooksAttachment,
  createBooksRecord,
  deleteBooksAttachment,
  getBooksAttachment,
  getBooksRecordPdf,
  listBooksRecords,
  updateBooksRecord,
} from '../../src/zoho/books/index';
import { sandboxConnection } from '../helpers/sandbox';
import { useBooksSandbox } from '../sandbox/books-client';

const ORG = '10234695';

describe('books client: query parameters, PDFs and attachments', function () {
  this.timeout(60_000);
  const h = useBooksSandbox();
  const { sb } = h;
  let conn: ZohoConnection;
  beforeEach(() => {
    h.books.store.clear();
    conn = sandboxConnection(sb.sandbox, 'ZohoBooks.fullaccess.all');
  });
  afterEach(() => conn.close());

  const booksCalls = () => sb.sandbox.requests.filter((r) => r.path.startsWith('/books/'));
  const refused = async (p: Promise<unknown>, param: string) => {
    const before = booksCalls().length;
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof ZohoError, String(e));
      assert.equal(e.kind, 'input', e.message);
      assert.equal(e.param, param, e.message);
      return true;
    });
    assert.equal(booksCalls().length, before, 'nothing sent');
  };
  const customer = () =>
    h.books.store.insert(ORG, 'contacts', [{ contact_name: 'Acme' }])[0].contact_id as string;
  const opts = { organizationId: ORG };

  it('creates with a custom number only through ignoreAutoNumberGeneration, and sends', async () => {
    const entity = { customer_id: customer(), line_items: [{ rate: 2 }], invoice_number: 'X-1' };
    await assert.rejects(createBooksRecord(conn, 'invoices', entity, opts), /invoice_number/);
    const made = await createBooksRecord(conn, 'invoices', entity, {
      ...opts,
      ignoreAutoNumberGeneration: true,
      send: true,
    });
    assert.equal(made.record.invoice_number, 'X-1');
    const { query } = booksCalls().at(-1)!;
    assert.equal(query.ignore_auto_number_generation, 'true');
    assert.equal(query.send, 'true');
    const id = String(made.record.invoice_id);
    await updateBooksRecord(
      conn,
      'invoices',
      id,
      { invoice_number: 'X-2' },
      {
        ...opts,
        ignoreAutoNumberGeneration: true,
      },
    );
    await refused(updateBooksRecord(conn, 'invoices', id, {}, { ...opts, send: true }), 'send');
    await refused(
      createBooksRecord(conn, 'invoices', entity, {
        ...opts,
        ignoreAutoNumberGeneration: 'yes' as unknown as boolean,
      }),
      'ignoreAutoNumberGeneration',
    );
  });

  it('gets a document as a PDF Buffer with its file name; refuses types without one', async () => {
    const inv = h.books.store.insert(ORG, 'invoices', [
      { customer_id: customer(), invoice_number: 'INV-000384' },
    ])[0];
    const pdf = await getBooksRecordPdf(conn, 'invoices', String(inv.invoice_id), {
      ...opts,
      print: true,
    });
    assert.ok(Buffer.isBuffer(pdf.data));
    assert.equal(pdf.data.subarray(0, 5).toString(), '%PDF-');
    assert.equal(pdf.fileName, 'INV-000384.pdf');
    assert.equal(pdf.contentType, 'application/pdf');
    assert.equal(pdf.size, pdf.data.length);
    const { query } = booksCalls().at(-1)!;
    assert.equal(query.accept, 'pdf');
    assert.equal(query.print, 'true');
    await refused(getBooksRecordPdf(conn, 'contacts', '1', opts), 'format');
  });

  it('adds, gets and deletes the attachment of an invoice and the receipt of an expense', async () => {
    const inv = h.books.store.insert(ORG, 'invoices', [{ customer_id: customer() }])[0];
    const exp = h.books.store.insert(ORG, 'expenses', [{ amount: 4 }])[0];
    for (const [type, id] of [
      ['invoices', String(inv.invoice_id)],
      ['expenses', String(exp.expense_id)],
    ]) {
      const file = { data: Buffer.from('%PDF-1.4 receipt'), fileName: 'r.pdf' };
      const added = await addBooksAttachment(conn, type, id, file, opts);
      assert.match(added.message, /attached/);
      const got = await getBooksAttachment(conn, type, id, opts);
      assert.equal(got.fileName, 'r.pdf');
      assert.deepEqual(got.data, file.data);
      assert.match(
        (await deleteBooksAttachment(conn, type, id, opts)).message,
        /no longer|deleted/,
      );
      await assert.rejects(getBooksAttachment(conn, type, id, opts), (e: unknown) => {
        assert.ok(e instanceof ZohoError);
        assert.equal(e.status, 404);
        return true;
      });
    }
  });

  it('refuses a file too big, without a name, or on a type that keeps none, before sending', async () => {
    const big = { data: Buffer.alloc(BOOKS_MAX_ATTACHMENT_BYTES + 1), fileName: 'big.pdf' };
    await refused(addBooksAttachment(conn, 'bills', '1', big, opts), 'data');
    await refused(
      addBooksAttachment(conn, 'bills', '1', { data: 'x', fileName: '' }, opts),
      'fileName',
    );
    await refused(getBooksAttachment(conn, 'contacts', '1', opts), 'operation');
    await refused(deleteBooksAttachment(conn, 'estimates', '1', opts), 'operation');
  });

  it('lists the chart of accounts up to 5,000 a page, other types up to 200', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({
      account_name: `A${i}`,
      account_type: 'expense',
    }));
    h.books.store.insert(ORG, 'chartofaccounts', rows);
    const page = await listBooksRecords(conn, 'chartofaccounts', { ...opts, perPage: 5000 });
    assert.equal(page.records.length, 300);
    await refused(listBooksRecords(conn, 'contacts', { ...opts, perPage: 201 }), 'perPage');
  });
});
