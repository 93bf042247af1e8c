/**
 * The files of Zoho Books records: a document as a PDF (GET /<type>/<id>?accept=pdf, with
 * print=true for a print-ready one) and the one file an invoice or bill (`/attachment`) or an
 * expense (`/receipt`) keeps: add, get, delete. Sources: docs/ZOHO-FACTS.md, Zoho Books.
 *
 * - A PDF or a file arrives as a Buffer with its file name (Content-Disposition) and content
 *   type, bounded by the connection's download limit.
 * - An upload is refused before sending when it is over BOOKS_MAX_ATTACHMENT_BYTES, has no file
 *   name, or the type keeps no file.
 */
import { invalidInput } from '../core/errors';
import {
  DownloadedFile,
  checkContentType,
  checkFileName,
  checkFileSize,
  downloadedFile,
  fileBytes,
} from '../core/files';
import { segment } from '../core/http';
import { checkRecordId, textOf } from '../core/validate';
import {
  BOOKS,
  BooksRequester,
  OrganizationChoice,
  Target,
  checkFlag,
  checkTarget,
  collectionPath,
  messageOf,
  resolveOrganization,
  send,
  unwrap,
} from './core';
import type { BooksOptions } from './records';

/** 10 MB a file: the limit Books' web app states for a transaction's files (unverified for the API). */
export const BOOKS_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export interface BooksFileResult extends DownloadedFile {
  organization: OrganizationChoice;
}

export interface BooksPdfOptions extends BooksOptions {
  /** `print=true`: the PDF Zoho prepares for printing. */
  print?: boolean;
}

/** The format of a get: `json` (the default, also for blank) or `pdf`. */
export function checkBooksFormat(value: unknown): 'json' | 'pdf' {
  if (value === undefined || value === null || value === '' || value === 'json') return 'json';
  if (value === 'pdf') return 'pdf';
  throw invalidInput(`The format must be "json" or "pdf", not ${textOf(value)}`, 'format');
}

function itemPath(t: Target, recordId: string): string {
  return `${collectionPath(t)}/${segment(recordId)}`;
}

/** A document (invoice, estimate, sales order, purchase order, credit note) as a PDF. */
export async function getBooksRecordPdf(
  conn: BooksRequester,
  recordType: string,
  recordId: string,
  options: BooksPdfOptions = {},
): Promise<BooksFileResult> {
  const product = options.product ?? BOOKS;
  const t = checkTarget(product, recordType, options);
  if (!t.info?.pdf) {
    const types = Object.keys(product.types).filter((k) => product.types[k].pdf);
    throw invalidInput(
      `${product.name} gives no PDF of ${t.type}: only of ${types.join(', ')}`,
      'format',
    );
  }
  const rid = checkRecordId(recordId);
  const print = checkFlag(options.print, 'print');
  const org = await resolveOrganization(conn, options, product);
  const res = await send(
    product,
    conn,
    org,
    {
      method: 'GET',
      path: itemPath(t, rid),
      query: { accept: 'pdf', print: print ? 'true' : undefined },
      responseType: 'binary',
    },
    options,
  );
  return { ...downloadedFile(res, `${t.info.singular}-${rid}.pdf`), organization: org };
}

/** The type's file slot (attachment or receipt), or a refusal naming the types that have one. */
function fileSlot(t: Target, product = BOOKS): { path: string; field: string } {
  if (t.info?.attachment) return t.info.attachment;
  const types = Object.keys(product.types).filter((k) => product.types[k].attachment);
  throw invalidInput(
    `${product.name} keeps no attached file on ${t.type}: only on ${types.join(', ')}`,
    'operation',
  );
}

export interface BooksUploadFile {
  /** File content; a string is sent as UTF-8. */
  data: Buffer | Uint8Array | ArrayBuffer | string;
  fileName: string;
  contentType?: string;
}

export interface BooksAttachmentOptions extends BooksOptions {
  /** invoices: `can_send_in_email`, send the file with the invoice's emails. */
  canSendInEmail?: boolean;
}

/** Attaches a file to an invoice or bill, or a receipt to an expense (multipart). */
export async function addBooksAttachment(
  conn: BooksRequester,
  recordType: string,
  recordId: string,
  file: BooksUploadFile,
  options: BooksAttachmentOptions = {},
): Promise<{ message: string; organization: OrganizationChoice }> {
  const product = options.product ?? BOOKS;
  const t = checkTarget(product, recordType, options);
  const slot = fileSlot(t, product);
  const rid = checkRecordId(recordId);
  if (typeof file !== 'object' || file === null)
    throw invalidInput('The file must be { data, fileName }', 'file');
  const fileName = checkFileName(file.fileName);
  const bytes = fileBytes(file.data);
  checkFileSize(bytes, BOOKS_MAX_ATTACHMENT_BYTES, product.name);
  const contentType = checkContentType(file.contentType);
  const canSend = checkFlag(options.canSendInEmail, 'canSendInEmail');
  const form = new FormData();
  form.append(slot.field, new Blob([new Uint8Array(bytes)], { type: contentType }), fileName);
  const org = await resolveOrganization(conn, options, product);
  const res = await send(
    product,
    conn,
    org,
    {
      method: 'POST',
      path: `${itemPath(t, rid)}/${slot.path}`,
      query: { can_send_in_email: canSend === undefined ? undefined : String(canSend) },
      body: form,
    },
    options,
  );
  unwrap(res, undefined, product);
  return { message: messageOf(res), organization: org };
}

/** The file attached to an invoice or bill, or an expense's receipt. */
export async function getBooksAttachment(
  conn: BooksRequester,
  recordType: string,
  recordId: string,
  options: BooksOptions = {},
): Promise<BooksFileResult> {
  const product = options.product ?? BOOKS;
  const t = checkTarget(product, recordType, options);
  const slot = fileSlot(t, product);
  const rid = checkRecordId(recordId);
  const org = await resolveOrganization(conn, options, product);
  const res = await send(
    product,
    conn,
    org,
    { method: 'GET', path: `${itemPath(t, rid)}/${slot.path}`, responseType: 'binary' },
    options,
  );
  return { ...downloadedFile(res, `${slot.path}-${rid}`), organization: org };
}

/** Deletes the file attached to an invoice or bill, or an expense's receipt. */
export async function deleteBooksAttachment(
  conn: BooksRequester,
  recordType: string,
  recordId: string,
  options: BooksOptions = {},
): Promise<{ message: string; organization: OrganizationChoice }> {
  const product = options.product ?? BOOKS;
  const t = checkTarget(product, recordType, options);
  const slot = fileSlot(t, product);
  const rid = checkRecordId(recordId);
  const org = await resolveOrganization(conn, options, product);
  const res = await send(
    product,
    conn,
    org,
    { method: 'DELETE', path: `${itemPath(t, rid)}/${slot.path}` },
    options,
  );
  unwrap(res, undefined, product);
  return { message: messageOf(res), organization: org };
}
