/**
 * The accounts server's state: registered clients, grant codes, pending consents, refresh and
 * access tokens, and the token endpoint's answers with Zoho's quirks. It knows nothing of HTTP
 * routing, so the sandbox's shared types can name it without an import cycle.
 */
import { randomBytes } from 'node:crypto';

export interface TokenInfo {
  clientId: string;
  scope: string;
}

/** The sandbox options the token endpoint reads (a slice of SandboxOptions). */
export interface TokenPolicy {
  /** Lifetime of access tokens, Zoho's is one hour. */
  tokenLifetimeSec: number;
  /** Zoho throttles token refreshes per refresh token. */
  tokenRateLimit: { max: number; windowMs: number };
}

export interface ClientInfo {
  clientId: string;
  clientSecret: string;
  name?: string;
  /** Empty or absent = any redirect URI is accepted. */
  redirectUris?: string[];
}

interface GrantCode extends TokenInfo {
  redirectUri?: string;
  offline: boolean;
  expiresAt: number;
  used: boolean;
}

interface RefreshToken extends TokenInfo {
  revoked: boolean;
}

interface AccessToken extends TokenInfo {
  refreshToken?: string;
  expiresAt: number;
  revoked: boolean;
}

export interface PendingConsent {
  clientId: string;
  scope: string;
  redirectUri: string;
  state?: string;
  offline: boolean;
  expiresAt: number;
}

export interface TokenReply {
  status: number;
  body: Record<string, unknown>;
}

export const DEFAULT_CLIENT: ClientInfo = {
  clientId: '1000.SANDBOXCLIENT',
  clientSecret: 'sandbox-secret',
  name: 'Sandbox Client',
};

/** Self Client codes live 3 to 10 minutes on Zoho; the shortest is the useful test case. */
export const GRANT_CODE_TTL_MS = 3 * 60 * 1000;
const CONSENT_TTL_MS = 10 * 60 * 1000;

export const THROTTLED_BODY = {
  error_description:
    'You have made too many requests continuously. Please try again after some time.',
  error: 'Access Denied',
  status: 'failure',
};

function zohoToken(): string {
  return `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
}

export class AccountsState {
  private readonly clients = new Map<string, ClientInfo>();
  private readonly codes = new Map<string, GrantCode>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshAttempts = new Map<string, number[]>();
  private readonly pending = new Map<string, PendingConsent>();

  constructor(
    private readonly now: () => number,
    private readonly options: TokenPolicy,
    private readonly baseUrl: () => string,
  ) {
    this.addClient(DEFAULT_CLIENT);
  }

  addClient(client: ClientInfo): ClientInfo {
    const copy = { ...client, redirectUris: client.redirectUris ? [...client.redirectUris] : [] };
    this.clients.set(client.clientId, copy);
    return copy;
  }

  getClient(clientId: string): ClientInfo | undefined {
    return this.clients.get(clientId);
  }

  /** A Self Client grant code (no redirect URI bound, always yields a refresh token). */
  issueGrantCode(opts: {
    clientId: string;
    scope: string;
    redirectUri?: string;
    offline?: boolean;
    ttlMs?: number;
  }): string {
    const code = zohoToken();
    this.codes.set(code, {
      clientId: opts.clientId,
      scope: opts.scope,
      redirectUri: opts.redirectUri,
      offline: opts.offline ?? true,
      expiresAt: this.now() + (opts.ttlMs ?? GRANT_CODE_TTL_MS),
      used: false,
    });
    return code;
  }

  issueRefreshToken(opts: TokenInfo): string {
    const token = zohoToken();
    this.refreshTokens.set(token, { clientId: opts.clientId, scope: opts.scope, revoked: false });
    return token;
  }

  issueAccessToken(opts: TokenInfo & { refreshToken?: string }): string {
    const token = zohoToken();
    this.accessTokens.set(token, {
      clientId: opts.clientId,
      scope: opts.scope,
      refreshToken: opts.refreshToken,
      expiresAt: this.now() + this.options.tokenLifetimeSec * 1000,
      revoked: false,
    });
    return token;
  }

  /** Revokes the refresh token and every access token minted from it. */
  revokeRefreshToken(refreshToken: string): boolean {
    const rt = this.refreshTokens.get(refreshToken);
    if (!rt) return false;
    rt.revoked = true;
    for (const at of this.accessTokens.values()) {
      if (at.refreshToken === refreshToken) at.revoked = true;
    }
    return true;
  }

  revokeAccessToken(accessToken: string): boolean {
    const at = this.accessTokens.get(accessToken);
    if (at) at.revoked = true;
    return at !== undefined;
  }

  refreshTokenOf(accessToken: string): string | undefined {
    return this.accessTokens.get(accessToken)?.refreshToken;
  }

  expireAccessTokens(): void {
    for (const at of this.accessTokens.values()) at.expiresAt = Math.min(at.expiresAt, this.now());
  }

  expireAccessToken(accessToken: string): void {
    const at = this.accessTokens.get(accessToken);
    if (at) at.expiresAt = Math.min(at.expiresAt, this.now());
  }

  validateAccessToken(accessToken: string): TokenInfo | undefined {
    const at = this.accessTokens.get(accessToken);
    if (!at || at.revoked || at.expiresAt <= this.now()) return undefined;
    return { clientId: at.clientId, scope: at.scope };
  }

  createPending(consent: Omit<PendingConsent, 'expiresAt'>): string {
    const id = randomBytes(16).toString('hex');
    this.pending.set(id, { ...consent, expiresAt: this.now() + CONSENT_TTL_MS });
    return id;
  }

  /** Single use: a consent form cannot be submitted twice. */
  takePending(id: string): PendingConsent | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    return p && p.expiresAt > this.now() ? p : undefined;
  }

  /** POST /oauth/v2/token, params merged from query string and form body. */
  token(params: Record<string, string>): TokenReply {
    const ok = (body: Record<string, unknown>): TokenReply => ({ status: 200, body });
    const grant = params.grant_type;
    if (grant === 'refresh_token' && params.refresh_token && this.throttled(params.refresh_token)) {
      return { status: 400, body: { ...THROTTLED_BODY } };
    }
    if (grant !== 'authorization_code' && grant !== 'refresh_token') {
      return ok({ error: grant ? 'unsupported_grant_type' : 'invalid_request' });
    }
    const client = this.clients.get(params.client_id ?? '');
    // Zoho does not tell a wrong secret from an unknown client.
    if (!client || client.clientSecret !== params.client_secret) {
      return ok({ error: 'invalid_client' });
    }
    return grant === 'authorization_code'
      ? this.exchangeCode(client, params)
      : this.refresh(client, params.refresh_token ?? '');
  }

  private exchangeCode(client: ClientInfo, params: Record<string, string>): TokenReply {
    const code = this.codes.get(params.code ?? '');
    if (!code || code.used || code.expiresAt <= this.now() || code.clientId !== client.clientId) {
      return { status: 200, body: { error: 'invalid_code' } };
    }
    if (code.redirectUri !== undefined && code.redirectUri !== params.redirect_uri) {
      return { status: 200, body: { error: 'invalid_redirect_uri' } };
    }
    code.used = true;
    const scope = code.scope;
    const body: Record<string, unknown> = {};
    let refreshToken: string | undefined;
    if (code.offline) {
      refreshToken = this.issueRefreshToken({ clientId: client.clientId, scope });
    }
    body.access_token = this.issueAccessToken({ clientId: client.clientId, scope, refreshToken });
    if (refreshToken) body.refresh_token = refreshToken;
    return { status: 200, body: { ...body, ...this.tokenFields(scope) } };
  }

  private refresh(client: ClientInfo, refreshToken: string): TokenReply {
    const rt = this.refreshTokens.get(refreshToken);
    if (!rt || rt.revoked || rt.clientId !== client.clientId) {
      return { status: 200, body: { error: 'invalid_code' } };
    }
    const access = this.issueAccessToken({ clientId: rt.clientId, scope: rt.scope, refreshToken });
    return { status: 200, body: { access_token: access, ...this.tokenFields(rt.scope) } };
  }

  private tokenFields(scope: string): Record<string, unknown> {
    return {
      scope,
      api_domain: this.baseUrl(),
      token_type: 'Bearer',
      expires_in: this.options.tokenLifetimeSec,
    };
  }

  private throttled(refreshToken: string): boolean {
    const { max, windowMs } = this.options.tokenRateLimit;
    const since = this.now() - windowMs;
    const recent = (this.refreshAttempts.get(refreshToken) ?? []).filter((t) => t > since);
    const limited = recent.length >= max;
    if (!limited) recent.push(this.now());
    this.refreshAttempts.set(refreshToken, recent);
    return limited;
  }
}
