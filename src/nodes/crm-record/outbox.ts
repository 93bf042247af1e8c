/**
 * crm-record's half of the outbox (the node-side helper is runtime/outbox.ts): what a write
 * journals (its resolved options and the message), which writes may be repeated, how waiting
 * updates of one record merge, and the replay, 100 records a call.
 *
 * Exactly once as far as Zoho allows: update, delete and upsert may be repeated; a create may be
 * repeated only as an upsert on duplicate-check fields. A create without them is queued only
 * when Zoho cannot have received it, and is marked in the journal before its replay is sent,
 * so after a crash in that call it goes to the error path instead of being sent twice.
 */
import type * as crm from '../../zoho/crm/index';
import { ZohoError, isConnectionProblem, unreachable } from '../../zoho/core/errors';
import type { Outcome, QueuedEntry } from '../../zoho/core/outbox/outbox';
import { FlowError, ErrorShape, partialFailure } from '../runtime/errors';
import type { InputContext, Msg } from '../runtime/flow-node';
import {
  OutboxOwner,
  Queueing,
  failedOutcome,
  outMsg as outboxMsg,
  sentOutcome,
  withOutbox as queueOrSend,
} from '../runtime/outbox';
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

async function deliver(o: OutboxOwner, entries: QueuedEntry[]): Promise<Outcome[]> {
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

async function deliverGroup(o: OutboxOwner, group: QueuedEntry[]): Promise<Outcome[]> {
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
    if (results.some((r) => UNREACHED.has(r.code))) {
      if (safe || results.every((r) => r.code === 'NOT_SENT')) return { settled: false };
      // A create that cannot be repeated, cut part way (more than 100 records: several calls):
      // some of its records may be in Zoho, so it is not sent again, as a single call is not.
      return cutShort(o, entry, results);
    }
    return settle(o, entry, results);
  });
}

function notReplayableShape(o: OutboxOwner): ErrorShape {
  return { message: o.t('errors.uncertainReplay'), code: 'NOT_REPLAYABLE', kind: 'network' };
}

function outMsg(entry: QueuedEntry): Msg {
  const q = entry.body as Queued;
  return outboxMsg(entry, q.msg, q.merged);
}

function failed(o: OutboxOwner, entry: QueuedEntry, shape: ErrorShape): Outcome {
  return failedOutcome(o, outMsg(entry), shape);
}

/** NOT_REPLAYABLE, with the per-record results: which records Zoho took, which it may have. */
function cutShort(o: OutboxOwner, entry: QueuedEntry, results: crm.RecordResult[]): Outcome {
  const msg = outMsg(entry);
  msg.payload = results;
  const failed = results.filter((r) => r.status !== 'success');
  const details = { failed, succeeded: results.length - failed.length, total: results.length };
  return failedOutcome(o, msg, { ...notReplayableShape(o), details });
}

function settle(o: OutboxOwner, entry: QueuedEntry, results: crm.RecordResult[]): Outcome {
  const msg = outMsg(entry);
  msg.payload = results;
  const bad = results.filter((r) => r.status !== 'success');
  if (!bad.length) return sentOutcome(o, msg);
  const shape = partialFailure(bad, results.length, o.shared);
  return {
    settled: true,
    after: () => {
      msg.error = shape;
      o.node.send(msg);
      o.failures++;
      o.status.failed(shape);
      o.node.error(new FlowError(shape), msg);
    },
  };
}

/**
 * Runs a write; when the node queues and Zoho cannot be reached, journals it and resolves
 * undefined (no output now).
 */
export function withOutbox(
  ctx: InputContext,
  def: CrmRecordDef,
  spec: WriteSpec,
  send: () => Promise<crm.WriteResult>,
): Promise<crm.WriteResult | undefined> {
  const arrived: [number, number] = [Date.now(), arrivals++];
  const key = coalesceKey(spec);
  const queueing = (): Queueing => ({
    body: (msg): Queued => ({ spec, msg, arrived }),
    replaySafe: replaySafe(spec),
    notReplayable: (reason) => ctx.t('errors.notReplayable', { reason }),
    coalesce: key ? { key, merge } : undefined,
  });
  return queueOrSend(ctx, def, queueing, send);
}

/**
 * What a waiting write touches in Zoho, so the replay never has it in two calls at once (two
 * updates of one record racing could leave the older value; two upserts of one key, two
 * records): each record id, and an upsert's duplicate-check values. An upsert on Zoho's own
 * duplicate-check fields (none named) may match any record of its module: one at a time.
 */
function keysOf(entry: QueuedEntry): string[] {
  const { spec } = entry.body as Queued;
  const key = (field: string, value: unknown): string =>
    `${spec.module}\u0000${field}\u0000${typeof value === 'string' ? value : JSON.stringify(value)}`;
  const keys = (spec.ids ?? []).map((id) => key('id', id));
  const upsert = spec.operation === 'upsert' || (spec.operation === 'create' && replaySafe(spec));
  const fields = spec.duplicateCheckFields === undefined ? [] : [spec.duplicateCheckFields].flat();
  if (upsert && !fields.length) keys.push(key('', 'upsert'));
  for (const r of spec.records ?? []) {
    if (r.id !== undefined && r.id !== null) keys.push(key('id', r.id));
    for (const f of upsert ? fields : [])
      if (r[f] !== undefined && r[f] !== null) keys.push(key(f, r[f]));
  }
  return keys;
}

/** Replays crm-record's waiting writes (runtime/outbox.ts attachOutbox). */
export const replayCrmRecord = deliver;
export const crmRecordKeys = keysOf;
