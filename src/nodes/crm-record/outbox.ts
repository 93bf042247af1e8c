/**
 * crm-record's half of the outbox ("If Zoho cannot be reached: keep in the outbox and send
 * later"). A write that fails because Zoho could not be reached is journaled as its resolved
 * options plus the message (JSON-serialisable part), done() is called once it is on disk, and
 * nothing is sent on. When the link returns the entry is replayed in arrival order, batched with
 * its neighbours, and leaves the output with msg.outbox = { queuedAt, attempts }, or the node's
 * catchable error if Zoho refuses it.
 *
 * Exactly once as far as Zoho allows: update, delete and upsert may be repeated; a create may be
 * repeated only as an upsert on duplicate-check fields. A create without them is queued only
 * when Zoho cannot have received it, and is marked in the journal before its replay is sent,
 * so after a crash in that call it goes to the error path instead of being sent twice.
 */
import type { Node, NodeAPI } from 'node-red';
import type * as crm from '../../zoho/crm/index';
import { ZohoError, invalidInput, isConnectionProblem, unreachable } from '../../zoho/core/errors';
import type { Outbox, Outcome, QueuedEntry } from '../../zoho/core/outbox/outbox';
import type { ZohoConfigNode } from '../runtime/config-node';
import { FlowError, ErrorShape, partialFailure } from '../runtime/errors';
import type { InputContext, Msg } from '../runtime/flow-node';
import type { Translate } from '../runtime/i18n';
import type { StatusReporter } from '../runtime/status';
import type { CrmRecordDef } from './input';
import { WriteSpec, sendWrite } from './spec';

/** What the journal keeps of one message. */
interface Queued {
  spec: WriteSpec;
  msg: Msg;
  /** Messages merged into this one while it waited (coalescing), itself included. */
  merged?: number;
  /** When the message arrived (ms, then a counter): writes in flight together when the link
   * dropped are queued in the order their failures end, so a merge goes by arrival instead. */
  arrived?: [number, number];
}

let arrivals = 0;

function later(a: Queued, b: Queued): boolean {
  const [x, y] = [a.arrived ?? [0, 0], b.arrived ?? [0, 0]];
  return x[0] !== y[0] ? x[0] > y[0] : x[1] > y[1];
}

/** The topic that asks for an immediate retry. */
export const FLUSH_TOPIC = 'zoho/outbox/flush';

/** msg properties that hold live objects (http in/out), never journaled. */
const LIVE_KEYS = new Set(['req', 'res', 'error']);

/** Result codes that mean "not delivered, Zoho unreachable" in a replay's per-record answer. */
const UNREACHED = new Set([
  'NOT_SENT',
  'NETWORK_ERROR',
  'TIMEOUT',
  'ABORTED',
  'TOO_MANY_REQUESTS',
  'HTTP_ERROR',
  'INTERNAL_ERROR',
]);

function replaySafe(spec: WriteSpec): boolean {
  return spec.operation !== 'create' || spec.duplicateCheckFields !== undefined;
}

/** The message as the journal keeps it: JSON, without live objects; refused when it is not. */
function serialisable(msg: Msg, t: Translate): Msg {
  try {
    return JSON.parse(
      JSON.stringify(msg, function (this: unknown, key, value: unknown) {
        return this === msg && LIVE_KEYS.has(key) ? undefined : value;
      }),
    ) as Msg;
  } catch (e) {
    throw invalidInput(t('errors.outboxMsg', { reason: (e as Error).message }), 'payload');
  }
}

/** One waiting update of one record: later fields win, the latest message is the one sent. */
function merge(older: unknown, newer: unknown): Queued {
  let [a, b] = [older as Queued, newer as Queued];
  if (later(a, b)) [a, b] = [b, a];
  const record = { ...a.spec.records![0], ...b.spec.records![0] };
  const merged = (a.merged ?? 1) + (b.merged ?? 1);
  return { spec: { ...b.spec, records: [record] }, msg: b.msg, merged, arrived: b.arrived };
}

function coalesceKey(spec: WriteSpec): string | undefined {
  if (spec.operation !== 'update' || spec.records?.length !== 1) return undefined;
  return JSON.stringify([spec.module, String(spec.records[0].id), spec.trigger ?? null]);
}

/** The "offline · N waiting" status of a node with queued messages. */
export function showWaiting(
  status: StatusReporter,
  t: Translate,
  outbox: Outbox,
  owner: string,
): void {
  const count = outbox.waiting(owner).toLocaleString('en-US');
  const { merged } = outbox.state();
  status.queued(
    merged
      ? t('status.outboxWaitingMerged', { count, merged })
      : t('status.outboxWaiting', { count }),
  );
}

/**
 * Runs a write; when the node queues and Zoho cannot be reached, journals it and resolves
 * undefined (no output now). A node with messages waiting queues behind them, so its writes
 * reach Zoho in the order they arrived.
 */
export async function withOutbox(
  ctx: InputContext,
  def: CrmRecordDef,
  spec: WriteSpec,
  send: () => Promise<crm.WriteResult>,
): Promise<crm.WriteResult | undefined> {
  if (def.outbox !== 'queue' || !ctx.config) return send();
  const arrived: [number, number] = [Date.now(), arrivals++];
  const outbox = await ctx.config.outbox();
  if (outbox.waiting(def.id) === 0) {
    try {
      return await send();
    } catch (error) {
      const reach = unreachable(error);
      if (!reach) throw error;
      if (reach === 'maybe-sent' && !replaySafe(spec)) {
        const z = error as ZohoError;
        throw new FlowError({
          message: ctx.t('errors.notReplayable', { reason: z.message }),
          code: 'NOT_REPLAYABLE',
          kind: z.kind,
          details: { cause: z.code },
        });
      }
    }
  }
  const body: Queued = { spec, msg: serialisable(ctx.msg, ctx.t), arrived };
  const key = def.outboxCoalesce === false ? undefined : coalesceKey(spec);
  const { dropped } = await outbox.add(def.id, body, key ? { key, merge } : undefined);
  if (dropped.length) ctx.warn(ctx.t('errors.outboxDropped', { count: dropped.length }));
  showWaiting(ctx.status, ctx.t, outbox, def.id);
  return undefined;
}

interface Owner {
  RED: NodeAPI;
  node: Node;
  config: ZohoConfigNode;
  outbox: Outbox;
  status: StatusReporter;
  t: Translate;
  shared: Translate;
  signal: AbortSignal;
}

/** Replays entries: neighbours of one kind go in one write (100 records a call). */
async function deliver(o: Owner, entries: QueuedEntry[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let i = 0;
  while (i < entries.length) {
    const group = [entries[i]];
    const kind = groupKey(entries[i]);
    while (i + group.length < entries.length && groupKey(entries[i + group.length]) === kind)
      group.push(entries[i + group.length]);
    i += group.length;
    const out = await deliverGroup(o, group);
    outcomes.push(...out);
    if (out.some((x) => !x.settled)) break;
  }
  while (outcomes.length < entries.length) outcomes.push({ settled: false });
  return outcomes;
}

function groupKey(entry: QueuedEntry): string {
  const { spec } = entry.body as Queued;
  if (entry.uncertain) return `uncertain:${entry.seq}`;
  const operation = spec.operation === 'create' && replaySafe(spec) ? 'upsert' : spec.operation;
  return JSON.stringify([
    operation,
    spec.module,
    spec.trigger,
    spec.duplicateCheckFields,
    spec.workflowTrigger,
  ]);
}

async function deliverGroup(o: Owner, group: QueuedEntry[]): Promise<Outcome[]> {
  const specs = group.map((e) => (e.body as Queued).spec);
  const first = specs[0];
  if (group[0].uncertain) return group.map((e) => failed(o, e, notReplayableShape(o)));
  const safe = replaySafe(first);
  const spec: WriteSpec = {
    ...first,
    operation: first.operation === 'create' && safe ? 'upsert' : first.operation,
    records: first.records ? specs.flatMap((s) => s.records ?? []) : undefined,
    ids: first.ids ? specs.flatMap((s) => s.ids ?? []) : undefined,
  };
  if (!safe) await o.outbox.mark(group.map((e) => e.seq));
  let result: crm.WriteResult;
  try {
    const conn = o.config.getConnection();
    result = await sendWrite(conn, spec, { signal: o.signal, concurrency: conn.maxConcurrency });
  } catch (error) {
    const z = error as ZohoError;
    const keep =
      (unreachable(error) && (safe || z.notSent)) ||
      isConnectionProblem(z) ||
      z.kind === 'limit' ||
      z.kind === 'aborted';
    if (keep) return group.map(() => ({ settled: false }));
    const shape: ErrorShape = unreachable(error)
      ? notReplayableShape(o)
      : { message: z.message, code: z.code, kind: z.kind, status: z.status, details: z.details };
    return group.map((e) => failed(o, e, shape));
  }
  let at = 0;
  return group.map((entry, k) => {
    const n = specs[k].records?.length ?? specs[k].ids?.length ?? 0;
    const results = result.results.slice(at, at + n).map((r, j) => ({ ...r, index: j }));
    at += n;
    if (
      results.some((r) => UNREACHED.has(r.code)) &&
      (safe || results.every((r) => r.code === 'NOT_SENT'))
    )
      return { settled: false };
    return settle(o, entry, results);
  });
}

function notReplayableShape(o: Owner): ErrorShape {
  return { message: o.t('errors.uncertainReplay'), code: 'NOT_REPLAYABLE', kind: 'network' };
}

function outMsg(entry: QueuedEntry): Msg {
  const q = entry.body as Queued;
  const outbox: Record<string, unknown> = { queuedAt: entry.queuedAt, attempts: entry.attempts };
  if (q.merged) outbox.merged = q.merged;
  return { ...q.msg, outbox };
}

function failed(o: Owner, entry: QueuedEntry, shape: ErrorShape): Outcome {
  return {
    settled: true,
    after: () => {
      const msg = outMsg(entry);
      msg.error = shape;
      o.status.failed(shape);
      o.node.error(new FlowError(shape), msg);
    },
  };
}

function settle(o: Owner, entry: QueuedEntry, results: crm.RecordResult[]): Outcome {
  const bad = results.filter((r) => r.status !== 'success');
  if (bad.length) {
    const shape = partialFailure(bad, results.length, o.shared);
    return {
      settled: true,
      after: () => {
        const msg = outMsg(entry);
        msg.payload = results;
        msg.error = shape;
        o.node.send(msg);
        o.status.failed(shape);
        o.node.error(new FlowError(shape), msg);
      },
    };
  }
  return {
    settled: true,
    after: () => {
      const msg = outMsg(entry);
      msg.payload = results;
      o.node.send(msg);
    },
  };
}

/**
 * Takes delivery of the node's waiting messages (those of a previous run too) and keeps its
 * status saying how many wait. Returns what the node's close calls.
 */
export function attachOutbox(
  RED: NodeAPI,
  node: Node,
  def: CrmRecordDef,
  parts: { config?: ZohoConfigNode; status: StatusReporter; t: Translate; shared: Translate },
): () => void {
  const { config, status, t, shared } = parts;
  if (def.outbox !== 'queue' || !config) return () => undefined;
  const stop = new AbortController();
  let detach = (): void => undefined;
  void config
    .outbox()
    .then((outbox) => {
      if (stop.signal.aborted) return;
      const owner: Owner = { RED, node, config, outbox, status, t, shared, signal: stop.signal };
      const onChange = (): void => {
        if (outbox.waiting(node.id) > 0) showWaiting(status, t, outbox, node.id);
      };
      const unregister = outbox.register(node.id, {
        batch: 100 * config.maxConcurrency,
        deliver: async (entries) => {
          const outcomes = await deliver(owner, entries);
          const sent = outcomes.filter((x) => x.settled).length;
          if (sent && outbox.waiting(node.id) <= sent)
            status.done(t('status.outboxSent', { count: sent }));
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
export async function flushRequested(ctx: InputContext, def: CrmRecordDef): Promise<boolean> {
  if (def.outbox !== 'queue' || ctx.msg.topic !== FLUSH_TOPIC || !ctx.config) return false;
  (await ctx.config.outbox()).flush();
  return true;
}
