/**
 * The accounts server (accounts.zoho.com) over HTTP: the consent page, the token and revoke
 * endpoints and the Self Client helpers, over the state in accounts-state.ts — errors on the
 * token endpoint come back as HTTP 200 with an `error` field, codes are single-use, refreshes
 * never return a new refresh token, and the endpoint throttles.
 */
import {
  AccountsState,
  DEFAULT_CLIENT,
  GRANT_CODE_TTL_MS,
  THROTTLED_BODY,
  type ClientInfo,
  type PendingConsent,
  type TokenReply,
} from './accounts-state';
import { SANDBOX_FULL_SCOPE } from './scopes';
import type { ApiFamily, SandboxContext, SandboxReply, SandboxRequest } from './types';

export { AccountsState, DEFAULT_CLIENT, GRANT_CODE_TTL_MS, THROTTLED_BODY };
export type { ClientInfo, PendingConsent, TokenReply };

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
    // Zoho's multi-DC redirect: where the account lives and that data centre's accounts server
    // (https://www.zoho.com/accounts/protocol/oauth/multi-dc/client-authorization.html).
    target.searchParams.append('location', ctx.options.dc);
    target.searchParams.append('accounts-server', ctx.options.accountsServer || ctx.baseUrl());
  } else {
    target.searchParams.append('error', 'access_denied');
    if (pending.state !== undefined) target.searchParams.append('state', pending.state);
  }
  return { status: 302, headers: { Location: target.toString() } };
}

/** Zoho's data-centre locations, as /oauth/serverinfo lists them. */
export const LOCATIONS = ['us', 'eu', 'in', 'au', 'jp', 'ca', 'sa', 'uk', 'cn'];

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
            scope: p.scope ?? SANDBOX_FULL_SCOPE,
          });
          return { status: 200, body: { code, expires_in: GRANT_CODE_TTL_MS / 1000 } };
        },
        open,
      );
    },
  };
}
