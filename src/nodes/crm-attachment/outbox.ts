/**
 * crm-attachment's half of the outbox (the node-side helper is runtime/outbox.ts): uploads
 * wait there while Zoho cannot be reached. Each POST of a file adds another attachment and
 * Zoho offers no idempotency key for it, so an upload is queued only when Zoho cannot have
 * received it (refused connection, DNS, no token); one that may have (reset or timeout after
 * sending) fails now with NOT_REPLAYABLE. Its replay is marked in the journal before it is sent,
 * so a replay cut after sending, or a crash during it, ends in NOT_REPLAYABLE, never a second
 * copy. The file's bytes are journaled once, as base64, not inside the journaled msg.
 */
import type { NodeAPI } from 'node-red';
import * as att from '../../zoho/crm/attachments';
import { fileBytes } from '../../zoho/core/files';
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

export interface Upload {
  module: string;
  recordId: string;
  file: att.UploadFile;
}

interface Queued {
  module: string;
  recordId: string;
  fileName: string;
  contentType?: string;
  /** The file, base64. */
  data: string;
  msg: Msg;
}

/** Uploads, or queues the upload when the node keeps writes and Zoho cannot be reached. */
export function uploadWithOutbox(
  ctx: InputContext,
  def: OutboxDef,
  up: Upload,
): Promise<att.AttachmentResult | undefined> {
  const send = () =>
    att.uploadAttachment(ctx.conn, up.module, up.recordId, up.file, { signal: ctx.signal });
  const queueing = (): Queueing => ({
    body: (msg): Queued => ({
      module: up.module,
      recordId: up.recordId,
      fileName: up.file.fileName,
      contentType: up.file.contentType,
      data: fileBytes(up.file.data).toString('base64'),
      msg,
    }),
    replaySafe: false,
    notReplayable: (reason) => ctx.t('errors.notReplayable', { reason }),
    omit: ['payload'],
  });
  return withOutbox(ctx, def, queueing, send);
}

/** Replays waiting uploads one by one. */
export function attachmentReplay(RED: NodeAPI, params: readonly string[]): Replay {
  const texts = errorTexts(RED, 'crm-attachment', params);
  return oneAtATime((o, entry) => replayOne(o, entry, texts));
}

async function replayOne(
  o: OutboxOwner,
  entry: QueuedEntry,
  texts: ReturnType<typeof errorTexts>,
): Promise<Outcome> {
  const q = entry.body as Queued;
  const msg = outMsg(entry, q.msg);
  const uncertain = (): ErrorShape => ({
    message: o.t('errors.uncertainReplay', { fileName: q.fileName }),
    code: 'NOT_REPLAYABLE',
    kind: 'network',
  });
  if (entry.uncertain) return failedOutcome(o, msg, uncertain());
  await o.outbox.mark([entry.seq]);
  try {
    const file = {
      data: Buffer.from(q.data, 'base64'),
      fileName: q.fileName,
      contentType: q.contentType,
    };
    const conn = o.config.getConnection();
    msg.payload = await att.uploadAttachment(conn, q.module, q.recordId, file, {
      signal: o.signal,
    });
    return sentOutcome(o, msg);
  } catch (error) {
    const z = error as ZohoError;
    const reach = unreachable(error);
    // Kept for later only when it cannot have reached Zoho: the node closing mid-call counts
    // as "may have".
    const keep =
      z.notSent === true ||
      (!reach && z.kind !== 'aborted' && (isConnectionProblem(z) || z.kind === 'limit'));
    if (keep) return { settled: false };
    if (reach || z.kind === 'aborted') return failedOutcome(o, msg, uncertain());
    return failedOutcome(o, msg, errorShape(error, o.config.secrets(), texts));
  }
}
