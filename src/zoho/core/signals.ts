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
 * One call's two cancellations: the admission (queue, waits, and a read on the wire) and the
 * wire of a write already sent. An AbortController costs microseconds to make and more to listen
 * on, and most calls never wait nor get cut, so none is made until something needs one: `admit`
 * only when the call must wait, and one per attempt on the wire (the deadline, a cut and the
 * transport all act on it). The caller's signal reaches the call through one listener, removed in
 * `release()`; the connection's close through `cut()`, called by the connection, which keeps its
 * calls in a set instead of listening on its own long-lived signals.
 */
export class CallSignals {
  /** Made on the first wait (see `admit`). */
  private admitter?: AbortController;
  /** Cancels the attempt on the wire, while there is one. */
  private cancelAttempt?: () => void;
  /** Set once admission is cut (boxed: a reason may be undefined). */
  private admitCut?: { reason: unknown };
  private wireCut?: { reason: unknown };
  private readonly onCallerAbort = (): void => {
    this.cut(this.caller?.reason);
    this.cutWire(this.caller?.reason);
  };

  constructor(
    private readonly caller: AbortSignal | undefined,
    /** A write: a cut of admission leaves its attempt on the wire until `cutWire`. */
    private readonly withWire: boolean,
  ) {
    if (caller?.aborted) this.onCallerAbort();
    else if (caller) {
      // One message's batches or pages run side by side, each a call listening here: more than
      // Node's default of 10 is expected, not a leak (release() removes each).
      setMaxListeners(0, caller);
      caller.addEventListener('abort', this.onCallerAbort, { once: true });
    }
  }

  /** What ends admission and waits: made on first use, aborted at once if the cut came first. */
  get admit(): AbortSignal {
    if (!this.admitter) {
      this.admitter = new AbortController();
      if (this.admitCut) this.admitter.abort(this.admitCut.reason);
    }
    return this.admitter.signal;
  }

  /** True once admission is cut: nothing may wait or start. */
  get admitAborted(): boolean {
    return this.admitCut !== undefined;
  }

  /** True once an attempt of this call may no longer be on the wire. */
  get wireAborted(): boolean {
    return (this.withWire ? this.wireCut : this.admitCut) !== undefined;
  }

  /** Ends admission, waits and reads (a connection closing). */
  cut(reason?: unknown): void {
    if (this.admitCut) return;
    this.admitCut = { reason };
    this.admitter?.abort(reason);
    if (!this.withWire) this.cancelAttempt?.();
  }

  /** Ends a write already sent (a connection's close grace over); a read's wire is its admission. */
  cutWire(reason?: unknown): void {
    if (!this.withWire) return this.cut(reason);
    if (this.wireCut) return;
    this.wireCut = { reason };
    this.cancelAttempt?.();
  }

  /**
   * Runs one attempt on the wire: `cancel` (the transport's own, called at most once) ends it at
   * a cut of the wire or once `ms` have passed, a whole-answer deadline thrown as
   * DeadlineExceeded. A plain callback, not an AbortSignal: the transport listening on a fresh
   * signal per attempt cost more than the rest of the attempt's bookkeeping (issue 19).
   */
  async onWire<T>(ms: number, cancel: () => void, call: () => Promise<T>): Promise<T> {
    let ended: 'cut' | 'deadline' | undefined;
    const end = (why: 'cut' | 'deadline'): void => {
      if (ended) return;
      ended = why;
      cancel();
    };
    this.cancelAttempt = () => end('cut');
    if (this.wireAborted) end('cut');
    // A real timer, not the injected clock: this bounds a socket, which lives in real time.
    const timer = setTimeout(() => end('deadline'), ms);
    try {
      return await call();
    } catch (thrown) {
      throw ended === 'deadline' ? new DeadlineExceeded(ms) : thrown;
    } finally {
      clearTimeout(timer);
      this.cancelAttempt = undefined;
    }
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
