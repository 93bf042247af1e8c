/**
 * A zoho-config node's settings as the editor saved them, and the options of the connections
 * its account builds from them and the current credentials (with the token store that keeps
 * the access token across redeploys and restarts).
 */
import type { NodeAPI, NodeDef } from 'node-red';
import type { ConnectionOptions } from '../../zoho/core/connection';
import { parseScopes } from '../../zoho/core/consent';
import { ZohoError, invalidInput } from '../../zoho/core/errors';
import { redactText } from '../../zoho/core/redact';
import { isRegion } from '../../zoho/core/regions';
import type { ZohoConfigNode } from '../runtime/config-node';
import type { Translate } from '../runtime/i18n';
import { NodeTokenStore } from './token-store';

export interface ZohoConfigDef extends NodeDef {
  region?: string;
  accountsUrl?: string;
  scopes?: string;
  organizationId?: string;
  maxConcurrency?: string | number;
  creditBackoff?: string | number;
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

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

/** Reads the node's settings; a setting that makes every request fail is the config error. */
export function readSettings(
  node: Mutable<ZohoConfigNode>,
  def: ZohoConfigDef,
  t: Translate,
): ZohoError | undefined {
  node.region = isRegion(def.region) ? def.region : 'com';
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
export function connectionOptions(
  RED: NodeAPI,
  node: Mutable<ZohoConfigNode>,
  userDir: string | undefined,
): ConnectionOptions {
  const id = node.id;
  const { clientId = '', clientSecret = '', refreshToken: stored } = node.credentials ?? {};
  const refreshToken = stored || undefined;
  const tokenStore = refreshToken
    ? new NodeTokenStore({
        identity: { nodeId: id, clientId, clientSecret, refreshToken },
        userDir,
        readCredentials: () => RED.nodes.getCredentials(id),
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
