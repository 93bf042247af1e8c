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
import { RegionSettings, isEnvironment, isRegion, issuerOf } from '../../zoho/core/regions';
import type { ZohoConfigNode } from '../runtime/config-node';
import { Translate, translator } from '../runtime/i18n';
import type { SharedIdentity } from '../runtime/shared-state/tokens';
import type { NodeSharedState, SharedStateDef } from './shared-state';
import { NodeTokenStore, ZohoConfigCredentials } from './token-store';

export interface ZohoConfigDef extends NodeDef, SharedStateDef {
  region?: string;
  /** Absent in flows saved before environments existed: production. */
  environment?: string;
  accountsUrl?: string;
  insecureHttp?: boolean | string;
  scopes?: string;
  organizationId?: string;
  maxConcurrency?: string | number;
  creditBackoff?: string | number;
  /** Largest JSON answer in MB; empty: DEFAULT_MAX_RESPONSE_BYTES. */
  maxAnswerMB?: string | number;
  /** The outbox's limits (zoho-config/outbox.ts outboxLimits). */
  outboxMaxMessages?: string | number;
  outboxMaxMB?: string | number;
  outboxWhenFull?: string;
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

/** Megabytes, whole, 1 to 1024; empty is the client's default (32 MiB, response.ts). */
function parseAnswerMB(value: unknown): number | undefined | 'invalid' {
  if (value === '' || value === undefined || value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1024) return 'invalid';
  return n * 1024 * 1024;
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
  node.environment = isEnvironment(def.environment) ? def.environment : 'production';
  node.accountsUrl = node.region === 'custom' ? (def.accountsUrl ?? '').trim() : undefined;
  node.insecureHttp =
    node.region === 'custom' && (def.insecureHttp === true || def.insecureHttp === 'true');
  node.scopes = parseScopes(def.scopes);
  node.organizationId = (def.organizationId ?? '').toString().trim();
  node.maxConcurrency = parseConcurrency(def.maxConcurrency);
  const backoff = parseCreditBackoff(def.creditBackoff);
  if (backoff === 'invalid') node.warn(t('log.badCreditBackoff'));
  node.creditBackoff = backoff === 'invalid' ? undefined : backoff;
  const answer = parseAnswerMB(def.maxAnswerMB);
  if (answer === 'invalid') node.warn(t('log.badMaxAnswerMB'));
  node.maxResponseBytes = answer === 'invalid' ? undefined : answer;
  const unknownRegion = def.region !== undefined && def.region !== '' && !isRegion(def.region);
  if (unknownRegion) {
    return invalidInput(t('log.unknownRegion', { region: String(def.region) }), 'region');
  }
  const env = def.environment;
  return env !== undefined && env !== '' && !isEnvironment(env)
    ? invalidInput(t('log.unknownEnvironment', { environment: String(env) }), 'environment')
    : undefined;
}

/** The settings that decide where the node's tokens go (regions.ts RegionSettings). */
export function regionSettingsOf(node: ZohoConfigNode): RegionSettings {
  return {
    region: node.region,
    accountsUrl: node.accountsUrl,
    environment: node.environment,
    allowInsecureHttp: node.insecureHttp,
  };
}

/**
 * Who issued the node's refresh token. Credentials stored before issuers were recorded have
 * none: they were earned under the settings the node is deployed with (the first deploy after
 * an upgrade), which are recorded now, so the next change of them is caught.
 */
function refreshTokenIssuer(RED: NodeAPI, node: Mutable<ZohoConfigNode>, issuer: string): string {
  const creds = node.credentials ?? {};
  if (creds.issuer) return creds.issuer;
  // Added to the credentials as stored, not to node.credentials: Node-RED put the environment
  // variables of `${NAME}` credentials into those, and the references must stay references.
  const stored = (RED.nodes.getCredentials(node.id) ?? {}) as ZohoConfigCredentials;
  void RED.nodes.addCredentials(node.id, { ...stored, issuer });
  node.credentials = { ...creds, issuer };
  return issuer;
}

/** Every secret of the node's credentials, and `more` (its connection's), for scrubbing text. */
export function secretsOf(node: ZohoConfigNode, more: string[]): string[] {
  const { clientSecret, refreshToken, accessToken, redisPassword } = node.credentials ?? {};
  return [clientSecret, refreshToken, accessToken, redisPassword, ...more].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}

const ENV_REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/**
 * The node's client id, secret and refresh token. Each may be written as `${NAME}`, so a fleet
 * of devices shares one Self Client without the editor: Node-RED puts the environment variable
 * in when it creates the node (@node-red/runtime nodes/index.js createNode); one that is not
 * set stays `${NAME}`, which is a config error naming it rather than a reference sent to Zoho.
 */
export function clientCredentials(
  RED: NodeAPI,
  node: ZohoConfigNode,
): { clientId: string; clientSecret: string; refreshToken?: string } {
  const creds = node.credentials ?? {};
  const resolve = (field: 'clientId' | 'clientSecret' | 'refreshToken'): string => {
    const value = creds[field] ?? '';
    const name = ENV_REFERENCE.exec(value)?.[1];
    if (!name) return value;
    const found: unknown = RED.util.getSetting(node, name);
    if (typeof found === 'string' && found) return found;
    throw invalidInput(translator(RED, 'zoho-config')('log.envMissing', { name, field }), field);
  };
  return {
    clientId: resolve('clientId'),
    clientSecret: resolve('clientSecret'),
    refreshToken: resolve('refreshToken') || undefined,
  };
}

/** The credentials that name the node's shared keys; undefined before it is connected. */
export function sharedIdentity(RED: NodeAPI, node: ZohoConfigNode): SharedIdentity | undefined {
  try {
    const { clientId, clientSecret, refreshToken } = clientCredentials(RED, node);
    if (!refreshToken) return undefined;
    return { clientId, clientSecret, refreshToken, issuer: issuerOf(regionSettingsOf(node)) };
  } catch {
    return undefined; // settings no request may use: the connection says so
  }
}

/** What the account's connections are built from: the credentials as they are now. */
export function connectionOptions(
  RED: NodeAPI,
  node: Mutable<ZohoConfigNode>,
  userDir: string | undefined,
  shared?: NodeSharedState,
): ConnectionOptions {
  const id = node.id;
  // Throws (a config error the account shows) for a ${NAME} that is not set.
  const { clientId, clientSecret, refreshToken } = clientCredentials(RED, node);
  const settings = regionSettingsOf(node);
  // Throws (a config error the account shows) for settings no request may use.
  const issuer = issuerOf(settings);
  const issuedBy = refreshToken ? refreshTokenIssuer(RED, node, issuer) : undefined;
  const tokenStore = refreshToken
    ? new NodeTokenStore({
        identity: { nodeId: id, clientId, clientSecret, refreshToken, issuer },
        userDir,
        readCredentials: () => RED.nodes.getCredentials(id),
        writeCredentials: (next) => {
          void RED.nodes.addCredentials(id, next);
          node.credentials = { ...next };
        },
        onError: (message) => node.debug(message),
      })
    : undefined;
  const identity = { clientId, clientSecret, refreshToken: refreshToken ?? '', issuer };
  const sharedTokens = refreshToken ? shared?.tokens(identity) : undefined;
  const sharedCache = refreshToken ? shared?.cache(identity) : undefined;
  const redact = (message: string): string => redactText(message, node.secrets());
  return {
    ...settings,
    refreshTokenIssuer: issuedBy,
    scopes: node.scopes,
    clientId,
    clientSecret,
    refreshToken,
    tokenStore,
    sharedTokens,
    sharedCache,
    maxConcurrency: node.maxConcurrency,
    creditBackoff: node.creditBackoff,
    maxResponseBytes: node.maxResponseBytes,
    logger: {
      // Per-request lines cost a redaction each: only build them when someone reads them.
      debug: debugLogging(RED) ? (m) => node.debug(redact(m)) : () => undefined,
      debugEnabled: debugLogging(RED),
      warn: (m) => node.warn(redact(m)),
    },
  };
}
