/**
 * Time, injectable so retries, backoff and token expiry can be tested without waiting.
 *
 * Two kinds of time: wall time (`now`) for what Zoho sees or a person reads (an expiry sent to
 * Zoho, a "resumes at 14:05" status), and monotonic time (`monotonic`) for every duration the
 * pack measures itself (waits, rolling windows, pauses, latches). A wall-clock step (NTP on a
 * Raspberry Pi that booted without a network, a DST mistake, a user's date command) moves the
 * first and never the second, so it cannot stretch or skip a wait.
 */
import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Wall time, epoch ms. */
  now(): number;
  /** Monotonic ms from an arbitrary origin: only differences between two readings mean anything. */
  monotonic(): number;
  /** Resolves after `ms`; rejects with the signal's reason when aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The longest delay setTimeout keeps (2^31-1 ms, about 24.8 days): a longer one fires at once
 * (Node warns "TimeoutOverflowWarning" and uses 1 ms), so longer sleeps are chained.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The signal's reason as an Error (AbortSignal reasons may be any value). */
function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted', { cause: reason });
}

/** One setTimeout of at most MAX_TIMER_MS, abortable. */
function timer(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(handle);
      reject(abortReason(signal));
    };
    const handle = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Sleeps `ms` (any length, Infinity excepted) as a chain of timers setTimeout can hold. */
async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!Number.isFinite(ms)) throw new RangeError(`Cannot sleep for ${ms} ms`);
  let left = Math.max(0, ms);
  do {
    const part = Math.min(left, MAX_TIMER_MS);
    await timer(part, signal);
    left -= part;
  } while (left > 0);
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep,
};
