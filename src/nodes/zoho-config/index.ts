/**
 * zoho-config: one Zoho account connection (data centre, OAuth client, tokens) shared by every
 * Zoho node that points at it. The account's state lives in its AccountConnection (client):
 * this node reads its settings, wires credentials and the token store into it and relays its
 * status; it also registers every admin endpoint the editor uses, once per runtime.
 */
import type { NodeAPI, NodeDef } from 'node-red';
import { AccountConnection } from '../../zoho/core/account-connection';
import type { ConnectionOptions } from '../../zoho/core/connection';
import { ZohoError, invalidInput } from '../../zoho/core/errors';
import { redactText } from '../../zoho/core/redact';
import { Region, isRegion } from '../../zoho/core/regions';
import { parseScopes } from '../../zoho/core/consent';
import { registerAdminRoutes } from '../runtime/admin-http';
import type { ZohoConfigNode } from '../runtime/config-node';
import { booksEditorRoutes } from '../runtime/editor-routes/books';
import { crmEditorRoutes } from '../runtime/editor-routes/crm';
import { translator } from '../runtime/i18n';
import { zohoConfigRoutes } from './admin-routes';
import { OAuthStates } from './oauth-states';
import { NodeTokenStore, ZohoConfigCredentials, removeCacheFile } from './token-store';

interface ZohoConfigDef extends NodeDef {
  region?: string;
  accountsUrl?: string;
  scopes?: string;
  organizationId?: string;
  maxConcurrency?: string | number;
  creditBackoff?: string | number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const DEFAULT_MAX_CONCURRENCY = 5;

function parseConcurrency(value: unknown): number {
  const n = Number(value);
  if (value === '' || value === undefined || !Number.isFinite(n)) return DEFAULT_MAX_CONCURRENCY;
  return Math.min(50, Math.max(1, Math.floor(n)));
}

function parseCreditBackoff(value: unknown): number | undefined | 'invalid' {
  if (value === '' || value === undefined || value === null) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.5 || n > 1) return 'invalid';
  return n;
}

/** Whether any of Node-RED's log handlers is set to show debug (or trace) lines. */
function debugLogging(RED: NodeAPI): boolean {
  const logging = (RED.settings as { logging?: Record<string, { level?: string } | undefined> })
    .logging;
  return Object.values(logging ?? {}).some((h) => h?.level === 'debug' || h?.level === 'trace');
}

export = function (RED: NodeAPI): void {
  const t = translator(RED, 'zoho-config');
  const states = new OAuthStates();
  const accounts = new Map<string, AccountConnection>();
  const account = (id: string): AccountConnection => {
    let found = accounts.get(id);
    if (!found) accounts.set(id, (found = new AccountConnection()));
    return found;
  };
  const userDir = (): string | undefined => {
    const dir = (RED.settings as { userDir?: unknown }).userDir;
    return typeof dir === 'string' && dir ? dir : undefined;
  };

  /** Reads the node's settings; a setting that makes every request fail is the config error. */
  function readSettings(node: Mutable<ZohoConfigNode>, def: ZohoConfigDef): ZohoError | undefined {
    node.region = isRegion(def.region) ? def.region : ('com' as Region);
    node.accountsUrl = node.region === 'custom' ? (def.accountsUrl ?? '').trim() : undefined;
    node.scopes = parseScopes(def.scopes);
    node.organizationId = (def.organizationId ?? '').toString().trim();
    node.maxConcurrency = parseConcurrency(def.maxConcurrency);
    const backoff = parseCreditBackoff(def.creditBackoff);
    if (backoff === 'invalid') node.warn(t('log.badCreditBackoff'));
    node.creditBackoff = backoff === 'invalid' ? undefined : backoff;
    const unknownRegion = def.region !== undefined && def.region !== '' && !isRegion(def.region);
    return unknownRegion
      ? invalidInput(t('log.unknownRegion', { region: String(def.region) }), 'region')
      : undefined;
  }

  /** What the account's connections are built from: the credentials as they are now. */
  function connectionOptions(node: Mutable<ZohoConfigNode>): ConnectionOptions {
    const id = node.id;
    const { clientId = '', clientSecret = '', refreshToken: stored } = node.credentials ?? {};
    const refreshToken = stored || undefined;
    const tokenStore = refreshToken
      ? new NodeTokenStore({
          identity: { nodeId: id, clientId, clientSecret, refreshToken },
          userDir: userDir(),
          readCredentials: () => RED.nodes.getCredentials(id) as ZohoConfigCredentials,
          writeCredentials: (next) => {
            void RED.nodes.addCredentials(id, next);
            node.credentials = { ...next };
          },
          onError: (message) => node.debug(message),
        })
      : undefined;
    const redact = (message: string): string => redactText(message, node.secrets());
    return {
      region: node.region,
      accountsUrl: node.accountsUrl,
      clientId,
      clientSecret,
      refreshToken,
      tokenStore,
      maxConcurrency: node.maxConcurrency,
      creditBackoff: node.creditBackoff,
      logger: {
        // Per-request lines cost a redaction each: only build them when someone reads them.
        debug: debugLogging(RED) ? (m) => node.debug(redact(m)) : () => undefined,
        warn: (m) => node.warn(redact(m)),
      },
    };
  }

  function ZohoConfig(this: Mutable<ZohoConfigNode>, def: ZohoConfigDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const configError = readSettings(node, def);
    const acc = account(def.id);
    acc.configure(node.region, () => {
      if (configError) throw configError;
      return connectionOptions(node);
    });
    node.getConnection = () => acc.connection();
    node.connectionStatus = () => acc.status();
    node.checkToken = () => acc.check();
    node.onStatus = (listener) => acc.onStatus(listener);
    node.secrets = () => {
      const { clientSecret, refreshToken, accessToken } = node.credentials ?? {};
      return [clientSecret, refreshToken, accessToken, ...acc.secrets()].filter(
        (s): s is string => typeof s === 'string' && s.length > 0,
      );
    };
    node.reloadCredentials = () => {
      const stored = RED.nodes.getCredentials(def.id) as ZohoConfigCredentials | undefined;
      node.credentials = { ...(stored ?? {}) };
      acc.reset();
    };
    node.on('close', (removed: boolean, done: () => void) => {
      acc.close();
      if (removed) {
        accounts.delete(def.id);
        states.forget(def.id);
        removeCacheFile(userDir(), def.id);
      }
      done();
    });
  }

  RED.nodes.registerType('zoho-config', ZohoConfig as never, {
    credentials: {
      clientId: { type: 'text' },
      clientSecret: { type: 'password' },
      refreshToken: { type: 'password' },
      accessToken: { type: 'password' },
      expiresAt: { type: 'text' },
      apiDomain: { type: 'text' },
      scope: { type: 'text' },
      tokenKey: { type: 'password' },
    },
  });

  const deps = { states, account, findAccount: (id: string) => accounts.get(id), userDir };
  registerAdminRoutes(RED, [
    ...zohoConfigRoutes(RED, deps),
    ...crmEditorRoutes(RED),
    ...booksEditorRoutes(RED),
  ]);
};
