/**
 * Small msg/editor -> client-argument mappings of crm-record that are not worth a library
 * function: ids to delete, the search query, field metadata for lookups.
 */
import type { Node, NodeAPI } from 'node-red';
import type { SearchQuery } from '../../zoho/crm/index';
import { isPlainObject } from '../../zoho/core/validate';
import type { InputContext } from '../runtime/flow-node';
import { evaluate } from '../runtime/props';

export const SEARCH_KEYS = ['criteria', 'word', 'email', 'phone'] as const;

/** Ids to delete: an id, a comma list, an array of ids or of records with an id. */
export function idsOf(value: unknown): unknown {
  const one = (v: unknown) => (isPlainObject(v) ? v.id : v);
  return Array.isArray(value) ? value.map(one) : one(value);
}

/**
 * The search: msg.criteria / msg.word / msg.email / msg.phone when the message has one (more
 * than one is refused by the library), else the editor's "search by" and its TypedInput value.
 */
export async function searchQuery(
  RED: NodeAPI,
  node: Node,
  ctx: InputContext,
  by: string | undefined,
  typed: { value?: string; type?: string },
): Promise<SearchQuery> {
  const { msg } = ctx;
  const fromMsg = SEARCH_KEYS.filter((k) => msg[k] !== undefined && msg[k] !== '');
  if (fromMsg.length) return Object.fromEntries(fromMsg.map((k) => [k, msg[k]])) as SearchQuery;
  const key = SEARCH_KEYS.includes(by as (typeof SEARCH_KEYS)[number]) ? by! : 'criteria';
  return { [key]: await evaluate(RED, node, typed, msg, key) } as SearchQuery;
}
