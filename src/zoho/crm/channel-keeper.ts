/**
 * Keeps one notification channel alive: registers it, renews it before Zoho's expiry (PUT),
 * registers it again when Zoho answers that it no longer has it, retries failures with backoff,
 * and unregisters it on stop with a bounded wait. It never throws into its caller: every state
 * change, failures included, is an event the node turns into its status.
 *
 *   const keeper = new ChannelKeeper(() => config.getConnection(), spec);
 *   keeper.on('state', (s) => …);   keeper.start();   …   await keeper.stop();
 */
import { EventEmitter } from 'node:events';
import { Clock, systemClock } from '../core/clock';
import type { Requester } from './common';
import {
  ChannelSpec,
  MAX_CHANNEL_LIFETIME_MS,
  disableChannel,
  enableChannel,
  renewChannel,
} from './notifications';
import { LocalCodes, ZohoError } from '../core/errors';

export interface KeeperOptions {
  clock?: Clock;
  /** Lifetime asked for; Zoho's maximum (one week) less a minute for clock skew by default. */
  lifetimeMs?: number;
  /** Renew this long before expiry; one hour by default. */
  renewBeforeMs?: number;
  /** First retry delay after a failure (doubling up to maxRetryMs). */
  retryMs?: number;
  maxRetryMs?: number;
  /**
   * Least wait between renewals when Zoho answers an expiry only moments away (one minute by
   * default); it doubles while such answers repeat, up to `renewBeforeMs`.
   */
  minRenewGapMs?: number;
  /**
   * The expiry of a channel Zoho already holds with this spec (registered by another instance of
   * a fleet, channel-fleet.ts): the keeper waits for its renewal instead of registering it again.
   */
  resumeExpiresAt?: number;
}

/**
 * The expiry to plan with. Zoho keeps a channel at most one week (MAX_CHANNEL_LIFETIME_MS) and
 * never longer than asked; an answer past what was asked (e.g. 2099) or already past is not one
 * Zoho can mean (a broken answer or a skewed clock), so the expiry asked for stands instead.
 */
export function plannedExpiry(answer: number, now: number, asked: number): number {
  if (!Number.isFinite(answer) || answer <= now || answer > asked) return asked;
  return answer;
}

export type KeeperState =
  | { state: 'registering' }
  | { state: 'active'; expiresAt: number; nextRenewal: number; renewals: number }
  | { state: 'retrying'; error: ZohoError; retryAt: number; expiresAt?: number }
  | { state: 'stopped' };

export class ChannelKeeper extends EventEmitter {
  private readonly clock: Clock;
  private readonly controller = new AbortController();
  private loop?: Promise<void>;
  private expiresAt?: number;
  /** A registration was sent: Zoho may hold the channel even if the answer never came. */
  private attempted = false;
  private renewals = 0;
  /** Renewals in a row whose answer left less than two minimum gaps: each doubles the gap. */
  private shortStreak = 0;
  /** The last state, for a status shown after the fact. */
  current: KeeperState = { state: 'registering' };

  constructor(
    private readonly conn: () => Requester,
    readonly spec: ChannelSpec,
    private readonly options: KeeperOptions = {},
  ) {
    super();
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run().catch(() => undefined);
  }

  /**
   * Stops renewing and unregisters the channel, waiting at most `timeoutMs`; with `unregister`
   * false the channel is left to whoever keeps it next (a fleet's other instances).
   */
  async stop(timeoutMs = 5000, unregister = true): Promise<void> {
    this.controller.abort();
    await this.loop;
    const done = new AbortController();
    const timer = setTimeout(() => done.abort(), timeoutMs);
    try {
      if (this.attempted && unregister)
        await disableChannel(this.conn(), this.spec.channelId, done.signal);
    } catch {
      // Unreachable Zoho: the channel ends at its expiry; nothing more can be done on close.
    } finally {
      clearTimeout(timer);
      this.set({ state: 'stopped' });
    }
  }

  private set(state: KeeperState): void {
    this.current = state;
    this.emit('state', state);
  }

  private get lifetime(): number {
    return Math.min(
      this.options.lifetimeMs ?? MAX_CHANNEL_LIFETIME_MS - 60_000,
      MAX_CHANNEL_LIFETIME_MS,
    );
  }

  /** One registration or renewal (a channel Zoho forgot is registered again): its expiry. */
  private async refresh(signal: AbortSignal): Promise<number> {
    const asked = this.clock.now() + this.lifetime;
    const conn = this.conn();
    this.attempted = true;
    const answer = await this.send(conn, asked, signal);
    return plannedExpiry(answer, this.clock.now(), asked);
  }

  private async send(conn: Requester, expiry: number, signal: AbortSignal): Promise<number> {
    if (this.expiresAt === undefined) {
      return (await enableChannel(conn, this.spec, expiry, signal)).expiresAt;
    }
    try {
      const at = (await renewChannel(conn, this.spec, expiry, signal)).expiresAt;
      this.renewals++;
      return at;
    } catch (err) {
      if (!(err instanceof ZohoError) || err.code !== 'NOT_SUBSCRIBED') throw err;
      return (await enableChannel(conn, this.spec, expiry, signal)).expiresAt;
    }
  }

  /**
   * Wait before the next renewal, `remaining` ms before expiry: `renewBefore` ahead of it for a
   * long-lived channel, at half its life for a short one, and never sooner than the minimum gap,
   * which doubles while Zoho keeps answering expiries only moments away.
   */
  private renewalDelay(remaining: number, renewBefore: number): number {
    if (remaining >= 2 * renewBefore) {
      this.shortStreak = 0;
      return remaining - renewBefore;
    }
    const base = this.options.minRenewGapMs ?? 60_000;
    this.shortStreak = remaining / 2 < base ? this.shortStreak + 1 : 0;
    const gap = Math.min(base * 2 ** Math.max(0, this.shortStreak - 1), renewBefore);
    return Math.max(remaining / 2, gap);
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    const renewBefore = this.options.renewBeforeMs ?? 60 * 60 * 1000;
    let failures = 0;
    let resume = this.options.resumeExpiresAt;
    if (resume !== undefined && !(resume > this.clock.now())) resume = undefined;
    if (resume === undefined) this.set({ state: 'registering' });
    while (!signal.aborted) {
      try {
        if (resume !== undefined) {
          // Zoho holds the channel already: only its renewal is ours to make.
          this.expiresAt = resume;
          this.attempted = true;
          resume = undefined;
        } else {
          this.expiresAt = await this.refresh(signal);
          failures = 0;
        }
        const now = this.clock.now();
        const delay = this.renewalDelay(this.expiresAt - now, renewBefore);
        this.set({
          state: 'active',
          expiresAt: this.expiresAt,
          nextRenewal: now + delay,
          renewals: this.renewals,
        });
        await this.clock.sleep(delay, signal);
      } catch (err) {
        if (signal.aborted) return;
        if (!(await this.retryAfter(err, failures++, signal))) return;
      }
    }
  }

  /** Reports a failure and waits before the next try (doubling); false when stopped meanwhile. */
  private async retryAfter(err: unknown, failures: number, signal: AbortSignal): Promise<boolean> {
    const error =
      err instanceof ZohoError
        ? err
        : new ZohoError({ code: LocalCodes.NETWORK_ERROR, message: String(err) });
    const base = this.options.retryMs ?? 5000;
    const wait = Math.min(base * 2 ** failures, this.options.maxRetryMs ?? 10 * 60 * 1000);
    this.set({
      state: 'retrying',
      error,
      retryAt: this.clock.now() + wait,
      expiresAt: this.expiresAt,
    });
    try {
      await this.clock.sleep(wait, signal);
      return true;
    } catch {
      return false;
    }
  }
}
