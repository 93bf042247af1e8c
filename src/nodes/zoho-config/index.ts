/**
 * zoho-config: one Zoho account connection (data centre, OAuth client, tokens) shared by every
 * Zoho node that points at it. The account's state lives in its AccountConnection (client):
 * this node reads its settings, wires credentials and the token store into it and relays its
 * status; it also registers every admin endpoint the editor uses, once per runtime.
 */
import type { NodeAPI } from 'node-red';
import { AccountConnection } from '../../zoho/core/account-connection';
import { registerAdminRoutes } from '../runtime/admin-http';
import type { ZohoConfigNode } from '../runtime/config-node';
import { booksEditorRoutes } from '../runtime/editor-routes/books';
import { crmEditorRoutes } from '../runtime/editor-routes/crm';
import { translator } from '../runtime/i18n';
import { zohoConfigRoutes } from './admin-routes';
import { OAuthStates } from './oauth-states';
import { closeOutbox, openOutbox, outboxLimits } from './outbox';
import { outboxRoutes } from './outbox-routes';
import {
  Mutable,
  ZohoConfigDef,
  connectionOptions,
  readSettings,
  secretsOf,
  sharedIdentity,
} from './settings';
import { NodeSharedState, nodeSharedState } from './shared-state';
import { ZohoConfigCredentials, removeCacheFile } from './token-store';

/** Kept by Node-RED in flows_cred.json, never in the flow; tokens are written by the runtime. */
const CREDENTIALS = {
  clientId: { type: 'text' },
  clientSecret: { type: 'password' },
  refreshToken: { type: 'password' },
  accessToken: { type: 'password' },
  expiresAt: { type: 'text' },
  apiDomain: { type: 'text' },
  scope: { type: 'text' },
  tokenKey: { type: 'password' },
  issuer: { type: 'text' },
  redisPassword: { type: 'password' },
} as const;

/**
 * How long a webhook channel's keeper lease lives: a standing-by instance takes over within it
 * (and a third more), far inside one renewal period (days: channel-keeper.ts).
 */
const CHANNEL_LEASE_MS = 30_000;

/** What the watch nodes share across a fleet through this connection (nothing without Redis). */
function shareFleet(RED: NodeAPI, node: Mutable<ZohoConfigNode>, shared: NodeSharedState): void {
  node.sharedPoll = (nodeId, intervalMs, local) => {
    const identity = sharedIdentity(RED, node);
    return identity && shared.poll(identity, nodeId, intervalMs, local);
  };
  node.sharedChannel = (nodeId) => {
    const identity = sharedIdentity(RED, node);
    return identity && shared.channel(identity, nodeId, CHANNEL_LEASE_MS);
  };
}

/** Node-RED's user directory, where token caches and outboxes live (none in some tests). */
function userDirOf(RED: NodeAPI): string | undefined {
  const dir = (RED.settings as { userDir?: unknown }).userDir;
  return typeof dir === 'string' && dir ? dir : undefined;
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
  const userDir = (): string | undefined => userDirOf(RED);

  function ZohoConfig(this: Mutable<ZohoConfigNode>, def: ZohoConfigDef): void {
    RED.nodes.createNode(this, def);
    setup(this, def);
  }

  /** Wires the node to its account: the account decides the state, the node relays it. */
  function setup(node: Mutable<ZohoConfigNode>, def: ZohoConfigDef): void {
    const settingsError = readSettings(node, def, t);
    const { shared, error } = nodeSharedState(def, node.credentials?.redisPassword, t);
    const configError = settingsError ?? error;
    const acc = account(def.id);
    acc.configure(node.region, () => {
      if (configError) throw configError;
      return connectionOptions(RED, node, userDir(), shared);
    });
    node.getConnection = () => acc.connection();
    node.connectionStatus = () => acc.status();
    node.checkToken = () => acc.check();
    node.onStatus = (listener) => acc.onStatus(listener);
    node.outbox = () => openOutbox(def.id, userDir(), outboxLimits(def), () => acc.connection());
    node.secrets = () => secretsOf(node, acc.secrets());
    shareFleet(RED, node, shared);
    node.reloadCredentials = () => {
      const stored = RED.nodes.getCredentials(def.id) as ZohoConfigCredentials | undefined;
      node.credentials = { ...(stored ?? {}) };
      acc.reset();
    };
    node.on('close', (removed: boolean, done: () => void) => {
      acc.close();
      shared.close();
      if (removed) void forget(def.id).then(done);
      else done();
    });
  }

  /** What a removed connection leaves behind: its account, consent states, caches, outbox. */
  function forget(id: string): Promise<void> {
    accounts.delete(id);
    states.forget(id);
    removeCacheFile(userDir(), id);
    return closeOutbox(id, userDir());
  }

  RED.nodes.registerType('zoho-config', ZohoConfig as never, { credentials: CREDENTIALS });

  const deps = { states, account, findAccount: (id: string) => accounts.get(id), userDir };
  registerAdminRoutes(RED, [
    ...zohoConfigRoutes(RED, deps),
    ...outboxRoutes(RED, userDir),
    ...crmEditorRoutes(RED),
    ...booksEditorRoutes(RED),
  ]);
};
