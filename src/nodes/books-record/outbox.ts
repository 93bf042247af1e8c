/**
 * books-record's half of the outbox (the node-side helper is runtime/outbox.ts): creates,
 * updates, deletes and entity actions wait there while Zoho Books cannot be reached.
 *
 * Exactly once as far as Zoho Books allows. An update (PUT of the record's id) and a delete may
 * be repeated: the second sets the same fields, or finds the record gone. Books has no upsert,
 * no duplicate check and no idempotency key for a create or an action (a reference or invoice
 * number is only a field: Zoho does not refuse a second record with it on every organization),
 * so a create or action is queued only when Zoho cannot have received it (refused connection,
 * DNS, a token that could not be had), and is marked in the journal before its replay is sent:
 * a replay cut after sending, or a crash during it, ends in NOT_REPLAYABLE, never a second send.
 * Attachments (binary payloads) are never queued.
 */
import type { NodeAPI } from 'node-red';
import { booksTypeInfo } from '../../zoho/books/index';
import { ZohoError, isConnectionProblem, unreachable } from '../../zoho/core/errors';
import type { Outcome, QueuedEntry } from '../../zoho/core/outbox/outbox';
import { errorShape, errorTexts, type ErrorShape } from '../runtime/errors';
import type { InputContext, Msg } from '../runtime/flow-node';
import {
  OutboxDef,
  OutboxOwner,
  Queueing,
  failedOutcome,
  outMsg,
  sentOutcome,
  withOutbox,
  oneAtATime,
  Replay,
} from '../runtime/outbox';
import { BOOKS_RECORD_PARAMS, BooksRecordInput } from './input';
import { BooksOperationResult, runBooksOperation } from './operation';

type Input = BooksRecordInput['input'];

/** What the journal keeps of one message: the operation's values (no signal) and msg. */
interface Queued {
  input: Input;
  msg: Msg;
  merged?: number;
  arrived: [number, number];
}

let arrivals = 0;

/** Operations that never wait in the outbox: reads, and attachments (binary payloads). */
const NOT_QUEUED = new Set([
  'get',
  'list',
  'get_attachment',
  'add_attachment',
  'delete_attachment',
]);

export function queueable(operation: string): boolean {
  return !NOT_QUEUED.has(operation);
}

function replaySafe(operation: string): boolean {
  return operation === 'update' || operation === 'delete';
}

function blank(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/** An update's record: the id given, or the one in the entity (as runBooksOperation reads it). */
function updateKey(input: Input): string | undefined {
  if (input.operation !== 'update') return undefined;
  const idField = booksTypeInfo(input.recordType)?.idField ?? 'id';
  const payload = input.payload as Record<string, unknown> | undefined;
  const id = blank(input.recordId) ? payload?.[idField] : input.recordId;
  if (typeof id !== 'string' && typeof id !== 'number') return undefined;
  const org = input.organizationId ?? input.defaultOrganizationId ?? null;
  return JSON.stringify([input.recordType, org, String(id), input.files ?? null]);
}

/** Waiting updates of one record merge field by field, the later message's values winning. */
function merge(older: unknown, newer: unknown): Queued {
  let [a, b] = [older as Queued, newer as Queued];
  const later =
    a.arrived[0] !== b.arrived[0] ? a.arrived[0] > b.arrived[0] : a.arrived[1] > b.arrived[1];
  if (later) [a, b] = [b, a];
  const payload = {
    ...(a.input.payload as Record<string, unknown>),
    ...(b.input.payload as Record<string, unknown>),
  };
  const merged = (a.merged ?? 1) + (b.merged ?? 1);
  return { input: { ...b.input, payload }, msg: b.msg, merged, arrived: b.arrived };
}

/** Runs the operation, or queues it when the node keeps writes and Zoho cannot be reached. */
export function runWithOutbox(
  ctx: InputContext,
  def: OutboxDef,
  input: Input,
): Promise<BooksOperationResult | undefined> {
  const send = () => runBooksOperation(ctx.conn, input);
  if (!queueable(input.operation)) return send();
  const arrived: [number, number] = [Date.now(), arrivals++];
  const key = updateKey(input);
  // The signal is this message's; a replay gets the node's.
  const kept: Input = { ...input, signal: undefined };
  const queueing = (): Queueing => ({
    body: (msg): Queued => ({ input: kept, msg, arrived }),
    replaySafe: replaySafe(input.operation),
    notReplayable: (reason) =>
      ctx.t('errors.notReplayable', { operation: input.operation, reason }),
    coalesce: key ? { key, merge } : undefined,
  });
  return withOutbox(ctx, def, queueing, send);
}

/** The message a delivered operation leaves with (as runOperation builds it). */
export function resultMsg(msg: Msg, result: BooksOperationResult): Msg {
  msg.payload = result.payload;
  if (result.file) {
    msg.filename = result.file.fileName;
    msg.contentType = result.file.contentType;
  }
  msg.organizationId = result.organization.organizationId;
  msg.info = result.info ?? { message: result.message };
  return msg;
}

/** Replays books-record's waiting operations one by one (Books has no batch write). */
export function booksReplay(RED: NodeAPI): Replay {
  const texts = errorTexts(RED, 'books-record', BOOKS_RECORD_PARAMS);
  return oneAtATime((o, entry) => replayOne(o, entry, texts));
}

async function replayOne(
  o: OutboxOwner,
  entry: QueuedEntry,
  texts: ReturnType<typeof errorTexts>,
): Promise<Outcome> {
  const q = entry.body as Queued;
  const msg = outMsg(entry, q.msg, q.merged);
  const uncertain = (): ErrorShape => ({
    message: o.t('errors.uncertainReplay', { operation: q.input.operation }),
    code: 'NOT_REPLAYABLE',
    kind: 'network',
  });
  if (entry.uncertain) return failedOutcome(o, msg, uncertain());
  const safe = replaySafe(q.input.operation);
  if (!safe) await o.outbox.mark([entry.seq]);
  try {
    const conn = o.config.getConnection();
    const result = await runBooksOperation(conn, { ...q.input, signal: o.signal });
    return sentOutcome(o, resultMsg(msg, result));
  } catch (error) {
    const z = error as ZohoError;
    const reach = unreachable(error);
    // Kept for later when repeating is safe or it cannot have reached Zoho; an unsafe one cut
    // by the node closing mid-call counts as "may have".
    const keep =
      z.notSent === true ||
      (safe && (reach !== undefined || z.kind === 'aborted')) ||
      (!reach && z.kind !== 'aborted' && (isConnectionProblem(z) || z.kind === 'limit'));
    if (keep) return { settled: false };
    if (reach || z.kind === 'aborted') return failedOutcome(o, msg, uncertain());
    return failedOutcome(o, msg, errorShape(error, o.config.secrets(), texts));
  }
}
