/**
 * Zoho CRM record tags (API v8, tags.json): add or remove tags on any number of records through
 * `actions/add_tags` / `remove_tags`, 100 records a call, one result per record in input order;
 * list a module's tags. A record's `Tag` field is Zoho's shape, `[{ name, id, color_code }]`.
 */
import { ZohoError, invalidInput } from '../core/errors';
import { checkRecordIds } from '../core/validate';
import { BATCH_REFUSED, WriteOptions, WriteResult, runWrite } from './write';
import { Requester, asRecord, dataOf, path } from './common';
import { checkModule } from './validate';

/** A tag name is at most 25 characters (tags.json, Tag.name maxLength). */
export const TAG_NAME_MAX = 25;

export interface CrmTag {
  id: string;
  name: string;
  color_code: string | null;
  [key: string]: unknown;
}

export interface TagOptions extends Omit<WriteOptions, 'trigger' | 'fieldMeta'> {
  /** add: replace each record's tags with these instead of adding to them (Zoho's over_write). */
  overWrite?: boolean;
}

/** Tag names from a comma list, an array of names, or Zoho's `[{ name }]`. */
export function checkTagNames(value: unknown, param = 'tags'): string[] {
  const raw =
    typeof value === 'string'
      ? value.split(',')
      : Array.isArray(value)
        ? value.map((t: unknown) => (asRecord(t) ? asRecord(t)?.name : t))
        : undefined;
  if (!raw) throw invalidInput('Give the tags as a comma list or an array of names', param);
  const names = raw.map((n) => (typeof n === 'string' ? n.trim() : n));
  if (names.length === 0 || names.every((n) => n === ''))
    throw invalidInput('No tags given', param);
  for (const n of names) {
    if (typeof n !== 'string' || n === '' || n.length > TAG_NAME_MAX) {
      throw invalidInput(
        `${JSON.stringify(n)} is not a tag name: 1 to ${TAG_NAME_MAX} characters`,
        param,
      );
    }
  }
  return [...new Set(names as string[])];
}

/**
 * Zoho refuses the whole call when an id is unknown, answering 400 with one entry per bad id
 * (`json_path` `$.ids[k]`): those ids get their entry, the others are marked BATCH_REFUSED.
 */
function perIdFromError(error: unknown, ids: string[]): unknown[] | undefined {
  if (!(error instanceof ZohoError) || error.status !== 400) return undefined;
  const data = asRecord(error.details)?.data;
  if (!Array.isArray(data)) return undefined;
  const byIndex = new Map<number, unknown>();
  for (const entry of data) {
    const at = /^\$\.ids\[(\d+)\]/.exec(String(asRecord(asRecord(entry)?.details)?.json_path));
    if (at) byIndex.set(Number(at[1]), entry);
  }
  if (byIndex.size === 0) return undefined;
  return ids.map(
    (id, i) =>
      byIndex.get(i) ?? {
        code: BATCH_REFUSED,
        status: 'error',
        message:
          'Zoho refused this call because of other records in it; this record was not changed',
        details: { id },
      },
  );
}

async function changeTags(
  conn: Requester,
  action: 'add_tags' | 'remove_tags',
  module: string,
  ids: string | readonly string[],
  tags: unknown,
  options: TagOptions,
): Promise<WriteResult> {
  const mod = checkModule(module);
  const list = checkRecordIds(ids);
  const names = checkTagNames(tags);
  const overWrite = action === 'add_tags' ? options.overWrite === true : undefined;
  return runWrite({
    items: list,
    options,
    send: async (chunk) => {
      try {
        const res = await conn.request({
          product: 'crm',
          method: 'POST',
          path: path(mod, 'actions', action),
          query: overWrite === undefined ? undefined : { over_write: String(overWrite) },
          body: {
            tags: names.map((name) => ({ name })),
            ids: chunk,
            ...(overWrite === undefined ? {} : { over_write: overWrite }),
          },
          signal: options.signal,
        });
        const byId = new Map<string, unknown>();
        for (const e of dataOf(res.data)) byId.set(String(asRecord(asRecord(e)?.details)?.id), e);
        return chunk.map((id, i) => byId.get(id) ?? dataOf(res.data)[i]);
      } catch (error) {
        const entries = perIdFromError(error, chunk);
        if (entries) return entries;
        throw error;
      }
    },
  });
}

/** Adds tags to records (100 per call); with overWrite the records keep only these tags. */
export async function addTags(
  conn: Requester,
  module: string,
  ids: string | readonly string[],
  tags: string | readonly unknown[],
  options: TagOptions = {},
): Promise<WriteResult> {
  return changeTags(conn, 'add_tags', module, ids, tags, options);
}

/** Removes tags (by name) from records (100 per call). */
export async function removeTags(
  conn: Requester,
  module: string,
  ids: string | readonly string[],
  tags: string | readonly unknown[],
  options: Omit<TagOptions, 'overWrite'> = {},
): Promise<WriteResult> {
  return changeTags(conn, 'remove_tags', module, ids, tags, options);
}

/** The tags of a module (settings/tags); one call, Zoho answers them all. */
export async function listTags(
  conn: Requester,
  module: string,
  options: { signal?: AbortSignal } = {},
): Promise<CrmTag[]> {
  const mod = checkModule(module);
  const res = await conn.request({
    product: 'crm',
    method: 'GET',
    path: '/v8/settings/tags',
    query: { module: mod },
    signal: options.signal,
  });
  const tags = asRecord(res.data)?.tags;
  return Array.isArray(tags) ? (tags as CrmTag[]) : [];
}
