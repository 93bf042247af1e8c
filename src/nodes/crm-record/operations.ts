/**
 * The operations of crm-record, in the order the editor offers them. One list for the runtime
 * (crm-record/index.ts) and the editor (scripts/build.js writes it into resources/catalog.js).
 */
export const CRM_RECORD_OPERATIONS = [
  'get',
  'list',
  'create',
  'update',
  'upsert',
  'delete',
  'search',
] as const;
