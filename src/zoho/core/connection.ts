/**
 * One connection = one zoho-config node: its auth, its request queue, and a status the editor
 * and every flow node can show. Nodes never see tokens; they call `request`.
 */
import { EventEmitter } from 'node:events';
import { TokenStore, ZohoAuth } from './auth';
import { systemClock } from './clock';
import { DEFAULT_SCOPES, scopeForRequest } from './consent';
import { AllowanceReading, OrgAllowance, creditEstimateWarning } from './credit-allowance';
import { ZohoError, ZohoErrorShape, isZohoError } from './errors';
import { HttpEvent, HttpOptions, RequestSpec, ZohoHttp, ZohoResponse } from './http';
import { ASSUMED_CRM_CREDITS, DEFAULT_CONCURRENCY } from './limits';
import { redactText } from './redact';
import { scopesNamed } from './response';
import { linkSignals, whenAborted } from './signals';
import { Environment, Region, RegionSettings, accountsUrl } from './regions';
import type { SharedCache, SharedTokenStore } from './shared';

/** The warning of a creditBackoff checked against the pack's own count of credits. */
export const CREDIT_ESTIMATE = 'CREDIT_ESTIMATE';
/** The warning of a shared store (shared.ts) that does not answer: the instance works alone. */
export const SHARED_STATE_DOWN = 'SHARED_STATE_DOWN';

/** The transport settings a connection passes on to its ZohoHttp as they are. */
type TransportOptions = Pick<
  HttpOptions,
  | 'maxConcurrency'
  | 'timeoutMs'
  | 'deadlineMs'
  | 'creditBackoff'
  | 'logger'
  | 'clock'
  | 'random'
  | 'maxResponseBytes'
  | 'maxDownloadBytes'
>;

export interface ConnectionOptions extends TransportOptions {
  region: Region;
  /** Custom region only: the accounts server (e.g. the sandbox). */
  accountsUrl?: string;
  /** CRM's org environment (production when not given). */
  environment?: Environment;
  /** Custom region only: allow a plain-http accounts URL on a host other than loopback. */
  allowInsecureHttp?: boolean;
  /** Who issued `refreshToken` (regions.ts `issuerOf`); see AuthOptions.refreshTokenIssuer. */
  refreshTokenIssuer?: string;
  /** The scopes the connection asked for (named in a scope error); DEFAULT_SCOPES when absent. */
  scopes?: readonly string[];
  clientId: string;
  clientSecret: string;
  refreshToken?: string;
  tokenStore?: TokenStore;
  /** Shares the access token with other instances (auth.ts AuthOptions.shared). */
  sharedTokens?: SharedTokenStore;
  /** Shares answers with other instances (e.g. Books organization discovery). */
  sharedCache?: SharedCache;
  refreshMarginMs?: number;
}

/** CRM's OAUTH_SCOPE_MISMATCH and Books' 57 as a scope error (response.ts): a missing OAuth scope. */
const SCOPE_CODES: ReadonlySet<string> = new Set(['OAUTH_SCOPE_MISMATCH', '57']);

export type ConnectionState = 'not-connected' | 'connected' | 'rate-limited' | 'error';

export interface ConnectionStatus {
  state: ConnectionState;
  region: Region;
  /** CRM's org environment; production when absent. */
  environment?: Environment;
  apiDomain?: string;
  expiresAt?: number;
  error?: ZohoErrorShape;
  /** While rate-limited: epoch ms when requests resume. */
  waitUntil?: number;
  /** Something the user should know that does not stop requests (e.g. a refused api_domain). */
  warning?: ZohoErrorShape;
}

/**
 * The state machine: `not-connected` without a refresh token; otherwise what the last request
 * or token check showed (`connected`, `rate-limited`, `error`). A token check that failed before
 * any request (`check()`) shows until a request or a later check says otherwise, and a latched
 * token failure (revoked, client rejected) shows even before a request meets it.
 */
export class ZohoConnection extends EventEmitter {
  readonly auth: ZohoAuth;
  readonly http: ZohoHttp;
  /** Calls this connection runs at once; batch writes and COQL pages use as many. */
  readonly maxConcurrency: number;
  /** Answers shared with the other instances of a fleet, when the connection has a store. */
  readonly sharedCache?: SharedCache;
  private last: ConnectionStatus;
  /** A failure seen by check() that no request has confirmed or cleared yet. */
  private checkFailure?: ConnectionStatus;
  private warning?: ZohoErrorShape;
  /** With creditBackoff: the org's edition, read to work out its allowance (credit-allowance.ts). */
  private readonly allowance?: OrgAllowance;
  /** creditBackoff is set and its budget is the pack's own count (Zoho has not said its figure). */
  private creditEstimated = false;
  /** The credit warning last logged: each one reaches the log once, not once per call. */
  private loggedCreditWarning?: string;
  /** False while the constructor runs: a warning met then shows in the first status. */
  private built = false;
  private unsubscribeShared?: () => void;

  constructor(private readonly options: ConnectionOptions) {
    super();
    const settings: RegionSettings = {
      region: options.region,
      accountsUrl: options.accountsUrl,
      environment: options.environment ?? 'production',
      allowInsecureHttp: options.allowInsecureHttp,
    };
    this.auth = new ZohoAuth({
      accountsUrl: accountsUrl(settings),
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      refreshToken: options.refreshToken,
      store: options.tokenStore,
      clock: options.clock,
      refreshMarginMs: options.refreshMarginMs,
      timeoutMs: options.timeoutMs,
      region: settings,
      refreshTokenIssuer: options.refreshTokenIssuer,
      shared: options.sharedTokens,
      onUntrustedApiDomain: (refused, used) => this.untrustedApiDomain(refused, used),
    });
    this.maxConcurrency = Math.max(1, options.maxConcurrency ?? DEFAULT_CONCURRENCY);
    this.sharedCache = options.sharedCache;
    this.http = new ZohoHttp({
      auth: this.auth,
      region: settings,
      maxConcurrency: this.maxConcurrency,
      timeoutMs: options.timeoutMs,
      deadlineMs: options.deadlineMs,
      creditBackoff: options.creditBackoff,
      logger: options.logger,
      clock: options.clock,
      random: options.random,
      secrets: () => this.secrets(),
      maxResponseBytes: options.maxResponseBytes,
      maxDownloadBytes: options.maxDownloadBytes,
    });
    if (options.creditBackoff) {
      this.allowance = new OrgAllowance(
        (spec) => this.http.request(spec),
        options.clock ?? systemClock,
        (reading) => this.allowanceRead(reading),
        options.scopes ?? DEFAULT_SCOPES,
      );
    }
    this.last = this.initialStatus();
    const shared = options.sharedTokens;
    if (shared?.healthy?.() === false) this.sharedHealth(false);
    this.unsubscribeShared = shared?.onHealth?.((up) => this.sharedHealth(up));
    this.built = true;
    this.http.on('event', (event: HttpEvent) => this.onHttpEvent(event));
  }

  /** The scopes the connection asked for (its grant's, as far as the pack knows). */
  get scopes(): readonly string[] {
    return this.options.scopes ?? DEFAULT_SCOPES;
  }

  private get environment(): Environment {
    return this.options.environment ?? 'production';
  }

  async request<T = unknown>(spec: RequestSpec): Promise<ZohoResponse<T>> {
    // The first CRM call under creditBackoff waits for the org's edition (one short read), so
    // none goes out against an allowance the org does not have (Free has a tenth of 50,000).
    if (this.allowance && (spec.product ?? 'crm') === 'crm' && !this.http.creditsReported()) {
      const first = this.allowance.before();
      if (first) await this.waitUnlessAborted(first, spec.signal);
    }
    try {
      return await this.http.request<T>(spec);
    } catch (err) {
      const scopeError = isZohoError(err) && SCOPE_CODES.has(err.code) && err.kind === 'scope';
      throw scopeError ? this.namingScope(err, spec) : err;
    }
  }

  /** Waits for `work` unless the caller gives up first (its own call then ends as aborted). */
  private async waitUnlessAborted(work: Promise<void>, signal?: AbortSignal): Promise<void> {
    if (!signal) return work;
    const wait = linkSignals(signal);
    try {
      await Promise.race([work, whenAborted(wait.signal)]);
    } finally {
      // Ends the listener on the caller's signal: a node's signal lives for months.
      wait.abort();
    }
  }

  /**
   * A scope refusal that names the scope the call needs (the one Zoho named, else the one of the
   * pack's scope list that covers the call) and whether the connection asked for it. It fails
   * this call only: the connection stays as it was.
   */
  private namingScope(err: ZohoError, spec: RequestSpec): ZohoError {
    const scopes = this.options.scopes ?? DEFAULT_SCOPES;
    const named = scopesNamed(err.details);
    const requiredScope = named[0] ?? scopeForRequest(spec.product ?? 'crm', spec.path ?? '');
    if (!requiredScope) return err;
    // Zoho's own naming is already in the message (response.ts scopeHint).
    const needs = named.length > 0 ? '' : ` The call needs the scope ${requiredScope}.`;
    const advice = scopes.includes(requiredScope)
      ? ` The connection's scopes (${scopes.join(', ')}) include it: the grant may predate it, connect again.`
      : ` The connection's scopes (${scopes.join(', ')}) lack it: add it and connect again.`;
    const message = err.message + needs + advice;
    const zoho =
      err.details && typeof err.details === 'object' ? err.details : { zoho: err.details };
    return new ZohoError({
      code: err.code,
      kind: 'scope',
      status: err.status,
      requestId: err.requestId,
      message,
      details: { ...zoho, requiredScope, scopes: [...scopes] },
    });
  }

  status(): ConnectionStatus {
    const warning = this.warning ? { warning: { ...this.warning } } : {};
    if (this.last.state !== 'connected') return { ...this.last, ...warning };
    if (this.checkFailure) return { ...this.checkFailure, ...warning };
    const failure = this.auth.failure();
    if (failure) return { ...this.last, state: 'error', error: failure.toJSON(), ...warning };
    return { ...this.last, ...warning };
  }

  /** Makes sure a valid access token exists (refreshing only when the stored one is stale). */
  async check(): Promise<ConnectionStatus> {
    try {
      await this.auth.accessToken();
      if (this.checkFailure) {
        this.checkFailure = undefined;
        this.emit('status', this.status());
      }
    } catch (err) {
      const error = isZohoError(err)
        ? err.toJSON()
        : { message: this.redact(String((err as Error)?.message ?? err)), code: 'ERROR' };
      const state = error.code === 'NOT_CONNECTED' ? 'not-connected' : 'error';
      this.checkFailure = { ...this.last, state, error };
      this.emit('status', this.status());
    }
    return this.status();
  }

  /** Every secret this connection knows, for scrubbing text that leaves the pack. */
  secrets(): string[] {
    const current = this.auth.current();
    return [
      this.options.clientSecret,
      this.options.refreshToken ?? '',
      current?.accessToken ?? '',
    ].filter((s) => s.length > 0);
  }

  redact(text: string): string {
    return redactText(text, this.secrets());
  }

  close(): void {
    this.unsubscribeShared?.();
    this.http.close();
    this.removeAllListeners();
  }

  /** A token came with an API host that is not this data centre's: say so, keep working. */
  private untrustedApiDomain(refused: string, used: string): void {
    const message =
      `Zoho's token answer named "${refused}" as the API host, which is not an https Zoho API ` +
      `host of this connection's data centre (${this.options.region}): the token is sent to ` +
      `${used} instead, never there. Check the region and accounts URL of the connection.`;
    this.warning = { code: 'UNTRUSTED_API_DOMAIN', kind: 'config', message };
    this.options.logger?.warn(this.redact(message));
    if (this.built) this.emit('status', this.status());
  }

  /** The shared store went down (the instance refreshes on its own) or came back. */
  private sharedHealth(up: boolean): void {
    if (up) {
      if (this.warning?.code !== SHARED_STATE_DOWN) return;
      this.warning = undefined;
    } else {
      // A replaced api_domain is the more pressing news; both show yellow.
      if (this.warning && this.warning.code !== CREDIT_ESTIMATE) return;
      const message =
        'The shared state store (Redis) does not answer: this instance refreshes its token on ' +
        'its own until it is back.';
      this.warning = { code: SHARED_STATE_DOWN, kind: 'network', message };
      this.options.logger?.warn(message);
    }
    if (this.built) this.emit('status', this.status());
  }

  /** creditBackoff's budget became (true) or stopped being (false) the pack's own count. */
  private creditEstimate(estimated: boolean): void {
    this.creditEstimated = estimated;
    this.showCreditWarning();
  }

  /** The org's edition was read: its allowance by Zoho's formula, or the assumed floor. */
  private allowanceRead(reading: AllowanceReading): void {
    const formula = reading.kind === 'formula';
    const source = formula
      ? `Zoho's formula for ${reading.edition} with ${reading.users} user licences; add-on credits not counted`
      : '';
    this.http.setCreditAllowance(formula ? { limit: reading.credits, source } : undefined);
    this.showCreditWarning();
  }

  /**
   * While creditBackoff checks the pack's own count, say so and where its allowance comes from:
   * once in the log per wording, and in the status unless a more pressing warning holds it.
   * Before the org's edition is known there is nothing true to say yet; Zoho's figure ends it.
   */
  private showCreditWarning(): void {
    const reading = this.allowance?.current;
    if (!this.creditEstimated) {
      if (this.warning?.code !== CREDIT_ESTIMATE) return;
      this.warning = undefined;
      this.emit('status', this.status());
      return;
    }
    if (!reading) return;
    const backoff = this.options.creditBackoff ?? 0;
    const warning = creditEstimateWarning(CREDIT_ESTIMATE, reading, backoff, ASSUMED_CRM_CREDITS);
    if (warning.message !== this.loggedCreditWarning) this.options.logger?.warn(warning.message);
    this.loggedCreditWarning = warning.message;
    if (this.warning && this.warning.code !== CREDIT_ESTIMATE) return;
    if (this.warning?.message === warning.message) return;
    this.warning = warning;
    if (this.built) this.emit('status', this.status());
  }

  private initialStatus(): ConnectionStatus {
    const current = this.auth.current();
    const where = { region: this.options.region, environment: this.environment };
    if (!this.auth.hasRefreshToken) return { state: 'not-connected', ...where };
    return {
      state: 'connected',
      ...where,
      apiDomain: current?.apiDomain,
      expiresAt: current?.expiresAt,
    };
  }

  private onHttpEvent(event: HttpEvent): void {
    if (event.kind === 'credit-estimate') {
      this.creditEstimate(event.estimated);
      return;
    }
    const current = this.auth.current();
    // Every answered call says 'ok': while nothing changed, the status it would build is `last`.
    if (
      event.kind === 'ok' &&
      this.last.state === 'connected' &&
      this.checkFailure === undefined &&
      this.last.apiDomain === current?.apiDomain &&
      this.last.expiresAt === current?.expiresAt
    )
      return;
    const base = {
      region: this.options.region,
      environment: this.environment,
      apiDomain: current?.apiDomain,
      expiresAt: current?.expiresAt,
    };
    let next: ConnectionStatus;
    if (event.kind === 'auth-error') {
      next = {
        ...base,
        state: event.error.code === 'NOT_CONNECTED' ? 'not-connected' : 'error',
        error: event.error.toJSON(),
      };
    } else if (event.kind === 'rate-limited') {
      next = {
        ...base,
        state: 'rate-limited',
        waitUntil: event.until,
        error: { code: 'RATE_LIMITED', message: event.reason },
      };
    } else {
      next = { ...base, state: 'connected' };
    }
    const changed =
      this.checkFailure !== undefined ||
      next.state !== this.last.state ||
      next.error?.code !== this.last.error?.code ||
      next.expiresAt !== this.last.expiresAt;
    this.checkFailure = undefined;
    this.last = next;
    if (changed) this.emit('status', this.status());
  }
}
