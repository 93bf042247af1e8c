/**
 * The loop every change poller runs (crm/change-poller.ts, books/change-poller.ts): one round
 * every interval, never two at once, a failed round reported and the next an interval later;
 * with a lease, only the instance holding it polls (a fleet sharing one Zoho account), and a
 * round reads the checkpoint afresh, since another holder may have moved it.
 *
 * The lease is short and the loop asks `hold()` every third of `leaseMs` whatever it does: the
 * holder so renews it between rounds and during a long one, and a standby takes it over within
 * `leaseMs` of the holder's death and polls at once, not a whole interval later.
 */

/** Where every module (CRM) or entity (Books) was read up to. */
export interface PollCheckpoint<M> {
  version: 1;
  modules: Record<string, M>;
}

/** Keeps the checkpoint between polls and across restarts (a file, a node's context, …). */
export interface PollCheckpointStore<M> {
  load(): Promise<PollCheckpoint<M> | undefined>;
  save(checkpoint: PollCheckpoint<M>): Promise<void>;
}

/** One poller for several instances of the same node: a round runs only while this is held. */
export interface PollLease {
  /** How long a lease lives unrenewed; far less than the interval, so failover is quick. */
  readonly leaseMs: number;
  hold(): Promise<boolean>;
  /** Gives the lease up (the poller stops); never throws. */
  release(): Promise<void>;
}

export type PollLoopState =
  | { state: 'first-read' }
  | { state: 'polled'; at: number; changes: number }
  /** Another instance holds the lease and polls: this one stands by. */
  | { state: 'standby'; at: number }
  | { state: 'failed'; at: number; error: unknown };

export interface PollLoopHandlers {
  state(state: PollLoopState): void;
  /** A round failed (after the state says so); the next one comes an interval later. */
  error(error: unknown): void;
}

/**
 * One round: `fresh` asks it to read the checkpoint again (a lease is in use). Returns the
 * changes handed out, or undefined when it stopped part way (the loop was stopped).
 */
export type PollRound = (fresh: boolean) => Promise<number | undefined>;

/** The stored checkpoint, or an empty one when there is none or it is not ours. */
export async function loadCheckpoint<M>(store: PollCheckpointStore<M>): Promise<PollCheckpoint<M>> {
  const saved = await store.load();
  return saved && saved.version === 1 && saved.modules ? saved : { version: 1, modules: {} };
}

/**
 * Resolves after a turn of the event loop. Node-RED delivers a sent message on the next turn
 * (setImmediate), so a checkpoint saved after this can never be past a change the flow has not
 * received. A crash between that delivery and the save hands the page out again (at least
 * once: at most one page repeated, never lost).
 */
export function afterDelivery(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

export class PollLoop {
  private readonly controller = new AbortController();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private leaseTimer?: NodeJS.Timeout;
  /** Whether the last answer of the lease was "ours"; a round hands nothing out without it. */
  private held = false;
  private asking?: Promise<boolean>;
  stopped = false;

  constructor(
    private readonly options: { intervalMs: number; lease?: PollLease },
    private readonly round: PollRound,
    private readonly on: PollLoopHandlers,
  ) {}

  /** Aborted when the loop stops: the rounds' calls listen to it. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  start(): void {
    this.on.state({ state: 'first-read' });
    this.schedule(0);
    const lease = this.options.lease;
    if (lease) {
      const tick = Math.max(10, Math.floor(lease.leaseMs / 3));
      this.leaseTimer = setInterval(() => void this.watchLease(), tick);
    }
  }

  /** Stops polling; resolves once a round in flight has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.controller.abort();
    if (this.timer) clearTimeout(this.timer);
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    await this.running;
    await this.options.lease?.release();
  }

  /** Before handing out changes: a holder that lost its lease hands out nothing more. */
  checkHeld(): void {
    if (this.options.lease && !this.held)
      throw new Error('The poll lease passed to another instance');
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.poll()
        .catch(async (error: unknown) => {
          if (this.stopped) return;
          // A holder whose lease was taken over stops its round: standing by is no failure.
          if (this.options.lease && !(await this.hold())) {
            this.on.state({ state: 'standby', at: Date.now() });
            return;
          }
          this.on.state({ state: 'failed', at: Date.now(), error });
          this.on.error(error);
        })
        .finally(() => {
          this.running = undefined;
          this.schedule(this.options.intervalMs);
        });
    }, ms);
  }

  /** One question to the lease at a time (the renewal timer and a round may ask together). */
  private hold(): Promise<boolean> {
    const lease = this.options.lease;
    if (!lease) return Promise.resolve(true);
    this.asking ??= lease
      .hold()
      .catch(() => false)
      .then((held) => (this.held = held))
      .finally(() => (this.asking = undefined));
    return this.asking;
  }

  /** The renewal tick: keeps a held lease alive; a standby that gets the lease polls at once. */
  private async watchLease(): Promise<void> {
    const before = this.held;
    const held = await this.hold();
    if (this.stopped || !held || before || this.running) return;
    this.schedule(0);
  }

  private async poll(): Promise<void> {
    const leased = this.options.lease !== undefined;
    if (leased && !(await this.hold())) {
      this.on.state({ state: 'standby', at: Date.now() });
      return;
    }
    const changes = await this.round(leased);
    if (changes !== undefined) this.on.state({ state: 'polled', at: Date.now(), changes });
  }
}
