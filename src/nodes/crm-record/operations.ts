/**
 * The operations of crm-record, grouped as the editor offers them (an optgroup per group). One
 * list for the runtime (crm-record/index.ts) and the editor (scripts/build.js writes it into
 * resources/catalog.js).
 */
export const CRM_RECORD_OPERATION_GROUPS = {
  records: ['get', 'list', 'create', 'update', 'upsert', 'delete', 'search'],
  related: ['listRelated', 'linkRelated', 'unlinkRelated'],
  notes: ['listNotes', 'addNote', 'updateNotes', 'deleteNotes'],
  tags: ['addTags', 'removeTags', 'listTags'],
  actions: ['convertLead', 'count', 'massUpdate', 'sendMail'],
  metadata: ['listUsers', 'listModules', 'listFields', 'listLayouts'],
} as const;

type Groups = typeof CRM_RECORD_OPERATION_GROUPS;

/** Every operation, in the editor's order. */
export const CRM_RECORD_OPERATIONS: readonly Groups[keyof Groups][number][] = Object.values(
  CRM_RECORD_OPERATION_GROUPS,
).flat();

/** Operations about the org, not one module: the node's module is neither read nor checked. */
export const WITHOUT_MODULE: ReadonlySet<string> = new Set(['listUsers', 'listModules']);
