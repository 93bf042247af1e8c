/**
 * OAuth for Zoho: the consent URL, the authorization-code exchange, the refresh grant and revoke
 * (their form POSTs in token-request.ts).
 *
 * Zoho rate-limits its token endpoint and caps the access tokens per refresh token, so the
 * access token is refreshed once for all concurrent callers (single flight), reused from the
 * token store across redeploys and restarts, and a refresh that failed for good is latched:
 * callers get the same clear error at once instead of a refresh storm.
 */
import { Clock, systemClock } from './clock';
import { LocalCodes, ZohoError, invalidInput } from './errors';
import { refreshThroughFleet } from './fleet-refresh';
import {
  Environment,
  Region,
  RegionSettings,
  defaultApiDomain,
  isProductionHostOfOtherEnvironment,
  issuerOf,
  regionOfAccountsUrl,
  trustedApiDomain,
} from './regions';
import type { SharedTokenStore } from './shared';
import { DEFAULT_TIMEOUT_MS, postTokenForm, tokenError } from './token-request';
import { textOf } from './validate';

export { tokenError };

export interface StoredTokens {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** The API host Zoho named for this account, once checked against the data centre. */
  apiDomain: string;
  scope?: string;
  /** Who issued the token (regions.ts `issuerOf`); a token of another issuer is never used. */
  issuer?: string;
}

/** Where a connection keeps its access token between requests, redeploys and restarts. */
export interface TokenStore {
  load(): StoredTokens | undefined;
  save(tokens: StoredTokens): void;
}

export class MemoryTokenStore implements TokenStore {
  private tokens?: StoredTokens;
  constructor(initial?: StoredTokens) {
    this.tokens = initial;
  }
  load(): StoredTokens | undefined {
    return this.tokens;
  }
  save(tokens: StoredTokens): void {
    this.tokens = tokens;
  }
}

export interface AuthOptions {
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken?: string;
  store?: TokenStore;
  clock?: Clock;
  /** Refresh this long before expiry, so a request never leaves with a dying token. */
  refreshMarginMs?: number;
  timeoutMs?: number;
  /** The connection's data centre; by default the one of `accountsUrl` (else `custom`). */
  region?: RegionSettings;
  /** Told when Zoho (or a stored token) named an api_domain this data centre does not have. */
  onUntrustedApiDomain?: (refused: string, used: string) => void;
  /**
   * Who issued `refreshToken` (regions.ts `issuerOf`, recorded when it was stored). When it is
   * not this connection's issuer (its region, environment or accounts URL changed since), nothing
   * is ever sent: every call fails with RECONNECT_NEEDED.
   */
  refreshTokenIssuer?: string;
  /**
   * The store a fleet of instances shares this account's access token through (shared.ts): read
   * before refreshing, and refreshed under its lease, so the fleet makes one refresh, not one
   * per instance. Unreachable, it is ignored and this instance refreshes on its own.
   */
  shared?: SharedTokenStore;
}

const DEFAULT_MARGIN_MS = 5 * 60_000;
/** Zoho's throttle of the token endpoint lasts minutes; asking again sooner only extends it. */
const THROTTLE_COOLDOWN_MS = 2 * 60_000;
/** After a network failure of the token endpoint, wait a little before the next try. */
const NETWORK_COOLDOWN_MS = 5_000;

interface Latch {
  error: ZohoError;
  /** Epoch ms after which a refresh may be tried again; Infinity for permanent failures. */
  until: number;
  /** Set by a network failure (not a throttle, not a refusal): see retryNetworkNow. */
  network?: boolean;
}

/** What Zoho's client ids and secrets are made of: printable ASCII. */
const CLIENT_CREDENTIAL_RE = /^[\x20-\x7E]*$/;

/** A pasted id or secret with a stray character is a clear error, and nothing is sent. */
function checkClientCredentials(clientId: string, clientSecret: string): void {
  for (const [what, param, value] of [
    ['Client ID', 'clientId', clientId],
    ['Client Secret', 'clientSecret', clientSecret],
  ]) {
    if (!CLIENT_CREDENTIAL_RE.test(value)) {
      throw invalidInput(
        `The ${what} holds characters Zoho never uses (accents, control characters, symbols beyond ASCII): paste it again from Zoho's API console`,
        param,
      );
    }
  }
}

/** A token request's form: Zoho reads the client's id and secret from the body. */
function clientForm(
  client: { clientId: string; clientSecret: string },
  fields: Record<string, string>,
): Record<string, string> {
  return { ...fields, client_id: client.clientId, client_secret: client.clientSecret };
}

function isPermanent(error: ZohoError): boolean {
  return error.code === LocalCodes.TOKEN_REVOKED || error.code === LocalCodes.INVALID_CLIENT;
}

/**
 * The api_domain a token may be used with: Zoho's when it is https and an API host of the data
 * centre (regions.ts `trustedApiDomain`), else the region's own API host. `refused` names what
 * was replaced, so the user can be told; a missing api_domain is not a refusal.
 */
export function checkApiDomain(
  region: RegionSettings,
  candidate: unknown,
): { apiDomain: string; refused?: string } {
  const trusted = trustedApiDomain(region, candidate);
  if (trusted) return { apiDomain: trusted };
  const apiDomain = defaultApiDomain(region);
  const absent =
    candidate === undefined ||
    candidate === null ||
    candidate === '' ||
    isProductionHostOfOtherEnvironment(region, candidate);
  return absent ? { apiDomain } : { apiDomain, refused: textOf(candidate).slice(0, 200) };
}

function toStored(
  raw: Record<string, unknown>,
  now: number,
  apiDomain: string,
  issuer: string,
): StoredTokens {
  const expiresIn = Number(raw.expires_in ?? 3600);
  return {
    accessToken: String(raw.access_token),
    expiresAt: now + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000,
    apiDomain,
    scope: typeof raw.scope === 'string' ? raw.scope : undefined,
    issuer,
  };
}

/** The settings a refresh token was issued for are not the connection's any more. */
export function reconnectNeeded(issuedFor: string, now: string): ZohoError {
  return new ZohoError({
    code: LocalCodes.RECONNECT_NEEDED,
    message:
      `The connection's data centre, environment or accounts URL changed since it was ` +
      `authorised (tokens issued for "${issuedFor}", now set to "${now}"): nothing is sent ` +
      'with the old tokens. Connect again to authorise it where it now points.',
    details: { issuedFor, now },
  });
}

export class ZohoAuth {
  /** How many token requests this instance made; benchmarks and tests read it. */
  tokenRequests = 0;
  private readonly store: TokenStore;
  private readonly clock: Clock;
  private readonly margin: number;
  private readonly region: RegionSettings;
  private readonly issuer: string;
  /** Set when the refresh token was issued for other settings: then nothing is ever sent. */
  private readonly mismatch?: ZohoError;
  private inflight?: Promise<StoredTokens>;
  private latch?: Latch;
  private networkFailures = 0;
  /**
   * The api_domain last found trusted for this connection's (fixed) region: every call reads the
   * tokens two or three times, and the check parses URLs, so a known domain skips it.
   */
  private trustedDomain?: string;

  constructor(private readonly options: AuthOptions) {
    this.store = options.store ?? new MemoryTokenStore();
    this.clock = options.clock ?? systemClock;
    this.margin = options.refreshMarginMs ?? DEFAULT_MARGIN_MS;
    checkClientCredentials(options.clientId, options.clientSecret);
    this.region = options.region ?? regionOfAccountsUrl(options.accountsUrl);
    this.issuer = issuerOf(this.region);
    const issuedFor = options.refreshTokenIssuer;
    if (options.refreshToken && issuedFor !== undefined && issuedFor !== this.issuer) {
      this.mismatch = reconnectNeeded(issuedFor, this.issuer);
    }
  }

  get hasRefreshToken(): boolean {
    return Boolean(this.options.refreshToken);
  }

  /** The stored tokens, whether or not still valid; never triggers a request. */
  current(): StoredTokens | undefined {
    return this.load();
  }

  /**
   * Lifts the pause left by a network failure of the token endpoint (a throttle or a refused
   * token still holds), for a caller that backs off on its own: the outbox's probe, whose next
   * try would otherwise wait out both back-offs, stacked, after the link returned.
   */
  retryNetworkNow(): void {
    if (this.latch?.network) this.latch = undefined;
  }

  /** The last failure that stops refreshes, if any. */
  failure(): ZohoError | undefined {
    return this.mismatch ?? this.latch?.error;
  }

  private fresh(tokens: StoredTokens | undefined): tokens is StoredTokens {
    return Boolean(
      tokens && tokens.accessToken && tokens.expiresAt - this.margin > this.clock.now(),
    );
  }

  /** A valid access token: the stored one, or one refresh shared by every concurrent caller. */
  async accessToken(): Promise<StoredTokens> {
    const stored = this.load();
    if (this.fresh(stored)) return stored;
    return this.refreshOnce();
  }

  /**
   * Called after Zoho answered 401 to `rejected`. If another caller already replaced that token,
   * use the new one; otherwise refresh (still single flight).
   */
  async replaceRejected(rejected: string): Promise<StoredTokens> {
    const stored = this.load();
    if (stored && stored.accessToken !== rejected && this.fresh(stored)) return stored;
    return this.refreshOnce(rejected);
  }

  private refreshOnce(rejected?: string): Promise<StoredTokens> {
    if (this.mismatch) return Promise.reject(this.mismatch);
    if (this.inflight) return this.inflight;
    const latch = this.latch;
    if (latch && latch.until > this.clock.monotonic()) return Promise.reject(latch.error);
    if (!this.options.refreshToken) {
      return Promise.reject(
        new ZohoError({
          code: LocalCodes.NOT_CONNECTED,
          message:
            'This Zoho connection is not authorised yet: it has no refresh token (authorise the ' +
            'client, or exchange a Self Client grant code).',
        }),
      );
    }
    this.inflight = this.refresh(rejected).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async refresh(rejected?: string): Promise<StoredTokens> {
    const shared = this.options.shared;
    if (shared) {
      const tokens = await refreshThroughFleet(
        {
          shared,
          clock: this.clock,
          requestTimeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          adopt: (candidate, refused) => this.adopt(candidate, refused),
          refresh: () => this.refreshAtZoho(),
          paused: (until) => this.pausedByFleet(until),
          throttleMs: THROTTLE_COOLDOWN_MS,
        },
        rejected,
      );
      if (tokens) return tokens;
    }
    return this.refreshAtZoho();
  }

  /** The fleet's token, kept locally too, when this instance may use it. */
  private adopt(tokens: StoredTokens | undefined, rejected?: string): StoredTokens | undefined {
    if (!tokens || tokens.accessToken === rejected || !this.fresh(tokens)) return undefined;
    if (tokens.issuer !== this.issuer) return undefined;
    this.store.save(tokens);
    const checked = this.load();
    return this.fresh(checked) ? checked : undefined;
  }

  /** Another instance met Zoho's throttle: this one waits it out too, without asking. */
  private pausedByFleet(untilMs: number): ZohoError {
    const error = new ZohoError({
      code: LocalCodes.TOKEN_THROTTLED,
      message:
        'Zoho is throttling token requests for this client (met by another instance sharing ' +
        `this connection). Requests resume automatically after ${new Date(untilMs).toISOString()}.`,
    });
    this.latch = { error, until: this.clock.monotonic() + (untilMs - this.clock.now()) };
    return error;
  }

  private async refreshAtZoho(): Promise<StoredTokens> {
    this.tokenRequests++;
    let raw: Record<string, unknown>;
    try {
      raw = await postTokenForm({
        accountsUrl: this.options.accountsUrl,
        endpoint: 'token',
        grant: 'refresh_token',
        form: clientForm(this.options, {
          grant_type: 'refresh_token',
          refresh_token: this.options.refreshToken ?? '',
        }),
        timeoutMs: this.options.timeoutMs,
      });
    } catch (thrown) {
      throw this.fail(thrown as ZohoError);
    }
    if (raw.error !== undefined || typeof raw.access_token !== 'string') {
      throw this.fail(tokenError(raw, 'refresh_token', 200));
    }
    const { apiDomain, refused } = checkApiDomain(this.region, raw.api_domain);
    const tokens = toStored(raw, this.clock.now(), apiDomain, this.issuer);
    this.latch = undefined;
    this.networkFailures = 0;
    this.store.save(tokens);
    if (refused !== undefined) this.options.onUntrustedApiDomain?.(refused, apiDomain);
    return tokens;
  }

  /**
   * The stored tokens with their api_domain checked: a store written by an older version, or
   * by hand, cannot send the token to a host the data centre does not have.
   */
  private load(): StoredTokens | undefined {
    if (this.mismatch) return undefined;
    const stored = this.store.load();
    // A token earned from another accounts server or for another environment is not ours.
    if (stored?.issuer !== undefined && stored.issuer !== this.issuer) return undefined;
    if (!stored || (stored.apiDomain !== undefined && stored.apiDomain === this.trustedDomain)) {
      return stored;
    }
    if (trustedApiDomain(this.region, stored.apiDomain) === stored.apiDomain) {
      this.trustedDomain = stored.apiDomain;
      return stored;
    }
    const { apiDomain, refused } = checkApiDomain(this.region, stored.apiDomain);
    const checked = { ...stored, apiDomain };
    this.store.save(checked);
    // Told after the save: the listener may read the tokens again.
    if (refused !== undefined) this.options.onUntrustedApiDomain?.(refused, apiDomain);
    return checked;
  }

  private fail(error: ZohoError): ZohoError {
    // A latch is a duration the pack measures itself: monotonic, so a clock step cannot stretch it.
    const now = this.clock.monotonic();
    if (isPermanent(error)) {
      this.latch = { error, until: Infinity };
    } else if (error.code === LocalCodes.TOKEN_THROTTLED) {
      this.latch = { error, until: now + THROTTLE_COOLDOWN_MS };
    } else {
      this.networkFailures++;
      const backoff = Math.min(NETWORK_COOLDOWN_MS * 2 ** (this.networkFailures - 1), 5 * 60_000);
      this.latch = { error, until: now + backoff, network: true };
    }
    return error;
  }
}

export interface AuthorizationUrlOptions {
  accountsUrl: string;
  clientId: string;
  scopes: string[];
  redirectUri: string;
  state: string;
}

/** Zoho's consent page URL; offline access + consent so a refresh token is always issued. */
export function authorizationUrl(options: AuthorizationUrlOptions): string {
  checkClientCredentials(options.clientId, '');
  const base = new URL(options.accountsUrl);
  const url = new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}/oauth/v2/auth`);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', options.clientId);
  url.searchParams.set('redirect_uri', options.redirectUri);
  url.searchParams.set('scope', options.scopes.join(','));
  url.searchParams.set('state', options.state);
  url.searchParams.set('access_type', 'offline');
  url.searchParams.set('prompt', 'consent');
  return url.toString();
}

export interface CodeExchangeOptions {
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
  code: string;
  redirectUri?: string;
  timeoutMs?: number;
  now?: () => number;
  /** The connection's data centre; by default the one of `accountsUrl` (else `custom`). */
  region?: Region;
  environment?: Environment;
  allowInsecureHttp?: boolean;
  /** Aborts the exchange (e.g. the editor's request went away). */
  signal?: AbortSignal;
}

/** Trades a grant code (from the consent redirect or a Self Client) for tokens. */
export async function exchangeAuthorizationCode(
  options: CodeExchangeOptions,
): Promise<{ refreshToken: string; tokens: StoredTokens; refusedApiDomain?: string }> {
  checkClientCredentials(options.clientId, options.clientSecret);
  // A Self Client has no redirect URI: the parameter is left out, as Zoho's SDK does when none
  // is set (lib/models/authenticator/oauth_token.js generateAccessToken: redirect_uri only when
  // getRedirectURL() is not null).
  const redirect: Record<string, string> = options.redirectUri
    ? { redirect_uri: options.redirectUri }
    : {};
  const raw = await postTokenForm({
    accountsUrl: options.accountsUrl,
    endpoint: 'token',
    grant: 'authorization_code',
    form: clientForm(options, {
      grant_type: 'authorization_code',
      code: options.code,
      ...redirect,
    }),
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  if (raw.error !== undefined || typeof raw.access_token !== 'string') {
    throw tokenError(raw, 'authorization_code', 200);
  }
  if (typeof raw.refresh_token !== 'string' || !raw.refresh_token) {
    throw new ZohoError({
      code: 'NO_REFRESH_TOKEN',
      message:
        'Zoho issued no refresh token: the grant was not for offline access. Connect again ' +
        '(the pack asks for access_type=offline), or generate the Self Client code anew.',
    });
  }
  const now = (options.now ?? Date.now)();
  const region: RegionSettings = options.region
    ? {
        region: options.region,
        accountsUrl: options.accountsUrl,
        environment: options.environment,
        allowInsecureHttp: options.allowInsecureHttp,
      }
    : regionOfAccountsUrl(options.accountsUrl);
  const { apiDomain, refused } = checkApiDomain(region, raw.api_domain);
  return {
    refreshToken: raw.refresh_token,
    tokens: toStored(raw, now, apiDomain, issuerOf(region)),
    ...(refused === undefined ? {} : { refusedApiDomain: refused }),
  };
}

/**
 * Revokes a refresh token at Zoho (disconnect): POST {accounts}/oauth/v2/token/revoke with
 * `token` (https://www.zoho.com/accounts/protocol/oauth/revoke-refresh-token.html, which shows
 * it in the query string; Zoho reads it from the form body as well, which Zoho's SDK uses:
 * @zohocrm/nodejs-sdk-8.0 oauth_token.js revokeRefreshToken). The body keeps the token out of
 * URLs that proxies log. The client's id and secret go along, as they did with simple-oauth2.
 */
export async function revokeRefreshToken(options: {
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}): Promise<void> {
  checkClientCredentials(options.clientId, options.clientSecret);
  await postTokenForm({
    accountsUrl: options.accountsUrl,
    endpoint: 'token/revoke',
    grant: 'refresh_token',
    form: clientForm(options, { token: options.refreshToken, token_type_hint: 'refresh_token' }),
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
}
