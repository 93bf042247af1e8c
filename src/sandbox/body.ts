/**
 * Request body parsing for the three encodings Zoho accepts: JSON, form-urlencoded (the token
 * endpoint, Books' JSONString) and multipart/form-data (attachments, file uploads).
 */
import type { IncomingMessage } from 'node:http';
import type { MultipartPart } from './types';

/** Zoho caps attachments at 20 MB; a little headroom for the multipart framing. */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;

/**
 * Any JSON value of a request body as text, by JavaScript's own String(): what the sandbox
 * compares, indexes and looks up. Objects do not belong where this is used; when a client
 * sends one anyway it becomes "[object Object]" and matches nothing, as it always has.
 */
export function jsonText(value: unknown): string {
  return String(value);
}

export class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyError(413, `body larger than ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface ParsedBody {
  body: unknown;
  files?: MultipartPart[];
}

export function parseBody(contentType: string | undefined, raw: Buffer): ParsedBody {
  if (raw.length === 0) return { body: undefined };
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    return { body: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))) };
  }
  if (type === 'multipart/form-data') {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
    if (!boundary) throw new BodyError(400, 'multipart body without boundary');
    return parseMultipart(raw, (boundary[1] ?? boundary[2]).trim());
  }
  const text = raw.toString('utf8');
  // Clients often omit the content type on JSON; anything that parses as JSON is JSON.
  if (type === 'application/json' || type.endsWith('+json') || type === '') {
    try {
      return { body: JSON.parse(text) };
    } catch {
      if (type !== '') throw new BodyError(400, 'body is not valid JSON');
    }
  }
  return { body: text };
}

export function parseMultipart(raw: Buffer, boundary: string): ParsedBody {
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: Record<string, string> = {};
  const files: MultipartPart[] = [];
  let pos = raw.indexOf(delimiter);
  if (pos < 0) throw new BodyError(400, 'multipart body without its boundary');
  for (;;) {
    pos += delimiter.length;
    // '--' right after a delimiter closes the body.
    if (raw.subarray(pos, pos + 2).toString() === '--') break;
    const headerEnd = raw.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw new BodyError(400, 'malformed multipart part');
    const next = raw.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd);
    if (next < 0) throw new BodyError(400, 'unterminated multipart body');
    const headers = parseHeaders(raw.subarray(pos, headerEnd).toString('utf8'));
    const data = raw.subarray(headerEnd + 4, next);
    const disposition = headers['content-disposition'] ?? '';
    const name = param(disposition, 'name') ?? '';
    const filename = param(disposition, 'filename');
    if (filename !== undefined) {
      // The HTML form encoding percent-escapes exactly these three in filenames.
      const plain = filename.replace(/%22/g, '"').replace(/%0A/gi, '\n').replace(/%0D/gi, '\r');
      files.push({
        name,
        filename: plain,
        contentType: headers['content-type'],
        data: Buffer.from(data),
      });
    } else {
      fields[name] = data.toString('utf8');
    }
    pos = next + 2;
  }
  return { body: fields, files };
}

function parseHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

function param(header: string, name: string): string | undefined {
  const m = new RegExp(
    `(?:^|;)\\s*${name}="((?:[^"\\\\]|\\\\.)*)"|(?:^|;)\\s*${name}=([^;]*)`,
    'i',
  ).exec(header);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2].trim();
}
