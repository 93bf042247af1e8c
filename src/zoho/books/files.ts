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
import { checkRecordId, textOf } from '../core/validate';
import { ZohoResponse, segment } from '../core/http';
import {
  BOOKS,
  BooksRequester,
  Call,
  FinanceProduct,
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
import type { BooksMessageResult, BooksOptions } from './records';

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

/**
 * One call about a record: the type and id checked, then `build` (which checks the rest and
 * may refuse), all before the organization is resolved and the call is sent.
 */
async function recordCall(
  conn: BooksRequester,
  recordType: string,
  recordId: string,
  options: BooksOptions,
  build: (t: Target, rid: string, product: FinanceProduct) => Call,
): Promise<{ res: ZohoResponse; org: OrganizationChoice; rid: string; product: FinanceProduct }> {
  const product = options.product ?? BOOKS;
  const t = checkTarget(product, recordType, options);
  const rid = checkRecordId(recordId);
  const call = build(t, rid, product);
  const org = await resolveOrganization(conn, options, product);
  return { res: await send(product, conn, org, call, options), org, rid, product };
}

/** A document (invoice, estimate, sales order, purchase order, credit note) as a PDF. */
export async function getBooksRecordPdf(
  conn: BooksRequester,
  recordType: string,
  recordId: string,
  options: BooksPdfOptions = {},
): Promise<BooksFileResult> {
  let name = '';
  const { res, org } = await recordCall(conn, recordType, recordId, options, (t, rid, product) => {
    if (!t.info?.pdf) {
      const types = Object.keys(product.types).filter((k) => product.types[k].pdf);
      throw invalidInput(
        `${product.name} gives no PDF of ${t.type}: only of ${types.join(', ')}`,
        'format',
      );
    }
    const print = checkFlag(options.print, 'print');
    name = `${t.info.singular}-${rid}.pdf`;
    const query = { accept: 'pdf', print: print ? 'true' : undefined };
    return { method: 'GET', path: itemPath(t, rid), query, responseType: 'binary' };
  });
  return { ...downloadedFile(res, name), organization: org };
}

/** The type's file slot (attachment or receipt), or a refusal naming the types that have one. */
function fileSlot(t: Target, product: FinanceProduct): { path: string; field: string } {
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

/** The multipart upload of a file, checked (name, size, type) before anything is sent. */
function uploadCall(
  t: Target,
  rid: string,
  product: FinanceProduct,
  file: BooksUploadFile,
  canSendInEmail: unknown,
): Call {
  const slot = fileSlot(t, product);
  if (typeof file !== 'object' || file === null)
    throw invalidInput('The file must be { data, fileName }', 'file');
  const fileName = checkFileName(file.fileName);
  const bytes = fileBytes(file.data);
  checkFileSize(bytes, BOOKS_MAX_ATTACHMENT_BYTES, product.name);
  const contentType = checkContentType(file.contentType);
  const canSend = checkFlag(canSendInEmail, 'canSendInEmail');
  const form = new FormData();
  form.append(slot.field, new Blob([new Uint8Array(bytes)], { type: contentType }), fileName);
  const query = { can_send_in_email: canSend === undefined ? undefined : String(canSend) };
  return { method: 'POST', path: `${itemPath(t, rid)}/${slot.path}`, query, body: form };
}

/** Attaches a file to an invoice or bill, or a receipt to an expense (multipart). */
export async function addBooksAttachment(
  conn: BooksRequester,
  recordType: string,
  recordId: string,
  file: BooksUploadFile,
  options: BooksAttachmentOptions = {},
): Promise<BooksMessageResult> {
  const { res, org, product } = await recordCall(conn, recordType, recordId, options, (t, rid, p) =>
    uploadCall(t, rid, p, file, options.canSendInEmail),
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
  let name = '';
  const { res, org } = await recordCall(conn, recordType, recordId, options, (t, rid, p) => {
    const slot = fileSlot(t, p);
    name = `${slot.path}-${rid}`;
    return { method: 'GET', path: `${itemPath(t, rid)}/${slot.path}`, responseType: 'binary' };
  });
  return { ...downloadedFile(res, name), organization: org };
}

/** Deletes the file attached to an invoice or bill, or an expense's receipt. */
export async function deleteBooksAttachment(
  conn: BooksRequester,
  recordType: string,
  recordId: string,
  options: BooksOptions = {},
): Promise<BooksMessageResult> {
  const { res, org, product } = await recordCall(
    conn,
    recordType,
    recordId,
    options,
    (t, rid, p) => ({
      method: 'DELETE',
      path: `${itemPath(t, rid)}/${fileSlot(t, p).path}`,
    }),
  );
  unwrap(res, undefined, product);
  return { message: messageOf(res), organization: org };
}
