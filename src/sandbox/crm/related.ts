/**
 * Related lists and related records:
 *   GET /settings/related_lists?module=     the lists a module's records show
 *   GET|PUT|DELETE /{module}/{id}/{list}     the records in one list; relate; delink (`ids`)
 *
 * Sources: Zoho's v8 OpenAPI related_records.json (paths, `ids`, answers "relation added" /
 * "relation removed", errors "The relation name given seems to be invalid" and "the related id
 * given seems to be invalid"); the official Node SDK 8.0 (related_lists/related_list.js: the
 * keys of a related list, `related_lists` wrapper, `module` parameter). Which lists a module has is
 * modelled as Zoho shows them for standard modules: one per module whose lookup points here
 * (Accounts → Contacts, Deals), plus Notes (Parent_Id) and Attachments. Self-lookups
 * (Parent_Account) and the activity lists are left out (their api names are unverified), and
 * relating through PUT sets the child's lookup (unverified for 1:N lists).
 */
import type { SandboxReply, SandboxRequest } from '../types';
import { parentRecord } from './attachments';
import { isReply, type CrmContext } from './context';
import { pageReply } from './page-reply';
import { fieldsParam, paging } from './records';
import type { CrmStore } from './store';
import type { FieldDef, ModuleDef, StoredRecord } from './types';
import { error, invalidModule, isObject, paramMissing, splitList } from './util';

interface RelatedList {
  api_name: string;
  /** The module of the related records, and its field pointing at the parent. */
  child?: { def: ModuleDef; field: FieldDef };
}

export function relatedListsOf(store: CrmStore, def: ModuleDef): RelatedList[] {
  const lists: RelatedList[] = [];
  for (const child of store.modules.list()) {
    if (child.api_name === def.api_name) continue;
    const field =
      child.api_name === 'Notes'
        ? child.fields.find((f) => f.api_name === 'Parent_Id')
        : child.fields.find((f) => f.type === 'lookup' && f.lookup === def.api_name);
    if (field) lists.push({ api_name: child.api_name, child: { def: child, field } });
  }
  lists.push({ api_name: 'Attachments' });
  return lists;
}

export function listRelatedLists(c: CrmContext, req: SandboxRequest): SandboxReply {
  const name = req.query.get('module');
  if (name === null || name === '') return paramMissing('module');
  const def = c.store.modules.get(name);
  if (!def) return invalidModule();
  const related_lists = relatedListsOf(c.store, def).map((l, i) => ({
    id: String(BigInt(def.id ?? '0') + BigInt(i + 1) * 7n),
    sequence_number: String(i + 1),
    display_label: l.child?.def.plural_label ?? l.api_name,
    api_name: l.api_name,
    module: { api_name: def.api_name, id: def.id },
    name: l.api_name,
    action: null,
    href: `${def.api_name}/{ID}/${l.api_name}`,
    type: 'default',
    connectedmodule: null,
    linkingmodule: null,
    visible: true,
    status: 'visible',
  }));
  return { status: 200, body: { related_lists } };
}

const relationInvalid = (): SandboxReply =>
  error(400, 'INVALID_DATA', 'The relation name given seems to be invalid', {
    resource_path_index: 2,
  });

type Resolved = { rec: StoredRecord; child: { def: ModuleDef; field: FieldDef } };

function resolve(c: CrmContext, req: SandboxRequest): Resolved | SandboxReply {
  const p = parentRecord(c, req);
  if (isReply(p)) return p;
  const list = relatedListsOf(c.store, p.def).find((l) => l.api_name === req.params.related);
  return list?.child ? { rec: p.rec, child: list.child } : relationInvalid();
}

const linkOf = (rec: StoredRecord, field: FieldDef): unknown => rec.data[field.api_name];
const isLinked = (child: StoredRecord, field: FieldDef, parentId: string): boolean => {
  const link = linkOf(child, field);
  return isObject(link) && link.id === parentId;
};

export function getRelatedRecords(c: CrmContext, req: SandboxRequest): SandboxReply {
  const r = resolve(c, req);
  if (isReply(r)) return r;
  const fields = fieldsParam(r.child.def, req, false);
  if (isReply(fields)) return fields;
  const pg = paging(req);
  if (isReply(pg)) return pg;
  const all = c.store.all(r.child.def.api_name).filter((x) => isLinked(x, r.child.field, r.rec.id));
  return pageReply(all, pg, (x) => c.present(r.child.def, x, fields));
}

const itemError = (id: string) => ({
  code: 'INVALID_DATA',
  details: { id },
  message: 'the related id given seems to be invalid',
  status: 'error',
});

/** PUT relates (`data: [{ id }]`), DELETE delinks (`ids`): one answer per id, in order. */
export function linkRelatedRecords(
  c: CrmContext,
  req: SandboxRequest,
  link: boolean,
): SandboxReply {
  const r = resolve(c, req);
  if (isReply(r)) return r;
  const { def, field } = r.child;
  const ids = link
    ? (isObject(req.body) && Array.isArray(req.body.data) ? req.body.data : []).map((d) =>
        isObject(d) && typeof d.id === 'string' ? d.id : '',
      )
    : splitList(req.query.get('ids'));
  if (ids.length === 0) return link ? paramMissing('data') : paramMissing('ids');
  const changed: string[] = [];
  const data = ids.map((id) => {
    const child = c.store.get(def.api_name, id);
    if (!child || (!link && !isLinked(child, field, r.rec.id))) return itemError(id);
    c.store.update(def.api_name, id, { [field.api_name]: link ? { id: r.rec.id } : null });
    changed.push(id);
    const message = link ? 'relation added' : 'relation removed';
    return { code: 'SUCCESS', details: { id }, message, status: 'success' };
  });
  c.emit({ module: def.api_name, operation: 'update', ids: changed, fields: [field.api_name] });
  return { status: 200, body: { data } };
}
