/**
 * books-record: get, list, create, update, delete and the entity actions (email, mark as sent,
 * void, …) of Zoho Books records. Properties come from the editor or msg (msg.recordType,
 * msg.operation, msg.recordId, msg.organizationId, …); org discovery, the per-organization rate
 * limit, paging and input checks live in src/zoho/books.
 */
import type { Node, NodeAPI } from 'node-red';
import { isZohoConfigNode } from '../runtime/config-node';
import { setupFlowNode } from '../runtime/flow-node';
import { BOOKS_RECORD_PARAMS, BooksRecordDef, readInput } from './input';
import { listEveryPage, runOperation } from './run';

export = function (RED: NodeAPI): void {
  function BooksRecord(this: Node, def: BooksRecordDef): void {
    RED.nodes.createNode(this, def);
    const found = def.config ? RED.nodes.getNode(def.config) : null;
    const defaultOrg = isZohoConfigNode(found) ? found.organizationId : undefined;
    setupFlowNode(RED, this, def, BOOKS_RECORD_PARAMS, async (ctx) => {
      const read = await readInput(ctx, def, defaultOrg);
      if (read.returnAll) await listEveryPage(RED, ctx, read);
      else await runOperation(ctx, read);
    });
  }

  RED.nodes.registerType('books-record', BooksRecord);
};
