/**
 * The editor's endpoints for connecting a zoho-config node to a Zoho account.
 *
 *   POST /zoho-config/:id/auth/start   (zoho-config.write)  -> { url } of Zoho's consent page
 *   GET  /zoho-config/auth/callback     (no permission)      <- Zoho's redirect; guarded by `state`
 *   POST /zoho-config/:id/auth/code    (zoho-config.write)  Self Client grant code exchange
 *   GET  /zoho-config/:id/status       (zoho-config.read)   never a token or secret
 *   POST /zoho-config/:id/disconnect   (zoho-config.write)  revoke + forget the tokens
 *
 * Connection state is the account's (AccountConnection): these routes store credentials, record
 * connect attempts on it and read its status. The client secret leaves this process only for the
 * accounts server of the connection's own data centre (or the custom accounts URL); nothing from
 * the callback's query is echoed.
 */
import type { NodeAPI } from 'node-red';
import { authorizationUrl, exchangeAuthorizationCode } from '../../zoho/core/auth';
import { accountElsewhere, parseScopes } from '../../zoho/core/consent';
import {
  AdminRequest,
  AdminResponse,
  AdminRoute,
  RouteError,
  bodyOf,
  errorBody,
  httpStatusOf,
  text,
} from '../runtime/admin-http';
import { Translate, translator } from '../runtime/i18n';
import { consentPage } from './consent-page';
import { AdminDeps, ConnectionAdmin } from './connection-admin';
import type { PendingAuth } from './oauth-states';

export const CALLBACK_PATH = '/zoho-config/auth/callback';

/** Everything a handler needs: the account book, the credential desk, the texts. */
interface RouteKit {
  deps: AdminDeps;
  admin: ConnectionAdmin;
  t: Translate;
}

export function zohoConfigRoutes(RED: NodeAPI, deps: AdminDeps): AdminRoute[] {
  const kit: RouteKit = {
    deps,
    admin: new ConnectionAdmin(RED, deps),
    t: translator(RED, 'zoho-config'),
  };
  const { admin } = kit;
  return [
    {
      method: 'post',
      path: '/zoho-config/:id/auth/start',
      permission: 'write',
      handle: (req) => Promise.resolve(start(kit, req)),
    },
    {
      method: 'get',
      path: CALLBACK_PATH,
      permission: 'public',
      handle: (req, res) => callback(kit, req, res),
    },
    {
      method: 'post',
      path: '/zoho-config/:id/auth/code',
      permission: 'write',
      handle: (req) => exchangeCode(kit, req),
    },
    {
      method: 'get',
      path: '/zoho-config/:id/status',
      permission: 'read',
      handle: async (req, res) => {
        const id = admin.checkNode(req.params.id);
        const check = req.query.check === '1' || req.query.check === 'true';
        res.set('Cache-Control', 'no-store');
        return admin.statusBody(id, check);
      },
    },
    {
      method: 'post',
      path: '/zoho-config/:id/disconnect',
      permission: 'write',
      handle: (req) => admin.disconnect(admin.checkNode(req.params.id)),
    },
  ];
}

function redirectUriFrom(value: unknown, t: Translate): string {
  const uri = text(value);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new RouteError(400, 'INVALID_INPUT', t('admin.redirectNotUrl'));
  }
  const ours =
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.pathname.endsWith(CALLBACK_PATH) &&
    !url.search &&
    !url.hash;
  if (!ours) {
    const path = CALLBACK_PATH.slice(1);
    throw new RouteError(400, 'INVALID_INPUT', t('admin.redirectNotOurs', { path }));
  }
  return uri;
}

/** The consent URL for the editor's popup, with a fresh single-use state. */
function start({ deps, admin, t }: RouteKit, req: AdminRequest): unknown {
  const id = admin.checkNode(req.params.id);
  const body = bodyOf(req);
  const client = admin.clientFrom(id, body);
  const redirectUri = redirectUriFrom(body.redirectUri, t);
  const pending: PendingAuth = { nodeId: id, ...client, redirectUri };
  const startedAt = Date.now();
  const state = deps.states.create(pending);
  const url = authorizationUrl({
    accountsUrl: client.accountsUrl,
    clientId: client.clientId,
    scopes: parseScopes(body.scopes),
    redirectUri,
    state,
  });
  // startedAt (server time): the editor waits for a connect attempt at or after it.
  return { url, startedAt };
}

/** A Self Client grant code, exchanged and stored. */
async function exchangeCode({ deps, admin, t }: RouteKit, req: AdminRequest): Promise<unknown> {
  const id = admin.checkNode(req.params.id);
  const body = bodyOf(req);
  const client = admin.clientFrom(id, body);
  const code = text(body.code);
  if (!code || code.length > 512 || /\s/.test(code)) {
    throw new RouteError(400, 'INVALID_INPUT', t('admin.pasteCode'));
  }
  try {
    const result = await exchangeAuthorizationCode({ ...client, code });
    await admin.store(id, client, result);
  } catch (err) {
    deps.account(id).recordAttempt({ ok: false, error: errorBody(err, '').error });
    throw err;
  }
  return admin.statusBody(id, false);
}

/** Why the consent redirect cannot be used, if it cannot: the page and the attempt's error. */
interface Refusal {
  status: number;
  title: string;
  detail: string;
  error: { code: string; message: string };
}

function refusal(
  query: Record<string, unknown>,
  pending: PendingAuth,
  t: Translate,
): Refusal | undefined {
  const notConnected = t('consent.notConnectedTitle');
  if (query.error === 'access_denied') {
    const error = { code: 'ACCESS_DENIED', message: t('consent.denied') };
    return {
      status: 200,
      title: t('consent.deniedTitle'),
      detail: t('consent.deniedDetail'),
      error,
    };
  }
  if (query.error !== undefined) {
    const error = { code: 'CONSENT_FAILED', message: t('consent.notGranted') };
    return { status: 400, title: notConnected, detail: t('consent.notGrantedDetail'), error };
  }
  if (typeof query.code !== 'string' || query.code === '') {
    const error = { code: 'INVALID_INPUT', message: t('consent.noCode') };
    return { status: 400, title: notConnected, detail: t('consent.noCodeDetail'), error };
  }
  const elsewhere = accountElsewhere(pending, {
    location: query.location,
    accountsServer: query['accounts-server'],
  });
  if (!elsewhere) return undefined;
  const where =
    elsewhere.kind === 'region'
      ? t('consent.whereRegion', { label: elsewhere.label, region: elsewhere.region })
      : elsewhere.kind === 'data-centre'
        ? t('consent.whereDataCentre', { host: elsewhere.host })
        : t('consent.whereOtherServer');
  const message = t('consent.wrongDataCentre', { where, region: pending.region });
  const error = { code: 'WRONG_DATA_CENTRE', message };
  return { status: 400, title: t('consent.wrongDataCentreTitle'), detail: message, error };
}

/** Zoho's redirect after consent: checked, exchanged in the right data centre, stored. */
async function callback(
  { deps, admin, t }: RouteKit,
  req: AdminRequest,
  res: AdminResponse,
): Promise<void> {
  const query = req.query;
  const pending = deps.states.take(query.state);
  if (!pending) {
    consentPage(res, 400, false, t('consent.unknownTitle'), t('consent.unknownDetail'));
    return;
  }
  const account = deps.account(pending.nodeId);
  const refused = refusal(query, pending, t);
  if (refused) {
    account.recordAttempt({ ok: false, error: refused.error });
    consentPage(res, refused.status, false, refused.title, refused.detail);
    return;
  }
  const code = String(query.code);
  try {
    const result = await exchangeAuthorizationCode({ ...pending, code });
    await admin.store(pending.nodeId, pending, result);
  } catch (err) {
    const error = errorBody(err, t('admin.unexpected'), [pending.clientSecret, code]).error;
    account.recordAttempt({ ok: false, error });
    consentPage(res, httpStatusOf(err), false, t('consent.notConnectedTitle'), error.message);
    return;
  }
  consentPage(res, 200, true, t('consent.connectedTitle'), t('consent.connectedDetail'));
}
