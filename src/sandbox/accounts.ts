/**
 * The accounts server (accounts.zoho.com): clients, grant codes, refresh and access tokens,
 * with Zoho's quirks — errors on the token endpoint come back as HTTP 200 with an `error` field,
 * codes are single-use, refreshes never return a new refresh token, and the endpoint throttles.
 */
import { randomBytes } from 'node:crypto';
import type {
  ApiFamily,
  SandboxContext,
  SandboxOptions,
  SandboxReply,
  SandboxRequest,
  TokenInfo,
} from './types';

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
    private readonly options: SandboxOptions,
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

// ---- HTTP side: the accounts family ------------------------------------------------------

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(status: number, title: string, inner: string): SandboxReply {
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${escapeHtml(title)} - Zoho Sandbox Accounts</title>
<style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto;color:#222}
button{font-size:1rem;padding:.5rem 1.5rem;margin-right:1rem}.accept{background:#1a73e8;color:#fff;border:0}</style>
</head><body><h1>${escapeHtml(title)}</h1>${inner}</body></html>`;
  return { status, body: html, contentType: 'text/html; charset=utf-8' };
}

const errorPage = (title: string, detail: string): SandboxReply =>
  page(400, title, `<p class="error">${escapeHtml(detail)}</p>`);

function scopesOf(scope: string): string[] {
  return scope.split(/[,\s]+/).filter((s) => s !== '');
}

/** Query string and form body both carry token params on Zoho; the body wins on a clash. */
function params(req: SandboxRequest): Record<string, string> {
  const out: Record<string, string> = Object.fromEntries(req.query);
  if (req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body)) {
    for (const [k, v] of Object.entries(req.body)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

function consentPage(req: SandboxRequest, ctx: SandboxContext): SandboxReply {
  const q = Object.fromEntries(req.query);
  const accounts = ctx.accounts;
  const client = accounts.getClient(q.client_id ?? '');
  if (!client) return errorPage('Invalid Client', 'The client_id is not registered with Zoho.');
  if (q.response_type !== 'code') {
    return errorPage('Invalid Request', 'response_type must be "code".');
  }
  const redirectUri = q.redirect_uri ?? '';
  if (!/^https?:\/\//i.test(redirectUri)) {
    return errorPage('Invalid Redirect Uri', 'A redirect_uri with http or https is required.');
  }
  const registered = client.redirectUris ?? [];
  if (registered.length > 0 && !registered.includes(redirectUri)) {
    return errorPage('Invalid Redirect Uri', 'The redirect_uri does not match the client.');
  }
  const scope = q.scope ?? '';
  if (scopesOf(scope).length === 0) return errorPage('Invalid Scope', 'No scope was requested.');
  const id = accounts.createPending({
    clientId: client.clientId,
    scope,
    redirectUri,
    state: q.state,
    offline: (q.access_type ?? 'online').toLowerCase() === 'offline',
  });
  const items = scopesOf(scope)
    .map((s) => `<li>${escapeHtml(s)}</li>`)
    .join('');
  return page(
    200,
    'Consent',
    `<p><strong class="client">${escapeHtml(client.name ?? client.clientId)}</strong>
would like to access the following data in your Zoho account:</p><ul class="scopes">${items}</ul>
<form method="POST" action="/oauth/v2/auth/approve">
<input type="hidden" name="pending" value="${escapeHtml(id)}">
<button type="submit" name="action" value="accept" class="accept">Accept</button>
<button type="submit" name="action" value="deny" class="deny">Deny</button></form>`,
  );
}

function approve(req: SandboxRequest, ctx: SandboxContext): SandboxReply {
  const p = params(req);
  const pending = ctx.accounts.takePending(p.pending ?? '');
  if (!pending) return errorPage('Request Expired', 'This consent request is no longer valid.');
  const target = new URL(pending.redirectUri);
  if (p.action === 'accept') {
    if (pending.state !== undefined) target.searchParams.append('state', pending.state);
    const code = ctx.accounts.issueGrantCode({
      clientId: pending.clientId,
      scope: pending.scope,
      redirectUri: pending.redirectUri,
      offline: pending.offline,
    });
    target.searchParams.append('code', code);
    target.searchParams.append('location', 'us');
    target.searchParams.append('accounts-server', ctx.baseUrl());
  } else {
    target.searchParams.append('error', 'access_denied');
    if (pending.state !== undefined) target.searchParams.append('state', pending.state);
  }
  return { status: 302, headers: { Location: target.toString() } };
}

const LOCATIONS = ['us', 'eu', 'in', 'au', 'jp', 'ca', 'sa', 'uk', 'cn'];

export function accountsFamily(): ApiFamily {
  return {
    name: 'accounts',
    register(r, ctx) {
      const open = { auth: false, product: 'other' as const };
      r.route('GET', '/oauth/v2/auth', consentPage, open);
      r.route('POST', '/oauth/v2/auth/approve', approve, open);
      r.route('POST', '/oauth/v2/token', (req) => ctx.accounts.token(params(req)), open);
      r.route(
        'POST',
        '/oauth/v2/token/revoke',
        (req) => {
          const token = params(req).token ?? '';
          // As RFC 7009: an unknown token is not an error, the caller's goal is met.
          if (!ctx.accounts.revokeRefreshToken(token)) ctx.accounts.revokeAccessToken(token);
          return { status: 200, body: { status: 'success' } };
        },
        open,
      );
      r.route(
        'GET',
        '/oauth/serverinfo',
        () => ({
          status: 200,
          body: {
            result: 'success',
            locations: Object.fromEntries(LOCATIONS.map((l) => [l, ctx.baseUrl()])),
          },
        }),
        open,
      );
      r.route(
        'POST',
        '/sandbox/self-client',
        (req) => {
          const p = params(req);
          const clientId = p.client_id ?? DEFAULT_CLIENT.clientId;
          if (!ctx.accounts.getClient(clientId)) {
            return { status: 400, body: { error: 'invalid_client' } };
          }
          const code = ctx.accounts.issueGrantCode({
            clientId,
            scope: p.scope ?? 'ZohoCRM.modules.ALL',
          });
          return { status: 200, body: { code, expires_in: GRANT_CODE_TTL_MS / 1000 } };
        },
        open,
      );
    },
  };
}
