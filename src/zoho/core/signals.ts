/**
 * One signal that aborts when any of its parents does, without the parents keeping it alive.
 *
 * A connection's signal lives until redeploy (months) and a node's until it closes. Node's
 * `AbortSignal.any` makes each parent remember every signal combined from it (weakly, but the
 * bookkeeping itself stays: ~50-200 bytes per call on Node 20/22), so a request path that
 * combines on every call grows without bound. A `LinkedSignal` listens on its parents with
 * ordinary listeners and removes them in `release()`, after which nothing of it is reachable
 * from a parent.
 */
import { setMaxListeners } from 'node:events';

export class LinkedSignal {
  private readonly controller = new AbortController();
  private parents: AbortSignal[];
  private readonly onParentAbort = (event: Event): void => {
    this.abort((event.target as AbortSignal).reason);
  };

  constructor(parents: ReadonlyArray<AbortSignal | undefined>) {
    this.parents = parents.filter((p): p is AbortSignal => p !== undefined);
    const aborted = this.parents.find((p) => p.aborted);
    if (aborted) {
      this.abort(aborted.reason);
      return;
    }
    for (const parent of this.parents) {
      // One listener per request in flight or queued; a busy connection has thousands.
      setMaxListeners(0, parent);
      parent.addEventListener('abort', this.onParentAbort, { once: true });
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Aborts this signal alone (its parents are untouched) and lets go of the parents. */
  abort(reason?: unknown): void {
    this.release();
    this.controller.abort(reason);
  }

  /** Removes the listeners on the parents; call it once the work under this signal settled. */
  release(): void {
    for (const parent of this.parents) parent.removeEventListener('abort', this.onParentAbort);
    this.parents = [];
  }
}

/** A signal aborted by any of `parents`; `release()` it when the work it guards is over. */
export function linkSignals(...parents: Array<AbortSignal | undefined>): LinkedSignal {
  return new LinkedSignal(parents);
}

/**
 * One call's two cancellations: `admit` ends its admission, waits and reads; `wire` a write
 * already sent (a read has none apart from `admit`). The caller's signal reaches them through one
 * listener, removed in `release()`; the connection's close reaches them through `cut()` called
 * by the connection, which keeps its calls in a set instead of listening on its own long-lived
 * signals (a listener added and removed per call costs more than the call's own bookkeeping).
 */
export class CallSignals {
  private readonly admitter = new AbortController();
  private readonly wirer?: AbortController;
  private readonly onCallerAbort = (): void => {
    this.cut(this.caller?.reason);
    this.cutWire(this.caller?.reason);
  };

  constructor(
    private readonly caller: AbortSignal | undefined,
    withWire: boolean,
  ) {
    if (withWire) this.wirer = new AbortController();
    if (caller?.aborted) this.onCallerAbort();
    else if (caller) {
      // One message's batches or pages run side by side, each a call listening here: more than
      // Node's default of 10 is expected, not a leak (release() removes each).
      setMaxListeners(0, caller);
      caller.addEventListener('abort', this.onCallerAbort, { once: true });
    }
  }

  get admit(): AbortSignal {
    return this.admitter.signal;
  }

  get wire(): AbortSignal {
    return (this.wirer ?? this.admitter).signal;
  }

  /** Ends admission, waits and reads (a connection closing). */
  cut(reason?: unknown): void {
    if (!this.admitter.signal.aborted) this.admitter.abort(reason);
  }

  /** Ends a write already sent (a connection's close grace over). */
  cutWire(reason?: unknown): void {
    const wire = this.wirer ?? this.admitter;
    if (!wire.signal.aborted) wire.abort(reason);
  }

  /** Lets go of the caller's signal once the call settled. */
  release(): void {
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }
}

/** Resolves when `signal` aborts (never rejects); the listener goes with the signal. */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

/** The reason an attempt was aborted by `withDeadline`. */
export class DeadlineExceeded extends Error {
  constructor(readonly ms: number) {
    super(`deadline of ${ms} ms exceeded`);
  }
}

/** Runs `call` with a signal that also aborts once `ms` have passed (a whole-answer deadline). */
export async function withDeadline<T>(
  signal: AbortSignal,
  ms: number,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const attempt = new AbortController();
  const forward = (): void => attempt.abort(signal.reason);
  if (signal.aborted) forward();
  else signal.addEventListener('abort', forward, { once: true });
  // A real timer, not the injected clock: this bounds a socket, which lives in real time.
  const timer = setTimeout(() => attempt.abort(new DeadlineExceeded(ms)), ms);
  try {
    return await call(attempt.signal);
  } catch (thrown) {
    const reason: unknown = attempt.signal.reason;
    throw reason instanceof DeadlineExceeded && !signal.aborted ? reason : thrown;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', forward);
  }
}
