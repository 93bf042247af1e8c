/**
 * Zoho CRM records (API v8): get, list, list every page, create, update, upsert, delete,
 * search, deleted records. This module gathers them; the code lives in:
 * - crm-common.ts: the connection type, Zoho's limits, result types, the page walk;
 * - crm-read.ts: get, list, list every page, deleted records;
 * - crm-write.ts: create, update, upsert, delete, triggers, per-record results;
 * - crm-criteria.ts: search criteria building and escaping;
 * - crm-search.ts: search, one page or every page.
 */
export type {
  Requester,
  CrmRecord,
  CrmInfo,
  ListResult,
  ListAllResult,
  WalkOptions,
} from './common';
export { CRM_VERSION, MAX_PER_PAGE, PAGE_REACH, MAX_FIELDS } from './common';
export * from './read';
export * from './write';
export * from './criteria';
export * from './search';
