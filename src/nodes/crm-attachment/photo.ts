/**
 * crm-attachment's photo operations: a record's one photo (Leads, Contacts, Accounts, Products,
 * Deals, Vendors, custom modules), uploaded from msg.payload, downloaded into it, deleted.
 * Uploads are not queued in the outbox: a photo is for a person looking at the record now.
 */
import * as crm from '../../zoho/crm/index';
import { invalidInput } from '../../zoho/core/errors';
import type { InputContext } from '../runtime/flow-node';
import { flag, text } from '../runtime/props';
import type { AttachmentTarget, CrmAttachmentDef } from './run';

type Run = (ctx: InputContext, def: CrmAttachmentDef, target: AttachmentTarget) => Promise<void>;

const uploadPhoto: Run = async (ctx, def, { module, recordId }) => {
  const { msg } = ctx;
  if (msg.payload === undefined || msg.payload === null)
    throw invalidInput(ctx.t('errors.nothingToUpload'), 'payload');
  const fileName = (msg.filename ??
    (await ctx.prop('fileName', { value: def.fileName, type: def.fileNameType })) ??
    `photo-${recordId}`) as string;
  const restrictWorkflow =
    msg.restrictWorkflow !== undefined ? flag(msg.restrictWorkflow) : def.restrictWorkflow === true;
  const file = { data: msg.payload as Buffer, fileName, contentType: text(msg.contentType) };
  msg.payload = await crm.uploadPhoto(ctx.conn, module, recordId, file, {
    restrictWorkflow,
    signal: ctx.signal,
  });
  ctx.send(msg);
  ctx.status.done(ctx.t('status.uploaded'));
};

const downloadPhoto: Run = async (ctx, _def, { module, recordId }) => {
  const { msg } = ctx;
  const file = await crm.downloadPhoto(ctx.conn, module, recordId, { signal: ctx.signal });
  msg.payload = file.data;
  msg.filename = file.fileName;
  msg.contentType = file.contentType;
  ctx.send(msg);
  ctx.status.done(ctx.t('status.bytes', { count: file.size }));
};

const deletePhoto: Run = async (ctx, _def, { module, recordId }) => {
  ctx.msg.payload = await crm.deletePhoto(ctx.conn, module, recordId, { signal: ctx.signal });
  ctx.send(ctx.msg);
  ctx.status.done(ctx.t('status.deleted'));
};

/** The runs of this file by operation. */
export const PHOTO_RUNS: Record<string, Run> = { uploadPhoto, downloadPhoto, deletePhoto };
