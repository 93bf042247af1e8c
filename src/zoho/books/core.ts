/**
 * What the functions of Zoho Books — and of the products built like it (Inventory, Invoice,
 * Billing: an organization per call, a `{ code, message, … }` envelope, `page_context`) — share:
 * types, input checks (record type, parent, ids, entities), organization discovery (cached per
 * connection and product), unwrapping the envelope and the one send path with the
 * per-organization window. Each takes the product as a FinanceProduct; Books passes BOOKS.
 */
import type { ZohoConnection } from '../core/connection';
import { ZohoError, invalidInput } from '../core/errors';
import { answerThroughFleet } from '../core/fleet-answer';
import { QueryValue, ZohoResponse, segment } from '../core/http';
import { Quota, booksQuotaHeaders } from '../core/limits';
import type { Product } from '../core/regions';
import { httpError } from '../core/response';
import { checkRecordId, textOf } from '../core/validate';
import { BOOKS_NAME_RE, BOOKS_TYPES, BooksTypeInfo, booksTypeInfo } from './catalog';

export type BooksRequester = Pick<ZohoConnection, 'request'> &
  Partial<Pick<ZohoConnection, 'sharedCache'>>;
export type BooksRecord = Record<string, unknown>;

export const BOOKS_MAX_PER_PAGE = 200;
/** Zoho Books: 100 requests a minute per organization. */
export const BOOKS_RATE_LIMIT = { limit: 100, windowMs: 60_000 };

export interface BooksRateLimit {
  limit: number;
  windowMs: number;
}

/** A Zoho product with Books' shape of API. */
export interface FinanceProduct {
  /** The product id of regions.ts, which names its host. */
  id: Product;
  /** Its name in messages, e.g. "Zoho Books". */
  name: string;
  /** Its API path, e.g. `/books/v3`. */
  apiPath: string;
  /** The query parameter naming the organization of a call. */
  organizationParam: string;
  /** Its per-organization request window. */
  rateLimit: BooksRateLimit;
  /** The record types it knows (paths, envelope keys, parents, actions). */
  types: Readonly<Record<string, BooksTypeInfo>>;
}

export const BOOKS: FinanceProduct = {
  id: 'books',
  name: 'Zoho Books',
  apiPath: '/books/v3',
  organizationParam: 'organization_id',
  rateLimit: BOOKS_RATE_LIMIT,
  types: BOOKS_TYPES,
};

export interface BooksOrganization {
  organization_id: string;
  name: string;
  is_default_org: boolean;
  [key: string]: unknown;
}

/** Which organization a call went to, and why. */
export interface OrganizationChoice {
  organizationId: string;
  /** given: by the caller; connection: the connection's default; discovered: Zoho's default. */
  source: 'given' | 'connection' | 'discovered';
  name?: string;
  /** Organizations of the account, when discovered. */
  count?: number;
  /** The organization's daily quota, as the last answer to this choice's calls told it. */
  quota?: Quota;
}

export interface BooksCallOptions {
  /** The organization of this call. */
  organizationId?: string;
  /** The organization to use when the call names none (before asking Zoho for its default). */
  defaultOrganizationId?: string;
  /** Parent type and id of a nested resource (contact persons: contacts + the contact id). */
  parentType?: string;
  parentId?: string;
  /** Override Books' per-organization window; false turns it off. */
  rateLimit?: BooksRateLimit | false;
  signal?: AbortSignal;
}

// ---------------------------------------------------------------------------------------------
// input checks

export interface Target {
  type: string;
  info?: BooksTypeInfo;
  parentType?: string;
  parentId?: string;
}

export function blank(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

export function checkName(value: unknown, what: string, param: string, product = BOOKS): string {
  if (typeof value !== 'string' || !BOOKS_NAME_RE.test(value)) {
    throw invalidInput(
      `${blank(value) ? `No ${what} given` : `"${String(value)}" is not a ${product.name} ${what}`}: use a name like "invoices" or "contacts" (lowercase letters, digits, _)`,
      param,
    );
  }
  return value;
}

export function checkTarget(
  product: FinanceProduct,
  recordType: string,
  options: BooksCallOptions,
): Target {
  const type = checkName(recordType, 'record type', 'recordType', product);
  const info = booksTypeInfo(type, product.types);
  const givenParent: unknown = options.parentType;
  if (blank(givenParent) && info?.parent === undefined) return { type, info };
  const parentType = blank(givenParent)
    ? info!.parent!
    : checkName(givenParent, 'parent record type', 'parentType', product);
  if (info && info.parent !== parentType) {
    throw invalidInput(
      info.parent
        ? `${type} are nested under ${info.parent}, not ${parentType}`
        : `${type} are not nested under another record type: leave the parent record type empty`,
      'parentType',
    );
  }
  if (blank(options.parentId)) {
    throw invalidInput(
      `No parent record id given: ${type} live under one of the ${parentType}`,
      'parentId',
    );
  }
  return {
    type,
    info,
    parentType,
    parentId: checkRecordId(options.parentId, 'parentId', 'parent record id'),
  };
}

export function collectionPath(t: Target): string {
  const own = t.info?.path ?? t.type;
  return t.parentType ? `/${t.parentType}/${segment(t.parentId!)}/${t.type}` : `/${own}`;
}

/**
 * An object of fields. Unlike validate.isPlainObject this accepts any object whose tag is
 * Object, class instances and objects of another realm (a vm context) included.
 */
export function isBooksEntity(value: unknown): value is BooksRecord {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Buffer.isBuffer(value) &&
    Object.prototype.toString.call(value) === '[object Object]'
  );
}

export function checkEntity(value: unknown, what = 'entity', param = 'entity'): BooksRecord {
  if (!isBooksEntity(value)) {
    const kind =
      value === null
        ? 'null'
        : Array.isArray(value)
          ? 'an array'
          : Buffer.isBuffer(value)
            ? 'a Buffer'
            : typeof value === 'object'
              ? `a ${Object.prototype.toString.call(value).slice(8, -1)}`
              : `a ${typeof value}`;
    throw invalidInput(
      `The ${what} is ${kind}: give an object of fields, e.g. { "contact_name": "Acme" }`,
      param,
    );
  }
  return value;
}

/** An optional yes/no option: true, false or absent; anything else is refused. */
export function checkFlag(value: unknown, param: string): boolean | undefined {
  if (blank(value)) return undefined;
  if (typeof value === 'boolean') return value;
  throw invalidInput(`${param} must be true or false, not ${textOf(value)}`, param);
}

export function checkOrgId(value: unknown, param = 'organizationId'): string | undefined {
  return blank(value) ? undefined : checkRecordId(value, param, 'organization id');
}

// ---------------------------------------------------------------------------------------------
// organizations

/** Per connection, per product id: the organizations being or having been loaded. */
const orgCache = new WeakMap<object, Map<string, Promise<BooksOrganization[]>>>();

/** The account's organizations (GET /organizations), cached per connection and product. */
export function listOrganizations(
  conn: BooksRequester,
  options: { refresh?: boolean; signal?: AbortSignal; product?: FinanceProduct } = {},
): Promise<BooksOrganization[]> {
  const product = options.product ?? BOOKS;
  let cache = orgCache.get(conn);
  if (!cache) orgCache.set(conn, (cache = new Map<string, Promise<BooksOrganization[]>>()));
  const hit = cache.get(product.id);
  if (hit && !options.refresh) return hit;
  const load = loadOrganizations(conn, product, options.signal, options.refresh === true);
  const orgs = cache;
  orgs.set(product.id, load);
  load.catch(() => {
    if (orgs.get(product.id) === load) orgs.delete(product.id);
  });
  return load;
}

/**
 * How long a fleet shares the organizations it discovered: one instance asks Zoho, the others
 * read its answer; an organization added in Zoho is seen within the hour.
 */
const SHARED_ORGS_TTL_MS = 60 * 60 * 1000;

/** A Books call and its write back to the fleet: the lease outlives the call's own timeout. */
const SHARED_ORGS_LEASE_MS = 35_000;

/**
 * The organizations: the fleet's if it has them (and `refresh` is not asked), else Zoho's,
 * asked by one instance of the fleet while the others wait for its answer (fleet-answer.ts).
 */
async function loadOrganizations(
  conn: BooksRequester,
  product: FinanceProduct,
  signal: AbortSignal | undefined,
  refresh: boolean,
): Promise<BooksOrganization[]> {
  const ask = async (): Promise<BooksOrganization[]> => {
    const res = await conn.request({
      product: product.id,
      method: 'GET',
      path: `${product.apiPath}/organizations`,
      signal,
    });
    const list = unwrap(res, 'organizations', product);
    return Array.isArray(list) ? (list as BooksOrganization[]) : [];
  };
  const shared = conn.sharedCache;
  if (!shared) return ask();
  const spec = {
    cache: shared,
    name: `organizations:${product.id}`,
    ttlMs: SHARED_ORGS_TTL_MS,
    leaseMs: SHARED_ORGS_LEASE_MS,
    accept: (value: unknown) => (Array.isArray(value) ? (value as BooksOrganization[]) : undefined),
    ask,
    signal,
  };
  if (!refresh) return answerThroughFleet(spec);
  // Asked to refresh: Zoho's answer, shared for the others.
  const orgs = await ask();
  await shared.set(spec.name, orgs, SHARED_ORGS_TTL_MS).catch(() => undefined);
  return orgs;
}

/** The organization of a call: given, else the default given, else Zoho's default. */
export async function resolveOrganization(
  conn: BooksRequester,
  options: Pick<BooksCallOptions, 'organizationId' | 'defaultOrganizationId' | 'signal'> = {},
  product: FinanceProduct = BOOKS,
): Promise<OrganizationChoice> {
  const given = checkOrgId(options.organizationId);
  if (given) return { organizationId: given, source: 'given' };
  const fallback = checkOrgId(options.defaultOrganizationId, 'defaultOrganizationId');
  if (fallback) return { organizationId: fallback, source: 'connection' };
  const orgs = await listOrganizations(conn, { signal: options.signal, product });
  const org = orgs.find((o) => o.is_default_org === true) ?? orgs[0];
  if (!org) {
    throw new ZohoError({
      code: 'NO_ORGANIZATION',
      message: `This Zoho account has no ${product.name} organization: create one in ${product.name} first`,
    });
  }
  return {
    organizationId: String(org.organization_id),
    source: 'discovered',
    name: org.name,
    count: orgs.length,
  };
}

// ---------------------------------------------------------------------------------------------
// requests

const META_KEYS = new Set(['code', 'message', 'page_context']);

/** Zoho's entity under `key` (or the one non-meta key); a non-zero code becomes a ZohoError. */
export function unwrap(res: ZohoResponse, key?: string, product = BOOKS): unknown {
  const body = res.data;
  if (!isBooksEntity(body)) {
    throw new ZohoError({
      code: 'UNEXPECTED_RESPONSE',
      status: res.status,
      message: `${product.name} answered without its { code, message } envelope`,
      details: typeof body === 'string' ? { body: body.slice(0, 200) } : undefined,
    });
  }
  if (body.code !== 0 && body.code !== undefined) throw httpError(res.status, body);
  if (key && key in body) return body[key];
  const other = Object.keys(body).find((k) => !META_KEYS.has(k));
  return other === undefined ? undefined : body[other];
}

export function messageOf(res: ZohoResponse): string {
  const m = (res.data as BooksRecord | undefined)?.message;
  return typeof m === 'string' ? m : '';
}

export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** binary for a file (a PDF, an attachment); JSON otherwise. */
  responseType?: 'binary';
}

export async function send(
  product: FinanceProduct,
  conn: BooksRequester,
  org: OrganizationChoice,
  call: Call,
  options: BooksCallOptions,
): Promise<ZohoResponse> {
  const limit = options.rateLimit === undefined ? product.rateLimit : options.rateLimit;
  const key = `${product.id}:${org.organizationId}`;
  // The connection's rolling window under this key keeps every call under Zoho's limit.
  const res = await conn.request({
    product: product.id,
    method: call.method,
    path: `${product.apiPath}${call.path}`,
    query: { ...call.query, [product.organizationParam]: org.organizationId },
    body: call.body,
    responseType: call.responseType,
    rateLimit: limit ? { key, ...limit } : undefined,
    signal: options.signal,
  });
  org.quota = booksQuotaHeaders(res.headers, Date.now()) ?? org.quota;
  return res;
}
