import { performance } from 'node:perf_hooks';
import { Clock } from '../../src/zoho/core/clock';

/**
 * A clock whose sleeps return at once and move its time forward, so backoff can be tested
 * without waiting; `sleeps` records every wait the code asked for.
 */
export class FakeClock implements Clock {
  offset = 0;
  /** A step of the wall clock alone (what NTP or a date command does), see `stepWall`. */
  wallStep = 0;
  readonly sleeps: number[] = [];

  now(): number {
    return Date.now() + this.offset + this.wallStep;
  }

  monotonic(): number {
    return performance.now() + this.offset;
  }

  /** Moves the wall clock only (negative: backwards); monotonic time goes on unmoved. */
  stepWall(ms: number): void {
    this.wallStep += ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    // The signal's own reason, as a real abortable sleep rejects with.
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    this.sleeps.push(ms);
    this.offset += Math.max(0, ms);
    return new Promise((resolve) => setImmediate(resolve));
  }

  advance(ms: number): void {
    this.offset += ms;
  }
}
