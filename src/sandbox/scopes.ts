/**
 * OAuth scopes as Zoho checks them: every API route needs one scope out of a few alternatives,
 * and a token may call it only when one of the scopes it was granted covers that need.
 *
 * Sources (docs/ZOHO-FACTS.md, section "Scopes"):
 * - Scope grammar `service.scope_name[.sub].OPERATION` with ALL covering every operation:
 *   https://www.zoho.com/accounts/protocol/oauth/scope.html and CRM v8 docs `scopes.html`.
 * - Per CRM endpoint: the `security` of Zoho's OAS files (record.json `ZohoCRM.modules.ALL`,
 *   attachments.json `ZohoCRM.modules.{module}.ALL` or `ZohoCRM.modules.attachments.ALL`,
 *   fields.json / modules.json `ZohoCRM.settings.{fields|modules}.*`, users.json, org.json,
 *   notifications.json `ZohoCRM.notifications.ALL`) and the v8 pages, which add the
 *   per-operation forms: `Get-Records-through-COQL-Query.html` (`ZohoCRM.coql.READ` and a
 *   modules scope), `get-records.html` (`ZohoCRM.modules.{module_name}.READ`).
 * - Books: `ZohoBooks.fullaccess.all` or `ZohoBooks.{scope}.{CREATE|READ|UPDATE|DELETE|ALL}`
 *   with the scope names of https://www.zoho.com/books/api/v3/oauth/ ; `GET /organizations`
 *   needs `ZohoBooks.settings.READ` (https://www.zoho.com/books/api/v3/introduction/).
 */
import type { Product, SandboxRequest } from './types';

export type Operation = 'READ' | 'CREATE' | 'UPDATE' | 'DELETE';

/** One acceptable scope: service, scope path (e.g. ['modules', 'leads']) and operation. */
export interface ScopeNeed {
  service: 'ZohoCRM' | 'ZohoBooks' | 'ZohoFiles';
  path: string[];
  op: Operation;
}

/** Every scope family the emulator checks: the Self Client helper's default grant. */
export const SANDBOX_FULL_SCOPE =
  'ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.users.ALL,ZohoCRM.org.ALL,' +
  'ZohoCRM.coql.READ,ZohoCRM.notifications.ALL,ZohoCRM.bulk.ALL,ZohoFiles.files.ALL,' +
  'ZohoCRM.send_mail.all.CREATE,' +
  'ZohoBooks.fullaccess.all';

/**
 * Standard modules with a scope of their own (CRM docs `scopes.html`: modules.leads, …);
 * any other module is reached through `ZohoCRM.modules.custom.*`.
 */
const STANDARD_MODULES = new Set(
  (
    'leads accounts contacts deals campaigns tasks cases events calls solutions products ' +
    'vendors pricebooks quotes salesorders purchaseorders invoices notes appointments'
  ).split(' '),
);

/** Books entity types under another scope name (Books API pages: items and taxes are settings). */
const BOOKS_SCOPE_OF: Record<string, string> = {
  organizations: 'settings',
  settings: 'settings',
  items: 'settings',
  contactpersons: 'contacts',
  recurringinvoices: 'invoices',
  chartofaccounts: 'accountants',
  journals: 'accountants',
};

const OP_OF_METHOD: Record<string, Operation> = {
  GET: 'READ',
  HEAD: 'READ',
  POST: 'CREATE',
  PUT: 'UPDATE',
  PATCH: 'UPDATE',
  DELETE: 'DELETE',
};

/** `WRITE` grants the writing operations (notifications and upsert pages list it). */
function opCovers(granted: string, needed: Operation): boolean {
  const g = granted.toUpperCase();
  return g === 'ALL' || g === needed || (g === 'WRITE' && needed !== 'READ');
}

/** Zoho compares scope names case-insensitively (its own OAS spells `modules.all` and `.ALL`). */
export function covers(granted: string, need: ScopeNeed): boolean {
  const parts = granted.split('.').map((p) => p.toLowerCase());
  if (parts.length < 3 || parts[0] !== need.service.toLowerCase()) return false;
  if (need.service === 'ZohoBooks' && parts[1] === 'fullaccess') return parts[2] === 'all';
  const path = parts.slice(1, -1);
  const wanted = need.path.map((p) => p.toLowerCase());
  if (path.length > wanted.length || path.some((p, i) => p !== wanted[i])) return false;
  return opCovers(parts[parts.length - 1], need.op);
}

export function grantedScopes(scope: string): string[] {
  return scope.split(/[,\s]+/).filter((s) => s !== '');
}

/** Every one of `needs` (an AND list of OR groups) is covered by some granted scope. */
export function allowed(scope: string, needs: ScopeNeed[][]): boolean {
  const granted = grantedScopes(scope);
  return needs.every((anyOf) => anyOf.some((need) => granted.some((g) => covers(g, need))));
}

const crm = (path: string[], op: Operation): ScopeNeed => ({ service: 'ZohoCRM', path, op });

function moduleNeeds(module: string, op: Operation): ScopeNeed[] {
  const name = module.toLowerCase();
  const own = crm(['modules', name], op);
  return STANDARD_MODULES.has(name) ? [own] : [own, crm(['modules', 'custom'], op)];
}

/** The module a COQL query reads: its FROM clause (the handler reports a query without one). */
function coqlModule(req: SandboxRequest): string | undefined {
  const body = req.body as { select_query?: unknown } | undefined;
  const text = typeof body?.select_query === 'string' ? body.select_query : '';
  return /\bfrom\s+([A-Za-z0-9_]+)/i.exec(text)?.[1];
}

/** What a CRM route needs; `segments` are the route pattern's after /crm/v8. */
function crmNeeds(segments: string[], req: SandboxRequest): ScopeNeed[][] {
  const op = OP_OF_METHOD[req.method] ?? 'READ';
  const [first, second] = segments;
  if (first === 'settings') return [[crm(['settings', second ?? ''], op)]];
  if (first === 'users' || first === 'org') return [[crm([first], op)]];
  if (first === 'coql') {
    const module = coqlModule(req);
    return module
      ? [[crm(['coql'], 'READ')], moduleNeeds(module, 'READ')]
      : [[crm(['coql'], 'READ')]];
  }
  if (first === 'actions' && second === 'watch') return [[crm(['notifications'], op)]];
  // Convert Lead: ZohoCRM.modules.ALL or modules.leads with ALL, WRITE or CREATE (CRM v2
  // `convert-lead.html` "Scope"; convert_lead.json lists ZohoCRM.modules.all).
  if (first === 'Leads' && segments[3] === 'convert') return [moduleNeeds('Leads', 'CREATE')];
  const module = req.params.module ?? '';
  const last = segments[segments.length - 1];
  // Mass update: record.json `security` ZohoCRM.modules.ALL (the module's UPDATE, status READ);
  // Zoho's mass-update pages and Kaizen #57 name ZohoCRM.mass_update.{module}.UPDATE instead,
  // taken here as an alternative (docs/ZOHO-FACTS.md, Mass update).
  // Send mail: ZohoCRM.send_mail.{module}.CREATE or ZohoCRM.send_mail.all.CREATE (send-mail
  // pages "Scope"; custom modules under `custom`); a modules scope does not cover it.
  if (last === 'send_mail') {
    const name = module.toLowerCase();
    const own = [crm(['send_mail', name], 'CREATE'), crm(['send_mail', 'all'], 'CREATE')];
    return [STANDARD_MODULES.has(name) ? own : [...own, crm(['send_mail', 'custom'], 'CREATE')]];
  }
  if (last === 'mass_update') {
    const massOp = req.method === 'POST' ? 'UPDATE' : 'READ';
    return [[...moduleNeeds(module, massOp), crm(['mass_update', module.toLowerCase()], 'UPDATE')]];
  }
  // Reading verbs sent as POST: the count action (record_count.json POST).
  const moduleOp = req.method === 'POST' && last === 'count' ? 'READ' : op;
  if (segments.includes('Attachments')) {
    return [[...moduleNeeds(module, moduleOp), crm(['modules', 'attachments'], moduleOp)]];
  }
  // Upsert and record actions (tags, …) change records that exist.
  const write = req.method === 'POST' && segments.length > 1 && last !== 'count';
  return [moduleNeeds(module, write && last !== 'upsert' ? 'UPDATE' : moduleOp)];
}

/**
 * Bulk Read: `ZohoCRM.bulk.read` (or ALL) for every call, and the module's READ scope to
 * create a job (CRM v2 bulk-read pages "Scope"; docs/ZOHO-FACTS.md "Bulk Read").
 */
function bulkReadNeeds(req: SandboxRequest): ScopeNeed[][] {
  const bulk = [crm(['bulk'], 'READ')];
  if (req.method !== 'POST') return [bulk];
  const query = (req.body as { query?: { module?: unknown } } | undefined)?.query;
  const module = query?.module as { api_name?: unknown } | string | undefined;
  const name = typeof module === 'string' ? module : module?.api_name;
  return typeof name === 'string' ? [bulk, moduleNeeds(name, 'READ')] : [bulk];
}

/**
 * Bulk Write: `ZohoCRM.bulk.CREATE` (or ALL) for its calls and the module's CREATE scope to create
 * a job (create-job.html "Scope"); the upload `ZohoFiles.files.ALL` (upload-file.html "Scope").
 */
function bulkWriteNeeds(req: SandboxRequest): ScopeNeed[][] {
  const bulk = [crm(['bulk'], 'CREATE')];
  if (req.method !== 'POST') return [bulk];
  const resource = (req.body as { resource?: unknown[] } | undefined)?.resource?.[0];
  const module = (resource as { module?: { api_name?: unknown } } | undefined)?.module?.api_name;
  return typeof module === 'string' ? [bulk, moduleNeeds(module, 'CREATE')] : [bulk];
}

function booksNeeds(segments: string[], req: SandboxRequest): ScopeNeed[][] {
  const first = segments[0] === ':type' ? (req.params.type ?? '') : (segments[0] ?? '');
  const name = BOOKS_SCOPE_OF[first] ?? first;
  const op = OP_OF_METHOD[req.method] ?? 'READ';
  return [[{ service: 'ZohoBooks', path: [name], op }]];
}

/**
 * The scopes a matched route needs, as AND-of-OR groups; undefined for routes Zoho does not
 * guard by scope (the sandbox's own helpers, test probes of another product).
 */
export function requiredScopes(
  product: Product,
  pattern: string,
  req: SandboxRequest,
): ScopeNeed[][] | undefined {
  const segments = pattern.split('/').filter((s) => s !== '');
  if (product === 'crm' && segments[1] === 'bulk' && segments[3] === 'read') {
    return bulkReadNeeds(req);
  }
  if (product === 'crm' && segments[1] === 'bulk' && segments[3] === 'write') {
    return bulkWriteNeeds(req);
  }
  if (product === 'crm' && segments[0] === 'content') {
    return [[{ service: 'ZohoFiles', path: ['files'], op: 'CREATE' }]];
  }
  if (product === 'crm' && segments[0] === 'crm') return crmNeeds(segments.slice(2), req);
  if (product === 'books' && segments[0] === 'books') return booksNeeds(segments.slice(2), req);
  return undefined;
}
