/**
 * crm-attachment: upload, list, download and delete the attachments of a CRM record, and its
 * photo. Module, record id, attachment id and file name come from the editor or msg; the size
 * limits (20 MB an attachment, 10 MB a photo) and the id checks are the library's (refused
 * before anything is sent).
 */
import type { Node, NodeAPI } from 'node-red';
import { invalidInput } from '../../zoho/core/errors';
import { setupFlowNode } from '../runtime/flow-node';
import { attachOutbox, flushRequested } from '../runtime/outbox';
import { attachmentReplay } from './outbox';
import { PHOTO_RUNS } from './photo';
import { selectProp, text } from '../runtime/props';
import {
  AttachmentTarget,
  CrmAttachmentDef,
  deleteAttachment,
  downloadAttachment,
  listAttachments,
  uploadAttachment,
} from './run';

const OPERATIONS = ['upload', 'list', 'download', 'delete', ...Object.keys(PHOTO_RUNS)];

/** Options the user sets in the node or msg, each with a `crm-attachment.param.<name>` text. */
const PARAMS = [
  'operation',
  'module',
  'recordId',
  'attachmentId',
  'fileName',
  'file',
  'data',
  'payload',
  'contentType',
  'perPage',
  'page',
  'pageToken',
  'restrictWorkflow',
] as const;

export = function (RED: NodeAPI): void {
  function CrmAttachment(this: Node, def: CrmAttachmentDef): void {
    RED.nodes.createNode(this, def);
    const parts = setupFlowNode(RED, this, def, PARAMS, async (ctx) => {
      if (await flushRequested(ctx, def)) return;
      const operation =
        text(await ctx.prop('operation', selectProp('operation', def.operation))) ?? '';
      if (!OPERATIONS.includes(operation)) {
        const operations = OPERATIONS.join(', ');
        throw invalidInput(
          ctx.t('errors.unknownOperation', { operation, operations }),
          'operation',
        );
      }
      const target: AttachmentTarget = {
        module: (await ctx.prop('module', { value: def.module, type: def.moduleType })) as string,
        recordId: (await ctx.prop('recordId', {
          value: def.recordId,
          type: def.recordIdType,
        })) as string,
      };
      const attachmentId = async () =>
        (await ctx.prop('attachmentId', {
          value: def.attachmentId,
          type: def.attachmentIdType,
        })) as string;

      const photo = PHOTO_RUNS[operation];
      if (photo) await photo(ctx, def, target);
      else if (operation === 'upload') await uploadAttachment(ctx, def, target);
      else if (operation === 'list') await listAttachments(RED, ctx, def, target);
      else if (operation === 'download')
        await downloadAttachment(ctx, await attachmentId(), target);
      else await deleteAttachment(ctx, await attachmentId(), target);
    });
    // Delivery of this node's uploads waiting in the connection's outbox (if it queues).
    this.on('close', attachOutbox(RED, this, def, parts, attachmentReplay(RED, PARAMS)));
  }

  RED.nodes.registerType('crm-attachment', CrmAttachment);
};
