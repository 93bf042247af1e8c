/**
 * What the Zoho Books functions share: types, input checks (record type, parent, ids, entities),
 * organization discovery (cached per connection), unwrapping Zoho's `{ code, message, … }`
 * envelope and the one send path with the per-organization window.
 */
import type { ZohoConnection } from '../core/connection';
import { ZohoError, invalidInput } from '../core/errors';
import { QueryValue, ZohoResponse, segment } from '../core/http';
import { httpError } from '../core/response';
import { checkRecordId } from '../core/validate';
import { BOOKS_NAME_RE, BooksTypeInfo, booksTypeInfo } from './catalog';

export type BooksRequester = Pick<ZohoConnection, 'request'>;
export type BooksRecord = Record<string, unknown>;

export const BOOKS_MAX_PER_PAGE = 200;
/** Zoho Books: 100 requests a minute per organization. */
export const BOOKS_RATE_LIMIT = { limit: 100, windowMs: 60_000 };

export interface BooksRateLimit {
  limit: number;
  windowMs: number;
}

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
}

export interface BooksCallOptions {
  /** The organization of this call (msg.organizationId or the node's). */
  organizationId?: unknown;
  /** The connection's default organization (zoho-config's organizationId). */
  defaultOrganizationId?: string;
  /** Parent type and id of a nested resource (contact persons: contacts + the contact id). */
  parentType?: unknown;
  parentId?: unknown;
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

export function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || !BOOKS_NAME_RE.test(value)) {
    throw invalidInput(
      `${blank(value) ? `No ${what} given` : `"${String(value)}" is not a Zoho Books ${what}`}: use a name like "invoices" or "contacts" (lowercase letters, digits, _)`,
    );
  }
  return value;
}

export function checkTarget(recordType: unknown, options: BooksCallOptions): Target {
  const type = checkName(recordType, 'record type');
  const info = booksTypeInfo(type);
  let parentType = blank(options.parentType) ? info?.parent : options.parentType;
  if (parentType === undefined) return { type, info };
  parentType = checkName(parentType, 'parent record type');
  if (info && info.parent !== parentType) {
    throw invalidInput(
      info.parent
        ? `${type} are nested under ${info.parent}, not ${String(parentType)}`
        : `${type} are not nested under another record type: leave the parent record type empty`,
    );
  }
  if (blank(options.parentId)) {
    throw invalidInput(
      `No parent record id given: ${type} live under one of the ${String(parentType)}; set the parent record id or msg.parentRecordId`,
    );
  }
  return {
    type,
    info,
    parentType: parentType as string,
    parentId: checkRecordId(options.parentId, 'parent record id'),
  };
}

export function collectionPath(t: Target): string {
  const own = t.info?.path ?? t.type;
  return t.parentType ? `/${t.parentType}/${segment(t.parentId!)}/${t.type}` : `/${own}`;
}

/**
 * An object of fields. Unlike validate.isPlainObject this accepts objects made in another realm
 * (a Node-RED function node builds msg.payload in its own vm context).
 */
export function isBooksEntity(value: unknown): value is BooksRecord {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Buffer.isBuffer(value) &&
    Object.prototype.toString.call(value) === '[object Object]'
  );
}

export function checkEntity(value: unknown, what = 'entity'): BooksRecord {
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
      `The ${what} is ${kind}: put an object of Zoho Books fields in msg.payload, e.g. { "contact_name": "Acme" }`,
    );
  }
  return value;
}

export function checkOrgId(value: unknown): string | undefined {
  return blank(value) ? undefined : checkRecordId(value, 'organization id');
}

// ---------------------------------------------------------------------------------------------
// organizations

const orgCache = new WeakMap<object, Promise<BooksOrganization[]>>();

/** The account's organizations (GET /organizations), cached per connection. */
export function listOrganizations(
  conn: BooksRequester,
  options: { refresh?: boolean; signal?: AbortSignal } = {},
): Promise<BooksOrganization[]> {
  const hit = orgCache.get(conn);
  if (hit && !options.refresh) return hit;
  const load = conn
    .request({ product: 'books', method: 'GET', path: '/organizations', signal: options.signal })
    .then((res) => {
      const list = unwrap(res, 'organizations');
      return Array.isArray(list) ? (list as BooksOrganization[]) : [];
    });
  orgCache.set(conn, load);
  load.catch(() => {
    if (orgCache.get(conn) === load) orgCache.delete(conn);
  });
  return load;
}

/** The organization of a call: given, else the connection's default, else Zoho's default. */
export async function resolveOrganization(
  conn: BooksRequester,
  options: Pick<BooksCallOptions, 'organizationId' | 'defaultOrganizationId' | 'signal'> = {},
): Promise<OrganizationChoice> {
  const given = checkOrgId(options.organizationId);
  if (given) return { organizationId: given, source: 'given' };
  const fallback = checkOrgId(options.defaultOrganizationId);
  if (fallback) return { organizationId: fallback, source: 'connection' };
  const orgs = await listOrganizations(conn, { signal: options.signal });
  const org = orgs.find((o) => o.is_default_org === true) ?? orgs[0];
  if (!org) {
    throw new ZohoError({
      code: 'NO_ORGANIZATION',
      message: 'This Zoho account has no Zoho Books organization: create one in Zoho Books first',
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
export function unwrap(res: ZohoResponse, key?: string): unknown {
  const body = res.data;
  if (!isBooksEntity(body)) {
    throw new ZohoError({
      code: 'UNEXPECTED_RESPONSE',
      status: res.status,
      message: 'Zoho Books answered without its { code, message } envelope',
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
}

export async function send(
  conn: BooksRequester,
  org: OrganizationChoice,
  call: Call,
  options: BooksCallOptions,
): Promise<ZohoResponse> {
  const limit = options.rateLimit === undefined ? BOOKS_RATE_LIMIT : options.rateLimit;
  const key = `books:${org.organizationId}`;
  // The connection's rolling window under this key keeps every call under Zoho's limit.
  return conn.request({
    product: 'books',
    method: call.method,
    path: call.path,
    query: { ...call.query, organization_id: org.organizationId },
    body: call.body,
    rateLimit: limit ? { key, ...limit } : undefined,
    signal: options.signal,
  });
}
