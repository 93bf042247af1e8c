/**
 * Zoho CRM (API v8): the public API. The code lives in:
 * - common.ts: the connection type, Zoho's limits, result types, the page walk;
 * - validate.ts: module and field names, records, lookup fields;
 * - read.ts: get, list, list every page, deleted records, records by id;
 * - write.ts: create, update, upsert, delete, triggers, per-record results;
 * - criteria.ts, search.ts: search criteria, and search one page or every page;
 * - coql.ts: COQL queries with bound placeholders;
 * - attachments.ts: upload, link, list, download, delete;
 * - related.ts, notes.ts, tags.ts: related lists, notes, record tags;
 * - metadata.ts, metadata-cache.ts, users.ts: modules, fields, related lists, layouts, users;
 * - notifications.ts, channel-keeper.ts: change notifications and the channel kept alive;
 * - changes.ts: changes since a checkpoint, for polling;
 * - convert.ts, count.ts, mass-update.ts, send-mail.ts: record actions (mass update polls its job);
 * - watch-fields.ts: the field filter of a watch (Zoho's condition, remembered values).
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
export * from './validate';
export * from './read';
export * from './write';
export * from './criteria';
export * from './search';
export * from './coql';
export * from './attachments';
export * from './photo';
export * from './related';
export * from './notes';
export * from './tags';
export * from './convert';
export * from './count';
export * from './mass-update';
export * from './send-mail';
export * from './metadata';
export * from './metadata-cache';
export * from './users';
export * from './notifications';
export * from './channel-keeper';
export * from './changes';
export * from './watch-fields';
export * from './bulk';
export * from './bulk-write';
