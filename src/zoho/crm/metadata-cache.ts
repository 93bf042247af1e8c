/**
 * CRM metadata (modules, fields) cached per connection for a few minutes: the editor's pickers
 * and the lookup-field check of writes ask often, and every call costs API credits. A new
 * connection (authorised again) starts with an empty cache.
 */
import type { ZohoConnection } from '../core/connection';
import {
  FieldInfo,
  ModuleInfo,
  RelatedListInfo,
  listFields,
  listModules,
  listRelatedLists,
} from './metadata';

export const META_TTL_MS = 5 * 60 * 1000;

interface Entry {
  at: number;
  value: Promise<unknown>;
}

const caches = new WeakMap<ZohoConnection, Map<string, Entry>>();

function cached<T>(conn: ZohoConnection, key: string, load: () => Promise<T>): Promise<T> {
  let cache = caches.get(conn);
  if (!cache) {
    cache = new Map();
    caches.set(conn, cache);
  }
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < META_TTL_MS) return hit.value as Promise<T>;
  const value = load();
  const entry = { at: Date.now(), value };
  cache.set(key, entry);
  // A failure is not remembered: the next ask tries again.
  value.catch(() => {
    if (cache.get(key) === entry) cache.delete(key);
  });
  return value;
}

export function cachedModules(conn: ZohoConnection): Promise<ModuleInfo[]> {
  return cached(conn, 'modules', () => listModules(conn));
}

export function cachedFields(conn: ZohoConnection, module: string): Promise<FieldInfo[]> {
  return cached(conn, `fields:${module}`, () => listFields(conn, module));
}

export function cachedRelatedLists(
  conn: ZohoConnection,
  module: string,
): Promise<RelatedListInfo[]> {
  return cached(conn, `related:${module}`, () => listRelatedLists(conn, module));
}
