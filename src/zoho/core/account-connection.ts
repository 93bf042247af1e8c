/**
 * One Zoho account's connection across credential changes: the ZohoConnection of the current
 * credentials (built on first use, replaced when they change), the status every user of the
 * account listens to, and the outcome of the last attempt to connect the account (consent or
 * grant-code exchange), which outlives the connection it produced.
 *
 *   const account = new AccountConnection();
 *   account.configure('eu', () => ({ region: 'eu', clientId, clientSecret, refreshToken }));
 *   const off = account.onStatus((s) => …);
 *   await account.connection().request({ product: 'crm', method: 'GET', path: '/v8/org' });
 */
import { EventEmitter } from 'node:events';
import { ConnectionOptions, ConnectionStatus, ZohoConnection } from './connection';
import { ZohoErrorShape, isZohoError } from './errors';
import type { Region } from './regions';

/** What the last attempt to connect the account came to. */
export interface ConnectAttempt {
  /** Epoch ms. */
  at: number;
  ok: boolean;
  region?: Region;
  error?: ZohoErrorShape;
}

export class AccountConnection {
  private readonly events = new EventEmitter();
  private region: Region = 'com';
  private create?: () => ConnectionOptions;
  private current?: ZohoConnection;
  private attempt?: ConnectAttempt;

  constructor() {
    this.events.setMaxListeners(0);
  }

  /**
   * Where connections come from from now on. `create` may throw a ZohoError for an account
   * that is misconfigured (e.g. region "custom" without an accounts URL): `connection()`
   * throws it and `status()` shows it.
   */
  configure(region: Region, create: () => ConnectionOptions): void {
    this.region = region;
    this.create = create;
    this.drop();
  }

  /** The connection of the current credentials, built on first use. */
  connection(): ZohoConnection {
    if (this.current) return this.current;
    if (!this.create) throw new Error('The Zoho account is not configured');
    const created = new ZohoConnection(this.create());
    created.on('status', (status: ConnectionStatus) => this.events.emit('status', status));
    this.current = created;
    return created;
  }

  /** The current status; never throws, never makes a request. */
  status(): ConnectionStatus {
    try {
      return this.connection().status();
    } catch (err) {
      const error = isZohoError(err)
        ? err.toJSON()
        : { message: 'Cannot create the Zoho connection', code: 'INVALID_INPUT' };
      return { state: 'error', region: this.region, error };
    }
  }

  /** Makes sure a valid access token exists; the status after the check. */
  async check(): Promise<ConnectionStatus> {
    let conn: ZohoConnection;
    try {
      conn = this.connection();
    } catch {
      return this.status();
    }
    return conn.check();
  }

  /** Every secret the live connection knows (none before first use). */
  secrets(): string[] {
    return this.current?.secrets() ?? [];
  }

  /** Calls `listener` on every status change; returns unsubscribe. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.events.on('status', listener);
    return () => {
      this.events.off('status', listener);
    };
  }

  /** The credentials changed: the next use builds a new connection. Listeners hear of it. */
  reset(): void {
    this.drop();
    this.events.emit('status', this.status());
  }

  recordAttempt(outcome: Omit<ConnectAttempt, 'at'>): void {
    this.attempt = { at: Date.now(), ...outcome };
  }

  lastAttempt(): ConnectAttempt | undefined {
    return this.attempt && { ...this.attempt };
  }

  forgetAttempt(): void {
    this.attempt = undefined;
  }

  /**
   * Its user is gone (node closed): close the connection and drop every listener. A late
   * caller (a node unregistering its webhook on close) still gets a connection.
   */
  close(): void {
    this.drop();
    this.events.removeAllListeners();
  }

  private drop(): void {
    this.current?.close();
    this.current = undefined;
  }
}
