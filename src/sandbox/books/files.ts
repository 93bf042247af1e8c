/**
 * The files of Books records: documents as a PDF and the one attached file of invoices and
 * bills (`/attachment`, multipart field `attachment`) and expenses (`/receipt`, field `receipt`).
 *
 * Sources (docs/ZOHO-FACTS.md, Zoho Books):
 * - `accept=pdf` answers `Content-Type: application/pdf;charset=UTF-8` and
 *   `Content-Disposition: attachment; filename="INV-384.pdf"` (Zoho Books API v3, "Response",
 *   Other Formats); `print=true` is a query parameter of the same get ("Get an invoice").
 * - Paths, multipart fields and success messages: zoho/books-java-wrappers InvoicesApi, BillsApi,
 *   ExpensesApi (addAttachment / getAttachment / deleteAttachment, addReceipt / …).
 * - The size limit, the text of a refused upload and of a missing file: unverified.
 */
import { booksError } from '../router';
import type { SandboxReply, SandboxRequest } from '../types';
import type { EntityDef } from './defs';
import type { BooksStore, Entity, StoredFile } from './store';

/** Types Zoho renders as a PDF on get. */
export const PDF_TYPES = new Set([
  'invoices',
  'estimates',
  'salesorders',
  'purchaseorders',
  'creditnotes',
]);

/** 10 MB a file (Books' web app; unverified for the API). */
export const MAX_BOOKS_FILE_BYTES = 10 * 1024 * 1024;

interface FileSlot {
  path: string;
  field: string;
  added: string;
  deleted: string;
}

/** The file slot of each type that keeps one, with the wrappers' success messages. */
export const FILE_SLOTS: Readonly<Record<string, FileSlot>> = {
  invoices: {
    path: 'attachment',
    field: 'attachment',
    added: 'Your file has been successfully attached to the invoice.',
    deleted: 'Your file is no longer attached to the invoice.',
  },
  bills: {
    path: 'attachment',
    field: 'attachment',
    added: 'The document has been attached.',
    deleted: 'The attachment has been deleted.',
  },
  expenses: {
    path: 'receipt',
    field: 'receipt',
    added: 'The expense receipt has been attached.',
    deleted: 'The attached expense receipt has been deleted.',
  },
};

/** A one-page PDF 1.4 saying `title`: a real file any reader opens (offsets computed). */
export function onePagePdf(title: string): Buffer {
  const text = title.replace(/[^\x20-\x7e]/g, '?').replace(/([()\\])/g, '\\$1');
  const stream = `BT /F1 18 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const at of offsets) pdf += `${String(at).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

function fileReply(file: StoredFile): SandboxReply {
  const name = file.fileName.replace(/["\\\r\n]/g, '_');
  return {
    status: 200,
    body: file.data,
    contentType: file.contentType,
    headers: { 'Content-Disposition': `attachment; filename="${name}"` },
  };
}

/** A document as Zoho's PDF, named by its number (`INV-000001.pdf`). */
export function pdfOf(def: EntityDef, e: Entity): SandboxReply {
  const number = def.number ? e[def.number.field] : undefined;
  const name = typeof number === 'string' && number ? number : String(e[def.idField]);
  return fileReply({
    fileName: `${name}.pdf`,
    contentType: 'application/pdf;charset=UTF-8',
    data: onePagePdf(`${def.label} ${name}`),
  });
}

const noFile = (): SandboxReply => booksError(404, 1002, 'Attachment does not exist.');

export function addFile(
  store: BooksStore,
  orgId: string,
  def: EntityDef,
  id: string,
  req: SandboxRequest,
): SandboxReply {
  const slot = FILE_SLOTS[def.name];
  const part = req.files?.find((f) => f.name === slot.field);
  if (!part) return booksError(400, 4, `Invalid value passed for ${slot.field}`);
  if (part.data.length > MAX_BOOKS_FILE_BYTES)
    return booksError(400, 4, `Invalid value passed for ${slot.field}`);
  store.setFile(orgId, def.name, id, {
    fileName: part.filename || slot.field,
    contentType: part.contentType || 'application/octet-stream',
    data: part.data,
  });
  return { status: 200, body: { code: 0, message: slot.added } };
}

export function getFile(store: BooksStore, orgId: string, def: EntityDef, id: string) {
  const file = store.file(orgId, def.name, id);
  return file ? fileReply(file) : noFile();
}

export function deleteFile(store: BooksStore, orgId: string, def: EntityDef, id: string) {
  if (!store.deleteFile(orgId, def.name, id)) return noFile();
  return { status: 200, body: { code: 0, message: FILE_SLOTS[def.name].deleted } };
}
