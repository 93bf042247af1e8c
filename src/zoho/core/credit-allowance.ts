/**
 * CRM's daily credit allowance as Zoho's formula gives it from the org's edition and user
 * licences, read from `GET /crm/v8/org` (`license_details.paid_type`,
 * `users_license_purchased`; OAS org.json). The formula (CRM `api-limits.html`, v4 and v8):
 * Free 5,000; Standard/Starter 50,000 + 250 per user licence (at most 100,000); Professional
 * 50,000 + 500 (at most 3,000,000); Enterprise/Zoho One 50,000 + 1,000 (at most 5,000,000);
 * Ultimate/CRM Plus 50,000 + 2,000 (no cap). Add-on credits come on top and no API tells them,
 * so the figure is a floor: a back-off against it stops early, never late.
 *
 * Zoho does not list the values of `paid_type`: its own examples show "enterprise" and "free";
 * the others are matched tolerantly (docs/ZOHO-FACTS.md, **unverified**).
 */
import type { Clock } from './clock';
import { type ZohoErrorShape, isZohoError } from './errors';
import type { RequestSpec, ZohoResponse } from './http';
import { scopeCovers } from './scopes';

interface Formula {
  name: string;
  base: number;
  perUser: number;
  max: number;
}

const STANDARD: Formula = { name: 'Standard', base: 50_000, perUser: 250, max: 100_000 };
const PROFESSIONAL: Formula = { name: 'Professional', base: 50_000, perUser: 500, max: 3_000_000 };
const ENTERPRISE: Formula = { name: 'Enterprise', base: 50_000, perUser: 1_000, max: 5_000_000 };
const ULTIMATE: Formula = { name: 'Ultimate', base: 50_000, perUser: 2_000, max: Infinity };

/** `paid_type` with case, spaces, dashes and underscores (and an "edition" suffix) dropped. */
const FORMULAS: Readonly<Record<string, Formula>> = {
  free: { name: 'Free', base: 5_000, perUser: 0, max: 5_000 },
  standard: STANDARD,
  starter: { ...STANDARD, name: 'Starter' },
  professional: PROFESSIONAL,
  enterprise: ENTERPRISE,
  zohoone: { ...ENTERPRISE, name: 'Zoho One' },
  ultimate: ULTIMATE,
  crmplus: { ...ULTIMATE, name: 'CRM Plus' },
};

/** The org read needs this scope (OAS org.json security; the pack asks for it by default). */
export const ORG_READ_SCOPE = 'ZohoCRM.org.READ';

/** What the org told of the allowance, or why it told nothing the pack can use. */
export type AllowanceReading =
  | { kind: 'formula'; credits: number; edition: string; users: number }
  | { kind: 'unknown-edition'; paidType: string }
  | { kind: 'unread'; reason: string };

/** The allowance by Zoho's formula for an org answer (`{ org: [{ license_details }] }`). */
export function allowanceOfOrg(answer: unknown): AllowanceReading {
  const org = (answer as { org?: unknown } | undefined)?.org;
  const first: unknown = Array.isArray(org) ? org[0] : undefined;
  const license = (first as { license_details?: unknown } | undefined)?.license_details as
    { paid_type?: unknown; users_license_purchased?: unknown } | undefined;
  if (!license) return { kind: 'unread', reason: 'the answer had no license_details' };
  const paidType = typeof license.paid_type === 'string' ? license.paid_type : '';
  const key = paidType
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/edition$/, '');
  const formula = FORMULAS[key];
  if (!formula) return { kind: 'unknown-edition', paidType: paidType || String(license.paid_type) };
  const count = license.users_license_purchased;
  // A missing or odd count adds nothing: the base alone is still a floor.
  const users = typeof count === 'number' && Number.isInteger(count) && count > 0 ? count : 0;
  const credits = Math.min(formula.max, formula.base + users * formula.perUser);
  return { kind: 'formula', credits, edition: formula.name, users };
}

/** How often the org is read again: an edition or a licence count changes seldom. */
export const ORG_READ_EVERY_MS = 24 * 60 * 60 * 1000;
/** A read that met the network or a busy Zoho is tried again sooner. */
export const ORG_RETRY_MS = 10 * 60 * 1000;

type Requester = (spec: RequestSpec) => Promise<ZohoResponse>;

/**
 * Reads the org's licence once, and again a day later (or sooner after a network failure).
 * Only the first read is waited for; later ones refresh in the background, and one that fails
 * keeps the figure already had. A read never throws: a failure is a reading of its own.
 */
export class OrgAllowance {
  private reading?: AllowanceReading;
  private pending?: Promise<void>;
  private nextAt = 0;

  constructor(
    private readonly request: Requester,
    private readonly clock: Clock,
    private readonly onReading: (reading: AllowanceReading) => void,
    private readonly scopes: readonly string[],
  ) {}

  /** The latest reading; undefined until the first read ends. */
  get current(): AllowanceReading | undefined {
    return this.reading;
  }

  /** Before a CRM call: a promise while the first read runs, else nothing to wait for. */
  before(): Promise<void> | undefined {
    if (!this.pending && this.clock.now() >= this.nextAt) {
      this.pending = this.read().finally(() => (this.pending = undefined));
    }
    return this.reading ? undefined : this.pending;
  }

  private async read(): Promise<void> {
    const { reading, retryMs } = await this.fetch();
    this.nextAt = this.clock.now() + retryMs;
    if (reading.kind === 'unread' && this.reading?.kind === 'formula') return;
    this.reading = reading;
    this.onReading(reading);
  }

  private async fetch(): Promise<{ reading: AllowanceReading; retryMs: number }> {
    const need = { service: 'ZohoCRM', name: 'org', op: 'READ' } as const;
    if (!this.scopes.some((s) => scopeCovers(s, need))) {
      const reason = `the connection's scopes lack ${ORG_READ_SCOPE}`;
      return { reading: { kind: 'unread', reason }, retryMs: ORG_READ_EVERY_MS };
    }
    try {
      // One attempt, no long waits: the first CRM call of the connection waits for it.
      const answer = await this.request({
        product: 'crm',
        method: 'GET',
        path: '/v8/org',
        retry: { maxRetries: 0, maxWaitMs: 0 },
        deadlineMs: 30_000,
      });
      return { reading: allowanceOfOrg(answer.data), retryMs: ORG_READ_EVERY_MS };
    } catch (err) {
      const code = isZohoError(err) ? err.code : 'ERROR';
      const transient =
        !isZohoError(err) ||
        err.kind === 'network' ||
        err.kind === 'timeout' ||
        (err.status ?? 0) >= 500 ||
        err.status === 429;
      const reason =
        code === 'OAUTH_SCOPE_MISMATCH'
          ? `Zoho refused GET /org: the grant lacks ${ORG_READ_SCOPE}`
          : `GET /org failed: ${code}`;
      return {
        reading: { kind: 'unread', reason },
        retryMs: transient ? ORG_RETRY_MS : ORG_READ_EVERY_MS,
      };
    }
  }
}

/** What the status reads from a credit warning's details (runtime/connection-status.ts). */
export type CreditWarningDetails =
  | { source: 'formula'; credits: number; edition: string; users: number }
  | { source: 'assumed'; credits: number; paidType?: string };

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The connection's warning while creditBackoff can only check the pack's own count: where the
 * allowance comes from (Zoho's formula, or the assumed floor and why). `code` is the
 * connection's CREDIT_ESTIMATE.
 */
export function creditEstimateWarning(
  code: string,
  reading: AllowanceReading,
  creditBackoff: number,
  assumed: number,
): ZohoErrorShape {
  const head = `creditBackoff (${Math.round(creditBackoff * 100)}%): `;
  const count =
    `the pack counts the credits this connection spent in 24 hours, as Zoho's published ` +
    `table weighs calls (other apps on the org are not counted), until Zoho reports the org's ` +
    `credits (it does so only once half of them are used)`;
  if (reading.kind === 'formula') {
    const { credits, edition, users } = reading;
    const details: CreditWarningDetails = { source: 'formula', credits, edition, users };
    const message =
      `${head}the budget is ${credits.toLocaleString('en-US')} API credits a day, Zoho's ` +
      `formula for ${edition} with ${plural(users, 'user licence')} (GET /org; add-on credits ` +
      `are not counted, so Zoho may allow more); ${count}.`;
    return { code, kind: 'config', message, details };
  }
  const why =
    reading.kind === 'unknown-edition'
      ? `the org's edition "${reading.paidType}" (GET /org license_details.paid_type) is not one the pack knows`
      : `the org's edition could not be read (${reading.reason})`;
  const paidType = reading.kind === 'unknown-edition' ? { paidType: reading.paidType } : {};
  const details: CreditWarningDetails = { source: 'assumed', credits: assumed, ...paidType };
  const message =
    `${head}${why}, so the budget is the pack's own estimate: ${count}, against an assumed ` +
    `${assumed.toLocaleString('en-US')}, the least a paid edition gets.`;
  return { code, kind: 'config', message, details };
}
