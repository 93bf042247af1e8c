/**
 * Books v3 route handlers: list with Zoho's filters and page_context, get, create, update,
 * delete and the entity actions, each answering Zoho's `{ code, message, <entity> }` envelope.
 */
import { jsonText } from '../body';
import { booksError } from '../router';
import type { SandboxReply, SandboxRequest } from '../types';
import type { ActionDef, EntityDef } from './defs';
import { PDF_TYPES, pdfOf } from './files';
import { filterByTest, listRules, modifiedSince, orgToday } from './filters';
import type { BooksStore, Entity } from './store';

export const MAX_PER_PAGE = 200;

const RESERVED = new Set([
  'organization_id',
  'page',
  'per_page',
  'sort_column',
  'sort_order',
  'filter_by',
  'search_text',
  'JSONString',
  'print',
  'accept',
  'response_option',
  'send',
  'ignore_auto_number_generation',
  'last_modified_time',
]);

/**
 * The fields Books' list endpoints filter on (with the _contains, _startswith, _start, _end,
 * _before, _after forms): the query parameters of the list calls in Zoho's Books v3 docs. Any
 * other parameter is ignored, as Zoho ignores it, rather than turned into a filter.
 */
const FILTER_FIELDS = new Set([
  'contact_name',
  'company_name',
  'first_name',
  'last_name',
  'email',
  'phone',
  'contact_type',
  'customer_id',
  'customer_name',
  'vendor_id',
  'vendor_name',
  'name',
  'description',
  'rate',
  'sku',
  'item_name',
  'item_id',
  'invoice_number',
  'estimate_number',
  'salesorder_number',
  'purchaseorder_number',
  'bill_number',
  'creditnote_number',
  'reference_number',
  'payment_mode',
  'amount',
  'total',
  'balance',
  'date',
  'due_date',
  'journal_date',
  'account_name',
  'account_type',
  'notes',
  'status',
  'tax_name',
]);

const FILTER_SUFFIX = /_(contains|startswith|start|end|before|after)$/;

export const invalidValue = (what: string): SandboxReply =>
  booksError(400, 4, `Invalid value passed for ${what}`);
export const doesNotExist = (def: EntityDef): SandboxReply =>
  booksError(404, 1002, `${def.label} does not exist.`);
export const invalidUrl = (): SandboxReply => booksError(404, 5, 'Invalid URL Passed');

const ok = (status: number, message: string, extra: Entity = {}): SandboxReply => ({
  status,
  body: { code: 0, message, ...extra },
});

/** Body of a write: JSON, or a form whose `JSONString` field holds the JSON (both are Zoho's). */
export function bodyOf(req: SandboxRequest): { body: Entity } | { error: SandboxReply } {
  let body = req.body;
  const malformed = { error: booksError(400, 1038, 'JSON is not well formed') };
  if (body && typeof body === 'object' && typeof (body as Entity).JSONString === 'string') {
    try {
      body = JSON.parse((body as Entity).JSONString as string);
    } catch {
      return malformed;
    }
  }
  if (body === undefined) return { body: {} };
  if (!body || typeof body !== 'object' || Array.isArray(body)) return malformed;
  return { body: body as Entity };
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : jsonText(value).toLowerCase();
}

function compare(a: unknown, b: unknown): number {
  const na = Number(a);
  const nb = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  const sa = text(a);
  const sb = text(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

type Test = (e: Entity) => boolean;

function filterOf(key: string, value: string): Test {
  const suffix = /^(.+)_(contains|startswith|start|end|before|after)$/.exec(key);
  const want = value.toLowerCase();
  if (suffix) {
    const [, field, op] = suffix;
    return (e) => {
      const have = e[field];
      if (have === undefined || have === null) return false;
      const c = compare(have, value);
      switch (op) {
        case 'contains':
          return text(have).includes(want);
        case 'startswith':
          return text(have).startsWith(want);
        case 'start':
          return c >= 0;
        case 'end':
          return c <= 0;
        case 'before':
          return c < 0;
        default:
          return c > 0;
      }
    };
  }
  return (e) => text(e[key]) === want;
}

function positiveInt(value: string | null, fallback: number, max: number): number | undefined {
  if (value === null || value === '') return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : undefined;
}

/** Sorts in place by `column`, stable (equal rows keep their insertion order). */
function sortRows(rows: Entity[], column: string): void {
  const order = new Map(rows.map((e, i) => [e, i]));
  rows.sort((a, b) => compare(a[column], b[column]) || order.get(a)! - order.get(b)!);
}

export function list(
  store: BooksStore,
  orgId: string,
  def: EntityDef,
  req: SandboxRequest,
  parentId?: string,
): SandboxReply {
  const q = req.query;
  const page = positiveInt(q.get('page'), 1, Number.MAX_SAFE_INTEGER);
  if (page === undefined) return invalidValue('page');
  const perPage = positiveInt(q.get('per_page'), MAX_PER_PAGE, def.maxPerPage ?? MAX_PER_PAGE);
  if (perPage === undefined) return invalidValue('per_page');
  const sortOrder = q.get('sort_order') ?? 'A';
  if (sortOrder !== 'A' && sortOrder !== 'D') return invalidValue('sort_order');
  const sortColumn = q.get('sort_column') ?? '';
  if (sortColumn !== '' && !/^[a-z][a-z0-9_]*$/.test(sortColumn))
    return invalidValue('sort_column');

  const rules = listRules(def);
  const filterBy = q.get('filter_by') ?? Object.keys(rules.filters)[0];
  const byFilter = filterByTest(rules, filterBy);
  if (!byFilter) return booksError(400, 2, 'Invalid value passed for filter_by');
  const today = orgToday(store.now(), store.timeZone(orgId));
  const tests: Test[] = [(e) => byFilter(e, today)];
  if (parentId !== undefined) tests.push((e) => e.contact_id === parentId);
  const since = q.get('last_modified_time');
  if (since !== null && rules.modifiedSince) {
    const test = modifiedSince(since);
    if (!test) return invalidValue('last_modified_time');
    tests.push(test);
  }
  const search = q.get('search_text');
  if (search) {
    const want = search.toLowerCase();
    const fields = [def.nameField, 'contact_name', 'customer_name', 'vendor_name', 'email'];
    tests.push((e) => fields.some((f) => text(e[f]).includes(want)));
  }
  const filters = [...new Set(q.keys())].filter(
    (k) => !RESERVED.has(k) && FILTER_FIELDS.has(k.replace(FILTER_SUFFIX, '')),
  );
  for (const key of filters) tests.push(filterOf(key, q.get(key) ?? ''));

  const rows: Entity[] = [];
  for (const e of store.table(orgId, def.name).values()) if (tests.every((t) => t(e))) rows.push(e);
  const column = sortColumn || rules.sort.column;
  const order = q.get('sort_order') ?? (sortColumn ? 'A' : rules.sort.order);
  sortRows(rows, column);
  if (order === 'D') rows.reverse();
  const start = (page - 1) * perPage;
  const slice = rows.slice(start, start + perPage);
  return ok(200, 'success', {
    [def.plural]: slice,
    page_context: {
      page,
      per_page: perPage,
      has_more_page: start + perPage < rows.length,
      report_name: def.label + 's',
      applied_filter: filterBy,
      ...rules.context,
      sort_column: column,
      sort_order: order,
      ...(filters.length > 0 && {
        search_criteria: filters.map((k) => ({ column_name: k, search_text: q.get(k) })),
      }),
    },
  });
}

/**
 * One entity; a document asked with `accept=pdf` comes as its PDF (files.ts). Other query
 * parameters are ignored, as Zoho ignores parameters a call does not take.
 */
export function get(
  store: BooksStore,
  orgId: string,
  def: EntityDef,
  id: string,
  parentId?: string,
  query?: URLSearchParams,
) {
  const e = store.get(orgId, def.name, id);
  if (!e || (parentId !== undefined && e.contact_id !== parentId)) return doesNotExist(def);
  if (query?.get('accept') === 'pdf' && PDF_TYPES.has(def.name)) return pdfOf(def, e);
  return ok(200, 'success', { [def.singular]: e });
}

const DATE_FIELDS = ['date', 'due_date', 'journal_date', 'expiry_date', 'payment_expected_date'];

/** A journal's debits equal its credits (a journal entry must balance; its refusal text is ours). */
function balanced(lines: unknown[]): boolean {
  let sum = 0;
  for (const line of lines as Entity[]) {
    const amount = Number(line?.amount ?? 0);
    sum += line?.debit_or_credit === 'credit' ? -amount : amount;
  }
  return Math.abs(sum) < 0.005;
}

function checkWrite(
  store: BooksStore,
  orgId: string,
  def: EntityDef,
  body: Entity,
  creating: boolean,
) {
  if (creating) {
    for (const field of def.mandatory) {
      const v = body[field];
      if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) {
        return invalidValue(field);
      }
    }
  }
  if (body.line_items !== undefined) {
    if (!Array.isArray(body.line_items)) return invalidValue('line_items');
    for (const line of body.line_items) {
      if (!line || typeof line !== 'object' || Array.isArray(line))
        return invalidValue('line_items');
    }
  }
  // Books takes dates as yyyy-mm-dd only (its docs' date format; docs/ZOHO-FACTS.md).
  for (const field of DATE_FIELDS) {
    const v = body[field];
    if (v !== undefined && (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)))
      return invalidValue(field);
  }
  if (def.name === 'journals' && Array.isArray(body.line_items) && !balanced(body.line_items))
    return invalidValue('line_items');
  for (const ref of def.contactRefs ?? []) {
    if (body[ref] === undefined) continue;
    if (!store.get(orgId, 'contacts', jsonText(body[ref]))) return invalidValue(ref);
  }
  return undefined;
}

/**
 * Documents numbered automatically (INV-, QT-, SO-, PO-, CN-) take a number of their own only
 * with `ignore_auto_number_generation=true`, which in turn "mandates" the number (zoho/
 * books-java-wrappers InvoicesApi.create; issue 20). Zoho's refusal text: unverified.
 */
function checkNumbering(def: EntityDef, body: Entity, query?: URLSearchParams) {
  if (!def.number?.prefix) return undefined;
  const field = def.number.field;
  const given = body[field] !== undefined && body[field] !== null && body[field] !== '';
  const ignoreAuto = query?.get('ignore_auto_number_generation') === 'true';
  return given === ignoreAuto ? undefined : invalidValue(field);
}

export function create(
  store: BooksStore,
  orgId: string,
  def: EntityDef,
  body: Entity,
  parentId?: string,
  query?: URLSearchParams,
): SandboxReply {
  const bad = checkWrite(store, orgId, def, body, true) ?? checkNumbering(def, body, query);
  if (bad) return bad;
  const values = { ...body };
  delete values[def.idField];
  if (parentId !== undefined) values.contact_id = parentId;
  const e = store.put(orgId, def, values);
  const message =
    def.messages?.created ??
    (def.name === 'contactpersons'
      ? 'The contactperson has been Created'
      : `The ${def.label.toLowerCase()} has been created.`);
  return ok(201, message, { [def.singular]: e });
}

export function update(
  store: BooksStore,
  orgId: string,
  def: EntityDef,
  id: string,
  body: Entity,
  parentId?: string,
): SandboxReply {
  const e = store.get(orgId, def.name, id);
  if (!e || (parentId !== undefined && e.contact_id !== parentId)) return doesNotExist(def);
  const bad = checkWrite(store, orgId, def, body, false);
  if (bad) return bad;
  const values = { ...body };
  delete values[def.idField];
  if (def.parent) delete values.contact_id;
  store.update(orgId, def, e, values);
  const message = def.messages?.updated ?? `${def.label} information has been saved.`;
  return ok(200, message, { [def.singular]: e });
}

/**
 * PUT /contacts/contactpersons/{id}: Zoho's "Update a contact person" requires contact_id and
 * first_name (docs/ZOHO-FACTS.md, Zoho Books); contact_id must be the person's contact.
 */
export function updatePerson(
  store: BooksStore,
  orgId: string,
  def: EntityDef,
  id: string,
  body: Entity,
): SandboxReply {
  const person = store.get(orgId, def.name, id);
  if (!person) return doesNotExist(def);
  for (const field of ['contact_id', 'first_name']) {
    if (body[field] === undefined || body[field] === null || body[field] === '')
      return invalidValue(field);
  }
  if (jsonText(body.contact_id) !== person.contact_id) return invalidValue('contact_id');
  return update(store, orgId, def, id, body, jsonText(body.contact_id));
}

export function remove(
  store: BooksStore,
  orgId: string,
  def: EntityDef,
  id: string,
  parentId?: string,
): SandboxReply {
  const e = store.get(orgId, def.name, id);
  if (!e || (parentId !== undefined && e.contact_id !== parentId)) return doesNotExist(def);
  store.remove(orgId, def.name, id);
  return ok(200, def.messages?.deleted ?? `The ${def.label.toLowerCase()} has been deleted.`);
}

export function act(
  store: BooksStore,
  orgId: string,
  def: EntityDef,
  id: string,
  actionPath: string,
  body: Entity = {},
): SandboxReply {
  const action: ActionDef | undefined = Object.values(def.actions ?? {}).find(
    (a) => a.path === actionPath,
  );
  if (!action) return invalidUrl();
  const e = store.get(orgId, def.name, id);
  if (!e) return doesNotExist(def);
  for (const need of action.requires ?? []) {
    const v = body[need];
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0))
      return invalidValue(need);
  }
  const field = def.status?.field ?? 'status';
  const current = e[field];
  if (action.notFrom?.includes(String(current))) {
    return booksError(
      400,
      1003,
      `This action cannot be performed on a ${String(current)} ${def.label.toLowerCase()}.`,
    );
  }
  if (action.to !== undefined)
    e[field] = typeof action.to === 'string' ? action.to : action.to(current);
  // The recorded email answer says whether it was the document's first (send-invoice-email).
  const reply = action.path === 'email' ? { is_first_email: e.is_emailed !== true } : {};
  if (action.set) Object.assign(e, action.set);
  e.last_modified_time = store.timestamp(orgId);
  return ok(200, action.message, reply);
}
