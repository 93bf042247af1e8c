/**
 * An answer a fleet shares (shared.ts SharedCache): the fleet's copy first; else one instance
 * takes the answer's lease and asks Zoho while the others wait for its copy, so a cold start
 * of N instances asks once, not N times. A holder that dies leaves a lease that lapses by
 * itself and the next instance takes over; the store failing never fails the call: the
 * instance asks Zoho itself, as it would alone.
 */
import { systemClock } from './clock';
import type { SharedCache } from './shared';

/** How often a waiting instance looks for the holder's answer: a Zoho call takes ~100 ms. */
const POLL_MS = 50;

export interface SharedAnswer<T> {
  cache: SharedCache;
  name: string;
  /** How long the fleet keeps the answer. */
  ttlMs: number;
  /** How long the lease lives: one call at Zoho and the write back. */
  leaseMs: number;
  /** The fleet's copy as this instance may use it, or undefined. */
  accept(value: unknown): T | undefined;
  /** One call at Zoho. */
  ask(): Promise<T>;
  signal?: AbortSignal;
}

/** The fleet's answer, or Zoho's (asked under the fleet's lease, then shared). */
export async function answerThroughFleet<T>(spec: SharedAnswer<T>): Promise<T> {
  const { cache, name } = spec;
  // Two lease lifetimes: the holder's, then ours after it lapsed.
  const giveUp = systemClock.monotonic() + 2 * spec.leaseMs;
  for (;;) {
    const hit = spec.accept(await cache.get(name).catch(() => undefined));
    if (hit !== undefined) return hit;
    if (!cache.acquire) return askAndShare(spec);
    let lease: string | undefined;
    try {
      lease = await cache.acquire(name, spec.leaseMs);
    } catch {
      return askAndShare(spec); // the store is unreachable: ask alone
    }
    if (lease !== undefined) return underLease(spec, lease);
    if (systemClock.monotonic() > giveUp) return askAndShare(spec);
    await systemClock.sleep(POLL_MS, spec.signal);
  }
}

async function underLease<T>(spec: SharedAnswer<T>, lease: string): Promise<T> {
  try {
    // Another holder may have shared its answer between our read and our lease.
    const again = spec.accept(await spec.cache.get(spec.name).catch(() => undefined));
    return again !== undefined ? again : await askAndShare(spec);
  } finally {
    await spec.cache.release?.(spec.name, lease).catch(() => undefined);
  }
}

async function askAndShare<T>(spec: SharedAnswer<T>): Promise<T> {
  const answer = await spec.ask();
  // The answer is ours whether or not the fleet hears of it.
  await spec.cache.set(spec.name, answer, spec.ttlMs).catch(() => undefined);
  return answer;
}
