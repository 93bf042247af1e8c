/**
 * Zoho CRM search (API v8): one page or every page of the records matching criteria, a word,
 * an email or a phone. Searches reach at most 2,000 records unless Zoho hands out a page token
 * (see common.ts).
 */
import { invalidInput } from '../core/errors';
import type { Page } from '../core/paginate';
import { isPlainObject } from '../core/validate';
import { checkModule } from './validate';
import { Criteria, buildCriteria } from './criteria';
import {
  CrmRecord,
  ListAllResult,
  ListResult,
  PageAt,
  PreparedList,
  Requester,
  WalkOptions,
  checkPageReach,
  collectAll,
  crmWalk,
  fetchList,
  fieldsParam,
  pageParam,
  perPageParam,
} from './common';

export type SearchQuery =
  { criteria: string | Criteria } | { word: string } | { email: string } | { phone: string };

export interface SearchOptions {
  fields?: string[] | string;
  page?: number;
  perPage?: number;
  /** Leads: include converted records (true, false, both). */
  converted?: 'true' | 'false' | 'both';
  approved?: 'true' | 'false' | 'both';
  signal?: AbortSignal;
}

/** The one search builder: a query's Zoho parameter (criteria built and escaped), checked. */
export function searchParams(query: unknown): Record<string, string> {
  if (!isPlainObject(query))
    throw invalidInput('A search needs one of criteria, word, email or phone', 'search');
  const given = (['criteria', 'word', 'email', 'phone'] as const).filter(
    (k) => query[k] !== undefined && query[k] !== null && query[k] !== '',
  );
  if (given.length === 0)
    throw invalidInput('A search needs one of criteria, word, email or phone', 'search');
  if (given.length > 1)
    throw invalidInput(
      `Search by one of criteria, word, email or phone, not ${given.join(' and ')}`,
      'search',
    );
  const key = given[0];
  const value = query[key];
  if (key === 'criteria') {
    if (typeof value === 'string') {
      const text = value.trim();
      if (!text.startsWith('(') || !text.endsWith(')')) {
        throw invalidInput(
          'A criteria string looks like (Field:operator:value), e.g. (Last_Name:equals:Smith)',
          'criteria',
        );
      }
      return { criteria: text };
    }
    return { criteria: buildCriteria(value as Criteria) };
  }
  if (typeof value !== 'string')
    throw invalidInput(`The ${key} to search for must be a string`, key);
  const text = value.trim();
  if (key === 'word' && text.length < 2)
    throw invalidInput('A word search needs at least 2 characters', 'word');
  if (text === '') throw invalidInput(`The ${key} to search for is empty`, key);
  return { [key]: text };
}

type PreparedSearch = Omit<PreparedList, 'headers' | 'pageToken'>;

function prepareSearch(
  module: string,
  search: SearchQuery,
  options: SearchOptions,
): PreparedSearch {
  const mod = checkModule(module);
  const params = searchParams(search);
  const fields = fieldsParam(options.fields, false);
  const page = pageParam(options.page);
  const perPage = perPageParam(options.perPage);
  checkPageReach(page, perPage, 'A search');
  for (const key of ['converted', 'approved'] as const) {
    const v = options[key];
    if (v !== undefined && !['true', 'false', 'both'].includes(v))
      throw invalidInput(`${key} must be true, false or both`, key);
  }
  return {
    mod,
    query: {
      ...params,
      fields,
      per_page: perPage,
      converted: options.converted,
      approved: options.approved,
    },
    page,
    perPage,
  };
}

function fetchSearch(
  conn: Requester,
  prepared: PreparedSearch,
  at: PageAt,
  signal?: AbortSignal,
): Promise<ListResult> {
  return fetchList(conn, { mod: prepared.mod, query: prepared.query }, at, signal, 'search');
}

/** One page of a search; no match is an empty result (Zoho's 204). */
export async function searchRecords(
  conn: Requester,
  module: string,
  search: SearchQuery,
  options: SearchOptions = {},
): Promise<ListResult> {
  const prepared = prepareSearch(module, search, options);
  return fetchSearch(conn, prepared, { page: prepared.page }, options.signal);
}

export type SearchAllOptions = Omit<SearchOptions, 'page'> & WalkOptions;

/** Every page of a search (up to Zoho's ceiling; see common.ts). */
export function searchAllRecords(
  conn: Requester,
  module: string,
  search: SearchQuery,
  options: SearchAllOptions = {},
): AsyncGenerator<Page<CrmRecord>, void, undefined> {
  const prepared = prepareSearch(module, search, { ...options, page: undefined });
  return crmWalk(prepared, (at) => fetchSearch(conn, prepared, at, options.signal), options);
}

/** Every match of a search in one array. */
export async function searchAll(
  conn: Requester,
  module: string,
  search: SearchQuery,
  options: SearchAllOptions = {},
): Promise<ListAllResult> {
  return collectAll(
    searchAllRecords(conn, module, search, options),
    undefined,
    options.maxCollectBytes,
  );
}
