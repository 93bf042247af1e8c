/**
 * Answers a fleet shares (src/zoho/core/shared.ts SharedCache) in Redis, under the connection's
 * key base, sealed as the token cache is: only holders of the connection's credentials read them;
 * a lease per answer, so that a fleet's cold start asks Zoho once (core/fleet-answer.ts).
 */
import * as crypto from 'node:crypto';
import type { SharedCache } from '../../../zoho/core/shared';
import { openJson, sealJson } from '../../zoho-config/token-store';
import type { RedisLink } from './redis';
import { RELEASE_SCRIPT, type SharedIdentity } from './tokens';

export class RedisSharedCache implements SharedCache {
  constructor(
    private readonly link: RedisLink,
    /** The connection's key base (prefix + connection tag). */
    private readonly base: string,
    private readonly identity: SharedIdentity,
  ) {}

  /** The key a name is stored under, for tests and for a user looking into Redis. */
  key(name: string): string {
    return `${this.base}:cache:${name}`;
  }

  async get(name: string): Promise<unknown> {
    const key = this.key(name);
    const raw = await this.link.command(['GET', key]);
    if (typeof raw !== 'string') return undefined;
    try {
      return openJson({ ...this.identity, nodeId: key }, JSON.parse(raw));
    } catch {
      return undefined;
    }
  }

  async set(name: string, value: unknown, ttlMs: number): Promise<void> {
    const key = this.key(name);
    const sealed = JSON.stringify(sealJson({ ...this.identity, nodeId: key }, value));
    const ttl = String(Math.max(1, Math.floor(ttlMs)));
    await this.link.command(['SET', key, sealed, 'PX', ttl]);
  }

  /** One instance asks Zoho for `name` at a time (SET NX PX: the lease lapses by itself). */
  async acquire(name: string, ttlMs: number): Promise<string | undefined> {
    const id = crypto.randomBytes(16).toString('hex');
    const ms = String(Math.max(1, Math.floor(ttlMs)));
    const reply = await this.link.command(['SET', this.leaseKey(name), id, 'NX', 'PX', ms]);
    return reply === 'OK' ? id : undefined;
  }

  async release(name: string, lease: string): Promise<void> {
    await this.link.command(['EVAL', RELEASE_SCRIPT, '1', this.leaseKey(name), lease]);
  }

  /** The lease's key: beside the answer's, for tests and for a user looking into Redis. */
  leaseKey(name: string): string {
    return `${this.key(name)}:lease`;
  }
}
