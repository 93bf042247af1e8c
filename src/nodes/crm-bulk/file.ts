/**
 * crm-bulk's file output: the export's records as one CSV file (RFC 4180, the columns Zoho
 * sent), written as the chunks arrive with the stream's back-pressure, so the file can be far
 * larger than memory. A failed or cancelled export leaves no partial file behind.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { invalidInput } from '../../zoho/core/errors';
import type { Page } from '../../zoho/core/paginate';
import type { CrmRecord } from '../../zoho/crm/common';

export interface WrittenFile {
  path: string;
  count: number;
  truncated: boolean;
}

function cell(value: unknown): string {
  // Values are CSV text from Zoho (or null); anything else is written as JSON.
  const s =
    typeof value === 'string'
      ? value
      : value === null || value === undefined
        ? ''
        : JSON.stringify(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function writeCsvFile(
  directory: string,
  module: string,
  walk: AsyncIterable<Page<CrmRecord>>,
  signal: AbortSignal,
  progress: (page: number, count: number) => void,
): Promise<WrittenFile> {
  if (!path.isAbsolute(directory)) {
    throw invalidInput(`The directory must be an absolute path, not "${directory}"`, 'directory');
  }
  await fs.promises.mkdir(directory, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  // module passed checkModule (letters, digits, underscores): safe in a file name.
  const file = path.join(directory, `${module}-${stamp}.csv`);
  const out = fs.createWriteStream(file, { flags: 'wx', signal });
  let header: string[] | undefined;
  let count = 0;
  let truncated = false;
  try {
    for await (const page of walk) {
      let text = '';
      for (const rec of page.items) {
        if (!header) {
          header = Object.keys(rec);
          text += header.map(cell).join(',') + '\r\n';
        }
        text += header.map((k) => cell(rec[k])).join(',') + '\r\n';
      }
      count = page.total;
      truncated = page.truncated;
      progress(page.page, count);
      if (text && !out.write(text)) await once(out, 'drain', { signal });
    }
    out.end();
    await once(out, 'finish', { signal });
    return { path: file, count, truncated };
  } catch (e) {
    out.destroy();
    await fs.promises.rm(file, { force: true });
    throw e;
  }
}
