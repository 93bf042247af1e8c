/**
 * A streaming CSV reader (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes,
 * CRLF or LF rows): bytes in, rows out, holding only the row being read.
 */
import { StringDecoder } from 'node:string_decoder';
import { ZohoError } from './errors';

/** A row longer than this is refused rather than held: no CRM record comes near it. */
export const MAX_CSV_ROW_CHARS = 8 * 1024 * 1024;

export class CsvReader {
  private readonly decoder = new StringDecoder('utf8');
  private row: string[] = [];
  private field = '';
  private quoted = false;
  /** A quote seen inside a quoted field: either the closing quote or the first of a pair. */
  private quote = false;
  private rowChars = 0;
  /** At the very start, where a UTF-8 byte-order mark is skipped. */
  private start = true;

  /** The rows completed by this chunk. */
  push(chunk: Buffer): string[][] {
    let text = this.decoder.write(chunk);
    if (this.start && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.start = false;
    }
    return this.scan(text);
  }

  /** The last row when the input does not end with a line break. */
  end(): string[][] {
    const rows = this.scan(this.decoder.end());
    if (this.quoted && !this.quote) {
      throw new ZohoError({ code: 'BAD_CSV', kind: 'zoho', message: 'The CSV ends inside quotes' });
    }
    if (this.field !== '' || this.row.length > 0 || this.quote) {
      this.row.push(this.field);
      rows.push(this.row);
    }
    this.row = [];
    this.field = '';
    return rows;
  }

  private scan(text: string): string[][] {
    const rows: string[][] = [];
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (this.quoted) {
        if (this.quote) {
          this.quote = false;
          if (ch === '"') {
            from = i; // the second quote of the pair is kept as text
            continue;
          }
          this.quoted = false; // that quote closed the field; fall through to read ch
        } else {
          if (ch === '"') {
            this.field += text.slice(from, i);
            from = i + 1;
            this.quote = true;
          }
          continue;
        }
      }
      if (ch === '"' && this.field === '' && from === i) {
        this.quoted = true;
        from = i + 1;
      } else if (ch === ',') {
        this.row.push(this.field + text.slice(from, i));
        this.field = '';
        from = i + 1;
      } else if (ch === '\n' || ch === '\r') {
        const last = this.field + text.slice(from, i);
        // The LF of a CRLF, or a blank line: no row.
        if (!(last === '' && this.row.length === 0)) {
          this.row.push(last);
          rows.push(this.row);
        }
        this.row = [];
        this.field = '';
        this.rowChars = 0;
        from = i + 1;
      }
    }
    this.field += text.slice(from);
    this.rowChars += text.length - from;
    if (this.rowChars > MAX_CSV_ROW_CHARS) {
      throw new ZohoError({ code: 'BAD_CSV', kind: 'zoho', message: 'A CSV row is too long' });
    }
    return rows;
  }
}
