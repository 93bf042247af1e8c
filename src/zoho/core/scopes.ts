/**
 * The pack's one list of OAuth scopes: what it asks for by default, which of those covers a call
 * (by API path), and what each operation needs at the least. consent.ts derives DEFAULT_SCOPES
 * and the connection's scope naming from it; scripts/build.js writes it into the editor's
 * resources/catalog.js for the zoho-config dialog's "scopes narrower than the nodes need"
 * warning. (src/sandbox/scopes.ts is the emulator's model of Zoho, not this list.)
 *
 * A Zoho scope is service.scope_name.OPERATION, OPERATION one of ALL, READ, CREATE, UPDATE,
 * DELETE; ALL covers the others (https://www.zoho.com/accounts/protocol/oauth/scope.html). CRM
 * also takes a module: ZohoCRM.modules.leads.READ covers reads of Leads only (OAS common.json
 * lists ZohoCRM.modules.{module_API_name}.ALL). ZohoBooks.fullaccess.all covers every Books
 * scope. Sources per line in docs/ZOHO-FACTS.md (OAuth scopes).
 */

export type ScopeOperation = 'ALL' | 'READ' | 'CREATE' | 'UPDATE' | 'DELETE';

/** A scope family the pack asks for, and the API paths it covers. */
export interface PackScope {
  product: 'crm' | 'books';
  /** The scope as the connection asks for it by default. */
  scope: string;
  /** CRM paths (without /crm) of this family; absent: every other path of the product. */
  paths?: RegExp;
}

/**
 * CRM's scopes are named by the path's family (ZohoCRM.<family>.<op>: /v8/coql -> coql,
 * /v8/settings/… -> settings, …; any other path is a module's records -> modules), per Zoho's
 * scope list (https://www.zoho.com/crm/developer/docs/api/v8/scopes.html). Bulk jobs live under
 * /crm/bulk (bulk_read.json) and notification channels under /actions/watch (notifications.json)
 * in /work/shared/zoho-crm-oas. Books has one family.
 */
export const PACK_SCOPES: readonly PackScope[] = [
  { product: 'crm', scope: 'ZohoCRM.modules.ALL' },
  { product: 'crm', scope: 'ZohoCRM.coql.READ', paths: /^\/v\d+\/coql(\/|$)/ },
  { product: 'crm', scope: 'ZohoCRM.settings.ALL', paths: /^\/v\d+\/settings(\/|$)/ },
  { product: 'crm', scope: 'ZohoCRM.users.READ', paths: /^\/v\d+\/users(\/|$)/ },
  { product: 'crm', scope: 'ZohoCRM.org.READ', paths: /^\/v\d+\/org(\/|$)/ },
  { product: 'crm', scope: 'ZohoCRM.bulk.ALL', paths: /^\/bulk\// },
  // Bulk Write's file upload (upload-file.html: scope=ZohoFiles.files.ALL).
  { product: 'crm', scope: 'ZohoFiles.files.ALL', paths: /^\/v\d+\/upload$/ },
  { product: 'crm', scope: 'ZohoCRM.notifications.ALL', paths: /^\/v\d+\/actions\/watch(\/|$)/ },
  // Send mail from a record (send-mail pages "Scope": ZohoCRM.send_mail.all.CREATE or per module).
  {
    product: 'crm',
    scope: 'ZohoCRM.send_mail.all.CREATE',
    paths: /^\/v\d+\/[^/]+\/[^/]+\/actions\/send_mail$/,
  },
  { product: 'books', scope: 'ZohoBooks.fullaccess.all' },
];

/** One scope an operation needs: service, scope name, operation and module ('' for any). */
export interface ScopeNeed {
  service: 'ZohoCRM' | 'ZohoBooks';
  name: string;
  op: ScopeOperation;
  module?: string;
  /**
   * For a scope Zoho grants for all modules or per module (send_mail.all or send_mail.leads):
   * the node's own module, whose per-module grant covers the need as well as `all` does.
   */
  ownModule?: string;
}

/**
 * What each operation needs at the least (docs/ZOHO-FACTS.md, OAuth scopes). Record and
 * attachment operations need ZohoCRM.modules with the operation listed, for the module they
 * touch; COQL also needs a modules read.
 */
export const CRM_SCOPE_NEEDS = {
  records: {
    get: ['READ'],
    list: ['READ'],
    search: ['READ'],
    create: ['CREATE'],
    update: ['UPDATE'],
    upsert: ['CREATE', 'UPDATE'],
    delete: ['DELETE'],
    // Related lists, notes (the Notes module) and tags act on records that exist; listing a
    // module's tags reads settings/tags (ZohoCRM.settings) besides.
    listRelated: ['READ'],
    linkRelated: ['UPDATE'],
    unlinkRelated: ['UPDATE'],
    listNotes: ['READ'],
    addNote: ['CREATE'],
    updateNotes: ['UPDATE'],
    deleteNotes: ['DELETE'],
    addTags: ['UPDATE'],
    removeTags: ['UPDATE'],
    listTags: ['READ'],
    // Convert Lead: modules.leads CREATE (or WRITE, ALL): CRM v2 `convert-lead.html` "Scope".
    convertLead: ['CREATE'],
    count: ['READ'],
    // Mass update: record.json `security` ZohoCRM.modules.ALL, i.e. the module's UPDATE (Zoho's
    // page names ZohoCRM.mass_update.{module}.UPDATE: docs/ZOHO-FACTS.md, Mass update).
    massUpdate: ['UPDATE'],
  } as Record<string, ScopeOperation[]>,
  attachments: {
    upload: ['CREATE'],
    list: ['READ'],
    download: ['READ'],
    delete: ['DELETE'],
    // A record's photo: CREATE (or WRITE, ALL) to upload, per v8 `upload-image.html` "Scope";
    // READ and DELETE for the others by the same pattern (**unverified**).
    uploadPhoto: ['CREATE'],
    downloadPhoto: ['READ'],
    deletePhoto: ['DELETE'],
  } as Record<string, ScopeOperation[]>,
  coql: [
    { service: 'ZohoCRM', name: 'coql', op: 'READ' },
    { service: 'ZohoCRM', name: 'modules', op: 'READ' },
  ] as ScopeNeed[],
  /**
   * crm-record's metadata operations read no records: users need ZohoCRM.users.READ (users.json
   * `security`), modules, fields and layouts ZohoCRM.settings READ (fields.json, modules.json;
   * layouts: v8 `layouts-meta.html` "Scope").
   */
  metadata: {
    listUsers: [{ service: 'ZohoCRM', name: 'users', op: 'READ' }],
    listModules: [{ service: 'ZohoCRM', name: 'settings', op: 'READ' }],
    listFields: [{ service: 'ZohoCRM', name: 'settings', op: 'READ' }],
    listLayouts: [{ service: 'ZohoCRM', name: 'settings', op: 'READ' }],
  } as Record<string, ScopeNeed[]>,
  /**
   * crm-record's record actions with a scope of their own instead of the module's: send mail
   * needs ZohoCRM.send_mail (send-mail pages "Scope"; `all` as the pack asks for it).
   */
  recordActions: {
    sendMail: [{ service: 'ZohoCRM', name: 'send_mail', op: 'CREATE', module: 'all' }],
  } as Record<string, ScopeNeed[]>,
  /** Notification channels (crm-watch-in's webhook mode). */
  watch: [{ service: 'ZohoCRM', name: 'notifications', op: 'ALL' }] as ScopeNeed[],
  /** Polling for changes reads the module's records. */
  poll: [{ service: 'ZohoCRM', name: 'modules', op: 'READ' }] as ScopeNeed[],
  /** crm-bulk: the module's own operation, as crm-record's records need it. */
  bulk: {
    read: ['READ'],
    insert: ['CREATE'],
    update: ['UPDATE'],
    upsert: ['CREATE', 'UPDATE'],
  } as Record<string, ScopeOperation[]>,
  /**
   * crm-bulk's jobs besides: ZohoCRM.bulk (bulk_read.json `security`; v8 bulk-write
   * `create-job.html` "Scope"), and for writes ZohoFiles.files for the upload
   * (`upload-file.html` "Scope").
   */
  bulkJobs: {
    read: [{ service: 'ZohoCRM', name: 'bulk', op: 'ALL' }],
    insert: [
      { service: 'ZohoCRM', name: 'bulk', op: 'ALL' },
      { service: 'ZohoFiles', name: 'files', op: 'ALL' },
    ],
    update: [
      { service: 'ZohoCRM', name: 'bulk', op: 'ALL' },
      { service: 'ZohoFiles', name: 'files', op: 'ALL' },
    ],
    upsert: [
      { service: 'ZohoCRM', name: 'bulk', op: 'ALL' },
      { service: 'ZohoFiles', name: 'files', op: 'ALL' },
    ],
  } as Record<string, ScopeNeed[]>,
};

/**
 * Books scopes are named after the entity (ZohoBooks.invoices.READ), except these (unverified:
 * docs/ZOHO-FACTS.md); an operation not in `operations` (an action such as "mark as sent")
 * needs `actions`.
 */
export const BOOKS_SCOPE_NEEDS = {
  operations: {
    get: 'READ',
    list: 'READ',
    create: 'CREATE',
    update: 'UPDATE',
    delete: 'DELETE',
  } as Record<string, ScopeOperation>,
  actions: 'UPDATE' as ScopeOperation,
  scopeOfEntity: {
    items: 'settings',
    taxes: 'settings',
    chartofaccounts: 'accountants',
    journals: 'accountants',
  } as Record<string, string>,
};

/**
 * True when the granted scope (as the user typed it) covers the need. Self-contained (no imports,
 * no outer names): scripts/build.js copies its compiled source into the editor's catalog.js.
 */
export function scopeCovers(granted: string, need: ScopeNeed): boolean {
  const parts = String(granted).toLowerCase().split('.');
  if (parts.length < 3 || parts[0] !== need.service.toLowerCase()) return false;
  if (parts[0] === 'zohobooks' && parts[1] === 'fullaccess') return true;
  const op = parts[parts.length - 1];
  const module = parts.length > 3 ? parts.slice(2, -1).join('.') : '';
  if (parts[1] !== need.name.toLowerCase()) return false;
  const own = (need.ownModule ?? '').toLowerCase();
  if (module && module !== (need.module ?? '').toLowerCase() && module !== own) return false;
  return op === 'all' || op === need.op.toLowerCase();
}

/** A cheap read that proves Zoho can be reached (the outbox's probe). */
export interface ProbeCall {
  product: 'crm' | 'books';
  path: string;
  need: ScopeNeed;
}

/**
 * The probes, best first: CRM's GET /org (org.json `ZohoCRM.org.all`, READ in the v8 docs) and
 * Books' GET /organizations (`ZohoBooks.settings.READ`, Books API introduction).
 */
export const PROBE_CALLS: readonly ProbeCall[] = [
  { product: 'crm', path: '/v8/org', need: { service: 'ZohoCRM', name: 'org', op: 'READ' } },
  {
    product: 'books',
    path: '/books/v3/organizations',
    need: { service: 'ZohoBooks', name: 'settings', op: 'READ' },
  },
];

/**
 * The probe a grant allows: the first the scopes cover, else the first of a product the grant
 * has at all (a refusal still proves Zoho answered, and a Books-only grant is never sent to
 * CRM), else CRM's.
 */
export function probeCall(scopes: readonly string[]): ProbeCall {
  const covered = PROBE_CALLS.find((c) => scopes.some((s) => scopeCovers(s, c.need)));
  if (covered) return covered;
  const service = (s: string): string => s.split('.')[0].toLowerCase();
  const ofGrant = PROBE_CALLS.find((c) =>
    scopes.some((s) => service(s) === c.need.service.toLowerCase()),
  );
  return ofGrant ?? PROBE_CALLS[0];
}
