/** crm-attachment's operations on the attachments of one record. */
import type { NodeAPI } from 'node-red';
import * as att from '../../zoho/crm/attachments';
import { invalidInput } from '../../zoho/core/errors';
import type { FlowNodeDef, InputContext } from '../runtime/flow-node';
import { OutputMode, sendPages } from '../runtime/pages';
import { flag, int, text } from '../runtime/props';
import { uploadWithOutbox } from './outbox';

export interface CrmAttachmentDef extends FlowNodeDef {
  operation?: string;
  module?: string;
  moduleType?: string;
  recordId?: string;
  recordIdType?: string;
  attachmentId?: string;
  attachmentIdType?: string;
  fileName?: string;
  fileNameType?: string;
  /** uploadPhoto: keep the record's workflow rules from running (restrict_triggers). */
  restrictWorkflow?: boolean;
  /** Uploads: 'fail' (default) or 'queue' in the connection's outbox if Zoho cannot be reached. */
  outbox?: string;
  returnAll?: boolean;
  perPage?: string | number;
  output?: string;
}

/** The record whose attachments an operation works on. */
export interface AttachmentTarget {
  module: string;
  recordId: string;
}

export async function uploadAttachment(
  ctx: InputContext,
  def: CrmAttachmentDef,
  { module, recordId }: AttachmentTarget,
): Promise<void> {
  const { msg } = ctx;
  const fileName = (msg.filename ??
    (await ctx.prop('fileName', { value: def.fileName, type: def.fileNameType }))) as string;
  if (msg.payload === undefined || msg.payload === null)
    throw invalidInput(ctx.t('errors.nothingToUpload'), 'payload');
  const contentType = text(msg.contentType);
  const file = { data: msg.payload as Buffer, fileName, contentType };
  const result = await uploadWithOutbox(ctx, def, { module, recordId, file });
  if (!result) return; // queued: no output until it is delivered
  msg.payload = result;
  ctx.send(msg);
  ctx.status.done(ctx.t('status.uploaded'));
}

export async function listAttachments(
  RED: NodeAPI,
  ctx: InputContext,
  def: CrmAttachmentDef,
  { module, recordId }: AttachmentTarget,
): Promise<void> {
  const { msg, conn, signal } = ctx;
  const perPage = int(await ctx.prop('perPage', { value: def.perPage }));
  const returnAll = msg.returnAll !== undefined ? flag(msg.returnAll) : def.returnAll !== false;
  if (returnAll) {
    const size = perPage === undefined ? undefined : Number(perPage);
    const walk = att.listAllAttachments(conn, module, recordId, { perPage: size, signal });
    const output: OutputMode = (msg.output ?? def.output) === 'pages' ? 'pages' : 'array';
    await sendPages(RED, ctx, walk, output, size ?? 200);
    return;
  }
  const page = int(msg.page);
  const list = await att.listAttachments(conn, module, recordId, {
    perPage: perPage === undefined ? undefined : Number(perPage),
    page: page === undefined ? undefined : Number(page),
    pageToken: text(msg.pageToken),
    signal,
  });
  msg.payload = list.attachments;
  msg.info = list.info;
  ctx.send(msg);
  ctx.status.done(ctx.t('status.attachments', { count: list.attachments.length }));
}

export async function downloadAttachment(
  ctx: InputContext,
  attachmentId: string,
  { module, recordId }: AttachmentTarget,
): Promise<void> {
  const { msg } = ctx;
  const file = await att.downloadAttachment(ctx.conn, module, recordId, attachmentId, {
    signal: ctx.signal,
  });
  msg.payload = file.data;
  msg.filename = file.fileName;
  msg.contentType = file.contentType;
  ctx.send(msg);
  ctx.status.done(ctx.t('status.bytes', { count: file.size }));
}

export async function deleteAttachment(
  ctx: InputContext,
  attachmentId: string,
  { module, recordId }: AttachmentTarget,
): Promise<void> {
  const { msg } = ctx;
  msg.payload = await att.deleteAttachment(ctx.conn, module, recordId, attachmentId, {
    signal: ctx.signal,
  });
  ctx.send(msg);
  ctx.status.done(ctx.t('status.deleted'));
}
