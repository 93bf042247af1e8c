/**
 * books-record: get, list, create, update, delete and the entity actions (email, mark as sent,
 * void, …) of Zoho Books records. Properties come from the editor or msg (msg.recordType,
 * msg.operation, msg.recordId, msg.organizationId, …); org discovery, the per-organization rate
 * limit, paging and input checks live in src/zoho/books.
 */
import type { Node, NodeAPI } from 'node-red';
import { isZohoConfigNode } from '../runtime/config-node';
import { setupFlowNode } from '../runtime/flow-node';
import { attachOutbox, flushRequested } from '../runtime/outbox';
import { BOOKS_RECORD_PARAMS, BooksRecordDef, readInput } from './input';
import { booksReplay } from './outbox';
import { listEveryPage, runOperation } from './run';

export = function (RED: NodeAPI): void {
  function BooksRecord(this: Node, def: BooksRecordDef): void {
    RED.nodes.createNode(this, def);
    const found = def.config ? RED.nodes.getNode(def.config) : null;
    const defaultOrg = isZohoConfigNode(found) ? found.organizationId : undefined;
    const parts = setupFlowNode(RED, this, def, BOOKS_RECORD_PARAMS, async (ctx) => {
      if (await flushRequested(ctx, def)) return;
      const read = await readInput(ctx, def, defaultOrg);
      if (read.returnAll) await listEveryPage(RED, ctx, read);
      else await runOperation(ctx, def, read);
    });
    // Delivery of this node's messages waiting in the connection's outbox (if it queues).
    this.on('close', attachOutbox(RED, this, def, parts, booksReplay(RED)));
  }

  RED.nodes.registerType('books-record', BooksRecord);
};
