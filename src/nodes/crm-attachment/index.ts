/**
 * crm-attachment: upload, list, download and delete the attachments of a CRM record. Module,
 * record id, attachment id and file name come from the editor or msg; the 20 MB limit and the
 * id checks are the library's (refused before anything is sent).
 */
import type { Node, NodeAPI } from 'node-red';
import * as att from '../../zoho/crm/attachments';
import { invalidInput } from '../../zoho/core/errors';
import { FlowNodeDef, setupFlowNode } from '../runtime/flow-node';
import { OutputMode, sendPages } from '../runtime/pages';
import { flag, int, text } from '../runtime/props';

const OPERATIONS = ['upload', 'list', 'download', 'delete'];

interface CrmAttachmentDef extends FlowNodeDef {
  operation?: string;
  module?: string;
  moduleType?: string;
  recordId?: string;
  recordIdType?: string;
  attachmentId?: string;
  attachmentIdType?: string;
  fileName?: string;
  fileNameType?: string;
  returnAll?: boolean;
  perPage?: string | number;
  output?: string;
}

export = function (RED: NodeAPI): void {
  function CrmAttachment(this: Node, def: CrmAttachmentDef): void {
    RED.nodes.createNode(this, def);
    setupFlowNode(RED, this, def, async (ctx) => {
      const { msg, conn, signal, status } = ctx;
      const operation = text(await ctx.prop('operation', { value: def.operation })) ?? '';
      if (!OPERATIONS.includes(operation))
        throw invalidInput(`Unknown operation "${operation}": use ${OPERATIONS.join(', ')}`);
      const module = (await ctx.prop('module', {
        value: def.module,
        type: def.moduleType,
      })) as string;
      const recordId = (await ctx.prop('recordId', {
        value: def.recordId,
        type: def.recordIdType,
      })) as string;
      const attachmentId = async () =>
        (await ctx.prop('attachmentId', {
          value: def.attachmentId,
          type: def.attachmentIdType,
        })) as string;

      if (operation === 'upload') {
        const fileName = (msg.filename ??
          (await ctx.prop('fileName', { value: def.fileName, type: def.fileNameType }))) as string;
        if (msg.payload === undefined || msg.payload === null)
          throw invalidInput('Nothing to upload: put the file content in msg.payload');
        const contentType = text(msg.contentType);
        const file = { data: msg.payload as Buffer, fileName, contentType };
        msg.payload = await att.uploadAttachment(conn, module, recordId, file, { signal });
        ctx.send(msg);
        status.done('uploaded');
      } else if (operation === 'list') {
        const perPage = int(await ctx.prop('perPage', { value: def.perPage }));
        const returnAll =
          msg.returnAll !== undefined ? flag(msg.returnAll) : def.returnAll !== false;
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
        status.done(`${list.attachments.length} attachments`);
      } else if (operation === 'download') {
        const file = await att.downloadAttachment(conn, module, recordId, await attachmentId(), {
          signal,
        });
        msg.payload = file.data;
        msg.filename = file.fileName;
        msg.contentType = file.contentType;
        ctx.send(msg);
        status.done(`${file.size} bytes`);
      } else {
        msg.payload = await att.deleteAttachment(conn, module, recordId, await attachmentId(), {
          signal,
        });
        ctx.send(msg);
        status.done('deleted');
      }
    });
  }

  RED.nodes.registerType('crm-attachment', CrmAttachment);
};
