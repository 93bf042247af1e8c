/**
 * Fault injection: lets tests make the sandbox fail the way Zoho and networks do (5xx, 429,
 * dropped connections, slowness, tokens dying mid-flight) at a precise request.
 */

export type FaultKind =
  'status' | 'reset-before' | 'reset-after' | 'slow' | 'expire-token' | 'revoke-token';

export interface FaultRule {
  /**
   * `path` as a string matches that path or anything below it ('/crm/v8/Leads' also matches
   * '/crm/v8/Leads/1'); a RegExp is tested against the path. No match = every request.
   */
  match?: { method?: string; path?: string | RegExp };
  kind: FaultKind;
  /** For 'status'. */
  status?: number;
  /** For 'status'; default a Zoho-shaped error for the status. */
  body?: unknown;
  /** Seconds, sent as Retry-After with a 'status' fault. */
  retryAfter?: number;
  /** For 'slow'. */
  delayMs?: number;
  /** How many requests this rule hits before it retires; default 1, Infinity allowed. */
  times?: number;
}

export interface FaultHandle {
  readonly rule: FaultRule;
  /** Requests this rule has hit so far. */
  readonly hits: number;
  /** True once `times` hits are used up or the rule was removed. */
  readonly done: boolean;
  remove(): void;
}

class ActiveFault implements FaultHandle {
  hits = 0;
  removed = false;
  constructor(
    readonly rule: FaultRule,
    private readonly owner: FaultInjector,
  ) {}
  get done(): boolean {
    return this.removed || this.hits >= (this.rule.times ?? 1);
  }
  remove(): void {
    this.removed = true;
    this.owner.forget(this);
  }
  matches(method: string, path: string): boolean {
    const m = this.rule.match;
    if (!m) return true;
    if (m.method && m.method.toUpperCase() !== method.toUpperCase()) return false;
    if (m.path instanceof RegExp) return m.path.test(path);
    if (typeof m.path === 'string') {
      const prefix = m.path.endsWith('/') ? m.path : `${m.path}/`;
      return path === m.path || path.startsWith(prefix);
    }
    return true;
  }
}

export class FaultInjector {
  private rules: ActiveFault[] = [];

  inject(rule: FaultRule): FaultHandle {
    const fault = new ActiveFault(rule, this);
    this.rules.push(fault);
    return fault;
  }

  clear(): void {
    for (const r of this.rules) r.removed = true;
    this.rules = [];
  }

  /** Rules still waiting to hit. */
  get pending(): FaultHandle[] {
    return [...this.rules];
  }

  forget(fault: ActiveFault): void {
    this.rules = this.rules.filter((r) => r !== fault);
  }

  /**
   * Consumes every live rule matching this request, at most one per kind so a test can stack
   * e.g. 'slow' and 'expire-token' on the same call; the oldest rule of a kind wins.
   */
  take(method: string, path: string): FaultRule[] {
    const taken = new Map<FaultKind, FaultRule>();
    for (const fault of this.rules) {
      if (taken.has(fault.rule.kind) || !fault.matches(method, path)) continue;
      fault.hits++;
      taken.set(fault.rule.kind, fault.rule);
      if (fault.done) this.forget(fault);
    }
    return [...taken.values()];
  }
}
