/**
 * crm-record: get, list, create, update, upsert, delete and search records of any Zoho CRM
 * module; list, link and unlink related records; list, add, update and delete notes; add,
 * remove and list tags; convert a lead; count records; mass update; send mail; list users,
 * modules, fields and layouts. Properties come from the editor or msg (msg.module,
 * msg.operation, msg.recordId, …); paging, batching (100 a call) and input checks live in
 * src/zoho/crm.
 */
import type { Node, NodeAPI } from 'node-red';
import { setupFlowNode } from '../runtime/flow-node';
import { CRM_RECORD_PARAMS, CrmRecordDef, readInput } from './input';
import { attachOutbox, flushRequested } from '../runtime/outbox';
import { crmRecordKeys, replayCrmRecord } from './outbox';
import { getRecord, readRecords } from './read';
import { ACTION_RUNS } from './actions';
import { METADATA_RUNS } from './metadata';
import { RELATED_RUNS } from './related';
import { writeRecords } from './write';

export = function (RED: NodeAPI): void {
  function CrmRecord(this: Node, def: CrmRecordDef): void {
    RED.nodes.createNode(this, def);
    const parts = setupFlowNode(RED, this, def, CRM_RECORD_PARAMS, async (ctx) => {
      if (await flushRequested(ctx, def)) return;
      const input = await readInput(ctx, def);
      const related = RELATED_RUNS[input.operation];
      const action = ACTION_RUNS[input.operation];
      const metadata = METADATA_RUNS[input.operation];
      if (related) await related(RED, ctx, def, input);
      else if (metadata) await metadata(ctx, def, input);
      else if (action) await action(RED, this, ctx, def, input);
      else if (input.operation === 'get') await getRecord(ctx, input);
      else if (input.operation === 'list' || input.operation === 'search')
        await readRecords(RED, this, ctx, def, input);
      else await writeRecords(ctx, def, input);
    });
    // Delivery of this node's messages waiting in the connection's outbox (if it queues).
    const detach = attachOutbox(RED, this, def, { ...parts, keys: crmRecordKeys }, replayCrmRecord);
    this.on('close', detach);
  }

  RED.nodes.registerType('crm-record', CrmRecord);
};
