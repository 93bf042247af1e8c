/**
 * One notification channel per watch node across a fleet (replicas behind a load balancer):
 * Zoho keeps one subscription per channel id and answers callbacks with whichever token was
 * registered last, so every instance must know the same token, and one of them renews.
 *
 * The instances share a channel record (token, expiry, which spec it was registered with) and a
 * keeper lease through a ChannelShare (the Redis one is src/nodes/runtime/shared-state). The
 * lease holder runs the ChannelKeeper; the others stand by and take the lease over when it lapses
 * (a lease lives `leaseMs`, far less than one renewal period). The last instance to leave
 * unregisters the channel.
 *
 * The store failing never stops the watch: the instance keeps the channel alive on its own with
 * the token it knows (the fleet's, so several instances re-registering it are harmless) and
 * rejoins when the store answers again.
 */
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { Clock, systemClock } from '../core/clock';
import { ChannelKeeper, KeeperOptions, KeeperState } from './channel-keeper';
import type { Requester } from './common';
import { ChannelSpec, disableChannel, enableChannel, tokenMatches } from './notifications';

/** What a fleet shares about its channel (sealed by the store: it holds the channel token). */
export interface ChannelRecord {
  token: string;
  /** Epoch ms Zoho keeps the channel until, as the keeper last learnt it. */
  expiresAt?: number;
  /** The spec the channel was registered with (specTag): another spec registers anew. */
  spec?: string;
}

export interface ChannelShare {
  /** How long the keeper lease and an instance's membership live without renewal. */
  readonly leaseMs: number;
  /** The fleet's record; `fresh` becomes it when there is none yet. Counts this instance in. */
  join(fresh: ChannelRecord): Promise<ChannelRecord>;
  /** Takes or renews the keeper lease (and this instance's membership): true while it is ours. */
  hold(): Promise<boolean>;
  read(): Promise<ChannelRecord | undefined>;
  /** Writes the record only while the lease is ours; false when it is not. */
  save(record: ChannelRecord): Promise<boolean>;
  /** Gives the lease up; never throws. */
  release(): Promise<void>;
  /** Leaves the fleet: true when no other instance is left (the record is then removed). */
  leave(): Promise<boolean>;
}

export type FleetKeeperState =
  | KeeperState
  | { state: 'standby'; checkedAt: number }
  | { state: 'alone'; up: false }
  | { state: 'alone'; up: true };

/** What identifies a registration: another spec (events, URL, fields) must be registered anew. */
export function specTag(spec: ChannelSpec): string {
  const { events, notifyUrl, returnAffectedFieldValues, watchFields } = spec;
  const text = JSON.stringify([
    spec.channelId,
    events,
    notifyUrl,
    returnAffectedFieldValues ?? false,
    watchFields ?? {},
  ]);
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

export class FleetChannelKeeper extends EventEmitter {
  private readonly clock: Clock;
  private readonly controller = new AbortController();
  private loop?: Promise<void>;
  private keeper?: ChannelKeeper;
  /** The token callbacks must carry: ours until the fleet's is known, then the fleet's. */
  private token: string;
  /** The token this instance gave Zoho before it learnt the fleet's, while Zoho may hold it. */
  private previous?: string;
  /** The token this instance last gave Zoho (registering or renewing), if any. */
  private gave?: string;
  private joined = false;
  /** Zoho may hold another token from us than the fleet's: it must be given the fleet's. */
  private stale = false;
  private alone = false;
  current: FleetKeeperState = { state: 'registering' };

  constructor(
    private readonly conn: () => Requester,
    private readonly spec: ChannelSpec,
    private readonly share: ChannelShare,
    private readonly options: KeeperOptions = {},
  ) {
    super();
    this.clock = options.clock ?? systemClock;
    this.token = spec.token;
  }

  /** Whether a callback's token is the channel's (the fleet's, or ours while Zoho may hold it). */
  accepts(given: unknown): boolean {
    if (tokenMatches(this.token, given)) return true;
    return this.previous !== undefined && tokenMatches(this.previous, given);
  }

  /** Whether this instance keeps the channel now. */
  keeping(): boolean {
    return this.keeper !== undefined;
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run().catch(() => undefined);
  }

  /** Stops; the last instance of the fleet (or one alone) unregisters the channel. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.controller.abort();
    await this.loop;
    let last: boolean;
    if (this.joined) {
      last = await this.share.leave().catch(() => false);
      await this.share.release();
    } else last = true;
    const keeper = this.keeper;
    this.keeper = undefined;
    if (keeper) await keeper.stop(timeoutMs, last);
    else if (last && this.joined) await this.disable(timeoutMs);
    this.set({ state: 'stopped' });
  }

  private set(state: FleetKeeperState): void {
    this.current = state;
    this.emit('state', state);
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    const tick = Math.max(10, Math.floor(this.share.leaseMs / 3));
    while (!signal.aborted) {
      try {
        await this.step();
      } catch {
        await this.goAlone();
      }
      try {
        await this.clock.sleep(tick, signal);
      } catch {
        return;
      }
    }
  }

  /**
   * One look at the fleet: join it (again, when a restarted Redis lost the record: the first
   * instance back writes its token and the others adopt it), take or keep the lease, or stand by.
   * Throws when the store is unreachable.
   */
  private async step(): Promise<void> {
    const record = await this.share.join({ token: this.token });
    if (record.token !== this.token) await this.adopt(record.token);
    this.joined = true;
    const mine = await this.share.hold();
    if (this.alone) {
      this.alone = false;
      this.emit('state', { state: 'alone', up: true });
      // Still keeping it: what the keeper last said is the truth again.
      if (mine && this.keeper) this.set(this.keeper.current);
    }
    if (mine) {
      if (!this.keeper) this.keep(await this.share.read());
      return;
    }
    await this.standBy();
  }

  /** The fleet's token replaces ours (at Zoho too, by whoever keeps the channel next). */
  private async adopt(token: string): Promise<void> {
    this.previous = this.gave;
    this.token = token;
    this.stale = this.gave !== undefined && this.gave !== token;
    const keeper = this.keeper;
    this.keeper = undefined;
    if (keeper) await keeper.stop(0, false);
  }

  /** This instance holds the lease: it keeps the channel, from where the fleet left it. */
  private keep(record: ChannelRecord | undefined): void {
    const tag = specTag(this.spec);
    const resume =
      !this.stale && record?.spec === tag && record.token === this.token
        ? record.expiresAt
        : undefined;
    this.startKeeper(resume, (expiresAt) => {
      this.settled();
      void this.share.save({ token: this.token, expiresAt, spec: tag }).catch(() => undefined);
    });
  }

  private async standBy(): Promise<void> {
    const keeper = this.keeper;
    this.keeper = undefined;
    if (keeper) await keeper.stop(0, false);
    if (this.stale) {
      const record = await this.share.read();
      const expiry = record?.expiresAt ?? this.clock.now() + 60 * 60 * 1000;
      // Zoho failing here is tried again at the next look (the store is fine).
      const given = await enableChannel(
        this.conn(),
        { ...this.spec, token: this.token },
        expiry,
        this.controller.signal,
      )
        .then(() => true)
        .catch(() => false);
      if (given) this.settled();
    }
    this.set({ state: 'standby', checkedAt: this.clock.now() });
  }

  /** Zoho holds the fleet's token now: the one we gave it before is refused again. */
  private settled(): void {
    this.stale = false;
    this.previous = undefined;
    this.gave = this.token;
  }

  /** The store is unreachable: keep the channel on our own with the token we know. */
  private async goAlone(): Promise<void> {
    if (!this.alone) {
      this.alone = true;
      this.emit('state', { state: 'alone', up: false });
    }
    if (this.keeper) return;
    // Registered anew with the token we know: the fleet's, unless we never learnt it.
    this.startKeeper(undefined, () => undefined);
    await Promise.resolve();
  }

  private startKeeper(resume: number | undefined, saved: (expiresAt: number) => void): void {
    const keeper = new ChannelKeeper(
      this.conn,
      { ...this.spec, token: this.token },
      { ...this.options, resumeExpiresAt: resume },
    );
    keeper.on('state', (s: KeeperState) => {
      if (this.keeper !== keeper) return;
      if (s.state === 'active') saved(s.expiresAt);
      this.set(s);
    });
    this.keeper = keeper;
    this.gave = this.token;
    keeper.start();
  }

  private async disable(timeoutMs: number): Promise<void> {
    const done = new AbortController();
    const timer = setTimeout(() => done.abort(), timeoutMs);
    try {
      await disableChannel(this.conn(), this.spec.channelId, done.signal);
    } catch {
      // Unreachable Zoho: the channel ends at its expiry.
    } finally {
      clearTimeout(timer);
    }
  }
}
