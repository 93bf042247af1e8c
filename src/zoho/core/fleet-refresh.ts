/**
 * A refresh shared by every instance of a fleet (shared.ts): the fleet's token first; else one
 * instance takes the refresh lease and asks Zoho while the others wait for its token. A holder
 * that dies leaves a lease that lapses by itself, and the next instance takes over.
 *
 * The store failing never fails a call: the instance refreshes on its own, as it would without
 * a store (the store's health listener tells the user).
 */
import type { Clock } from './clock';
import { LocalCodes, ZohoError, isZohoError } from './errors';
import type { StoredTokens } from './auth';
import type { SharedTokenStore } from './shared';

/** How often a waiting instance looks for the holder's token: a token request takes ~100 ms. */
const POLL_MS = 50;
/** Beyond the token request's own timeout, what a lease allows for writing the token back. */
const LEASE_SLACK_MS = 5_000;

export interface FleetRefreshContext {
  shared: SharedTokenStore;
  clock: Clock;
  /** The token request's timeout: a lease outlives one request. */
  requestTimeoutMs: number;
  /** `tokens` as this instance may use them (issuer, api_domain, freshness), or undefined. */
  adopt(tokens: StoredTokens | undefined, rejected?: string): StoredTokens | undefined;
  /** One token request at Zoho (counts, latches, stores locally). */
  refresh(): Promise<StoredTokens>;
  /** Zoho throttles the fleet until `untilMs` (epoch): the error to fail with. */
  paused(untilMs: number): ZohoError;
  /** How long Zoho's throttle lasts once met. */
  throttleMs: number;
}

class StoreDown extends Error {}

async function store<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw new StoreDown(String((err as Error)?.message ?? err));
  }
}

/**
 * The fleet's token, or one refresh made under the fleet's lease; undefined when the store
 * cannot be used (then the caller refreshes on its own). Zoho's failures are thrown.
 */
export async function refreshThroughFleet(
  ctx: FleetRefreshContext,
  rejected?: string,
): Promise<StoredTokens | undefined> {
  const leaseMs = ctx.requestTimeoutMs + LEASE_SLACK_MS;
  // Two lease lifetimes: the holder's, then ours after it lapsed.
  const giveUp = ctx.clock.monotonic() + 2 * leaseMs;
  try {
    for (;;) {
      const shared = ctx.adopt(await store(ctx.shared.read()), rejected);
      if (shared) return shared;
      const paused = await store(ctx.shared.pausedUntil());
      if (paused !== undefined && paused > ctx.clock.now()) throw ctx.paused(paused);
      const lease = await store(ctx.shared.acquire(leaseMs));
      if (lease !== undefined) return await underLease(ctx, lease, rejected);
      if (ctx.clock.monotonic() > giveUp) return undefined;
      await ctx.clock.sleep(POLL_MS);
    }
  } catch (err) {
    if (err instanceof StoreDown) return undefined;
    throw err;
  }
}

async function underLease(
  ctx: FleetRefreshContext,
  lease: string,
  rejected: string | undefined,
): Promise<StoredTokens> {
  try {
    // Another holder may have written a token between our read and our lease.
    const again = ctx.adopt(await store(ctx.shared.read()), rejected);
    if (again) return again;
    let tokens: StoredTokens;
    try {
      tokens = await ctx.refresh();
    } catch (err) {
      if (isZohoError(err) && err.code === LocalCodes.TOKEN_THROTTLED) {
        await ctx.shared.pause(ctx.clock.now() + ctx.throttleMs).catch(() => undefined);
      }
      throw err;
    }
    // The token is ours whether or not the fleet hears of it.
    await ctx.shared.write(tokens).catch(() => undefined);
    return tokens;
  } finally {
    await ctx.shared.release(lease).catch(() => undefined);
  }
}
