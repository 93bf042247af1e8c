/**
 * Admission control for one connection: a FIFO semaphore bounded by maxConcurrency (Zoho
 * counts concurrent calls per org and app), a pause everyone honours after a 429, and
 * rolling windows for per-minute limits such as Zoho Books' 100 requests a minute.
 */
import { Clock } from './clock';
import { LocalCodes, ZohoError } from './errors';

function aborted(signal?: AbortSignal): ZohoError {
  return new ZohoError({
    code: LocalCodes.ABORTED,
    message: 'The request was cancelled (the node or the connection was closed).',
    cause: signal?.reason,
  });
}

export class Semaphore {
  private active = 0;
  private readonly waiters: Array<{ grant: () => void; reject: (e: unknown) => void }> = [];

  constructor(private limit: number) {}

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiters.length;
  }

  setLimit(limit: number): void {
    this.limit = Math.max(1, limit);
    this.drain();
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(aborted(signal));
    if (this.active < this.limit && this.waiters.length === 0) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(aborted(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(): void {
    this.active = Math.max(0, this.active - 1);
    this.drain();
  }

  private drain(): void {
    while (this.active < this.limit && this.waiters.length > 0) {
      this.active++;
      this.waiters.shift()?.grant();
    }
  }
}

/** At most `limit` starts in any `windowMs`; callers wait for the oldest start to age out. */
export class RollingWindow {
  private readonly starts: number[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  /** Resolves once this caller may start; callers are admitted in order. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.chain.then(() => this.admit(signal));
    // A cancelled caller must not block those behind it.
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  private async admit(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw aborted(signal);
      const now = this.clock.now();
      while (this.starts.length > 0 && this.starts[0] <= now - this.windowMs) this.starts.shift();
      if (this.starts.length < this.limit) {
        this.starts.push(now);
        return;
      }
      await this.clock.sleep(this.starts[0] + this.windowMs - now + 1, signal).catch(() => {
        throw aborted(signal);
      });
    }
  }
}
