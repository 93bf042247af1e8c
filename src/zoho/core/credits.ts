/**
 * Zoho CRM's API credits: what one call costs, the pack's own running count of what this
 * connection spent, and what Zoho itself says of the org's credits.
 *
 * Zoho weighs calls differently (docs/ZOHO-FACTS.md "Limits: API credits"). The table below is
 * the one Zoho publishes on its API limits pages; the v8 page could not be read here, so each
 * weight names the page it comes from. Zoho shows an org's credit use in its web dashboard, and
 * on answers only through `X-API-CREDITS-REMAINING` once half of the day's credits are used:
 * until then the pack has nothing but its own count.
 */
import type { Clock } from './clock';

/** What one call costs when the table has no row for it (CRM v2/v4 `api-limits.html`). */
const DEFAULT_COST = 1;
/** "Convert Lead: 5" (CRM v2/v4 `api-limits.html`, the page's own example). */
const CONVERT_LEAD_COST = 5;
/** "Get IDs of deleted records: 2" (Vertical Solutions v2 `api-limits.html`; CRM **unverified**). */
const DELETED_IDS_COST = 2;
/** "Get records with cvid parameter: 3" (Vertical Solutions v2; CRM **unverified**). */
const CUSTOM_VIEW_COST = 3;
/** "Bulk Read Initialize: 50", "Bulk Write Initialize: 500" (Vertical Solutions v2; CRM **unverified**). */
const BULK_READ_COST = 50;
const BULK_WRITE_COST = 500;
/** "Insert/Update/Upsert: 1 credit for every 10 records" (Vertical Solutions v2; CRM **unverified**). */
const RECORDS_PER_WRITE_CREDIT = 10;
/** "Add/Remove Tags to Multiple records: 1 credit for every 50 records" (as above). */
const RECORDS_PER_TAG_CREDIT = 50;
/**
 * COQL: 1 credit for LIMIT 1–200, 2 for 201–1000, 3 for 1001–2000 (Vertical Solutions "Query
 * API - An Overview", v4/v5; CRM **unverified**). No LIMIT means Zoho's default of 200.
 */
const COQL_COST_STEPS: ReadonlyArray<[maxLimit: number, credits: number]> = [
  [200, 1],
  [1000, 2],
];
const COQL_TOP_COST = 3;

export interface CreditCall {
  method: string;
  /** Path under the CRM base, e.g. `/v8/Leads/upsert`. */
  path?: string;
  /** Or the absolute URL (`https://www.zohoapis.com/crm/v8/Leads`). */
  url?: string;
  query?: Record<string, unknown>;
  body?: unknown;
}

/** The credits Zoho deducts for one CRM call, as its published table weighs it. */
export function crmCreditCost(call: CreditCall): number {
  const method = call.method.toUpperCase();
  const segments = crmSegments(call);
  const [first, second, third] = segments;
  if (first === 'coql' && method === 'POST') return coqlCost(call.body);
  if (first === 'bulk' && method === 'POST') {
    return second === 'read' ? BULK_READ_COST : second === 'write' ? BULK_WRITE_COST : DEFAULT_COST;
  }
  if (second === 'deleted' && method === 'GET') return DELETED_IDS_COST;
  if (third === 'actions' && segments[3] === 'convert') return CONVERT_LEAD_COST;
  if (second === 'actions' && (third === 'add_tags' || third === 'remove_tags')) {
    return perRecords(tagTargets(call), RECORDS_PER_TAG_CREDIT);
  }
  const isWrite = method === 'POST' || method === 'PUT';
  if (segments.length === 1 && isWrite)
    return perRecords(dataLength(call.body), RECORDS_PER_WRITE_CREDIT);
  if (segments.length === 2 && second === 'upsert' && method === 'POST') {
    return perRecords(dataLength(call.body), RECORDS_PER_WRITE_CREDIT);
  }
  const cvid = call.query?.cvid;
  if (segments.length === 1 && method === 'GET' && cvid !== undefined && cvid !== '') {
    return CUSTOM_VIEW_COST;
  }
  return DEFAULT_COST;
}

/**
 * The path's segments after the version: `/v8/Leads/upsert` -> `Leads`, `upsert`; bulk calls
 * (`/bulk/v8/read`, Zoho's Bulk API path) -> `bulk`, `read`.
 */
function crmSegments(call: CreditCall): string[] {
  let path = call.path ?? '';
  if (call.url) {
    try {
      path = new URL(call.url).pathname.replace(/^\/crm(?=\/)/, '');
    } catch {
      path = '';
    }
  }
  const segments = path.split('?')[0].split('/').filter(Boolean);
  return segments[0] === 'bulk' ? ['bulk', ...segments.slice(2)] : segments.slice(1);
}

function perRecords(count: number, perCredit: number): number {
  return Math.max(1, Math.ceil(count / perCredit));
}

function dataLength(body: unknown): number {
  const data = (body as { data?: unknown } | undefined)?.data;
  return Array.isArray(data) ? data.length : 1;
}

/** Records a tag call touches: the `ids` query (comma-separated) or the body's `ids`. */
function tagTargets(call: CreditCall): number {
  const ids = call.query?.ids ?? (call.body as { ids?: unknown } | undefined)?.ids;
  if (Array.isArray(ids)) return ids.length;
  return typeof ids === 'string' ? ids.split(',').length : 1;
}

/** The row count a COQL query asks for: `LIMIT n`, `LIMIT offset, n` or `LIMIT n OFFSET m`. */
export function coqlLimit(query: string): number | undefined {
  const masked = query.replace(/'(?:[^'\\]|\\.)*'/g, "''");
  const match = /\blimit\s+(\d+)(?:\s*,\s*(\d+))?/i.exec(masked);
  if (!match) return undefined;
  return Number(match[2] ?? match[1]);
}

function coqlCost(body: unknown): number {
  const text = (body as { select_query?: unknown } | undefined)?.select_query;
  const limit = typeof text === 'string' ? (coqlLimit(text) ?? 200) : 200;
  for (const [maxLimit, credits] of COQL_COST_STEPS) if (limit <= maxLimit) return credits;
  return COQL_TOP_COST;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const BUCKET_MS = 60_000;

/**
 * The credits this connection spent in the last 24 hours (Zoho's window is rolling), counted in
 * minute buckets so a busy day holds at most 1,440 of them, whatever the number of calls.
 */
export class CreditLedger {
  private readonly buckets: Array<{ minute: number; credits: number }> = [];
  private total = 0;

  constructor(private readonly clock: Clock) {}

  add(credits: number): void {
    const minute = Math.floor(this.clock.now() / BUCKET_MS);
    this.prune(minute);
    const last = this.buckets[this.buckets.length - 1];
    if (last?.minute === minute) last.credits += credits;
    else this.buckets.push({ minute, credits });
    this.total += credits;
  }

  /** Credits spent in the last 24 hours. */
  spent(): number {
    this.prune(Math.floor(this.clock.now() / BUCKET_MS));
    return this.total;
  }

  /** Epoch ms when the oldest credits still counted leave the window. */
  nextRelease(): number | undefined {
    const oldest = this.buckets[0];
    return oldest ? (oldest.minute + 1) * BUCKET_MS + DAY_MS : undefined;
  }

  private prune(minute: number): void {
    const first = minute - DAY_MS / BUCKET_MS;
    while (this.buckets.length > 0 && this.buckets[0].minute < first) {
      this.total -= this.buckets.shift()!.credits;
    }
  }
}
