/**
 * Admission control for one connection: a FIFO semaphore bounded by maxConcurrency (Zoho
 * counts concurrent calls per org and app), a pause everyone honours after a 429, and
 * rolling windows for per-minute limits such as Zoho Books' 100 requests a minute.
 */
import { Clock } from './clock';
import type { CreditLedger } from './credits';
import { LocalCodes, ZohoError } from './errors';
import { linkSignals, whenAborted } from './signals';

/** Calls in flight per connection unless its settings say otherwise. */
export const DEFAULT_CONCURRENCY = 5;

function aborted(signal?: AbortSignal): ZohoError {
  return new ZohoError({
    code: LocalCodes.ABORTED,
    message: 'The request was cancelled (its caller aborted it or the connection was closed).',
    cause: signal?.reason,
  });
}

export class Semaphore {
  private active = 0;
  private readonly waiters: Array<{ grant: () => void; reject: (e: unknown) => void }> = [];

  constructor(private limit: number) {}

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiters.length;
  }

  setLimit(limit: number): void {
    this.limit = Math.max(1, limit);
    this.drain();
  }

  /** Takes a free slot at once, if there is one (then `release()` it as after `acquire`). */
  tryAcquire(): boolean {
    if (this.active >= this.limit || this.waiters.length > 0) return false;
    this.active++;
    return true;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(aborted(signal));
    if (this.active < this.limit && this.waiters.length === 0) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(aborted(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(): void {
    this.active = Math.max(0, this.active - 1);
    this.drain();
  }

  private drain(): void {
    while (this.active < this.limit && this.waiters.length > 0) {
      this.active++;
      this.waiters.shift()?.grant();
    }
  }
}

/**
 * At most `limit` calls in any `windowMs`, counted the way Zoho counts them. Zoho sees a call
 * when it arrives, which is later than we admit it (the queue and a token refresh lie between),
 * so a call counts from its admission until a full window after its answer: no window of
 * Zoho's can then hold more than `limit` of ours. The price is one round trip per window.
 */
export class RollingWindow {
  private inFlight = 0;
  /** Answer times of finished calls still inside the window, oldest first. */
  private readonly answered: number[] = [];
  private chain: Promise<void> = Promise.resolve();
  private wake?: () => void;

  constructor(
    private limit: number,
    private windowMs: number,
    private readonly clock: Clock,
  ) {}

  /** A later caller may ask for another limit on the same key: the newest one applies. */
  setLimit(limit: number, windowMs: number): void {
    this.limit = Math.max(1, limit);
    this.windowMs = windowMs;
  }

  /** Waits for a turn (callers in order); the returned function ends it once answered. */
  take(signal?: AbortSignal): Promise<() => void> {
    const turn = this.chain.then(() => this.admit(signal));
    // A cancelled caller must not block those behind it.
    this.chain = turn.catch(() => undefined);
    return turn.then(() => {
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        this.inFlight--;
        this.answered.push(this.clock.monotonic());
        this.wake?.();
      };
    });
  }

  private async admit(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw aborted(signal);
      const now = this.clock.monotonic();
      while (this.answered.length > 0 && this.answered[0] <= now - this.windowMs) {
        this.answered.shift();
      }
      if (this.inFlight + this.answered.length < this.limit) {
        this.inFlight++;
        return;
      }
      await this.waitForRoom(now, signal);
    }
  }

  /**
   * Waits for the oldest answer to leave the window, for a call in flight to end, or for the
   * caller to give up; whichever comes first, the others' timer and listener are removed.
   */
  private async waitForRoom(now: number, signal?: AbortSignal): Promise<void> {
    const wait = linkSignals(signal);
    const woken = new Promise<void>((resolve) => (this.wake = resolve));
    const waits: Promise<void>[] = [woken, whenAborted(wait.signal)];
    if (this.answered.length > 0) {
      const ms = this.answered[0] + this.windowMs - now + 1;
      waits.push(this.clock.sleep(ms, wait.signal).catch(() => undefined));
    }
    try {
      await Promise.race(waits);
    } finally {
      // Ends the sleep (clearing its timer) and lets go of the caller's signal.
      wait.abort();
      this.wake = undefined;
    }
  }
}

/**
 * What a product told us of one organization's daily allowance. CRM and Books count apart (CRM
 * in credits per rolling 24 hours, Books in calls per organization per day, reset at the org's
 * midnight), so each product and organization has its own: one running low never holds back
 * another.
 */
export interface Quota {
  limit: number;
  remaining: number;
  /** Epoch ms when the allowance comes back, if the product said. */
  resetAt?: number;
}

/** Which allowance a call draws on: its product and, for Books-like products, its organization. */
export function budgetKey(product: string, organizationId?: string | number | null): string {
  return organizationId === undefined || organizationId === null || organizationId === ''
    ? product
    : `${product}:${organizationId}`;
}

const positive = (value: string | undefined): number | undefined => {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) && n >= 0 ? n : undefined;
};

/**
 * Zoho Books' daily quota from its answer headers: `X-Rate-Limit-Limit`, `-Remaining`, and
 * `-Reset` in seconds until midnight in the organization's time zone (a recorded answer of a
 * real org: limit 1000, reset 27445 at 16:22:34 -0400; docs/ZOHO-FACTS.md "Zoho Books").
 * Headers arrive lower-cased.
 */
export function booksQuotaHeaders(headers: Record<string, string>, now: number): Quota | undefined {
  const limit = positive(headers['x-rate-limit-limit']);
  const remaining = positive(headers['x-rate-limit-remaining']);
  if (limit === undefined || remaining === undefined || limit <= 0) return undefined;
  const reset = positive(headers['x-rate-limit-reset']);
  return { limit, remaining, resetAt: reset === undefined ? undefined : now + reset * 1000 };
}

/** The share of an allowance below which a status says how much is left. */
export const QUOTA_LOW_SHARE = 0.1;

/**
 * The least daily credits any paid CRM edition gets (50,000 plus a share per user licence; CRM
 * v4 `api-limits.html`): the org size the pack's own credit estimate assumes, so that on a paid
 * edition it stops no later than the user's share of the real allowance would.
 */
export const ASSUMED_CRM_CREDITS = 50_000;

/** A daily CRM allowance the pack worked out, and where it comes from (for messages). */
export interface CreditAllowance {
  limit: number;
  /** E.g. "Zoho's formula for Enterprise with 10 user licences; add-on credits not counted". */
  source: string;
}

/** What Zoho said of CRM's credits: the remaining credits, and the limit when it said that too. */
export interface CreditReading {
  remaining: number;
  limit?: number;
  resetAt?: number;
}

/** A refusal of a budget: what was used, and until when. */
export interface BudgetRefusal {
  key: string;
  quota: Quota;
  /** Share used, 0..1. */
  used: number;
  until: number;
  /** The refusing budget: `credit` (the user's creditBackoff) or `daily` (the allowance is gone). */
  reason: 'credit' | 'daily';
  /** True when the share is the pack's own count of credits, not a figure Zoho gave. */
  estimated?: boolean;
  /** With `estimated`: where the allowance comes from; absent when it is ASSUMED_CRM_CREDITS. */
  source?: string;
}

/**
 * The allowances of one connection, per product and organization. `creditBackoff` (a share of
 * CRM's daily credits) applies only to CRM's; every budget refuses once nothing is left before
 * its reset, since Zoho would refuse the call anyway. For CRM, until Zoho says something of the
 * org's credits, the share is the pack's own count (`ledger`) against the allowance Zoho's
 * formula gives for the org's edition (setCreditAllowance), else ASSUMED_CRM_CREDITS.
 */
export class Budgets {
  private readonly quotas = new Map<string, Quota>();
  /** The smallest allowance consistent with what Zoho said (see noteCredits). */
  private creditLimitEstimate = 0;
  private zohoSaidCredits = false;
  private allowance?: CreditAllowance;

  constructor(
    private readonly creditBackoff?: number,
    private readonly ledger?: CreditLedger,
  ) {}

  get(key: string): Quota | undefined {
    return this.quotas.get(key);
  }

  note(key: string, quota: Quota | undefined): void {
    if (quota) this.quotas.set(key, quota);
  }

  /** The allowance the pack's own count is checked against; undefined: ASSUMED_CRM_CREDITS. */
  setCreditAllowance(allowance: CreditAllowance | undefined): void {
    this.allowance = allowance;
  }

  /** True once Zoho has said anything of CRM's credits on this connection. */
  get creditsFromZoho(): boolean {
    return this.zohoSaidCredits;
  }

  /**
   * CRM's credits as an answer told them. `X-API-CREDITS-REMAINING` alone gives no limit, but
   * Zoho sends it only from half the allowance used, so the allowance is at least twice what
   * remains: that bound, the smallest allowance consistent with every answer so far, makes the
   * share used err high (the pack stops early rather than late).
   */
  noteCredits(reading: CreditReading | undefined): void {
    if (!reading) return;
    this.zohoSaidCredits = true;
    this.creditLimitEstimate = Math.max(this.creditLimitEstimate, 2 * reading.remaining);
    const limit = reading.limit ?? this.creditLimitEstimate;
    if (limit > 0)
      this.quotas.set('crm', { limit, remaining: reading.remaining, resetAt: reading.resetAt });
  }

  /** Milliseconds until the allowance of `key` comes back, when known and ahead. */
  untilReset(key: string, now: number): number | undefined {
    const reset = this.quotas.get(key)?.resetAt;
    return reset !== undefined && reset > now ? reset - now : undefined;
  }

  /** A refusal when the call under `key` must not be sent; forgets allowances past reset. */
  check(key: string, product: string, now: number): BudgetRefusal | undefined {
    const quota = this.quotas.get(key);
    if (!quota) return product === 'crm' ? this.checkOwnCount(key, now) : undefined;
    if (quota.resetAt !== undefined && quota.resetAt <= now) {
      this.quotas.delete(key);
      return undefined;
    }
    const used = (quota.limit - quota.remaining) / quota.limit;
    const fraction = product === 'crm' ? this.creditBackoff : undefined;
    // CRM's credits stop only where the user asked (creditBackoff); a Books-like product's calls
    // stop when its day's allowance is gone.
    const daily = product !== 'crm' && quota.remaining <= 0;
    const reason = daily ? 'daily' : fraction && used >= fraction ? 'credit' : '';
    if (reason === '') return undefined;
    // Without a reset time from Zoho, let one probe through a minute later to learn the truth.
    quota.resetAt ??= now + 60_000;
    return { key, quota, used, until: quota.resetAt, reason };
  }

  /** The creditBackoff share against the pack's own count, while Zoho has said nothing. */
  private checkOwnCount(key: string, now: number): BudgetRefusal | undefined {
    if (!this.creditBackoff || !this.ledger || this.zohoSaidCredits) return undefined;
    const spent = this.ledger.spent();
    const limit = this.allowance?.limit ?? ASSUMED_CRM_CREDITS;
    const used = spent / limit;
    if (used < this.creditBackoff) return undefined;
    const until = this.ledger.nextRelease() ?? now + 60_000;
    const quota = { limit, remaining: limit - spent, resetAt: until };
    const source = this.allowance?.source;
    return { key, quota, used, until, reason: 'credit', estimated: true, source };
  }
}
