/**
 * Waiting for a Zoho job (Bulk Read, Bulk Write, mass update): its state is read after waits
 * that double from `firstMs` up to `maxMs`, until the job ends or `timeoutMs` has passed, so a
 * job Zoho never finishes costs a bounded number of calls. A wake (Zoho's callback) cuts the
 * current wait short once; the state is still read from Zoho, never taken from the wake.
 */
import type { Clock } from './clock';
import { LocalCodes, ZohoError } from './errors';

export interface JobPoll {
  firstMs: number;
  maxMs: number;
  /** Give up on the job after this long. */
  timeoutMs: number;
}

/** One look at the job: its state, and its outcome once it ended well (a failure throws). */
export interface JobLook<T> {
  state: string;
  done?: T;
  /** What a timeout error carries besides the state. */
  details?: Record<string, unknown>;
}

export interface JobWait<T> {
  /** The job in messages: "bulk read job 123". */
  what: string;
  poll: JobPoll;
  clock: Clock;
  signal?: AbortSignal;
  wake?: Promise<void>;
  /** The state the job was created in: reported only when it changes from this. */
  initialState?: string;
  look(): Promise<JobLook<T>>;
  report?(state: string): void;
}

export async function waitForJob<T>(w: JobWait<T>): Promise<T> {
  const started = w.clock.monotonic();
  let wait = w.poll.firstMs;
  let last = w.initialState;
  // Set by the wake; each look consumes it, so one callback wakes one look, never a spin.
  let wakeNow = false;
  let nap: AbortController | undefined;
  void w.wake?.then(() => {
    wakeNow = true;
    nap?.abort();
  });
  for (;;) {
    if (!wakeNow) await napFor(w, wait, (nap = new AbortController()));
    wakeNow = false;
    wait = Math.min(w.poll.maxMs, Math.max(1, wait * 2));
    const look = await w.look();
    if (look.state !== last) w.report?.((last = look.state));
    if (look.done !== undefined) return look.done;
    if (w.clock.monotonic() - started > w.poll.timeoutMs) {
      const seconds = Math.round(w.poll.timeoutMs / 1000);
      throw new ZohoError({
        code: LocalCodes.TIMEOUT,
        kind: 'timeout',
        message: `Zoho's ${w.what} did not end within ${seconds >= 120 ? `${Math.round(seconds / 60)} minutes` : `${seconds} s`}`,
        details: { ...look.details, state: look.state },
      });
    }
  }
}

/** Sleeps `ms`, cut short by the wake (`nap`); the caller's abort throws ABORTED. */
async function napFor<T>(w: JobWait<T>, ms: number, nap: AbortController): Promise<void> {
  const stop = () => nap.abort();
  if (w.signal?.aborted) stop();
  else w.signal?.addEventListener('abort', stop, { once: true });
  await w.clock.sleep(ms, nap.signal).catch(() => undefined);
  w.signal?.removeEventListener('abort', stop);
  if (w.signal?.aborted) {
    throw new ZohoError({
      code: LocalCodes.ABORTED,
      message: `The wait for Zoho's ${w.what} was cancelled.`,
    });
  }
}
