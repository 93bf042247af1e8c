/**
 * One Zoho connection's access token shared through Redis (src/zoho/core/shared.ts), with the
 * fleet's refresh lease and its throttle pause.
 *
 * Keys are named by a tag derived from the refresh token (never the token itself), so every
 * instance holding the same refresh token and client finds the same keys, and a connection
 * authorised anew starts with keys of its own. The token is encrypted as the file cache does
 * (zoho-config/token-store.ts: AES-256-GCM, key by HKDF of client id + secret + refresh token +
 * issuer, bound to the key name): only an instance holding those credentials can read it.
 */
import * as crypto from 'node:crypto';
import type { StoredTokens } from '../../../zoho/core/auth';
import type { SharedTokenStore } from '../../../zoho/core/shared';
import { decryptTokens, encryptTokens } from '../../zoho-config/token-store';
import type { RedisLink } from './redis';

export interface SharedIdentity {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  issuer: string;
}

export const DEFAULT_PREFIX = 'node-red-contrib-zoho:';

/** Deletes the key only while it still holds our value: a lapsed lease is never taken from its next holder. */
export const RELEASE_SCRIPT =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** Extends the key's life only while it still holds our value. */
export const RENEW_SCRIPT =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

/** The non-secret name of a connection's keys: the same on every instance with its credentials. */
export function connectionTag(identity: SharedIdentity): string {
  return crypto
    .createHmac('sha256', identity.refreshToken)
    .update(`zoho shared state v1\0${identity.clientId}\0${identity.issuer}`)
    .digest('base64url')
    .slice(0, 22);
}

/** Where a connection's keys start: the prefix and its tag. */
export function keyBase(prefix: string, identity: SharedIdentity): string {
  return `${prefix}${connectionTag(identity)}`;
}

export class RedisSharedTokens implements SharedTokenStore {
  private readonly tokenKey: string;
  private readonly leaseKey: string;
  private readonly pauseKey: string;

  constructor(
    private readonly link: RedisLink,
    private readonly identity: SharedIdentity,
    prefix = DEFAULT_PREFIX,
  ) {
    const base = keyBase(prefix, identity);
    this.tokenKey = `${base}:token`;
    this.leaseKey = `${base}:refresh-lease`;
    this.pauseKey = `${base}:paused-until`;
  }

  /** The key names, for tests and for a user looking into Redis. */
  keys(): { token: string; lease: string; paused: string } {
    return { token: this.tokenKey, lease: this.leaseKey, paused: this.pauseKey };
  }

  async read(): Promise<StoredTokens | undefined> {
    const raw = await this.link.command(['GET', this.tokenKey]);
    if (typeof raw !== 'string') return undefined;
    try {
      return decryptTokens(this.cipherIdentity(), JSON.parse(raw));
    } catch {
      return undefined;
    }
  }

  async write(tokens: StoredTokens): Promise<void> {
    const ttl = Math.max(1, Math.floor(tokens.expiresAt - Date.now()));
    const value = JSON.stringify(encryptTokens(this.cipherIdentity(), tokens));
    // The key lapses with the token: nothing stale is left behind.
    await this.link.command(['SET', this.tokenKey, value, 'PX', String(ttl)]);
  }

  async acquire(ttlMs: number): Promise<string | undefined> {
    const id = crypto.randomBytes(16).toString('hex');
    const ms = String(Math.max(1, Math.floor(ttlMs)));
    const reply = await this.link.command(['SET', this.leaseKey, id, 'NX', 'PX', ms]);
    return reply === 'OK' ? id : undefined;
  }

  async release(lease: string): Promise<void> {
    await this.link.command(['EVAL', RELEASE_SCRIPT, '1', this.leaseKey, lease]);
  }

  async pausedUntil(): Promise<number | undefined> {
    const raw = await this.link.command(['GET', this.pauseKey]);
    const until = Number(raw);
    return typeof raw === 'string' && Number.isFinite(until) ? until : undefined;
  }

  async pause(untilMs: number): Promise<void> {
    const ttl = Math.max(1, Math.floor(untilMs - Date.now()));
    await this.link.command(['SET', this.pauseKey, String(untilMs), 'PX', String(ttl)]);
  }

  onHealth(listener: (up: boolean) => void): () => void {
    this.link.on('health', listener);
    return () => this.link.off('health', listener);
  }

  healthy(): boolean {
    return this.link.healthy();
  }

  /** The file cache's cipher, bound to this key name instead of a node id. */
  private cipherIdentity(): SharedIdentity & { nodeId: string } {
    return { ...this.identity, nodeId: this.tokenKey };
  }
}
