/**
 * COQL tokenizer: identifiers (with dots for lookups), numbers, single-quoted strings with
 * `\'` or `''` escapes, comparison operators and punctuation, each with line and column.
 */
import { CoqlError } from './coql-error';

export type TokenType = 'ident' | 'number' | 'string' | 'op' | 'punct' | 'eof';

export interface Token {
  type: TokenType;
  text: string;
  /** Lower-cased text of identifiers, for keyword checks. */
  lower: string;
  value?: string | number;
  line: number;
  column: number;
}

export const KEYWORDS = new Set([
  'select',
  'from',
  'where',
  'and',
  'or',
  'order',
  'by',
  'asc',
  'desc',
  'limit',
  'offset',
  'like',
  'not',
  'in',
  'is',
  'null',
  'between',
  'group',
  'as',
]);

export const PARSE_ERROR_MESSAGE = 'error occured while parsing the query';

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = (start: number): { line: number; column: number } => ({
    line,
    column: start - lineStart + 1,
  });
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    const pos = at(start);
    if (/[A-Za-z_$]/.test(ch)) {
      while (i < text.length && /[A-Za-z0-9_$.]/.test(text[i])) i++;
      const word = text.slice(start, i);
      tokens.push({ type: 'ident', text: word, lower: word.toLowerCase(), ...pos });
    } else if (/[0-9]/.test(ch) || (ch === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      i++;
      while (i < text.length && /[0-9.]/.test(text[i])) i++;
      const num = text.slice(start, i);
      if (!/^-?\d+(\.\d+)?$/.test(num)) throw syntax({ text: num, ...pos });
      tokens.push({ type: 'number', text: num, lower: num, value: Number(num), ...pos });
    } else if (ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw syntax({ text: text.slice(start, start + 20), ...pos });
        const c = text[i];
        if (c === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else if (c === "'" && text[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (c === "'") {
          i++;
          break;
        } else {
          if (c === '\n') {
            line++;
            lineStart = i + 1;
          }
          value += c;
          i++;
        }
      }
      tokens.push({ type: 'string', text: text.slice(start, i), lower: '', value, ...pos });
    } else if (/[<>!=]/.test(ch)) {
      const two = text.slice(i, i + 2);
      const op = ['<=', '>=', '!=', '<>'].includes(two) ? two : ch;
      if (op === '!') throw syntax({ text: ch, ...pos });
      i += op.length;
      tokens.push({ type: 'op', text: op, lower: op, ...pos });
    } else if ('(),*'.includes(ch)) {
      i++;
      tokens.push({ type: 'punct', text: ch, lower: ch, ...pos });
    } else {
      throw syntax({ text: ch, ...pos });
    }
  }
  tokens.push({ type: 'eof', text: '', lower: '', ...at(text.length) });
  return tokens;
}

export function syntax(t: { text: string; line: number; column: number }): CoqlError {
  return new CoqlError('SYNTAX_ERROR', PARSE_ERROR_MESSAGE, {
    line: t.line,
    column: t.column,
    near: t.text === '' ? '<EOF>' : t.text,
  });
}
