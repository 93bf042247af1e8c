/**
 * The one request path of the pack. Every Zoho call of every node goes through
 * `ZohoHttp.request`: admission (concurrency, 429 pause, rolling windows, credit budget), the
 * access token, one replay after a 401, retries where a retry cannot apply a write twice, and
 * one error shape for every failure.
 */
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { StoredTokens, ZohoAuth } from './auth';
import { Clock, systemClock } from './clock';
import { CreditLedger, crmCreditCost } from './credits';
import { LocalCodes, ZohoError, invalidInput } from './errors';
import {
  Budgets,
  CreditAllowance,
  Quota,
  RollingWindow,
  Semaphore,
  booksQuotaHeaders,
  budgetKey,
} from './limits';
import { Logger, redactUrl, silentLogger } from './redact';
import { CallSignals, DeadlineExceeded } from './signals';
import { axiosTransport } from './transport';
import {
  Product,
  RegionSettings,
  isProduct,
  productBaseUrl,
  productPrefix,
  trustedApiDomain,
  trustedHosts,
  uploadBaseUrl,
} from './regions';
import {
  DEFAULT_MAX_DOWNLOAD_BYTES,
  DEFAULT_MAX_RESPONSE_BYTES,
  ResponseType,
  creditHeaders,
  decodeBody,
  httpError,
  networkError,
  retryAfterMs,
  notJsonError,
  responseTooLarge,
} from './response';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
export type QueryValue = string | number | boolean | undefined | null | Array<string | number>;

export interface RetryPolicy {
  maxRetries: number;
  retryDelayMs: number;
  exponentialBackoff: boolean;
  /** Retry every failure, even where a retry could repeat a write: the caller's explicit choice. */
  retryOnAllErrors: boolean;
  /** A server asking us to wait longer than this fails the call instead of hanging the message. */
  maxWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 3,
  retryDelayMs: 500,
  exponentialBackoff: true,
  retryOnAllErrors: false,
  maxWaitMs: 120_000,
};

export interface RequestSpec {
  product?: Product;
  method: HttpMethod;
  /** Path under the product's base; dynamic segments must be encoded with `segment()`. */
  path?: string;
  /** Absolute URL instead of path; only to this connection's Zoho hosts. */
  url?: string;
  /**
   * `upload`: the path is on the data centre's file upload host (Bulk Write's
   * `<upload host>/crm/v8/upload`, regions.ts `uploadBaseUrl`) instead of the product's API host.
   */
  host?: 'upload';
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** JSON value, URLSearchParams (form), FormData (multipart), Buffer or string. */
  body?: unknown;
  responseType?: ResponseType;
  /** Longest silence of the server (no byte sent or received). */
  timeoutMs?: number;
  /** Longest time one attempt may take from sending to the last byte of the answer. */
  deadlineMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Overrides the method's safety: e.g. a POST that only reads (COQL) may be retried. */
  idempotent?: boolean;
  /** Answer non-2xx statuses instead of throwing (zoho-raw's pass-through option). */
  passThroughErrors?: boolean;
  /** A per-minute limit to keep under, e.g. Books' 100 a minute per organization. */
  rateLimit?: { key: string; limit: number; windowMs: number };
  signal?: AbortSignal;
}

export interface ZohoResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
  /** Attempts made, 1 when the first one answered. */
  attempts: number;
  /** Bytes of the body as received (an answer read whole); what its data weighs as JSON. */
  bytes?: number;
}

/** One attempt's answer as the request path reads it (bytes: of a body read whole). */
interface Outcome {
  status: number;
  headers: Record<string, string>;
  data: unknown;
  bytes?: number;
}

export type HttpEvent =
  | { kind: 'rate-limited'; until: number; reason: string }
  | { kind: 'auth-error'; error: ZohoError }
  | { kind: 'ok' }
  /** creditBackoff is set and the budget is (true) or is no longer (false) the pack's own count. */
  | { kind: 'credit-estimate'; estimated: boolean };

export interface HttpOptions {
  auth: ZohoAuth;
  region: RegionSettings;
  maxConcurrency?: number;
  timeoutMs?: number;
  /** Default of RequestSpec.deadlineMs: DEFAULT_DEADLINE_MS, or timeoutMs when that is longer. */
  deadlineMs?: number;
  /** Stop when this fraction (0.5–1.0) of CRM's daily API credits is used (CRM calls only). */
  creditBackoff?: number;
  logger?: Logger;
  clock?: Clock;
  random?: () => number;
  /** Strings to scrub from every log line (client secret, refresh token). */
  secrets?: () => string[];
  /** Largest JSON or text answer accepted, in bytes (response.ts DEFAULT_MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  /** Largest binary answer (a download) accepted, in bytes (DEFAULT_MAX_DOWNLOAD_BYTES). */
  maxDownloadBytes?: number;
}

/** An error answer of a streamed call, read whole up to the JSON limit. */
async function readBounded(stream: Readable, limit = DEFAULT_MAX_RESPONSE_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) {
      stream.destroy();
      throw responseTooLarge(limit);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/**
 * How long one attempt may take in all. axios's `timeout` only limits silence, so a server that
 * trickles a byte every few seconds would hold a concurrency slot for ever; two minutes is four
 * times the default silence timeout, and enough for a 20 MB download at 1.5 Mbit/s.
 */
export const DEFAULT_DEADLINE_MS = 120_000;

const SAFE_METHODS = new Set<HttpMethod>(['GET', 'HEAD', 'PUT', 'DELETE']);
/**
 * 401 codes that say the access token itself was refused, so a refresh can cure them: CRM's
 * INVALID_TOKEN and AUTHENTICATION_FAILURE (the OAS error enum, record.json), INVALID_OAUTHTOKEN
 * (Zoho's other APIs, e.g. https://www.zoho.com/social/api/oauth-authentication.html) and Books'
 * 14 "Invalid value passed for authtoken" (from the issue's probe; not in Books' published docs,
 * which say only "401 Unauthorized (Invalid AuthToken)"). Any other 401 (OAUTH_SCOPE_MISMATCH,
 * NO_PERMISSION, …) fails its one call: a new token would have the same scopes.
 */
const TOKEN_REFUSED = new Set([
  'INVALID_TOKEN',
  'AUTHENTICATION_FAILURE',
  'INVALID_OAUTHTOKEN',
  '14',
]);
/**
 * Books' 57 "You are not authorized to perform this operation": Zoho names it for a missing
 * scope, the sandbox for a dead token (src/sandbox/router.ts). Unverified either way, so it gets
 * one refresh per connection; when the fresh token is refused alike, 57 means scope from then on.
 */
const TOKEN_OR_SCOPE = new Set(['57']);
const NOT_APPLIED_STATUSES = new Set([429, 503]);
const AMBIGUOUS_STATUSES = new Set([500, 502, 504]);

/**
 * A token call that could not reach the accounts server: the API call it was for was not sent
 * (or, after a 401, not applied), so it is "Zoho unavailable, not sent" (the outbox's cue).
 */
function unsentIfUnreached(e: unknown): unknown {
  if (e instanceof ZohoError && (e.kind === 'network' || e.kind === 'timeout')) e.notSent = true;
  return e;
}

/**
 * Marks a 429 or 5xx as "Zoho unavailable" (ZohoError.notSent, the outbox's cue); true when
 * Zoho did not apply the call (429, 503).
 */
function unavailable(error: ZohoError, status: number): boolean {
  const notApplied = NOT_APPLIED_STATUSES.has(status);
  if (notApplied || AMBIGUOUS_STATUSES.has(status)) error.notSent = notApplied;
  return notApplied;
}

/** Encodes one path segment; ids and names never reach a URL raw. */
export function segment(value: string | number): string {
  const text = String(value);
  if (text === '' || text === '.' || text === '..')
    throw invalidInput(`"${text}" is not a valid path segment`, 'path');
  return encodeURIComponent(text);
}

function checkPath(path: string): void {
  if (!path.startsWith('/')) throw invalidInput(`Path "${path}" must start with "/"`, 'path');
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    // ? # \ and control characters (a character loop: this runs on every call)
    if (c < 0x20 || c === 0x7f || c === 0x3f || c === 0x23 || c === 0x5c) {
      throw invalidInput(
        'The path may not hold "?", "#", "\\" or control characters: put query values in the query',
        'path',
      );
    }
  }
  // Without a %-escape no segment can decode to a slash, so the split alone settles dot segments.
  const escaped = path.includes('%');
  const segments = path.split('/').map((s) => {
    if (!escaped) return s;
    try {
      return decodeURIComponent(s);
    } catch {
      throw invalidInput(`Path "${path}" has a broken %-escape`, 'path');
    }
  });
  if (segments.some((s) => s === '..' || s === '.' || s.includes('/'))) {
    throw invalidInput(
      `Path "${path}" may not hold "." or ".." segments or encoded slashes`,
      'path',
    );
  }
}

/** Where one call goes: the URL as sent (query included), and its path for the debug log. */
interface Target {
  href: string;
  pathname: string;
}

/** A product's base URL, and whether it may be joined with a path as a string (see target). */
interface Base {
  href: string;
  pathname: string;
  plain: boolean;
}

/**
 * Characters a URL keeps as they are in a path (WHATWG's path percent-encode set left out): a
 * path of only these joined to a base reads as `new URL` would write it, without the parse.
 */
const PLAIN_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;

/** The query's values (lists joined with commas, nulls left out). */
function queryParams(query: Record<string, QueryValue> | undefined): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of Object.keys(query ?? {})) {
    const value = query![key];
    if (value === undefined || value === null) continue;
    params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  return params;
}

/** A parsed URL with the query set over its own (the query's keys replace the URL's). */
function withQuery(url: URL, query: Record<string, QueryValue> | undefined): Target {
  queryParams(query).forEach((value, key) => url.searchParams.set(key, value));
  return { href: url.toString(), pathname: url.pathname };
}

/** The headers and body as sent: the token added, a plain value as JSON. */
function outgoing(spec: RequestSpec, token: string) {
  const headers: Record<string, string> = {
    ...spec.headers,
    Authorization: `Zoho-oauthtoken ${token}`,
  };
  let data = spec.body;
  if (
    data !== undefined &&
    !(data instanceof URLSearchParams) &&
    !(data instanceof FormData) &&
    !Buffer.isBuffer(data) &&
    typeof data !== 'string'
  ) {
    data = JSON.stringify(data);
    headers['Content-Type'] ??= 'application/json';
  }
  return { headers, data };
}

/** An answer's headers as plain lower-case strings (the values axios leaves unset dropped). */
function headersOf(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const received = (headers ?? {}) as Record<string, string | string[] | number | null>;
  for (const key of Object.keys(received)) {
    const value = received[key];
    if (value !== undefined && value !== null) out[key.toLowerCase()] = String(value);
  }
  return out;
}

function deadlineError(ms: number): ZohoError {
  return new ZohoError({
    code: LocalCodes.TIMEOUT,
    message: `Zoho did not finish answering within ${ms} ms (the deadline of one attempt)`,
  });
}

/**
 * How long close() lets a write already sent finish: under Node-RED's close timeout (15 s), so
 * a redeploy learns what Zoho took before the flow is gone.
 */
export const CLOSE_GRACE_MS = 10_000;

export class ZohoHttp extends EventEmitter {
  private readonly semaphore: Semaphore;
  private readonly windows = new Map<string, RollingWindow>();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: Logger;
  /** Set by close(): nothing new is admitted, reads and waits end at once. */
  private closed = false;
  /** Set CLOSE_GRACE_MS after close(): a write already on the wire may finish until then. */
  private writesCut = false;
  /** The calls not yet settled, so close() can cut them (see CallSignals). */
  private readonly calls = new Set<CallSignals>();
  /** The last api_domain found trustworthy, and base URLs per product and api_domain. */
  private trustedApiDomain?: string;
  private readonly baseUrls = new Map<string, Base>();
  private graceTimer?: ReturnType<typeof setTimeout>;
  /** Monotonic ms (clock.monotonic) until which no call is sent. */
  private pausedUntil = 0;
  /** Daily allowances per product and organization (limits.ts Budgets). */
  private readonly budgets: Budgets;
  /** CRM credits this connection spent in Zoho's rolling 24 hours, as Zoho's table weighs calls. */
  private readonly credits: CreditLedger;
  private creditEstimated?: boolean;
  /** The last untrusted api_domain warned about, so a log gets one line, not one per call. */
  private warnedApiDomain?: string;
  /** Codes of TOKEN_OR_SCOPE that a fresh token met again: they mean scope on this connection. */
  private readonly scopeCodes = new Set<string>();
  /** Requests sent over the wire, retries included; benchmarks read it. */
  sent = 0;

  constructor(private readonly options: HttpOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
    this.semaphore = new Semaphore(Math.max(1, options.maxConcurrency ?? 5));
    this.credits = new CreditLedger(this.clock);
    this.budgets = new Budgets(options.creditBackoff, this.credits);
  }

  /** CRM's credits as Zoho last told them (the limit estimated: see Budgets.noteCredits). */
  creditInfo(): Quota | undefined {
    return this.budgets.get('crm');
  }

  /** True once an answer carried Zoho's own figure of CRM's credits. */
  creditsReported(): boolean {
    return this.budgets.creditsFromZoho;
  }

  /** The daily allowance the pack's own credit count is checked against (limits.ts Budgets). */
  setCreditAllowance(allowance: CreditAllowance | undefined): void {
    this.budgets.setCreditAllowance(allowance);
  }

  /** CRM credits this connection spent in the last 24 hours, by the pack's own count. */
  creditsSpent(): number {
    return this.credits.spent();
  }

  /**
   * Ends the connection: queued calls, reads and waits are cancelled at once; a write already
   * sent may finish within CLOSE_GRACE_MS, so its caller learns whether Zoho took it (cutting it
   * would leave records written that nobody knows of).
   */
  close(): void {
    if (!this.closed) {
      this.closed = true;
      const reason = new Error('connection closed');
      for (const call of this.calls) call.cut(reason);
    }
    if (this.calls.size === 0) this.cutWrites();
    else this.graceTimer ??= setTimeout(() => this.cutWrites(), CLOSE_GRACE_MS);
  }

  private cutWrites(): void {
    clearTimeout(this.graceTimer);
    this.writesCut = true;
    const reason = new Error('connection closed');
    for (const call of this.calls) call.cutWire(reason);
  }

  async request<T = unknown>(spec: RequestSpec): Promise<ZohoResponse<T>> {
    const idempotent = spec.idempotent ?? SAFE_METHODS.has(spec.method);
    // Per request, and released when it settles: nothing long-lived keeps anything of it.
    const call = new CallSignals(spec.signal, !idempotent);
    if (this.closed) call.cut(new Error('connection closed'));
    if (this.writesCut) call.cutWire(new Error('connection closed'));
    this.calls.add(call);
    try {
      return await this.attempts<T>(spec, call, idempotent);
    } finally {
      call.release();
      this.calls.delete(call);
      // The last call of a closed connection ends its grace at once (no timer left behind).
      if (this.calls.size === 0 && this.closed) this.cutWrites();
    }
  }

  /** `on` ends admission and waits, and an attempt on the wire (a write's only at its own cut). */
  private async attempts<T>(
    spec: RequestSpec,
    on: CallSignals,
    idempotent: boolean,
  ): Promise<ZohoResponse<T>> {
    const url = this.target(spec);
    const policy: RetryPolicy = spec.retry ? { ...DEFAULT_RETRY, ...spec.retry } : DEFAULT_RETRY;
    let attempts = 0;
    let replayed = false;
    let unhinted429s = 0;
    for (;;) {
      const endTurn = await this.admit(spec, on);
      attempts++;
      let token: string;
      let outcome: Outcome | undefined;
      let failure: ReturnType<typeof networkError> | undefined;
      try {
        token = (await this.tokens()).accessToken;
        ({ outcome, failure } = await this.send(spec, url, token, on));
      } finally {
        this.semaphore.release();
        endTurn();
      }
      if (on.wireAborted)
        throw new ZohoError({ code: LocalCodes.ABORTED, message: 'The request was cancelled.' });
      let error: ZohoError;
      let notApplied: boolean, waitMs: number | undefined;
      if (outcome) {
        const answer = this.answer<T>(spec, outcome, attempts);
        if (answer) return answer;
        const { status, headers, data } = outcome;
        error = httpError(status, data, headers);
        if (status === 401 && !replayed && this.tokenRefused(error.code)) {
          replayed = true;
          attempts--;
          await this.replaceToken(token);
          continue;
        }
        if (status === 401 && replayed && TOKEN_OR_SCOPE.has(error.code)) {
          this.scopeCodes.add(error.code);
        }
        notApplied = unavailable(error, status);
        const retryable = notApplied || (idempotent && AMBIGUOUS_STATUSES.has(status));
        if (!retryable && !policy.retryOnAllErrors) throw error;
        waitMs = retryAfterMs(headers, this.clock.now());
        if (status === 429) waitMs ??= this.after429(spec, ++unhinted429s);
      } else {
        error = failure!.error;
        if (failure!.final) throw error;
        notApplied = error.notSent = failure!.notSent;
        if (!notApplied && !idempotent && !policy.retryOnAllErrors) throw error;
      }
      const retry = { policy, attempts, waitMs, status: outcome?.status, on };
      await this.waitToRetry(error, retry);
    }
  }

  /** The answer to return (2xx, 304, or any status the caller takes as it is), else undefined. */
  private answer<T>(
    spec: RequestSpec,
    outcome: Outcome,
    attempts: number,
  ): ZohoResponse<T> | undefined {
    const { status, headers, data, bytes } = outcome;
    this.noteQuota(spec, headers);
    if (!((status >= 200 && status < 300) || status === 304 || spec.passThroughErrors)) return;
    const type = spec.responseType ?? 'json';
    const invalid = notJsonError(status, data, type, headers['content-type'] ?? '');
    if (invalid && status < 300) throw invalid;
    this.emit('event', { kind: 'ok' } satisfies HttpEvent);
    return { status, headers, data: data as T, attempts, ...(bytes !== undefined && { bytes }) };
  }

  /** True when a 401 with this code may be cured by a new access token. */
  private tokenRefused(code: string): boolean {
    return TOKEN_REFUSED.has(code) || (TOKEN_OR_SCOPE.has(code) && !this.scopeCodes.has(code));
  }

  /** Waits before the next attempt, or throws `error` when the policy allows no more. */
  private async waitToRetry(
    error: ZohoError,
    at: {
      policy: RetryPolicy;
      attempts: number;
      waitMs?: number;
      status?: number;
      on: CallSignals;
    },
  ): Promise<void> {
    const { policy, attempts } = at;
    if (attempts > policy.maxRetries) throw error;
    const delay = at.waitMs ?? this.backoff(policy, attempts);
    if (delay > policy.maxWaitMs) throw error;
    if (at.status === 429) this.pause(delay, 'Zoho answered 429');
    this.logger.debug(
      `retry ${attempts}/${policy.maxRetries} in ${Math.round(delay)} ms after ${error.code}`,
    );
    await this.clock.sleep(delay, at.on.admit).catch(() => {
      throw new ZohoError({ code: LocalCodes.ABORTED, message: 'The request was cancelled.' });
    });
  }

  private async tokens(): Promise<StoredTokens> {
    try {
      return await this.options.auth.accessToken();
    } catch (e) {
      return this.authFailed(unsentIfUnreached(e));
    }
  }

  /** A new access token after Zoho refused `token` (the accounts server out of reach: not sent). */
  private async replaceToken(token: string): Promise<void> {
    await this.options.auth
      .replaceRejected(token)
      .catch((e: unknown) => this.authFailed(unsentIfUnreached(e)));
  }

  private authFailed(e: unknown): never {
    const error =
      e instanceof ZohoError ? e : new ZohoError({ code: 'AUTH_ERROR', message: String(e) });
    this.emit('event', { kind: 'auth-error', error } satisfies HttpEvent);
    throw error;
  }

  private target(spec: RequestSpec): Target {
    if (spec.product !== undefined && !isProduct(spec.product)) {
      throw invalidInput(`Unknown Zoho product "${String(spec.product)}"`, 'product');
    }
    const apiDomain = this.apiDomain();
    if (spec.url !== undefined) {
      let url: URL;
      try {
        url = new URL(spec.url);
      } catch {
        throw invalidInput(`"${spec.url}" is not a URL`, 'url');
      }
      if (
        !trustedHosts(this.options.region, apiDomain).has(url.host) ||
        url.username !== '' ||
        url.password !== '' ||
        // Zoho is HTTPS only; plain http is for the sandbox on loopback.
        url.protocol !== (this.options.region.region === 'custom' ? url.protocol : 'https:') ||
        !/^https?:$/.test(url.protocol)
      ) {
        throw new ZohoError({
          code: LocalCodes.FORBIDDEN_HOST,
          param: 'url',
          message: `Refusing to send the Zoho token to ${url.host}: it is not a Zoho host of this connection's data centre`,
        });
      }
      return withQuery(url, spec.query);
    }
    const product = spec.product ?? 'crm';
    let path = spec.path ?? '';
    checkPath(path);
    if (spec.host === 'upload')
      return withQuery(new URL(uploadBaseUrl(this.options.region) + path), spec.query);
    const prefix = productPrefix(product);
    if (path === prefix || path.startsWith(`${prefix}/`)) path = path.slice(prefix.length);
    const base = this.baseUrl(product, apiDomain);
    if (!base.plain || !PLAIN_PATH.test(path)) {
      return withQuery(new URL(base.href + path), spec.query);
    }
    const search = spec.query ? queryParams(spec.query).toString() : '';
    const href = base.href + path + (search ? `?${search}` : '');
    return { href, pathname: base.pathname + path };
  }

  /** A debug line, built only when it goes somewhere. */
  private debug(line: () => string): void {
    if (this.logger.debugEnabled !== false) this.logger.debug(line());
  }

  /** A product's base URL, worked out once per api_domain (it parses URLs; calls are many). */
  private baseUrl(product: Product, apiDomain: string | undefined): Base {
    const key = `${product} ${apiDomain ?? ''}`;
    let base = this.baseUrls.get(key);
    if (base === undefined) {
      const href = productBaseUrl(product, this.options.region, apiDomain);
      const parsed = new URL(href);
      // A base that `new URL` would write differently (case, default port, …) goes through it.
      const plain = (parsed.href === href || parsed.href === `${href}/`) && parsed.search === '';
      base = { href, pathname: parsed.pathname.replace(/\/$/, ''), plain };
      // Products × the api_domains a connection ever had: a handful; cleared if it were more.
      if (this.baseUrls.size >= 64) this.baseUrls.clear();
      this.baseUrls.set(key, base);
    }
    return base;
  }

  /**
   * The api_domain of the current token when it is one of this data centre's; otherwise none
   * (the region's own host is used) and one warning. ZohoAuth checks it too, but a library user
   * may pair an auth and an http of different regions.
   */
  private apiDomain(): string | undefined {
    const apiDomain = this.options.auth.current()?.apiDomain;
    if (!apiDomain || apiDomain === this.trustedApiDomain) return apiDomain;
    if (trustedApiDomain(this.options.region, apiDomain)) {
      this.trustedApiDomain = apiDomain;
      return apiDomain;
    }
    if (this.warnedApiDomain !== apiDomain) {
      this.warnedApiDomain = apiDomain;
      this.logger.warn(
        `Ignoring api_domain "${apiDomain.slice(0, 200)}": not an https Zoho API host of this connection's data centre`,
      );
    }
    return undefined;
  }

  /**
   * Waits for a turn: the rolling window of the spec (if any), a 429 pause, then a slot of the
   * connection's queue. Returns what ends the window's turn once the call is answered.
   */
  private async admit(spec: RequestSpec, on: CallSignals): Promise<() => void> {
    this.checkBudget(spec);
    let endTurn = (): void => undefined;
    if (spec.rateLimit) {
      const { key, limit, windowMs } = spec.rateLimit;
      let window = this.windows.get(key);
      if (!window) {
        window = new RollingWindow(limit, windowMs, this.clock);
        this.windows.set(key, window);
      }
      window.setLimit(limit, windowMs);
      endTurn = await window.take(on.admit);
    }
    try {
      for (;;) {
        const wait = this.pausedUntil - this.clock.monotonic();
        if (wait <= 0) break;
        await this.clock.sleep(wait, on.admit).catch(() => {
          throw new ZohoError({ code: LocalCodes.ABORTED, message: 'The request was cancelled.' });
        });
      }
      // A free slot needs no signal: `on.admit` is made only for a call that must queue.
      if (on.admitAborted || !this.semaphore.tryAcquire()) await this.semaphore.acquire(on.admit);
    } catch (error) {
      endTurn();
      throw error;
    }
    return endTurn;
  }

  private async send(spec: RequestSpec, url: Target, token: string, on: CallSignals) {
    const responseType = spec.responseType ?? 'json';
    const timeout = spec.timeoutMs ?? this.options.timeoutMs ?? 30_000;
    const deadline =
      spec.deadlineMs ?? this.options.deadlineMs ?? Math.max(DEFAULT_DEADLINE_MS, timeout);
    const { headers, data } = outgoing(spec, token);
    // No redirects, no proxy lookup (transport.ts); axios is loaded by the first call.
    const { client, CancelToken } = await axiosTransport();
    const started = this.clock.monotonic();
    this.sent++;
    this.debug(() => `→ ${spec.method} ${redactUrl(url.href, this.secrets())}`);
    try {
      const streamed = responseType === 'stream';
      const cancel = CancelToken.source();
      const response = await on.onWire(deadline, cancel.cancel, () =>
        client.request<ArrayBuffer | Readable>({
          method: spec.method,
          url: url.href,
          headers,
          data,
          timeout,
          cancelToken: cancel.token,
          responseType: streamed ? 'stream' : 'arraybuffer',
          ...this.sizeLimits(responseType),
        }),
      );
      const responseHeaders = headersOf(response.headers);
      if (streamed && response.status >= 200 && response.status < 300) {
        this.debug(() => `← ${response.status} ${spec.method} ${url.pathname} (streaming)`);
        return {
          outcome: { status: response.status, headers: responseHeaders, data: response.data },
        };
      }
      const raw = await this.bodyBytes(response.data, streamed);
      const body = decodeBody(
        raw,
        streamed ? 'json' : responseType,
        responseHeaders['content-type'] ?? '',
      );
      this.debug(
        () =>
          `← ${response.status} ${spec.method} ${url.pathname} in ${Math.round(this.clock.monotonic() - started)} ms`,
      );
      return {
        outcome: {
          status: response.status,
          headers: responseHeaders,
          data: body,
          bytes: raw.length,
        },
      };
    } catch (thrown) {
      const failure =
        thrown instanceof DeadlineExceeded
          ? { notSent: false, error: deadlineError(thrown.ms) }
          : networkError(thrown, timeout);
      this.debug(() => `✕ ${spec.method} ${url.pathname}: ${failure.error.message}`);
      return { failure };
    }
  }

  /** The whole body: a streamed call's error answer is read up to the JSON limit. */
  private async bodyBytes(received: unknown, streamed: boolean): Promise<Buffer> {
    if (streamed) return readBounded(received as Readable, this.options.maxResponseBytes);
    // axios hands Node a Buffer already: Buffer.from(buffer) would copy the whole body again.
    return Buffer.isBuffer(received)
      ? received
      : Buffer.from((received as ArrayBuffer | undefined) ?? new ArrayBuffer(0));
  }

  /** axios cuts an answer over the limit while it streams in, not after buffering it all. */
  private sizeLimits(responseType: ResponseType) {
    const json = this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const binary = this.options.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
    // Uploads are bounded by the larger of the two: a file, or a batch of records.
    // A stream is never held whole: its reader keeps memory flat whatever its size.
    if (responseType === 'stream') return { maxContentLength: -1, maxBodyLength: json };
    return {
      maxContentLength: responseType === 'binary' ? binary : json,
      maxBodyLength: Math.max(json, binary),
    };
  }

  private secrets(): string[] {
    return this.options.secrets?.() ?? [];
  }

  private backoff(policy: RetryPolicy, attempt: number): number {
    const base = policy.exponentialBackoff
      ? policy.retryDelayMs * 2 ** (attempt - 1)
      : policy.retryDelayMs;
    // Jitter spreads retries of many callers so they do not hit Zoho in one burst again.
    return Math.min(base, 30_000) * (0.5 + this.random() * 0.5);
  }

  private pause(ms: number, reason: string): void {
    const until = this.clock.monotonic() + ms;
    if (until > this.pausedUntil) {
      this.pausedUntil = until;
      // The event's time is for people ("resumes at 14:05"): wall time.
      const at = this.clock.now() + ms;
      this.emit('event', { kind: 'rate-limited', until: at, reason } satisfies HttpEvent);
    }
  }

  private noteQuota(spec: RequestSpec, headers: Record<string, string>): void {
    const product = spec.product ?? 'crm';
    if (product !== 'crm') {
      this.budgets.note(budgetKeyOf(spec), booksQuotaHeaders(headers, this.clock.now()));
      return;
    }
    this.credits.add(crmCreditCost(spec));
    this.budgets.noteCredits(creditHeaders(headers));
    // A creditBackoff the pack can only check against its own count must not pass unnoticed.
    const estimated = !this.budgets.creditsFromZoho;
    if (this.options.creditBackoff && estimated !== this.creditEstimated) {
      this.creditEstimated = estimated;
      this.emit('event', { kind: 'credit-estimate', estimated } satisfies HttpEvent);
    }
  }

  /**
   * How long the `nth` 429 without Retry-After of one call waits. Under a per-minute window
   * (Books) the first gets the usual short back-off, as a momentary collision clears at once; a
   * repeat means the minute is spent (by this flow or another app on the org), so it waits for
   * the window to roll instead of failing after three quick retries. Without a window: until
   * the product's allowance resets, when known (else the usual back-off).
   */
  private after429(spec: RequestSpec, nth: number): number | undefined {
    const quota = this.budgets.get(budgetKeyOf(spec));
    // A spent daily quota (Books says so in its headers) waits for its reset, not a minute.
    if (spec.rateLimit && quota?.remaining !== 0)
      return nth > 1 ? spec.rateLimit.windowMs : undefined;
    return this.budgets.untilReset(budgetKeyOf(spec), this.clock.now());
  }

  /** Refuses a call its product's budget (for its organization) does not allow. */
  private checkBudget(spec: RequestSpec): void {
    const refusal = this.budgets.check(budgetKeyOf(spec), spec.product ?? 'crm', this.clock.now());
    if (!refusal) return;
    const { quota, until, used, estimated, source } = refusal;
    this.emit('event', {
      kind: 'rate-limited',
      until,
      reason: 'budget reached',
    } satisfies HttpEvent);
    const details = { limit: quota.limit, remaining: quota.remaining, resetAt: until };
    if (refusal.reason === 'daily') {
      throw new ZohoError({
        code: 'DAILY_LIMIT_REACHED',
        message: `The organization's ${quota.limit} API calls for today are used: calls resume at its midnight`,
        details,
      });
    }
    const budget = Math.round(this.options.creditBackoff! * 100);
    throw new ZohoError({
      code: 'CREDIT_BUDGET_REACHED',
      message: estimated
        ? `By the pack's own estimate ${Math.round(used * 100)}% of the org's API credits are used (budget ${budget}%): Zoho has not reported the org's credits, so the pack counts the ${this.credits.spent()} credits this connection spent in 24 hours against ${source ? `${quota.limit} (${source})` : `an assumed ${quota.limit}`}. Calls resume as those credits age out of the 24 hours`
        : `${Math.round(used * 100)}% of the org's API credits are used (budget ${budget}%): calls resume when Zoho's window resets`,
      details: { ...details, estimated: estimated === true },
    });
  }
}

/** The allowance a call draws on: CRM's, or a Books-like product's for the call's organization. */
function budgetKeyOf(spec: RequestSpec): string {
  const product = spec.product ?? 'crm';
  const org = product === 'crm' ? undefined : spec.query?.organization_id;
  return budgetKey(product, typeof org === 'string' || typeof org === 'number' ? org : undefined);
}
