/**
 * A bulk write's records from a CSV file (RFC 4180, a header of field API names or mapped keys),
 * read as a stream: rows become records as they arrive, so a file far larger than memory is
 * written 25,000 records at a time. The file must lie under the node's Directory: a message
 * names a file there, never one elsewhere on the machine.
 */
import fs from 'node:fs';
import path from 'node:path';
import { invalidInput } from '../../zoho/core/errors';
import { CsvReader } from '../../zoho/core/csv';

/** The file's absolute path, refused unless it resolves inside `directory`. */
export function csvPathIn(directory: string | undefined, file: string): string {
  if (!directory || !path.isAbsolute(directory)) {
    throw invalidInput(
      "A CSV file to write needs the node's Directory (an absolute path) to read it from",
      'directory',
    );
  }
  const root = path.resolve(directory);
  const full = path.resolve(root, file);
  if (full !== root && full.startsWith(root + path.sep) && full.toLowerCase().endsWith('.csv')) {
    return full;
  }
  throw invalidInput(`"${file}" is not a .csv file under the node's directory`, 'records');
}

/** The file's rows as records keyed by its header; empty cells are left out. */
export async function* csvRecords(file: string): AsyncGenerator<Record<string, unknown>> {
  const csv = new CsvReader();
  let header: string[] | undefined;
  const toRecords = function* (rows: string[][]) {
    for (const row of rows) {
      if (!header) {
        header = row.map((h) => h.trim());
        continue;
      }
      const rec: Record<string, unknown> = {};
      header.forEach((name, i) => {
        if (row[i] !== undefined && row[i] !== '') rec[name] = row[i];
      });
      yield rec;
    }
  };
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 64 * 1024 })) {
    yield* toRecords(csv.push(chunk as Buffer));
  }
  yield* toRecords(csv.end());
}
