/**
 * zoho-raw's half of the outbox (the node-side helper is runtime/outbox.ts). A raw call means
 * whatever its URL means, so the node cannot know whether repeating it is safe: only the methods
 * the user ticks as safe to repeat (none by default) are queued, and for those the user's word
 * is the replay rule, whichever way the link failed. Calls with files (multipart) or a binary
 * body are never queued: the journal keeps JSON.
 */
import type { NodeAPI } from 'node-red';
import { ZohoError, isConnectionProblem, unreachable } from '../../zoho/core/errors';
import type { Outcome } from '../../zoho/core/outbox/outbox';
import { buildRawRequest } from '../../zoho/core/raw';
import type { ZohoResponse } from '../../zoho/core/http';
import { errorShape, errorTexts } from '../runtime/errors';
import type { InputContext, Msg } from '../runtime/flow-node';
import {
  OutboxDef,
  Queueing,
  failedOutcome,
  outMsg,
  sentOutcome,
  withOutbox,
  oneAtATime,
  Replay,
} from '../runtime/outbox';
import { RawInput, markResponseHeaders, rawRequestOf } from './input';

export interface RawOutboxDef extends OutboxDef {
  /** The methods the user marked as safe to repeat, comma-separated ('' = none). */
  outboxMethods?: string;
}

interface Queued {
  input: RawInput;
  msg: Msg;
}

/** The methods a node may queue. */
function safeMethods(def: RawOutboxDef): string[] {
  return String(def.outboxMethods ?? '')
    .split(',')
    .map((m) => m.trim().toUpperCase())
    .filter(Boolean);
}

/** Whether this call may wait in the outbox: a ticked method, JSON all through. */
function queueable(def: RawOutboxDef, input: RawInput): boolean {
  const method = typeof input.method === 'string' ? input.method.trim().toUpperCase() : 'GET';
  if (!safeMethods(def).includes(method)) return false;
  if (input.fileData !== undefined && input.fileData !== null) return false;
  return !Buffer.isBuffer(input.body) && !(input.body instanceof Uint8Array);
}

/** The answer on msg, as the node sends it. */
export function responseMsg(msg: Msg, res: ZohoResponse): Msg {
  msg.payload = res.data;
  msg.statusCode = res.status;
  msg.headers = markResponseHeaders(res.headers);
  return msg;
}

/** Makes the call, or queues it when the node keeps ticked methods and Zoho cannot be reached. */
export function callWithOutbox(
  ctx: InputContext,
  def: RawOutboxDef,
  input: RawInput,
  send: () => Promise<ZohoResponse>,
): Promise<ZohoResponse | undefined> {
  if (!queueable(def, input)) return send();
  // The signal is this message's; a replay gets the node's.
  const kept: RawInput = { ...input, signal: undefined };
  const queueing = (): Queueing => ({
    body: (msg): Queued => ({ input: kept, msg }),
    replaySafe: true,
    notReplayable: (reason) => reason,
    omit: ['payload'],
  });
  return withOutbox(ctx, { ...def, outboxCoalesce: false }, queueing, send);
}

/** Replays waiting calls one by one. */
export function rawReplay(RED: NodeAPI, params: readonly string[]): Replay {
  const texts = errorTexts(RED, 'zoho-raw', params);
  return oneAtATime(async (o, entry) => {
    const q = entry.body as Queued;
    const msg = outMsg(entry, q.msg);
    let outcome: Outcome;
    try {
      const spec = buildRawRequest(rawRequestOf({ ...q.input, signal: o.signal }));
      const res = await o.config.getConnection().request(spec);
      outcome = sentOutcome(o, responseMsg(msg, res));
    } catch (error) {
      const z = error as ZohoError;
      const keep =
        unreachable(error) !== undefined ||
        isConnectionProblem(z) ||
        z.kind === 'limit' ||
        z.kind === 'aborted';
      outcome = keep
        ? { settled: false }
        : failedOutcome(o, msg, errorShape(error, o.config.secrets(), texts));
    }
    return outcome;
  });
}
