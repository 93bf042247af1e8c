/**
 * Record tags:
 *   GET  /settings/tags?module=                 the module's tags `{ tags, info }`
 *   POST /{module}/actions/add_tags             `{ tags: [{ name }], ids, over_write }`
 *   POST /{module}/actions/remove_tags          `{ tags: [{ name } | { id }], ids }`
 *
 * Sources: Zoho's v8 OpenAPI tags.json (paths, `over_write` as query and body key, the bodies
 * New_Tag_Request_Wrapper / Existing_Tag_Request_Wrapper, the answer Record_Success_Wrapper with
 * one `details: { id, tags }` per record, Response_Wrapper with `info.count` / `allowed_count`,
 * the 400 answers Record_Action_Wrapper_Error, Mandatory_Not_Found, Invalid_Data). At most 100
 * records a call: Zoho's v2 "Add Tags to Records" page and issue 17; the refusal's shape (INVALID_DATA
 * with Maximum_Length details) and refusing the whole call when one id is unknown are
 * **unverified** (docs/ZOHO-FACTS.md, Records: tags).
 */
import type { SandboxReply, SandboxRequest } from '../types';
import { isReply, type CrmContext } from './context';
import type { CrmStore } from './store';
import type { MinifiedUser } from './types';
import { minified } from './users';
import { TAG_NAME_MAX } from './validate';
import { error, invalidModule, isObject, paramMissing } from './util';

/** Records one add_tags / remove_tags call may name. */
export const TAG_IDS_MAX = 100;
/** What Zoho reports as `allowed_count` (unverified: the org's plan sets it). */
const TAGS_ALLOWED = 100;

interface TagMeta {
  id: string;
  name: string;
  created: string;
  by: MinifiedUser;
}

/** When each tag first appeared and who added it, per store (the store keeps only name → id). */
const known = new WeakMap<CrmStore, Map<string, TagMeta>>();

function metaOf(c: CrmContext, id: string, name: string): TagMeta {
  let map = known.get(c.store);
  if (!map) known.set(c.store, (map = new Map<string, TagMeta>()));
  let meta = map.get(id);
  if (!meta) {
    const created = c.store.formatTime(c.now());
    map.set(id, (meta = { id, name, created, by: minified(c.store.currentUser) }));
  }
  return meta;
}

interface RecordTag {
  id: string;
  name: string;
  color_code: string | null;
}

const tagsOf = (v: unknown): RecordTag[] => (Array.isArray(v) ? (v as RecordTag[]) : []);

export function listTags(c: CrmContext, req: SandboxRequest): SandboxReply {
  const name = req.query.get('module');
  if (name === null || name === '') return paramMissing('module');
  const def = c.store.modules.get(name);
  if (!def) return invalidModule();
  const seen = new Map<string, RecordTag>();
  for (const rec of c.store.all(def.api_name))
    for (const t of tagsOf(rec.data.Tag)) if (!seen.has(t.id)) seen.set(t.id, t);
  const tags = [...seen.values()].map((t) => {
    const meta = metaOf(c, t.id, t.name);
    return {
      name: t.name,
      color_code: t.color_code,
      created_time: meta.created,
      modified_time: meta.created,
      created_by: meta.by,
      modified_by: meta.by,
      id: t.id,
    };
  });
  return { status: 200, body: { tags, info: { count: tags.length, allowed_count: TAGS_ALLOWED } } };
}

const missing = (key: string): SandboxReply =>
  error(400, 'MANDATORY_NOT_FOUND', 'required field not found', {
    api_name: key,
    json_path: `$.${key}`,
  });

const badData = (api_name: string, json_path: string) => ({
  status: 'error',
  code: 'INVALID_DATA',
  message: 'invalid data',
  details: { api_name, json_path },
});

/** The body's tags and ids, or the answer refusing them. */
function readBody(
  req: SandboxRequest,
  adding: boolean,
): { tags: Record<string, unknown>[]; ids: string[] } | SandboxReply {
  const body = isObject(req.body) ? req.body : {};
  if (!Array.isArray(body.tags) || body.tags.length === 0) return missing('tags');
  const ids = Array.isArray(body.ids) ? body.ids : (req.query.get('ids')?.split(',') ?? []);
  if (ids.length === 0) return missing('ids');
  if (ids.length > TAG_IDS_MAX) {
    return error(400, 'INVALID_DATA', 'invalid data', {
      api_name: 'ids',
      json_path: '$.ids',
      maximum_length: TAG_IDS_MAX,
    });
  }
  const tags = body.tags as unknown[];
  const badTag = tags.findIndex((t) => {
    if (!isObject(t)) return true;
    if (!adding && typeof t.id === 'string' && t.id !== '') return false;
    return typeof t.name !== 'string' || t.name === '' || t.name.length > TAG_NAME_MAX;
  });
  if (badTag >= 0) return { status: 400, body: { data: [badData('name', `$.tags[${badTag}]`)] } };
  return { tags: tags as Record<string, unknown>[], ids: ids.map(String) };
}

/** Adds (`add`) or removes the tags on every record named; all or nothing. */
export function changeTags(c: CrmContext, req: SandboxRequest, add: boolean): SandboxReply {
  const def = c.module(req);
  if (isReply(def)) return def;
  const input = readBody(req, add);
  if (isReply(input)) return input;
  const unknown = input.ids
    .map((id, i) => (c.store.get(def.api_name, id) ? -1 : i))
    .filter((i) => i >= 0);
  if (unknown.length > 0)
    return { status: 400, body: { data: unknown.map((i) => badData('id', `$.ids[${i}]`)) } };
  const body = isObject(req.body) ? req.body : {};
  const overWrite = add && (body.over_write === true || req.query.get('over_write') === 'true');
  const given = input.tags.map((t) =>
    typeof t.name === 'string' ? c.store.tagId(t.name) : String(t.id),
  );
  const data = input.ids.map((id) => {
    const rec = c.store.get(def.api_name, id)!;
    const before = overWrite ? [] : tagsOf(rec.data.Tag);
    let after: RecordTag[];
    if (add) {
      after = [...before];
      for (const t of input.tags) {
        const name = String(t.name);
        const tagId = c.store.tagId(name);
        if (!after.some((x) => x.id === tagId)) after.push({ name, id: tagId, color_code: null });
      }
    } else after = before.filter((x) => !given.includes(x.id));
    c.store.update(def.api_name, id, { Tag: after });
    return {
      code: 'SUCCESS',
      status: 'success',
      message: add ? 'tags updated successfully' : 'tags removed successfully',
      details: { id, tags: after },
    };
  });
  c.emit({ module: def.api_name, operation: 'update', ids: input.ids, fields: ['Tag'] });
  return {
    status: 200,
    body: { data, success_count: String(data.length), locked_count: '0', wf_scheduler: false },
  };
}
