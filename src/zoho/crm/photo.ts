/**
 * A record's photo (API v8, record.json `/{module}/{id}/photo`): upload (multipart `file`, as
 * attachments are sent), download, delete. Zoho takes PNG, JPEG, GIF and BMP images of at most
 * 10 MB (docs/ZOHO-FACTS.md, photos); anything else is refused here before it is sent.
 */
import { ZohoError, invalidInput } from '../core/errors';
import {
  DownloadedFile,
  checkFileName,
  checkFileSize,
  downloadedFile,
  fileBytes,
} from '../core/files';
import { segment } from '../core/http';
import { checkRecordId, isPlainObject } from '../core/validate';
import type { Requester } from './common';
import { checkModule } from './validate';
import type { UploadFile } from './attachments';

/** 10 MB, Zoho's limit for a record's photo. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

/** The image types Zoho takes, by file extension. */
const PHOTO_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
};

const ALLOWED = new Set(Object.values(PHOTO_TYPES));

/** The type the bytes say (PNG, JPEG, GIF and BMP signatures), when nothing else does. */
function sniff(bytes: Buffer): string | undefined {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (bytes.subarray(0, 2).toString('latin1') === 'BM') return 'image/bmp';
  return undefined;
}

/** The photo's content type: the one given, else its file name's, else its bytes'. */
export function photoType(file: { contentType?: string; fileName: string }, bytes: Buffer): string {
  const given = file.contentType?.split(';')[0].trim().toLowerCase();
  const ext = /\.([a-z]+)$/i.exec(file.fileName)?.[1].toLowerCase();
  const type = given || (ext && PHOTO_TYPES[ext]) || sniff(bytes);
  if (type && ALLOWED.has(type)) return type;
  const what = type ?? 'an unknown type';
  throw invalidInput(
    `The photo is ${what}: Zoho CRM takes PNG, JPEG, GIF or BMP images`,
    'contentType',
  );
}

export interface PhotoOptions {
  /** Upload: keep the record's workflow rules from running (Zoho's `restrict_triggers=workflow`). */
  restrictWorkflow?: boolean;
  signal?: AbortSignal;
}

export interface PhotoResult {
  code: string;
  message: string;
  status: 'success';
  details: unknown;
}

/** A record without a photo: Zoho answers 204 (no content). */
const noPhoto = (module: string, recordId: string): ZohoError =>
  new ZohoError({
    code: 'NOT_FOUND',
    status: 204,
    message: `Record ${recordId} of ${module} has no photo`,
  });

function photoPath(module: string, recordId: string): string {
  return `/v8/${segment(checkModule(module))}/${segment(checkRecordId(recordId))}/photo`;
}

/** Zoho's one-object answer (record.json Success_Response or API_Exception). */
function resultOf(body: unknown): PhotoResult {
  const e = isPlainObject(body) ? body : {};
  const code = typeof e.code === 'string' ? e.code : 'UNKNOWN';
  const message = typeof e.message === 'string' ? e.message : '';
  if (e.status === 'success' || code === 'SUCCESS')
    return { code, message, status: 'success', details: e.details ?? {} };
  throw new ZohoError({ code, message: message || `Zoho answered ${code}`, details: e.details });
}

/** Sets (or replaces) a record's photo; refused over 10 MB or when not an image Zoho takes. */
export async function uploadPhoto(
  conn: Requester,
  module: string,
  recordId: string,
  file: UploadFile,
  options: PhotoOptions = {},
): Promise<PhotoResult> {
  const path = photoPath(module, recordId);
  if (!isPlainObject(file)) throw invalidInput('The photo must be { data, fileName }', 'file');
  const fileName = checkFileName(file.fileName);
  const bytes = fileBytes(file.data);
  checkFileSize(bytes, MAX_PHOTO_BYTES, 'Zoho CRM photos');
  const type = photoType({ contentType: file.contentType, fileName }, bytes);
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), fileName);
  const res = await conn.request({
    product: 'crm',
    method: 'POST',
    path,
    query: { restrict_triggers: options.restrictWorkflow ? 'workflow' : undefined },
    body: form,
    signal: options.signal,
  });
  return resultOf(res.data);
}

/** A record's photo: bytes, file name and content type; NOT_FOUND when it has none. */
export async function downloadPhoto(
  conn: Requester,
  module: string,
  recordId: string,
  options: { signal?: AbortSignal } = {},
): Promise<DownloadedFile> {
  const res = await conn.request<Buffer>({
    product: 'crm',
    method: 'GET',
    path: photoPath(module, recordId),
    responseType: 'binary',
    signal: options.signal,
  });
  if (res.status === 204) throw noPhoto(module, recordId);
  return downloadedFile(res, `photo-${recordId}`);
}

/** Removes a record's photo. */
export async function deletePhoto(
  conn: Requester,
  module: string,
  recordId: string,
  options: { signal?: AbortSignal } = {},
): Promise<PhotoResult> {
  const res = await conn.request({
    product: 'crm',
    method: 'DELETE',
    path: photoPath(module, recordId),
    signal: options.signal,
  });
  if (res.status === 204) throw noPhoto(module, recordId);
  return resultOf(res.data);
}
