/**
 * crm-record's writes: create, update, upsert and delete, 100 records a call. msg.payload
 * gets one result per input record, in input order; when any failed, the results are sent
 * and the message also fails with the failed items, so a Catch node sees it.
 */
import type * as crm from '../../zoho/crm/index';
import { ErrorShape, FlowError, partialFailure } from '../runtime/errors';
import type { InputContext } from '../runtime/flow-node';
import type { CrmRecordDef, CrmRecordInput } from './input';
import { withOutbox } from './outbox';
import { resolveWrite, sendWrite } from './spec';

/** Result codes of records a closing node did not send, or whose call it had to cut. */
const UNSENT = new Set(['NOT_SENT']);
const CUT = new Set(['ABORTED', 'TIMEOUT']);

/**
 * The error of a write the node's close interrupted: how many records were written, how many
 * were not sent, and how many were in a call cut before Zoho answered (written or not: unknown).
 */
function interrupted(ctx: InputContext, results: readonly crm.RecordResult[]): ErrorShape {
  const count = (codes: ReadonlySet<string>) => results.filter((r) => codes.has(r.code)).length;
  const written = results.filter((r) => r.status === 'success').length;
  const notWritten = count(UNSENT);
  const unknown = count(CUT);
  return {
    message: ctx.t('errors.interrupted', { written, notWritten, unknown, count: results.length }),
    code: 'WRITE_INTERRUPTED',
    kind: 'aborted',
    details: { written, notWritten, unknown, total: results.length },
  };
}

export async function writeRecords(
  ctx: InputContext,
  def: CrmRecordDef,
  input: CrmRecordInput,
): Promise<void> {
  // A redeploy lets the call in flight finish and starts no new one; the outcome is reported.
  const stop = ctx.finishOnClose();
  const spec = await resolveWrite(ctx, def, input);
  const onProgress = (done: number, count: number) =>
    ctx.status.requesting(ctx.t('status.batch', { done, count }));
  // Batches side by side, as many as the connection runs at once; results stay in input order.
  const options = { signal: ctx.signal, stop, onProgress, concurrency: ctx.conn.maxConcurrency };
  const result = await withOutbox(ctx, def, spec, () => sendWrite(ctx.conn, spec, options));
  if (!result) return; // queued: no output until it is delivered
  sendWriteResult(ctx, result, stop, input.operation === 'delete' ? 'deleted' : 'written');
}

/**
 * Sends a write's per-record results as msg.payload; a write with failed records, or one the
 * node's close cut short, also fails the message (after sending it) so a Catch node sees it.
 */
export function sendWriteResult(
  ctx: InputContext,
  result: crm.WriteResult,
  stop: AbortSignal,
  done: 'deleted' | 'written',
): void {
  const { msg } = ctx;
  msg.payload = result.results;
  const cutShort = result.results.some((r) => UNSENT.has(r.code) || CUT.has(r.code));
  if (stop.aborted && cutShort) {
    const shape = interrupted(ctx, result.results);
    msg.error = shape;
    ctx.send(msg);
    throw new FlowError(shape);
  }
  if (result.failed.length > 0) {
    const shape = partialFailure(result.failed, result.results.length, ctx.shared);
    msg.error = shape;
    ctx.send(msg);
    throw new FlowError(shape);
  }
  ctx.send(msg);
  ctx.status.done(ctx.t(`status.${done}`, { count: result.succeeded }));
}
