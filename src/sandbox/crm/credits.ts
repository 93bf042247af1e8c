/**
 * What a CRM call costs in API credits, as Zoho's published table weighs it. Zoho's CRM v8
 * page was not readable here; each weight names the page it comes from (docs/ZOHO-FACTS.md
 * "Limits: API credits"). Calls with no row cost 1 ("Each API call made will result in a
 * reduction of 1 credit", CRM v2/v4 `api-limits.html`). The emulator has no bulk write
 * endpoint, so that row (500) has no counterpart here.
 */
import { parseQuery } from './coql-parse';
import type { SandboxRequest } from '../types';
import { isObject } from './util';

/** "Insert/Update/Upsert: 1 credit for every 10 records" (Vertical Solutions v2 `api-limits.html`). */
export function writeCredits(req: SandboxRequest): number {
  const data = isObject(req.body) ? req.body.data : undefined;
  return Array.isArray(data) ? Math.max(1, Math.ceil(data.length / 10)) : 1;
}

/** "Get records with cvid parameter: 3" (Vertical Solutions v2 `api-limits.html`). */
export function listCredits(req: SandboxRequest): number {
  return req.query.get('cvid') ? 3 : 1;
}

/** "Convert Lead: 5" (CRM v2/v4 `api-limits.html`, the page's own example). */
export const CONVERT_LEAD_CREDITS = 5;

/** "Get IDs of deleted records: 2" (Vertical Solutions v2 `api-limits.html`). */
export const DELETED_IDS_CREDITS = 2;

/**
 * COQL by its LIMIT: 1–200 one credit, 201–1000 two, 1001–2000 three (Vertical Solutions
 * "Query API - An Overview", v4/v5). A query that does not parse costs the default 1.
 */
export function coqlCredits(req: SandboxRequest): number {
  const text = isObject(req.body) ? req.body.select_query : undefined;
  let rows = 200;
  try {
    if (typeof text === 'string') rows = parseQuery(text).limit ?? 200;
  } catch {
    return 1;
  }
  return rows <= 200 ? 1 : rows <= 1000 ? 2 : 3;
}

/** "Add/Remove Tags to Multiple records: 1 credit for every 50 records" (as core/credits.ts). */
export function tagCredits(req: SandboxRequest): number {
  const ids = isObject(req.body) ? req.body.ids : undefined;
  return Array.isArray(ids) ? Math.max(1, Math.ceil(ids.length / 50)) : 1;
}

/** "Bulk Read Initialize: 50" (Vertical Solutions v2 `api-limits.html`; CRM v8 **unverified**). */
export const BULK_READ_CREDITS = 50;

/** "Bulk Write Initialize: 500" (api-evangelist summary of v8; CRM v8 **unverified**, as core/credits.ts). */
export const BULK_WRITE_CREDITS = 500;
