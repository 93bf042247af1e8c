/** The operations of the crm-record node, in the editor's order. */
export const CRM_RECORD_OPERATIONS = [
  'get',
  'list',
  'create',
  'update',
  'upsert',
  'delete',
  'search',
] as const;
