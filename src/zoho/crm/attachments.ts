/**
 * Attachments of CRM records (API v8): upload (a file, or a link), list, download, delete.
 *
 * Zoho's limits assumed: a file is at most 20 MB (Zoho: "File size should not exceed 20 MB");
 * the list takes `fields` (required in v8) and pages by page/per_page (≤ 200) and page_token.
 */
import { ZohoError, invalidInput } from '../core/errors';
import {
  DownloadedFile,
  checkContentType,
  checkFileName,
  checkFileSize,
  downloadedFile,
  fileBytes,
  parseContentDisposition,
} from '../core/files';
import { segment } from '../core/http';
import { CrmInfo, MAX_PER_PAGE, Requester } from './common';
import { Page, collectPages, paginate } from '../core/paginate';
import { checkPositiveInt, checkRecordId, isPlainObject } from '../core/validate';
import { checkFieldNames, checkModule } from './validate';

/** 20 MB, Zoho's limit for one attachment. */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

/** Fields listed when the caller names none (v8 requires the parameter). */
export const DEFAULT_ATTACHMENT_FIELDS = [
  'id',
  'File_Name',
  'Size',
  'Created_Time',
  'Modified_Time',
  'Created_By',
  'Owner',
  'Parent_Id',
  '$file_id',
  '$type',
  '$link_url',
];

export interface UploadFile {
  /** File content; a string is sent as UTF-8. */
  data: Buffer | Uint8Array | ArrayBuffer | string;
  fileName: string;
  contentType?: string;
}

export interface AttachmentResult {
  id?: string;
  code: string;
  message: string;
  status: 'success' | 'error';
  details: unknown;
}

export interface AttachmentCallOptions {
  signal?: AbortSignal;
}

function base(module: string, recordId: string): string {
  return `/v8/${segment(checkModule(module))}/${segment(checkRecordId(recordId))}/Attachments`;
}

function firstResult(body: unknown): AttachmentResult {
  const data = isPlainObject(body) && Array.isArray(body.data) ? body.data : [];
  const e = isPlainObject(data[0]) ? data[0] : {};
  const code = typeof e.code === 'string' ? e.code : 'UNKNOWN';
  const result: AttachmentResult = {
    code,
    status:
      e.status === 'success' || (e.status === undefined && code === 'SUCCESS')
        ? 'success'
        : 'error',
    message: typeof e.message === 'string' ? e.message : '',
    details: e.details,
  };
  const id = isPlainObject(e.details) ? e.details.id : undefined;
  if (typeof id === 'string' || typeof id === 'number') result.id = String(id);
  return result;
}

function throwIfFailed(result: AttachmentResult): AttachmentResult {
  if (result.status === 'success') return result;
  throw new ZohoError({
    code: result.code,
    message: result.message || `Zoho answered ${result.code}`,
    details: result.details,
  });
}

/** Uploads a file to a record (multipart, field `file`); refused over 20 MB before sending. */
export async function uploadAttachment(
  conn: Requester,
  module: string,
  recordId: string,
  file: UploadFile,
  options: AttachmentCallOptions = {},
): Promise<AttachmentResult> {
  const path = base(module, recordId);
  if (!isPlainObject(file)) throw invalidInput('The attachment must be { data, fileName }', 'file');
  const fileName = checkFileName(file.fileName);
  const bytes = fileBytes(file.data);
  checkFileSize(bytes, MAX_ATTACHMENT_BYTES, 'Zoho CRM');
  const contentType = checkContentType(file.contentType);
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }), fileName);
  const res = await conn.request({
    product: 'crm',
    method: 'POST',
    path,
    body: form,
    signal: options.signal,
  });
  return throwIfFailed(firstResult(res.data));
}

/** Attaches a link (URL) to a record instead of a file. */
export async function attachLink(
  conn: Requester,
  module: string,
  recordId: string,
  url: string,
  title?: string,
  options: AttachmentCallOptions = {},
): Promise<AttachmentResult> {
  const path = base(module, recordId);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidInput(`"${String(url)}" is not a URL`, 'url');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw invalidInput('The link must be an http(s) URL', 'url');
  if (title !== undefined && typeof title !== 'string')
    throw invalidInput('The link title must be a string', 'title');
  const res = await conn.request({
    product: 'crm',
    method: 'POST',
    path,
    query: { attachmentUrl: parsed.toString(), title },
    signal: options.signal,
  });
  return throwIfFailed(firstResult(res.data));
}

export interface ListAttachmentsOptions {
  fields?: string[] | string;
  page?: number;
  perPage?: number;
  pageToken?: string;
  signal?: AbortSignal;
}

export interface AttachmentList {
  attachments: Record<string, unknown>[];
  info: CrmInfo;
}

function listQuery(options: ListAttachmentsOptions) {
  const fields =
    options.fields === undefined || options.fields === ''
      ? DEFAULT_ATTACHMENT_FIELDS
      : checkFieldNames(options.fields);
  const perPage =
    options.perPage === undefined
      ? undefined
      : checkPositiveInt(options.perPage, 'perPage', MAX_PER_PAGE);
  const page = options.page === undefined ? undefined : checkPositiveInt(options.page, 'page');
  if (options.pageToken !== undefined && typeof options.pageToken !== 'string') {
    throw invalidInput('pageToken must be the next_page_token string Zoho returned', 'pageToken');
  }
  return {
    fields: fields.join(','),
    per_page: perPage,
    page,
    page_token: options.pageToken || undefined,
  };
}

async function fetchAttachments(
  conn: Requester,
  path: string,
  query: Record<string, string | number | undefined>,
  signal?: AbortSignal,
): Promise<AttachmentList> {
  const res = await conn.request({ product: 'crm', method: 'GET', path, query, signal });
  if (res.status === 204 || !isPlainObject(res.data))
    return { attachments: [], info: { more_records: false, count: 0 } };
  const data = Array.isArray(res.data.data) ? (res.data.data as Record<string, unknown>[]) : [];
  return {
    attachments: data,
    info: isPlainObject(res.data.info) ? res.data.info : {},
  };
}

/** One page of a record's attachments; none is an empty list (Zoho's 204). */
export async function listAttachments(
  conn: Requester,
  module: string,
  recordId: string,
  options: ListAttachmentsOptions = {},
): Promise<AttachmentList> {
  const path = base(module, recordId);
  const query = listQuery(options);
  if (query.page !== undefined && query.page_token !== undefined)
    throw invalidInput('Give either page or pageToken, not both', 'pageToken');
  return fetchAttachments(conn, path, query, options.signal);
}

/** Every page of a record's attachments. */
export function listAllAttachments(
  conn: Requester,
  module: string,
  recordId: string,
  options: Omit<ListAttachmentsOptions, 'page' | 'pageToken'> & {
    maxRecords?: number;
    maxPages?: number;
  } = {},
): AsyncGenerator<Page<Record<string, unknown>>, void, undefined> {
  const path = base(module, recordId);
  const query = listQuery({ ...options, perPage: options.perPage ?? MAX_PER_PAGE });
  return paginate<Record<string, unknown>, { page: number; token?: string }>(
    async (cursor) => {
      const at = cursor ?? { page: 1 };
      const { attachments, info } = await fetchAttachments(
        conn,
        path,
        { ...query, page: at.token ? undefined : at.page, page_token: at.token },
        options.signal,
      );
      if (!info.more_records) return { items: attachments, info };
      const token =
        typeof info.next_page_token === 'string' && info.next_page_token
          ? info.next_page_token
          : undefined;
      return { items: attachments, info, next: { page: at.page + 1, token } };
    },
    { maxRecords: options.maxRecords, maxPages: options.maxPages, signal: options.signal },
  );
}

/** Every attachment of a record in one array. */
export async function collectAttachments(
  conn: Requester,
  module: string,
  recordId: string,
  options: Omit<ListAttachmentsOptions, 'page' | 'pageToken'> & {
    maxRecords?: number;
    maxPages?: number;
  } = {},
): Promise<{ attachments: Record<string, unknown>[]; truncated: boolean; pages: number }> {
  const collected = await collectPages(listAllAttachments(conn, module, recordId, options));
  return { attachments: collected.items, truncated: collected.truncated, pages: collected.pages };
}

/** A downloaded attachment: its bytes, file name, content type and size. */
export type DownloadedAttachment = DownloadedFile;
export { parseContentDisposition };

/** Downloads an attachment: its bytes, file name and content type. */
export async function downloadAttachment(
  conn: Requester,
  module: string,
  recordId: string,
  attachmentId: string,
  options: AttachmentCallOptions = {},
): Promise<DownloadedAttachment> {
  const path = `${base(module, recordId)}/${segment(checkRecordId(attachmentId, 'attachmentId', 'attachment id'))}`;
  const res = await conn.request<Buffer>({
    product: 'crm',
    method: 'GET',
    path,
    responseType: 'binary',
    signal: options.signal,
  });
  if (res.status === 204) {
    throw new ZohoError({
      code: 'NOT_FOUND',
      status: 204,
      message: `Zoho has no attachment ${attachmentId} on record ${recordId}`,
    });
  }
  return downloadedFile(res, `attachment-${attachmentId}`);
}

/** Deletes one attachment of a record. */
export async function deleteAttachment(
  conn: Requester,
  module: string,
  recordId: string,
  attachmentId: string,
  options: AttachmentCallOptions = {},
): Promise<AttachmentResult> {
  const path = `${base(module, recordId)}/${segment(checkRecordId(attachmentId, 'attachmentId', 'attachment id'))}`;
  const res = await conn.request({
    product: 'crm',
    method: 'DELETE',
    path,
    signal: options.signal,
  });
  return throwIfFailed(firstResult(res.data));
}
