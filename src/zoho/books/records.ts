/**
 * Zoho Books v3 entities: get, list (one page or every page), create, update, delete and the
 * entity actions of catalog.ts, for any organization. Each function takes the product as its
 * last option (`product`, default BOOKS), so a product with Books' API shape can reuse them.
 *
 * - `organization_id` goes on every call: the one given, else the connection's default, else
 *   the account's default organization (`is_default_org`), discovered once per connection with
 *   GET /organizations.
 * - Zoho answers `{ code: 0, message, <entity> }`; the entity is unwrapped, every non-zero code
 *   becomes a ZohoError with Zoho's code and message.
 * - Books allows about 100 requests a minute per organization: every call takes a turn in the
 *   connection's rolling window `books:<org>` (BOOKS_RATE_LIMIT, or `rateLimit` per call).
 * - Every bad input is refused before any request, org discovery included.
 */
import { invalidInput } from '../core/errors';
import { QueryValue, segment } from '../core/http';
import { Page, paginate } from '../core/paginate';
import { checkPositiveInt, checkRecordId } from '../core/validate';
import type { BooksActionInfo } from './catalog';
import {
  BOOKS,
  BOOKS_MAX_PER_PAGE,
  BooksCallOptions,
  BooksRecord,
  BooksRequester,
  FinanceProduct,
  OrganizationChoice,
  Target,
  blank,
  checkEntity,
  checkFlag,
  checkOrgId,
  checkTarget,
  collectionPath,
  isBooksEntity,
  messageOf,
  resolveOrganization,
  send,
  unwrap,
} from './core';

/** The options of every function here: the call's, and the product (default BOOKS). */
export interface BooksOptions extends BooksCallOptions {
  product?: FinanceProduct;
}

/** The options of create and update: Zoho's query parameters of a write. */
export interface BooksWriteOptions extends BooksOptions {
  /**
   * `ignore_auto_number_generation=true`: keep the document number given in the entity (e.g. a
   * custom `invoice_number`); Zoho refuses a custom number without it where numbers are automatic.
   */
  ignoreAutoNumberGeneration?: boolean;
  /** create only: `send=true`, email the new document to its contact persons. */
  send?: boolean;
}

function writeQuery(options: BooksWriteOptions, creating: boolean): Record<string, QueryValue> {
  const ignore = checkFlag(options.ignoreAutoNumberGeneration, 'ignoreAutoNumberGeneration');
  const send = checkFlag(options.send, 'send');
  if (send !== undefined && !creating)
    throw invalidInput('send applies to create only: use the email action after an update', 'send');
  return {
    ignore_auto_number_generation: ignore ? 'true' : undefined,
    send: send ? 'true' : undefined,
  };
}

/** A filter value of a list: `{ status: 'sent', total_greater_than: 100, … }`. */
export type BooksFilterValue = string | number | boolean | null | undefined;
// ---------------------------------------------------------------------------------------------
// list options

export interface BooksListOptions extends BooksOptions {
  /** Zoho's filter parameters: { contact_name_contains: 'Acme', status: 'sent', date_start: … }. */
  search?: Record<string, BooksFilterValue>;
  page?: number;
  /** At most 200 (the default). */
  perPage?: number;
  sortColumn?: string;
  /** A / D (asc / desc accepted). */
  sortOrder?: 'A' | 'D' | 'asc' | 'desc' | 'ascending' | 'descending';
}

const RESERVED = new Set(['organization_id', 'page', 'per_page', 'sort_column', 'sort_order']);
const FILTER_KEY_RE = /^[A-Za-z][A-Za-z0-9_.]{0,99}$/;

function listQuery(options: BooksListOptions, t: Target): Record<string, QueryValue> {
  const query: Record<string, QueryValue> = {};
  if (!blank(options.search)) {
    if (!isBooksEntity(options.search)) {
      throw invalidInput(
        'The search fields must be an object of Zoho Books filter parameters, e.g. { "contact_name_contains": "Acme", "status": "active" }',
        'search',
      );
    }
    for (const [key, value] of Object.entries(options.search)) {
      if (!FILTER_KEY_RE.test(key))
        throw invalidInput(`"${key}" is not a Zoho Books filter name`, 'search');
      if (RESERVED.has(key)) {
        throw invalidInput(
          `Set ${key} with the page, perPage, sortColumn and sortOrder options, not in the search fields`,
          'search',
        );
      }
      if (value === undefined || value === null || value === '') continue;
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        throw invalidInput(
          `The search value of ${key} must be a string, number or boolean`,
          'search',
        );
      }
      query[key] = String(value);
    }
  }
  query.per_page = blank(options.perPage)
    ? BOOKS_MAX_PER_PAGE
    : checkPositiveInt(options.perPage, 'perPage', t.info?.maxPerPage ?? BOOKS_MAX_PER_PAGE);
  if (!blank(options.sortColumn)) {
    if (typeof options.sortColumn !== 'string' || !/^[a-z][a-z0-9_.]*$/.test(options.sortColumn))
      throw invalidInput(
        `"${String(options.sortColumn)}" is not a Zoho Books sort column`,
        'sortColumn',
      );
    query.sort_column = options.sortColumn;
  }
  if (!blank(options.sortOrder)) {
    const order = String(options.sortOrder).toLowerCase();
    if (!['a', 'd', 'asc', 'desc', 'ascending', 'descending'].includes(order))
      throw invalidInput('sortOrder must be A (ascending) or D (descending)', 'sortOrder');
    query.sort_order = order.startsWith('a') ? 'A' : 'D';
  }
  return query;
}

// ---------------------------------------------------------------------------------------------
// the functions

export interface BooksListResult {
  records: BooksRecord[];
  /** Zoho's page_context: page, per_page, has_more_page, sort_column, … */
  pageContext: Record<string, unknown>;
  organization: OrganizationChoice;
  /** Epoch ms of Zoho's answer (its Date header), when it sent one. */
  serverTime?: number;
  /** Bytes of Zoho's answer (what the page weighs when records are gathered). */
  bytes?: number;
}

export interface BooksWriteResult {
  record: BooksRecord;
  message: string;
  organization: OrganizationChoice;
}

export interface BooksMessageResult {
  message: string;
  organization: OrganizationChoice;
}

export async function getBooksRecord(
  conn: BooksRequester,
  recordType: string,
  recordId: string,
  options: BooksOptions = {},
): Promise<BooksWriteResult> {
  const product = options.product ?? BOOKS;
  const t = checkTarget(product, recordType, options);
  const rid = checkRecordId(recordId);
  const org = await resolveOrganization(conn, options, product);
  const res = await send(
    product,
    conn,
    org,
    { method: 'GET', path: `${collectionPath(t)}/${segment(rid)}` },
    options,
  );
  return {
    record: unwrap(res, t.info?.singular, product) as BooksRecord,
    message: messageOf(res),
    organization: org,
  };
}

async function fetchPage(
  conn: BooksRequester,
  t: Target,
  org: OrganizationChoice,
  query: Record<string, QueryValue>,
  page: number | undefined,
  options: BooksOptions,
): Promise<BooksListResult> {
  const product = options.product ?? BOOKS;
  const res = await send(
    product,
    conn,
    org,
    { method: 'GET', path: collectionPath(t), query: { ...query, page } },
    options,
  );
  const list = unwrap(res, t.info?.plural, product);
  const context = (res.data as BooksRecord).page_context;
  const date = Date.parse(res.headers.date ?? '');
  return {
    records: Array.isArray(list) ? (list as BooksRecord[]) : [],
    pageContext: isBooksEntity(context) ? context : {},
    organization: org,
    ...(!Number.isNaN(date) && { serverTime: date }),
    ...(res.bytes !== undefined && { bytes: res.bytes }),
  };
}

/** One page of records (page 1 unless `page`), at most 200. */
export async function listBooksRecords(
  conn: BooksRequester,
  recordType: string,
  options: BooksListOptions = {},
): Promise<BooksListResult> {
  const product = options.product ?? BOOKS;
  const t = checkTarget(product, recordType, options);
  const query = listQuery(options, t);
  const page = blank(options.page) ? undefined : checkPositiveInt(options.page, 'page');
  const org = await resolveOrganization(conn, options, product);
  return fetchPage(conn, t, org, query, page, options);
}

export interface BooksWalkOptions extends Omit<BooksListOptions, 'page'> {
  maxRecords?: number;
  maxPages?: number;
  /** Told which organization the walk reads, before the first page. */
  onOrganization?: (org: OrganizationChoice) => void;
}

/**
 * Every page, following page_context.has_more_page, 200 a page unless perPage:
 * `for await (const page of listAllBooksRecords(conn, 'contacts'))`. Input is checked now.
 */
export function listAllBooksRecords(
  conn: BooksRequester,
  recordType: string,
  options: BooksWalkOptions = {},
): AsyncGenerator<Page<BooksRecord>, void, undefined> {
  const product = options.product ?? BOOKS;
  const t = checkTarget(product, recordType, options);
  const query = listQuery(options, t);
  checkOrgId(options.organizationId);
  checkOrgId(options.defaultOrganizationId, 'defaultOrganizationId');
  return (async function* () {
    const org = await resolveOrganization(conn, options, product);
    options.onOrganization?.(org);
    yield* paginate<BooksRecord, number>(
      async (cursor) => {
        const page = cursor ?? 1;
        const r = await fetchPage(conn, t, org, query, page, options);
        return {
          items: r.records,
          next: r.pageContext.has_more_page === true ? page + 1 : undefined,
          info: { ...r.pageContext, organization_id: org.organizationId },
          bytes: r.bytes,
        };
      },
      { maxRecords: options.maxRecords, maxPages: options.maxPages, signal: options.signal },
    );
  })();
}

export async function createBooksRecord(
  conn: BooksRequester,
  recordType: string,
  entity: BooksRecord,
  options: BooksWriteOptions = {},
): Promise<BooksWriteResult> {
  const product = options.product ?? BOOKS;
  const t = checkTarget(product, recordType, options);
  let body = checkEntity(entity);
  const query = writeQuery(options, true);
  let path = collectionPath(t);
  if (t.info?.flatWrites && t.parentId) {
    path = `/${t.info.flatWrites.path}`;
    body = { ...body, [t.info.flatWrites.parentField]: t.parentId };
  }
  const org = await resolveOrganization(conn, options, product);
  const res = await send(product, conn, org, { method: 'POST', path, query, body }, options);
  return {
    record: unwrap(res, t.info?.singular, product) as BooksRecord,
    message: messageOf(res),
    organization: org,
  };
}

function itemPath(t: Target, id: string): string {
  if (t.info?.flatWrites) return `/${t.info.flatWrites.path}/${segment(id)}`;
  return `${collectionPath(t)}/${segment(id)}`;
}

/**
 * An update's body as Zoho requires it: a type written on a flat path carries its parent's id
 * (contact persons: contact_id), and the fields Zoho requires on an update must be there.
 */
function updateBody(t: Target, entity: BooksRecord): BooksRecord {
  const flat = t.info?.flatWrites;
  const body = flat && t.parentId ? { ...entity, [flat.parentField]: t.parentId } : entity;
  for (const field of t.info?.updateRequires ?? []) {
    if (blank(body[field])) {
      throw invalidInput(
        `Zoho requires ${field} in every update of ${t.type}: include it in the entity, even unchanged`,
        'entity',
      );
    }
  }
  return body;
}

export async function updateBooksRecord(
  conn: BooksRequester,
  recordType: string,
  recordId: string,
  entity: BooksRecord,
  options: BooksWriteOptions = {},
): Promise<BooksWriteResult> {
  const product = options.product ?? BOOKS;
  const t = checkTarget(product, recordType, options);
  const rid = checkRecordId(recordId);
  const body = updateBody(t, checkEntity(entity));
  const query = writeQuery(options, false);
  const org = await resolveOrganization(conn, options, product);
  const res = await send(
    product,
    conn,
    org,
    { method: 'PUT', path: itemPath(t, rid), query, body },
    options,
  );
  return {
    record: unwrap(res, t.info?.singular, product) as BooksRecord,
    message: messageOf(res),
    organization: org,
  };
}

export async function deleteBooksRecord(
  conn: BooksRequester,
  recordType: string,
  recordId: string,
  options: BooksOptions = {},
): Promise<BooksMessageResult> {
  const product = options.product ?? BOOKS;
  const t = checkTarget(product, recordType, options);
  const rid = checkRecordId(recordId);
  const org = await resolveOrganization(conn, options, product);
  const res = await send(product, conn, org, { method: 'DELETE', path: itemPath(t, rid) }, options);
  unwrap(res, undefined, product);
  return { message: messageOf(res), organization: org };
}

/** The body of an action, checked for the fields Zoho requires in it. */
function actionBody(
  t: Target,
  action: string,
  info: BooksActionInfo,
  body: unknown,
): BooksRecord | undefined {
  const required = info.requires ?? [];
  if (required.length === 0 && (!info.body || blank(body))) return undefined;
  const entity = checkEntity(blank(body) ? {} : body, `body of ${action}`, 'body');
  const missing = required.filter((field) => {
    const value = entity[field];
    return blank(value) || (Array.isArray(value) && value.length === 0);
  });
  if (missing.length > 0) {
    throw invalidInput(
      `Zoho needs ${missing.join(', ')} to ${action} ${t.type}: give ${required.join(', ')} in the action body, e.g. { "to_mail_ids": ["someone@example.com"] }`,
      'body',
    );
  }
  return entity;
}

/** An entity action (email, mark_as_sent, void, …; see BOOKS_TYPES). */
export async function booksAction(
  conn: BooksRequester,
  recordType: string,
  recordId: string,
  action: string,
  body?: BooksRecord,
  options: BooksOptions = {},
): Promise<BooksMessageResult> {
  const product = options.product ?? BOOKS;
  const t = checkTarget(product, recordType, options);
  const info = t.info?.actions[action];
  if (!info || !Object.prototype.hasOwnProperty.call(t.info!.actions, action)) {
    const known = Object.keys(t.info?.actions ?? {});
    throw invalidInput(
      `Unknown action "${String(action)}" for ${t.type}${known.length ? `: use ${known.join(', ')}` : ' (it has no actions)'}`,
      'action',
    );
  }
  const rid = checkRecordId(recordId);
  const payload = actionBody(t, action, info, body);
  const org = await resolveOrganization(conn, options, product);
  const res = await send(
    product,
    conn,
    org,
    { method: 'POST', path: `${collectionPath(t)}/${segment(rid)}/${info.path}`, body: payload },
    options,
  );
  unwrap(res, undefined, product);
  return { message: messageOf(res), organization: org };
}
