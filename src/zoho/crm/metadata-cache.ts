/**
 * CRM metadata (modules, fields, related lists, layouts, users, mail senders) cached per connection for a few
 * minutes: the editor's pickers, the lookup-field check of writes and crm-record's metadata
 * operations ask often, and every call costs API credits. A new connection (authorised again)
 * starts with an empty cache; `refresh` asks Zoho again and keeps its answer for the others.
 */
import type { ZohoConnection } from '../core/connection';
import {
  FieldInfo,
  LayoutInfo,
  ModuleInfo,
  RelatedListInfo,
  listFields,
  listLayouts,
  listModules,
  listRelatedLists,
} from './metadata';
import { FromAddress, listFromAddresses } from './send-mail';
import { UserInfo, UserType, checkUserType, listUsers, ofRole } from './users';

export const META_TTL_MS = 5 * 60 * 1000;

interface Entry {
  at: number;
  value: Promise<unknown>;
}

const caches = new WeakMap<ZohoConnection, Map<string, Entry>>();

/** Keys are bounded: one per kind and module of the org (or user type); failures are dropped. */
function cached<T>(
  conn: ZohoConnection,
  key: string,
  load: () => Promise<T>,
  refresh = false,
): Promise<T> {
  let cache = caches.get(conn);
  if (!cache) {
    cache = new Map();
    caches.set(conn, cache);
  }
  const hit = cache.get(key);
  if (!refresh && hit && Date.now() - hit.at < META_TTL_MS) return hit.value as Promise<T>;
  const value = load();
  const entry = { at: Date.now(), value };
  cache.set(key, entry);
  // A failure is not remembered: the next ask tries again.
  value.catch(() => {
    if (cache.get(key) === entry) cache.delete(key);
  });
  return value;
}

export function cachedModules(conn: ZohoConnection, refresh = false): Promise<ModuleInfo[]> {
  return cached(conn, 'modules', () => listModules(conn), refresh);
}

export function cachedFields(
  conn: ZohoConnection,
  module: string,
  refresh = false,
): Promise<FieldInfo[]> {
  return cached(conn, `fields:${module}`, () => listFields(conn, module), refresh);
}

export function cachedLayouts(
  conn: ZohoConnection,
  module: string,
  refresh = false,
): Promise<LayoutInfo[]> {
  return cached(conn, `layouts:${module}`, () => listLayouts(conn, module), refresh);
}

/** The users of a type (checked before any call), then those of `role` when one is given. */
export async function cachedUsers(
  conn: ZohoConnection,
  options: { type?: string; role?: string; refresh?: boolean } = {},
): Promise<UserInfo[]> {
  const type: UserType = checkUserType(options.type);
  const users = await cached(
    conn,
    `users:${type}`,
    () => listUsers(conn, { type }),
    options.refresh,
  );
  return ofRole(users, options.role);
}

export function cachedRelatedLists(
  conn: ZohoConnection,
  module: string,
): Promise<RelatedListInfo[]> {
  return cached(conn, `related:${module}`, () => listRelatedLists(conn, module));
}

/** The addresses the org may send mail from (the send-mail sender picker). */
export function cachedFromAddresses(conn: ZohoConnection, refresh = false): Promise<FromAddress[]> {
  return cached(conn, 'from-addresses', () => listFromAddresses(conn), refresh);
}
