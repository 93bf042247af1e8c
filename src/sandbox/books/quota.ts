/**
 * Zoho Books' two limits per organization, as a real org answers them:
 *
 * - a per-minute window (100 a minute per organization, Zoho Books API introduction, "API Call
 *   Limit"); past it a 429 with Books' own body and no Retry-After (third parties report none:
 *   issue 20; the body's code 45 "Request Limit Exceeded" is from a third-party error table,
 *   support.kalkillp.com "Zoho Books API v3: The Complete Error Code & Troubleshooting Guide");
 * - a daily quota (1,000 a day for the org of the recorded answers, NangoHQ/integration-templates
 *   integrations/zoho-books/tests/create-invoice.test.json), reset at midnight in the org's time
 *   zone and sent on every answer as `X-Rate-Limit-Limit` / `-Remaining` / `-Reset` (seconds
 *   until that midnight: 27445 s at 16:22:34 -0400 in the recording; also reported in
 *   Weble/ZohoBooksApi issue 38).
 */
import { booksError } from '../router';
import type { SandboxReply } from '../types';
import { orgDay } from './time';

export interface BooksLimitSettings {
  /** Requests per window per organization; 0 = unlimited. */
  rateLimit: { limit: number; windowMs: number };
  /** Requests per organization per day (its midnight to midnight); 0 = unlimited, no headers. */
  dailyLimit: number;
}

/** The recorded org's daily quota (see above). */
export const DEFAULT_BOOKS_DAILY_LIMIT = 1000;

export class BooksLimits {
  private readonly windows = new Map<string, number[]>();
  private readonly days = new Map<string, { date: string; used: number }>();
  /** Requests answered 429 by either limit. */
  throttled = 0;

  constructor(private readonly settings: BooksLimitSettings) {}

  reset(): void {
    this.windows.clear();
    this.days.clear();
    this.throttled = 0;
  }

  /**
   * Counts a call against the organization's minute and day; a 429 reply when over either.
   * Every answer, the 429 included, carries the daily headers.
   */
  admit(orgId: string, timeZone: string, now: number): SandboxReply | undefined {
    const refusal = this.overDay(orgId, timeZone, now) ?? this.overMinute(orgId, now);
    if (refusal) this.throttled++;
    return refusal;
  }

  /** The `X-Rate-Limit-*` headers of an answer to the organization. */
  headers(orgId: string, timeZone: string, now: number): Record<string, string> {
    const limit = this.settings.dailyLimit;
    if (limit <= 0) return {};
    const { date, secondsLeft } = orgDay(now, timeZone);
    const day = this.days.get(orgId);
    const used = day?.date === date ? day.used : 0;
    return {
      'X-Rate-Limit-Limit': String(limit),
      'X-Rate-Limit-Remaining': String(Math.max(0, limit - used)),
      'X-Rate-Limit-Reset': String(secondsLeft),
    };
  }

  private overDay(orgId: string, timeZone: string, now: number): SandboxReply | undefined {
    const limit = this.settings.dailyLimit;
    if (limit <= 0) return undefined;
    const { date } = orgDay(now, timeZone);
    let day = this.days.get(orgId);
    if (day?.date !== date) this.days.set(orgId, (day = { date, used: 0 }));
    if (day.used >= limit) {
      // The text of Books' daily refusal: no source found (docs/ZOHO-FACTS.md: unverified).
      return booksError(429, 45, 'You have reached the maximum number of API calls for today.');
    }
    day.used++;
    return undefined;
  }

  private overMinute(orgId: string, now: number): SandboxReply | undefined {
    const { limit, windowMs } = this.settings.rateLimit;
    if (limit <= 0) return undefined;
    let starts = this.windows.get(orgId);
    if (!starts) this.windows.set(orgId, (starts = []));
    while (starts.length > 0 && starts[0] <= now - windowMs) starts.shift();
    if (starts.length >= limit) return booksError(429, 45, 'Request Limit Exceeded');
    starts.push(now);
    return undefined;
  }
}
