/**
 * One poller per crm-watch-in node across a fleet (change-poller.ts PollLease): a short lease key
 * in Redis (SET NX PX; the poller renews it by compare-and-expire every third of its life, and
 * with every saved page, and a standby tries a SET NX as often, so it takes over within about
 * one lease of the holder's death, well inside one interval) and the
 * checkpoint beside it, written only while the lease is ours (one script: a poller that lost
 * its lease cannot move the fleet's checkpoint back).
 *
 * Redis unreachable: the instance polls alone from its node context's checkpoint, which a
 * standing-by instance keeps close to the fleet's (it copies the fleet's at every interval), so
 * an outage repeats at most about one interval's changes and loses none.
 */
import * as crypto from 'node:crypto';
import type { Checkpoint, CheckpointStore, PollLease } from '../../../zoho/crm/change-poller';
import type { RedisLink } from './redis';
import { RELEASE_SCRIPT, RENEW_SCRIPT } from './tokens';

/** Saves the checkpoint and renews the lease, only while the lease holds our id. */
export const FENCED_SAVE_SCRIPT =
  "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[3]); " +
  "redis.call('set', KEYS[2], ARGV[2]); return 1 else return 0 end";

/**
 * The lease's life: a quarter of the interval, so a standby takes over inside one interval; at
 * least 2 s (a Redis command's deadline: a renewal that is slow once must not lose the lease)
 * and at most 30 s (longer intervals need no slower failover).
 */
export function pollLeaseMs(intervalMs: number): number {
  return Math.min(30_000, Math.max(2_000, Math.floor(intervalMs / 4)));
}

export class PollLeaseLost extends Error {
  readonly code = 'POLL_LEASE_LOST';
}

export class RedisPollShare implements PollLease, CheckpointStore {
  private readonly leaseKey: string;
  private readonly checkpointKey: string;
  private readonly ttl: string;
  readonly leaseMs: number;
  private id?: string;

  constructor(
    private readonly link: RedisLink,
    /** The connection's key base (prefix + connection tag) and the watch node's id. */
    base: string,
    nodeId: string,
    intervalMs: number,
    /** The node's own checkpoint store: used while Redis is unreachable, kept in step with it. */
    private readonly local: CheckpointStore,
  ) {
    this.leaseKey = `${base}:poll:${nodeId}:lease`;
    this.checkpointKey = `${base}:poll:${nodeId}:checkpoint`;
    this.leaseMs = pollLeaseMs(intervalMs);
    this.ttl = String(this.leaseMs);
  }

  /** Whether this instance polls now: it holds (or took) the lease, or Redis is unreachable. */
  async hold(): Promise<boolean> {
    try {
      if (this.id) {
        const renewed = await this.link.command([
          'EVAL',
          RENEW_SCRIPT,
          '1',
          this.leaseKey,
          this.id,
          this.ttl,
        ]);
        if (renewed === 1) return true;
        this.id = undefined;
      }
      const id = crypto.randomBytes(16).toString('hex');
      const taken = await this.link.command(['SET', this.leaseKey, id, 'NX', 'PX', this.ttl]);
      if (taken === 'OK') {
        this.id = id;
        return true;
      }
      await this.followFleet();
      return false;
    } catch {
      this.id = undefined;
      return true;
    }
  }

  async release(): Promise<void> {
    const id = this.id;
    this.id = undefined;
    if (!id) return;
    await this.link
      .command(['EVAL', RELEASE_SCRIPT, '1', this.leaseKey, id])
      .catch(() => undefined);
  }

  /** The fleet's checkpoint; the node's own when Redis has none (yet) or is unreachable. */
  async load(): Promise<Checkpoint | undefined> {
    const fleet = await this.fleetCheckpoint().catch(() => undefined);
    return fleet ?? this.local.load();
  }

  async save(checkpoint: Checkpoint): Promise<void> {
    await this.local.save(checkpoint);
    const id = this.id;
    if (!id) return;
    let saved: unknown;
    try {
      const value = JSON.stringify(checkpoint);
      const keys = [this.leaseKey, this.checkpointKey];
      saved = await this.link.command([
        'EVAL',
        FENCED_SAVE_SCRIPT,
        '2',
        ...keys,
        id,
        value,
        this.ttl,
      ]);
    } catch {
      return; // Redis unreachable: the node's own copy is saved, the poll goes on alone
    }
    if (saved !== 1) {
      this.id = undefined;
      throw new PollLeaseLost('Another instance took over polling for this node; this poll stops');
    }
  }

  private async fleetCheckpoint(): Promise<Checkpoint | undefined> {
    const raw = await this.link.command(['GET', this.checkpointKey]);
    if (typeof raw !== 'string') return undefined;
    const parsed = JSON.parse(raw) as Checkpoint;
    return parsed && parsed.version === 1 && parsed.modules ? parsed : undefined;
  }

  /** Standing by: the node's own copy follows the fleet's, for when Redis goes away. */
  private async followFleet(): Promise<void> {
    const fleet = await this.fleetCheckpoint().catch(() => undefined);
    if (fleet) await this.local.save(fleet).catch(() => undefined);
  }
}
