/**
 * Zoho CRM's concurrency caps per organization and app, by edition, and the lower cap of its
 * heavy APIs. Source: Zoho, "Kaizen #203 - Handling API Limits and Error Responses"
 * (help.zoho.com community): Free 5, Standard 10, Professional 15, Enterprise 20, Ultimate 25;
 * resource-intensive APIs (bulk, queries, lead conversion, …) about 10; over either cap Zoho
 * answers TOO_MANY_REQUESTS. Which calls count as heavy beyond COQL, bulk and convert (e.g.
 * writes of more than 10 records) is from third-party summaries of the v8 api-limits page.
 */
import type { SandboxRequest } from './types';

export const EDITION_CONCURRENCY = {
  free: 5,
  standard: 10,
  professional: 15,
  enterprise: 20,
  ultimate: 25,
} as const;

export type Edition = keyof typeof EDITION_CONCURRENCY;

export const EDITIONS = Object.keys(EDITION_CONCURRENCY) as Edition[];

/** Sub-concurrency of the heavy APIs, whatever the edition. */
export const HEAVY_CONCURRENCY = 10;

/** Records in one write above which the write counts as heavy. */
const HEAVY_WRITE_RECORDS = 10;

/**
 * `license_details` of GET /org for an edition (OAS org.json License_Details). `paid_type` in
 * lower case as Zoho's own examples show it ("enterprise" paid; "free" unpaid, with `trial_type`
 * "enterprise" during a trial: Deluge "Get Organization Information"); the other editions'
 * values are **unverified**. `paidType` overrides the edition's value (a value the pack does not
 * know); no edition answers "enterprise", as the emulator always did.
 */
export function licenseDetails(edition?: Edition, paidType?: string, users = 10) {
  const type = paidType ?? edition ?? 'enterprise';
  const paid = type !== 'free';
  return {
    paid_expiry: null,
    users_license_purchased: users,
    trial_type: null,
    trial_expiry: null,
    paid,
    paid_type: type,
    trial_action: null,
  };
}

export function isEdition(value: unknown): value is Edition {
  return typeof value === 'string' && value in EDITION_CONCURRENCY;
}

/** COQL, bulk jobs, lead conversion, and record writes of more than 10 records. */
export function isHeavy(pattern: string, req: SandboxRequest): boolean {
  if (pattern.endsWith('/coql') || pattern.startsWith('/crm/bulk/')) return true;
  if (pattern.endsWith('/actions/convert')) return true;
  const data = (req.body as { data?: unknown } | undefined)?.data;
  const writes = req.method === 'POST' || req.method === 'PUT';
  return writes && Array.isArray(data) && data.length > HEAVY_WRITE_RECORDS;
}

/** Calls in flight per app (client id), all and heavy: what the caps are checked against. */
export class AppConcurrency {
  private readonly inFlight = new Map<string, { all: number; heavy: number }>();

  /** Admits a call, or answers which cap it would exceed. */
  enter(app: string, edition: Edition, heavy: boolean): 'ok' | 'edition' | 'heavy' {
    const now = this.inFlight.get(app) ?? { all: 0, heavy: 0 };
    if (now.all >= EDITION_CONCURRENCY[edition]) return 'edition';
    if (heavy && now.heavy >= HEAVY_CONCURRENCY) return 'heavy';
    this.inFlight.set(app, { all: now.all + 1, heavy: now.heavy + (heavy ? 1 : 0) });
    return 'ok';
  }

  leave(app: string, heavy: boolean): void {
    const now = this.inFlight.get(app);
    if (!now) return;
    const next = { all: now.all - 1, heavy: now.heavy - (heavy ? 1 : 0) };
    if (next.all <= 0) this.inFlight.delete(app);
    else this.inFlight.set(app, next);
  }
}
