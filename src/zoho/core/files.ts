/**
 * Files sent to and received from Zoho, whatever the product: the bytes of an upload, its file
 * name, its content type, and the file of a download (bytes, name from Content-Disposition,
 * content type). CRM attachments and Books attachments and PDFs share these.
 */
import { invalidInput } from './errors';
import type { ZohoResponse } from './http';
import { textOf } from './validate';

export interface DownloadedFile {
  data: Buffer;
  fileName: string;
  contentType: string;
  size: number;
}

/** A file name Zoho will take: no slashes or control characters, at most 255 characters. */
export function checkFileName(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidInput('The attachment needs a file name', 'fileName');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f/\\]/.test(value) || value.length > 255) {
    throw invalidInput(
      `"${value.slice(0, 60)}" is not a usable file name: no slashes or control characters, at most 255`,
      'fileName',
    );
  }
  return value;
}

/** The bytes of an upload; a string is sent as UTF-8. */
export function fileBytes(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  throw invalidInput(
    'The attachment content must be a Buffer, a Uint8Array, an ArrayBuffer or a string',
    'data',
  );
}

/** Refuses a file over `limit` bytes before anything is sent, naming both sizes. */
export function checkFileSize(bytes: Buffer, limit: number, product: string): void {
  if (bytes.length <= limit) return;
  const mb = (n: number) => (n / 1048576).toFixed(n % 1048576 === 0 ? 0 : 1);
  throw invalidInput(
    `The file is ${mb(bytes.length)} MB: ${product} accepts attachments of at most ${mb(limit)} MB`,
    'data',
    { size: bytes.length, limit },
  );
}

/** A content type such as `application/pdf` (parameters allowed); default octet-stream. */
export function checkContentType(value: unknown): string {
  const contentType = value ?? 'application/octet-stream';
  if (typeof contentType !== 'string' || !/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(contentType)) {
    throw invalidInput(`"${textOf(contentType)}" is not a content type`, 'contentType');
  }
  return contentType;
}

/** The file name of a Content-Disposition header (RFC 6266: `filename*` wins over `filename`). */
export function parseContentDisposition(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const star = /filename\*\s*=\s*([^;]+)/i.exec(header);
  if (star) {
    const value = star[1].trim().replace(/^"(.*)"$/, '$1');
    const m = /^([\w!#$%&+^`{}~-]+)'[^']*'(.*)$/.exec(value);
    try {
      if (m && m[1].toLowerCase() !== 'utf-8') {
        // ISO-8859-1 (the only other charset RFC 5987 names): each %XX is one character.
        return m[2].replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
          String.fromCharCode(parseInt(hex, 16)),
        );
      }
      if (m) return decodeURIComponent(m[2]);
      return decodeURIComponent(value);
    } catch {
      // fall through to the plain filename
    }
  }
  const quoted = /filename\s*=\s*"((?:\\.|[^"\\])*)"/i.exec(header);
  if (quoted) return quoted[1].replace(/\\(.)/g, '$1');
  const plain = /filename\s*=\s*([^;]+)/i.exec(header);
  return plain ? plain[1].trim() : undefined;
}

/** The file of a binary answer: its bytes, its name (else `fallbackName`) and content type. */
export function downloadedFile(res: ZohoResponse, fallbackName: string): DownloadedFile {
  const data = Buffer.isBuffer(res.data) ? res.data : Buffer.from((res.data as string) ?? '');
  const fileName = parseContentDisposition(res.headers['content-disposition']) ?? fallbackName;
  const contentType = (res.headers['content-type'] ?? 'application/octet-stream')
    .split(';')[0]
    .trim();
  return { data, fileName: fileName.replace(/[/\\]/g, '_'), contentType, size: data.length };
}
