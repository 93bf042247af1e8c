/**
 * zoho-config: one Zoho account connection (data centre, OAuth client, tokens) shared by every
 * Zoho node that points at it. It owns one ZohoConnection, created on first use, and the
 * admin endpoints the editor's Connect button talks to.
 */
import { EventEmitter } from 'node:events';
import type { NodeAPI, NodeDef } from 'node-red';
import type { ConnectionStatus } from '../../zoho/core/connection';
import { ZohoConnection } from '../../zoho/core/connection';
import { ZohoError, invalidInput, isZohoError } from '../../zoho/core/errors';
import { redactText } from '../../zoho/core/redact';
import { Region, isRegion } from '../../zoho/core/regions';
import { parseScopes, registerAdminRoutes } from './admin-routes';
import { OAuthStates } from './oauth-states';
import { NodeTokenStore, ZohoConfigCredentials, removeCacheFile } from './token-store';
import type { ZohoConfigNode } from '../runtime/config-node';

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
  const states = new OAuthStates();
  const userDir = (): string | undefined => {
    const dir = (RED.settings as { userDir?: unknown }).userDir;
    return typeof dir === 'string' && dir ? dir : undefined;
  };

  function ZohoConfig(this: Mutable<ZohoConfigNode>, def: ZohoConfigDef): void {
    RED.nodes.createNode(this, def);
    setup(this, def);
  }

  function setup(node: Mutable<ZohoConfigNode>, def: ZohoConfigDef): void {
    const id = def.id;
    let configError: ZohoError | undefined;

    node.region = isRegion(def.region) ? def.region : ('com' as Region);
    if (def.region !== undefined && def.region !== '' && !isRegion(def.region)) {
      configError = invalidInput(`Unknown Zoho region "${String(def.region)}"`);
    }
    node.accountsUrl = node.region === 'custom' ? (def.accountsUrl ?? '').trim() : undefined;
    node.scopes = parseScopes(def.scopes);
    node.organizationId = (def.organizationId ?? '').toString().trim();
    node.maxConcurrency = parseConcurrency(def.maxConcurrency);
    const backoff = parseCreditBackoff(def.creditBackoff);
    if (backoff === 'invalid') {
      node.warn('Credit backoff must be empty or between 0.5 and 1.0; it is ignored');
      node.creditBackoff = undefined;
    } else {
      node.creditBackoff = backoff;
    }

    const events = new EventEmitter();
    events.setMaxListeners(0);
    let connection: ZohoConnection | undefined;
    /** A failure seen by checkToken() that the connection's own status does not show yet. */
    let checked: ConnectionStatus | undefined;

    const creds = (): ZohoConfigCredentials => node.credentials ?? {};

    node.secrets = () => {
      const c = creds();
      return [c.clientSecret, c.refreshToken, c.accessToken, connection?.secrets()]
        .flat()
        .filter((s): s is string => typeof s === 'string' && s.length > 0);
    };

    const redact = (message: string): string => redactText(message, node.secrets());

    const emit = (status: ConnectionStatus): void => {
      events.emit('status', status);
    };

    node.getConnection = () => {
      if (configError) throw configError;
      if (connection) return connection;
      const c = creds();
      const clientId = c.clientId ?? '';
      const clientSecret = c.clientSecret ?? '';
      const refreshToken = c.refreshToken || undefined;
      const store = refreshToken
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
      const created = new ZohoConnection({
        region: node.region,
        accountsUrl: node.accountsUrl,
        clientId,
        clientSecret,
        refreshToken,
        tokenStore: store,
        maxConcurrency: node.maxConcurrency,
        creditBackoff: node.creditBackoff,
        logger: {
          // Per-request lines cost a redaction each: only build them when someone reads them.
          debug: debugLogging(RED) ? (m) => node.debug(redact(m)) : () => undefined,
          warn: (m) => node.warn(redact(m)),
        },
      });
      created.on('status', (status: ConnectionStatus) => {
        checked = undefined;
        emit(status);
      });
      connection = created;
      return created;
    };

    node.connectionStatus = () => {
      if (configError) {
        return { state: 'error', region: node.region, error: configError.toJSON() };
      }
      try {
        const conn = node.getConnection();
        const status = conn.status();
        if (checked && status.state === 'connected') return { ...checked };
        const failure = conn.auth.failure();
        if (failure && status.state === 'connected') {
          return { ...status, state: 'error', error: failure.toJSON() };
        }
        return status;
      } catch (err) {
        const error = isZohoError(err)
          ? err.toJSON()
          : { message: 'Cannot create the Zoho connection', code: 'INVALID_INPUT' };
        return { state: 'error', region: node.region, error };
      }
    };

    node.checkToken = async () => {
      let conn: ZohoConnection;
      try {
        conn = node.getConnection();
      } catch {
        return node.connectionStatus();
      }
      try {
        await conn.auth.accessToken();
        if (checked) {
          checked = undefined;
          emit(node.connectionStatus());
        }
      } catch (err) {
        const error = isZohoError(err)
          ? err.toJSON()
          : { message: redact(String((err as Error)?.message ?? err)), code: 'ERROR' };
        const current = conn.status();
        checked = {
          ...current,
          state: error.code === 'NOT_CONNECTED' ? 'not-connected' : 'error',
          error,
        };
        emit({ ...checked });
      }
      return node.connectionStatus();
    };

    node.onStatus = (listener) => {
      events.on('status', listener);
      return () => {
        events.off('status', listener);
      };
    };

    node.reloadCredentials = () => {
      const stored = RED.nodes.getCredentials(id) as ZohoConfigCredentials | undefined;
      node.credentials = { ...(stored ?? {}) };
      connection?.close();
      connection = undefined;
      checked = undefined;
      emit(node.connectionStatus());
    };

    node.on('close', (removed: boolean, done: () => void) => {
      connection?.close();
      connection = undefined;
      events.removeAllListeners();
      if (removed) {
        states.forget(id);
        removeCacheFile(userDir(), id);
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

  registerAdminRoutes(RED, { states, userDir });
};
