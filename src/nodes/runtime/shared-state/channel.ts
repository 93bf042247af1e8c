/**
 * One crm-watch-in channel across a fleet (src/zoho/crm/channel-fleet.ts ChannelShare) in Redis:
 * the channel record sealed as the token cache is (it holds the channel token; any instance with
 * the connection's credentials can open it), the keeper lease (SET NX PX, renewed by
 * compare-and-expire), and the instances alive (a sorted set scored by Redis's own clock, so a
 * fleet of devices with skewed clocks agrees on who is gone).
 */
import * as crypto from 'node:crypto';
import type { ChannelRecord, ChannelShare } from '../../../zoho/crm/channel-fleet';
import { openJson, sealJson } from '../../zoho-config/token-store';
import type { RedisLink } from './redis';
import { RELEASE_SCRIPT, RENEW_SCRIPT, SharedIdentity } from './tokens';

/** A record outlives Zoho's longest channel (one week) by a day, then lapses by itself. */
const RECORD_TTL_MS = 8 * 24 * 60 * 60 * 1000;

/** Writes the record only while the lease holds our id. */
const FENCED_SET_SCRIPT =
  "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[2], ARGV[2], 'PX', ARGV[3]); " +
  'return 1 else return 0 end';

/** Counts this instance alive until Redis's now + ARGV[2] ms. */
const HEARTBEAT_SCRIPT =
  "local t = redis.call('time'); local now = t[1] * 1000 + math.floor(t[2] / 1000); " +
  "redis.call('zadd', KEYS[1], now + tonumber(ARGV[2]), ARGV[1]); " +
  "redis.call('pexpire', KEYS[1], 2 * tonumber(ARGV[2])); return 1";

/** Leaves; the last instance out removes the record and the lease: a fresh start, a fresh token. */
const LEAVE_SCRIPT =
  "local t = redis.call('time'); local now = t[1] * 1000 + math.floor(t[2] / 1000); " +
  "redis.call('zrem', KEYS[1], ARGV[1]); redis.call('zremrangebyscore', KEYS[1], '-inf', now); " +
  "local n = redis.call('zcard', KEYS[1]); if n == 0 then redis.call('del', KEYS[1], KEYS[2], KEYS[3]) end; " +
  'return n';

export class RedisChannelShare implements ChannelShare {
  private readonly recordKey: string;
  private readonly leaseKey: string;
  private readonly membersKey: string;
  private readonly member = crypto.randomBytes(12).toString('hex');
  private id?: string;

  constructor(
    private readonly link: RedisLink,
    /** The connection's key base (prefix + connection tag) and the watch node's id. */
    base: string,
    nodeId: string,
    private readonly identity: SharedIdentity,
    readonly leaseMs: number,
  ) {
    this.recordKey = `${base}:watch:${nodeId}:channel`;
    this.leaseKey = `${base}:watch:${nodeId}:keeper`;
    this.membersKey = `${base}:watch:${nodeId}:members`;
  }

  /** The key names, for tests and for a user looking into Redis. */
  keys(): { record: string; lease: string; members: string } {
    return { record: this.recordKey, lease: this.leaseKey, members: this.membersKey };
  }

  async join(fresh: ChannelRecord): Promise<ChannelRecord> {
    await this.heartbeat();
    const sealed = this.seal(fresh);
    await this.link.command(['SET', this.recordKey, sealed, 'NX', 'PX', String(RECORD_TTL_MS)]);
    const found = await this.read();
    if (found) return found;
    // A record no one with these credentials can open (another version): ours replaces it.
    await this.link.command(['SET', this.recordKey, sealed, 'PX', String(RECORD_TTL_MS)]);
    return fresh;
  }

  async hold(): Promise<boolean> {
    await this.heartbeat();
    const ttl = String(this.leaseMs);
    if (this.id) {
      const renewed = await this.link.command([
        'EVAL',
        RENEW_SCRIPT,
        '1',
        this.leaseKey,
        this.id,
        ttl,
      ]);
      if (renewed === 1) return true;
      this.id = undefined;
    }
    const id = crypto.randomBytes(16).toString('hex');
    const taken = await this.link.command(['SET', this.leaseKey, id, 'NX', 'PX', ttl]);
    if (taken !== 'OK') return false;
    this.id = id;
    return true;
  }

  async read(): Promise<ChannelRecord | undefined> {
    const raw = await this.link.command(['GET', this.recordKey]);
    if (typeof raw !== 'string') return undefined;
    let sealed: unknown;
    try {
      sealed = JSON.parse(raw);
    } catch {
      return undefined;
    }
    const record = openJson(this.cipherIdentity(), sealed) as ChannelRecord | undefined;
    return record && typeof record.token === 'string' && record.token ? record : undefined;
  }

  async save(record: ChannelRecord): Promise<boolean> {
    if (!this.id) return false;
    const keys = [this.leaseKey, this.recordKey];
    const value = this.seal(record);
    const args = ['EVAL', FENCED_SET_SCRIPT, '2', ...keys, this.id, value, String(RECORD_TTL_MS)];
    return (await this.link.command(args)) === 1;
  }

  async release(): Promise<void> {
    const id = this.id;
    this.id = undefined;
    if (!id) return;
    await this.link
      .command(['EVAL', RELEASE_SCRIPT, '1', this.leaseKey, id])
      .catch(() => undefined);
  }

  async leave(): Promise<boolean> {
    const keys = [this.membersKey, this.recordKey, this.leaseKey];
    const left = await this.link.command(['EVAL', LEAVE_SCRIPT, '3', ...keys, this.member]);
    return left === 0;
  }

  private async heartbeat(): Promise<void> {
    const ttl = String(this.leaseMs);
    await this.link.command(['EVAL', HEARTBEAT_SCRIPT, '1', this.membersKey, this.member, ttl]);
  }

  private seal(record: ChannelRecord): string {
    return JSON.stringify(sealJson(this.cipherIdentity(), record));
  }

  /** The token cache's cipher, bound to this key name instead of a node id. */
  private cipherIdentity(): SharedIdentity & { nodeId: string } {
    return { ...this.identity, nodeId: this.recordKey };
  }
}
