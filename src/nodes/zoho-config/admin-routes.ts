/**
 * The editor's endpoints for connecting a zoho-config node to a Zoho account.
 *
 *   POST /zoho-config/:id/auth/start   (zoho-config.write)  -> { url } of Zoho's consent page
 *   GET  /zoho-config/auth/callback     (no permission)      <- Zoho's redirect; guarded by `state`
 *   POST /zoho-config/:id/auth/code    (zoho-config.write)  Self Client grant code exchange
 *   GET  /zoho-config/:id/status       (zoho-config.read)   never a token or secret
 *   POST /zoho-config/:id/disconnect   (zoho-config.write)  revoke + forget the tokens
 *
 * The client secret leaves this process only for the accounts server of the connection's own
 * data centre (or the custom accounts URL); nothing from the callback's query is echoed.
 */
import type { NodeAPI } from 'node-red';
import {
  StoredTokens,
  authorizationUrl,
  exchangeAuthorizationCode,
  revokeRefreshToken,
} from '../../zoho/core/auth';
import { ZohoError, isZohoError } from '../../zoho/core/errors';
import { redactText } from '../../zoho/core/redact';
import {
  DATA_CENTRES,
  Region,
  accountsUrl as accountsUrlOf,
  isRegion,
  regionFromLocation,
} from '../../zoho/core/regions';
import {
  RouteError,
  errorBody,
  handle,
  hostOf,
  nodeIdOf,
  resultPage,
  statusOf,
  text,
} from '../runtime/admin-http';
import { OAuthStates, PendingAuth } from './oauth-states';
import {
  TOKEN_KEYS,
  TokenIdentity,
  ZohoConfigCredentials,
  removeCacheFile,
  tokenCredentials,
  writeCacheFile,
} from './token-store';
import { ZohoConfigNode, isZohoConfigNode } from '../runtime/config-node';

export const CALLBACK_PATH = '/zoho-config/auth/callback';
export const DEFAULT_SCOPES = [
  'ZohoCRM.modules.ALL',
  'ZohoCRM.coql.READ',
  'ZohoCRM.settings.ALL',
  'ZohoCRM.users.READ',
  'ZohoCRM.org.READ',
  'ZohoCRM.bulk.ALL',
  'ZohoCRM.notifications.ALL',
  'ZohoBooks.fullaccess.all',
];
const PASSWORD_PLACEHOLDER = '__PWRD__';

/** Splits "a, b c" into scopes; falls back to the default set. */
export function parseScopes(value: unknown): string[] {
  const list = Array.isArray(value)
    ? value.map(String)
    : typeof value === 'string'
      ? value.split(/[\s,]+/)
      : [];
  const scopes = list.map((s) => s.trim()).filter((s) => /^[A-Za-z0-9._-]+$/.test(s));
  return scopes.length > 0 ? scopes : [...DEFAULT_SCOPES];
}

/** What the editor's polling learns about the last connect attempt of a node. */
interface AuthOutcome {
  at: number;
  ok: boolean;
  region?: Region;
  error?: { message: string; code: string };
}

export interface AdminDeps {
  states: OAuthStates;
  /** Node-RED's user directory, for the encrypted token cache. */
  userDir(): string | undefined;
}

/** The accounts host of each Zoho data centre. */
const ZOHO_ACCOUNTS_HOSTS = new Set(
  Object.values(DATA_CENTRES).map((dc) => `accounts.${dc.domain}`),
);

export function registerAdminRoutes(RED: NodeAPI, deps: AdminDeps): void {
  const { states } = deps;
  const outcomes = new Map<string, AuthOutcome>();
  const read = RED.auth.needsPermission('zoho-config.read');
  const write = RED.auth.needsPermission('zoho-config.write');

  function credentialsOf(id: string): ZohoConfigCredentials {
    return (RED.nodes.getCredentials(id) as ZohoConfigCredentials | undefined) ?? {};
  }

  function liveNode(id: string): ZohoConfigNode | undefined {
    const node = RED.nodes.getNode(id);
    return isZohoConfigNode(node) ? node : undefined;
  }

  /** The id must be a zoho-config (deployed) or not deployed yet (a new node in the editor). */
  function checkNode(id: string): void {
    const node = RED.nodes.getNode(id);
    if (node && !isZohoConfigNode(node)) {
      throw new RouteError(400, 'INVALID_INPUT', 'That node is not a zoho-config node');
    }
  }

  function clientSecretFrom(id: string, value: unknown): string {
    const given = typeof value === 'string' ? value : '';
    if (given && given !== PASSWORD_PLACEHOLDER) return given;
    const stored = credentialsOf(id).clientSecret;
    if (!stored) throw new RouteError(400, 'INVALID_INPUT', 'Enter the Client Secret first');
    return stored;
  }

  function regionFrom(body: Record<string, unknown>): { region: Region; accountsUrl: string } {
    const region = text(body.region) || 'com';
    if (!isRegion(region)) throw new RouteError(400, 'INVALID_INPUT', 'Unknown Zoho region');
    const custom = region === 'custom' ? text(body.accountsUrl) : undefined;
    return { region, accountsUrl: accountsUrlOf({ region, accountsUrl: custom }) };
  }

  /** The data centre and OAuth client a connect request names (the secret may be the stored one). */
  function clientFrom(id: string, body: Record<string, unknown>) {
    const { region, accountsUrl } = regionFrom(body);
    const clientId = text(body.clientId);
    if (!clientId) throw new RouteError(400, 'INVALID_INPUT', 'Enter the Client ID first');
    return { region, accountsUrl, clientId, clientSecret: clientSecretFrom(id, body.clientSecret) };
  }

  function redirectUriFrom(value: unknown): string {
    const uri = text(value);
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new RouteError(400, 'INVALID_INPUT', 'The redirect URI is not a URL');
    }
    if (
      (url.protocol !== 'https:' && url.protocol !== 'http:') ||
      !url.pathname.endsWith(CALLBACK_PATH) ||
      url.search ||
      url.hash
    ) {
      throw new RouteError(
        400,
        'INVALID_INPUT',
        `The redirect URI must be this Node-RED's ${CALLBACK_PATH.slice(1)} URL`,
      );
    }
    return uri;
  }

  async function store(
    id: string,
    client: { clientId: string; clientSecret: string },
    result: { refreshToken: string; tokens: StoredTokens },
    region: Region,
  ): Promise<void> {
    const identity: TokenIdentity = { nodeId: id, ...client, refreshToken: result.refreshToken };
    const existing: ZohoConfigCredentials = { ...credentialsOf(id) };
    for (const key of TOKEN_KEYS) delete existing[key];
    await RED.nodes.addCredentials(id, {
      ...existing,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      refreshToken: result.refreshToken,
      ...tokenCredentials(identity, result.tokens),
    });
    const userDir = deps.userDir();
    if (userDir) writeCacheFile(userDir, identity, result.tokens);
    outcomes.set(id, { at: Date.now(), ok: true, region });
    liveNode(id)?.reloadCredentials();
    RED.log.info(`[zoho-config:${id}] connected to Zoho (${region})`);
  }

  function failed(id: string, err: unknown): void {
    const shape = errorBody(err).error;
    outcomes.set(id, { at: Date.now(), ok: false, error: shape });
  }

  RED.httpAdmin.post(
    '/zoho-config/:id/auth/start',
    write,
    handle(async (req, res) => {
      const id = nodeIdOf(req);
      checkNode(id);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const { region, accountsUrl, clientId, clientSecret } = clientFrom(id, body);
      const redirectUri = redirectUriFrom(body.redirectUri);
      const pending: PendingAuth = {
        nodeId: id,
        region,
        accountsUrl,
        clientId,
        clientSecret,
        redirectUri,
      };
      const startedAt = Date.now();
      const state = states.create(pending);
      const url = authorizationUrl({
        accountsUrl,
        clientId,
        scopes: parseScopes(body.scopes),
        redirectUri,
        state,
      });
      // startedAt (server time): the editor waits for a connect attempt at or after it.
      res.json({ url, startedAt });
    }),
  );

  RED.httpAdmin.get(
    CALLBACK_PATH,
    handle(async (req, res) => {
      const query = req.query as Record<string, unknown>;
      const pending = states.take(query.state);
      if (!pending) {
        resultPage(
          res,
          400,
          false,
          'Connection request not recognised',
          'This sign-in link is unknown, expired (after 10 minutes) or was already used. ' +
            'Go back to the zoho-config node in Node-RED and click Connect again.',
        );
        return;
      }
      const id = pending.nodeId;
      if (query.error !== undefined) {
        const denied = query.error === 'access_denied';
        failed(
          id,
          new RouteError(
            400,
            denied ? 'ACCESS_DENIED' : 'CONSENT_FAILED',
            denied ? 'Consent was denied in Zoho' : 'Zoho did not grant access',
          ),
        );
        resultPage(
          res,
          denied ? 200 : 400,
          false,
          denied ? 'Consent denied' : 'Not connected',
          denied
            ? 'Consent was denied, so Node-RED was not connected to Zoho. You can close this window.'
            : 'Zoho did not grant access. Close this window and try Connect again.',
        );
        return;
      }
      const code = typeof query.code === 'string' ? query.code : '';
      if (!code) {
        failed(id, new RouteError(400, 'INVALID_INPUT', 'Zoho sent no grant code'));
        resultPage(res, 400, false, 'Not connected', 'Zoho sent no grant code. Try Connect again.');
        return;
      }
      // The code must be exchanged in the account's own data centre, and the secret may go
      // nowhere but to that Zoho accounts server (or the custom one configured).
      const expectedHost = new URL(pending.accountsUrl).host;
      const server = typeof query['accounts-server'] === 'string' ? query['accounts-server'] : '';
      const serverHost = hostOf(server);
      const location = typeof query.location === 'string' ? query.location : '';
      const locationRegion = location ? regionFromLocation(location) : undefined;
      const mismatch =
        pending.region === 'custom'
          ? serverHost !== '' && serverHost !== expectedHost
          : (locationRegion !== undefined && locationRegion !== pending.region) ||
            (serverHost !== '' && serverHost !== expectedHost);
      if (mismatch) {
        const where =
          pending.region !== 'custom' && locationRegion
            ? `the ${DATA_CENTRES[locationRegion].label} data centre (region "${locationRegion}")`
            : ZOHO_ACCOUNTS_HOSTS.has(serverHost)
              ? `another data centre (${serverHost})`
              : 'another accounts server';
        const message = `Your Zoho account lives in ${where}, but this connection is set to region "${pending.region}". Choose that region in the zoho-config node and connect again.`;
        failed(id, new RouteError(400, 'WRONG_DATA_CENTRE', message));
        resultPage(res, 400, false, 'Wrong data centre', message);
        return;
      }
      try {
        const result = await exchangeAuthorizationCode({
          accountsUrl: pending.accountsUrl,
          clientId: pending.clientId,
          clientSecret: pending.clientSecret,
          code,
          redirectUri: pending.redirectUri,
        });
        await store(id, pending, result, pending.region);
      } catch (err) {
        failed(id, err);
        const message = isZohoError(err)
          ? redactText(err.message, [pending.clientSecret, code])
          : 'Unexpected error';
        resultPage(res, statusOf(err), false, 'Not connected', message);
        return;
      }
      resultPage(
        res,
        200,
        true,
        'Connected — you can close this window',
        'Node-RED is now connected to Zoho. This window closes by itself.',
      );
    }),
  );

  RED.httpAdmin.post(
    '/zoho-config/:id/auth/code',
    write,
    handle(async (req, res) => {
      const id = nodeIdOf(req);
      checkNode(id);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const { region, accountsUrl, clientId, clientSecret } = clientFrom(id, body);
      const code = text(body.code);
      if (!code || code.length > 512 || /\s/.test(code)) {
        throw new RouteError(400, 'INVALID_INPUT', 'Paste the grant code from the Self Client');
      }
      try {
        const result = await exchangeAuthorizationCode({
          accountsUrl,
          clientId,
          clientSecret,
          code,
        });
        await store(id, { clientId, clientSecret }, result, region);
      } catch (err) {
        failed(id, err);
        throw err;
      }
      res.json(await statusBody(id, false));
    }),
  );

  async function statusBody(id: string, check: boolean): Promise<Record<string, unknown>> {
    const creds = credentialsOf(id);
    const node = liveNode(id);
    const hasRefreshToken = Boolean(creds.refreshToken);
    const outcome = outcomes.get(id);
    const body: Record<string, unknown> = { deployed: Boolean(node), hasRefreshToken };
    if (node) {
      const status = check && hasRefreshToken ? await node.checkToken() : node.connectionStatus();
      body.state = status.state;
      body.region = status.region;
      body.apiDomain = status.apiDomain;
      body.expiresAt = status.expiresAt;
      if (status.error) body.error = status.error;
      if (status.waitUntil) body.waitUntil = status.waitUntil;
      body.connected =
        hasRefreshToken && status.state !== 'error' && status.state !== 'not-connected';
    } else {
      body.state = hasRefreshToken ? 'connected' : 'not-connected';
      body.region = outcome?.region;
      body.apiDomain = creds.apiDomain;
      const expiresAt = Number(creds.expiresAt);
      body.expiresAt = Number.isFinite(expiresAt) ? expiresAt : undefined;
      body.connected = hasRefreshToken;
    }
    if (outcome) {
      body.lastAttempt = { at: outcome.at, ok: outcome.ok, error: outcome.error };
    }
    return body;
  }

  RED.httpAdmin.get(
    '/zoho-config/:id/status',
    read,
    handle(async (req, res) => {
      const id = nodeIdOf(req);
      checkNode(id);
      const check = req.query.check === '1' || req.query.check === 'true';
      res.set('Cache-Control', 'no-store').json(await statusBody(id, check));
    }),
  );

  RED.httpAdmin.post(
    '/zoho-config/:id/disconnect',
    write,
    handle(async (req, res) => {
      const id = nodeIdOf(req);
      checkNode(id);
      const creds = credentialsOf(id);
      const body = (req.body ?? {}) as Record<string, unknown>;
      let revoked = false;
      if (creds.refreshToken && creds.clientId && creds.clientSecret) {
        try {
          const live = liveNode(id);
          const settings = live
            ? { region: live.region, accountsUrl: live.accountsUrl }
            : regionFrom(body);
          await revokeRefreshToken({
            accountsUrl: accountsUrlOf(settings),
            clientId: creds.clientId,
            clientSecret: creds.clientSecret,
            refreshToken: creds.refreshToken,
          });
          revoked = true;
        } catch (err) {
          RED.log.warn(
            `[zoho-config:${id}] could not revoke the refresh token at Zoho (${
              err instanceof ZohoError ? err.code : 'error'
            }); it is forgotten here anyway`,
          );
        }
      }
      const kept: ZohoConfigCredentials = { ...creds };
      delete kept.refreshToken;
      for (const key of TOKEN_KEYS) delete kept[key];
      await RED.nodes.addCredentials(id, kept);
      removeCacheFile(deps.userDir(), id);
      states.forget(id);
      outcomes.delete(id);
      liveNode(id)?.reloadCredentials();
      RED.log.info(`[zoho-config:${id}] disconnected from Zoho`);
      res.json({ disconnected: true, revoked });
    }),
  );
}
