/**
 * Runtime texts in the node tests: a status or error text that still reads as a catalog key
 * (`crm-record.status.found`, `zoho-config.runtime.errors.…`) means a key is missing from
 * nodes/locales/en-US, since Node-RED's i18n answers a missing key with the key itself.
 */
import * as assert from 'node:assert/strict';

const SETS = [
  'zoho-config',
  'crm-record',
  'crm-coql',
  'crm-attachment',
  'books-record',
  'zoho-raw',
  'crm-watch-in',
  'crm-bulk',
  'books-watch-in',
];

/** A catalog key of this pack (with or without Node-RED's `<module>/<set>:` namespace). */
export const RAW_KEY = new RegExp(`\\b(${SETS.join('|')})\\.[A-Za-z]+\\.[A-Za-z_.]+`);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMsg = Record<string, any>;

/** Every status text, caught error message and extra text of one message's outcome. */
export function textsOf(
  outcome: { statuses?: AnyMsg[]; caught?: AnyMsg[] },
  extra: unknown[] = [],
): string[] {
  const texts: string[] = [];
  for (const s of outcome.statuses ?? []) if (s?.text !== undefined) texts.push(String(s.text));
  for (const c of outcome.caught ?? []) {
    if (c.error?.message !== undefined) texts.push(String(c.error.message));
    if (c._error?.message !== undefined) texts.push(String(c._error.message));
  }
  for (const e of extra) texts.push(String(e));
  return texts;
}

/** Fails when any text is a raw catalog key (or holds one). */
export function assertTranslated(texts: string[]): void {
  for (const text of texts) {
    assert.doesNotMatch(text, RAW_KEY, `an untranslated runtime text: ${text}`);
  }
}
