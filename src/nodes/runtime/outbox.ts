/**
 * The node side of the outbox, shared by every writing node ("If Zoho cannot be reached: keep
 * in the outbox and send later"). A write that fails because Zoho could not be reached is
 * journaled (what the node needs to send it again, plus the JSON part of msg), done() is called
 * once it is on disk, and nothing is sent on. When the link returns the node's `Replayer` sends
 * the entries in arrival order and each leaves the output with msg.outbox = { queuedAt,
 * attempts }, or the node's catchable error. What a node adds: whether a write may be repeated
 * (`replaySafe`), how neighbours coalesce, and its replay.
 *
 * A write that may have reached Zoho (reset or timeout after sending) is queued only when it is
 * safe to repeat; otherwise it fails now with NOT_REPLAYABLE and the node's own text on how to
 * make it replayable.
 */
import type { Node, NodeAPI } from 'node-red';
import { ZohoError, invalidInput, unreachable } from '../../zoho/core/errors';
import type { Outbox, Outcome, QueuedEntry } from '../../zoho/core/outbox/outbox';
import type { ZohoConfigNode } from './config-node';
import { ErrorShape, FlowError } from './errors';
import type { InputContext, Msg } from './flow-node';
import type { Translate } from './i18n';
import type { StatusReporter } from './status';

/** The topic that asks for an immediate retry. */
export const FLUSH_TOPIC = 'zoho/outbox/flush';

/** A node's outbox settings (its editor properties). */
export interface OutboxDef {
  id: string;
  /** 'fail' (default) or 'queue' in the connection's outbox. */
  outbox?: string;
  /** Merge waiting updates of one record (on unless false). */
  outboxCoalesce?: boolean;
}

/** msg properties that hold live objects (http in/out), never journaled. */
const LIVE_KEYS = new Set(['req', 'res', 'error']);

/** Everything a replay needs of its node. */
export interface OutboxOwner {
  RED: NodeAPI;
  node: Node;
  config: ZohoConfigNode;
  outbox: Outbox;
  status: StatusReporter;
  t: Translate;
  shared: Translate;
  signal: AbortSignal;
  /** Replayed messages that ended in an error since the status last changed. */
  failures: number;
}

/** A node's replay of its waiting entries: one outcome per entry, in order. */
export type Replay = (o: OutboxOwner, entries: QueuedEntry[]) => Promise<Outcome[]>;

/**
 * The message as the journal keeps it: JSON, without live objects (nor `omit`, what the node
 * journals its own way); refused when it is not JSON.
 */
export function serialisable(msg: Msg, shared: Translate, omit: readonly string[] = []): Msg {
  try {
    return JSON.parse(
      JSON.stringify(msg, function (this: unknown, key, value: unknown) {
        return this === msg && (LIVE_KEYS.has(key) || omit.includes(key)) ? undefined : value;
      }),
    ) as Msg;
  } catch (e) {
    throw invalidInput(shared('outbox.notJson', { reason: (e as Error).message }), 'payload');
  }
}

/** The "offline · N waiting" status of a node with queued messages. */
export function showWaiting(
  status: StatusReporter,
  shared: Translate,
  outbox: Outbox,
  owner: string,
  waiting = outbox.waiting(owner),
  key: 'waiting' | 'sending' = 'waiting',
): void {
  const count = waiting.toLocaleString('en-US');
  const merged = outbox.mergedOf(owner).toLocaleString('en-US');
  status.queued(
    outbox.mergedOf(owner)
      ? shared(`outbox.${key}Merged`, { count, merged })
      : shared(`outbox.${key}`, { count }),
  );
}

export interface Queueing {
  /** The journal's body of this message (with the msg from `serialisable`). */
  body: (msg: Msg) => unknown;
  /** May be sent again after a first attempt that may have reached Zoho. */
  replaySafe: boolean;
  /** The error text (node's own) when it may have reached Zoho and is not replay-safe. */
  notReplayable: (reason: string) => string;
  coalesce?: { key: string; merge(older: unknown, newer: unknown): unknown };
  /** msg properties the node keeps in the body its own way (e.g. a file's bytes). */
  omit?: readonly string[];
}

/**
 * Runs a write; when the node queues and Zoho cannot be reached, journals it and resolves
 * undefined (no output now). A node with messages waiting queues behind them, so its writes
 * reach Zoho in the order they arrived.
 */
export async function withOutbox<R>(
  ctx: InputContext,
  def: OutboxDef,
  queueing: () => Queueing,
  send: () => Promise<R>,
): Promise<R | undefined> {
  if (def.outbox !== 'queue' || !ctx.config) return send();
  const outbox = await ctx.config.outbox();
  const q = queueing();
  if (outbox.waiting(def.id) === 0) {
    try {
      return await send();
    } catch (error) {
      const reach = unreachable(error);
      if (!reach) throw error;
      if (reach === 'maybe-sent' && !q.replaySafe) {
        const z = error as ZohoError;
        throw new FlowError({
          message: q.notReplayable(z.message),
          code: 'NOT_REPLAYABLE',
          kind: z.kind,
          details: { cause: z.code },
        });
      }
    }
  }
  const body = q.body(serialisable(ctx.msg, ctx.shared, q.omit));
  const coalesce = def.outboxCoalesce === false ? undefined : q.coalesce;
  const { dropped } = await outbox.add(def.id, body, coalesce);
  if (dropped.length) ctx.warn(ctx.shared('outbox.dropped', { count: dropped.length }));
  showWaiting(ctx.status, ctx.shared, outbox, def.id);
  return undefined;
}

/**
 * A replay for operations Zoho takes one call at a time: entries in order, stopping at the first
 * that could not be settled (it and every later one wait for the next round, keeping order).
 */
export function oneAtATime(
  replayOne: (o: OutboxOwner, entry: QueuedEntry) => Promise<Outcome>,
): Replay {
  return async (o, entries) => {
    const outcomes: Outcome[] = [];
    for (const entry of entries) {
      const outcome = await replayOne(o, entry);
      if (!outcome.settled) break;
      outcomes.push(outcome);
    }
    while (outcomes.length < entries.length) outcomes.push({ settled: false });
    return outcomes;
  };
}

/** The message a replayed entry leaves with: its own msg plus msg.outbox. */
export function outMsg(entry: QueuedEntry, msg: Msg, merged?: number): Msg {
  const outbox: Record<string, unknown> = { queuedAt: entry.queuedAt, attempts: entry.attempts };
  if (merged) outbox.merged = merged;
  return { ...msg, outbox };
}

/** A settled entry that ends in the node's catchable error. */
export function failedOutcome(o: OutboxOwner, msg: Msg, shape: ErrorShape): Outcome {
  return {
    settled: true,
    after: () => {
      msg.error = shape;
      o.failures++;
      o.status.failed(shape);
      o.node.error(new FlowError(shape), msg);
    },
  };
}

/** A settled entry that leaves the output as if it had just succeeded. */
export function sentOutcome(o: OutboxOwner, msg: Msg): Outcome {
  return { settled: true, after: () => o.node.send(msg) };
}

/** What attachOutbox needs of the node besides its replay; `keys`: what an entry writes. */
export interface OutboxParts {
  config?: ZohoConfigNode;
  status: StatusReporter;
  t: Translate;
  shared: Translate;
  keys?: (entry: QueuedEntry) => readonly string[];
}

/**
 * With keys, one Zoho call's records a batch and the connection's calls at once (a key never in
 * flight twice); without, one batch at a time, long enough for a replay sending one at a time.
 */
function lanesOf(config: ZohoConfigNode, keys?: (entry: QueuedEntry) => readonly string[]) {
  return { batch: keys ? 100 : 100 * config.maxConcurrency, lanes: config.maxConcurrency, keys };
}

/**
 * Takes delivery of the node's waiting messages (those of a previous run too) and keeps its
 * status true: "offline · N waiting" while they wait, "sending · N waiting" during a replay,
 * "N sent from the outbox" when a replay emptied it, "outbox discarded" when the editor's
 * discard did. `parts.keys` (what an entry writes) lets batches go side by side, up to the
 * connection's concurrency. Returns what the node's close calls.
 */
export function attachOutbox(
  RED: NodeAPI,
  node: Node,
  def: OutboxDef,
  parts: OutboxParts,
  replay: Replay,
): () => void {
  const { config, status, t, shared, keys } = parts;
  if (def.outbox !== 'queue' || !config) return () => undefined;
  const stop = new AbortController();
  let detach = (): void => undefined;
  void config
    .outbox()
    .then((outbox) => {
      if (stop.signal.aborted) return;
      const owner: OutboxOwner = {
        ...{ RED, node, config, outbox, status, t, shared },
        signal: stop.signal,
        failures: 0,
      };
      // Whether the status shows waiting messages, and whether a replay has just said so.
      let showing = false;
      let sent = 0;
      const onChange = (): void => {
        const waiting = outbox.waiting(node.id);
        if (waiting > 0) {
          showWaiting(status, shared, outbox, node.id, waiting);
          showing = true;
        } else if (showing) {
          showing = false;
          // A replay that ended in errors keeps showing the last error.
          if (sent && !owner.failures)
            status.done(shared('outbox.sent', { count: sent.toLocaleString('en-US') }));
          else if (!sent) status.done(shared('outbox.cleared'));
        }
        sent = 0;
        owner.failures = 0;
      };
      const unregister = outbox.register(node.id, {
        ...lanesOf(config, keys),
        deliver: async (entries) => {
          const outcomes = await replay(owner, entries);
          const settled = outcomes.filter((x) => x.settled).length;
          sent += settled;
          const left = outbox.waiting(node.id) - settled;
          if (settled && left > 0) showWaiting(status, shared, outbox, node.id, left, 'sending');
          return outcomes;
        },
      });
      outbox.on('change', onChange);
      onChange();
      detach = () => {
        unregister();
        outbox.off('change', onChange);
      };
    })
    .catch((e: unknown) => node.warn((e as Error).message));
  return () => {
    stop.abort();
    detach();
  };
}

/** msg.topic "zoho/outbox/flush": retry now; true when the message was that request. */
export async function flushRequested(ctx: InputContext, def: OutboxDef): Promise<boolean> {
  if (def.outbox !== 'queue' || ctx.msg.topic !== FLUSH_TOPIC || !ctx.config) return false;
  (await ctx.config.outbox()).flush();
  ctx.status.requesting(ctx.shared('outbox.flush'));
  return true;
}
