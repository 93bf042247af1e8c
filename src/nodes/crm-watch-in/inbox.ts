/**
 * The webhook's incoming queue: callbacks wait here to be handled one after another. It holds
 * at most MAX_QUEUED; over that Zoho is answered 503 with a Retry-After, so it sends the
 * callback again later (nothing is lost here, nothing grows), and the refusal is counted. An
 * exact replay of a callback already taken within REPLAY_WINDOW_MS is answered 200 and dropped:
 * a forged flood of one valid callback makes one message, not ten thousand.
 * Zoho's own retry policy for failed notifications is not documented in a page we found
 * (docs/ZOHO-FACTS.md, unverified): the window is ours, long enough for a quick resend.
 */
import { createHash } from 'node:crypto';

export const MAX_QUEUED = 100;
export const REPLAY_WINDOW_MS = 15 * 60_000;
export const MAX_REMEMBERED = 5_000;
export const RETRY_AFTER_S = 60;

export type Admission = 'take' | 'replay' | 'full';

export class CallbackInbox {
  private queue: Promise<void> = Promise.resolve();
  private waiting = 0;
  /** Fingerprint -> monotonic time taken; oldest first (Map keeps insertion order). */
  private readonly seen = new Map<string, number>();
  peak = 0;
  refused = 0;
  replays = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  get length(): number {
    return this.waiting;
  }

  /** Whether a callback with this body is taken, an exact replay, or over the bound. */
  admit(body: unknown): Admission {
    const now = this.now();
    for (const [key, at] of this.seen) {
      if (now - at < REPLAY_WINDOW_MS && this.seen.size < MAX_REMEMBERED) break;
      this.seen.delete(key);
    }
    const key = createHash('sha256').update(JSON.stringify(body)).digest('base64');
    if (this.seen.has(key)) {
      this.replays++;
      return 'replay';
    }
    if (this.waiting >= MAX_QUEUED) {
      this.refused++;
      return 'full';
    }
    this.seen.set(key, now);
    return 'take';
  }

  /** Runs `work` after every callback queued before it. */
  push(work: () => Promise<void>): void {
    this.waiting++;
    this.peak = Math.max(this.peak, this.waiting);
    this.queue = this.queue.then(work).finally(() => this.waiting--);
  }

  /** Settles when every queued callback has been handled. */
  drained(): Promise<void> {
    return this.queue;
  }
}
