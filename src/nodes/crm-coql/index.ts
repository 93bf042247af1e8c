/**
 * crm-coql: runs a COQL query. Named placeholders (:name) are bound from msg.params as COQL
 * literals by the library (never pasted as text); msg.query overrides the editor's query;
 * returnAll pages with LIMIT/OFFSET and reports a cut at Zoho's ceiling in msg.info.truncated.
 */
import type { Node, NodeAPI } from 'node-red';
import { CoqlParams, runCoql } from '../../zoho/crm/coql';
import { invalidInput } from '../../zoho/core/errors';
import { isPlainObject } from '../../zoho/core/validate';
import { FlowNodeDef, setupFlowNode } from '../runtime/flow-node';
import { flag, int, text } from '../runtime/props';

interface CrmCoqlDef extends FlowNodeDef {
  query?: string;
  returnAll?: boolean;
  maxRecords?: string | number;
}

export = function (RED: NodeAPI): void {
  function CrmCoql(this: Node, def: CrmCoqlDef): void {
    RED.nodes.createNode(this, def);
    setupFlowNode(RED, this, def, async (ctx) => {
      const { msg, status } = ctx;
      const query = text(msg.query) ?? text(def.query);
      if (!query) throw invalidInput('No COQL query: write one in the node or set msg.query');
      const params = msg.params ?? {};
      if (!isPlainObject(params))
        throw invalidInput('msg.params must be an object of placeholder names to values');
      const returnAll = msg.returnAll !== undefined ? flag(msg.returnAll) : def.returnAll === true;
      const max = int(msg.maxRecords ?? def.maxRecords);
      const result = await runCoql(ctx.conn, query, {
        // Each value is checked as it is bound.
        params: params as CoqlParams,
        returnAll,
        maxRecords: max === undefined ? undefined : Number(max),
        signal: ctx.signal,
        onPage: (page, rows) => status.progress(page, rows, 'rows'),
      });
      msg.payload = result.rows;
      msg.info = result.info;
      ctx.send(msg);
      const note = result.info.truncated ? ' (truncated)' : '';
      status.done(`${result.rows.length} rows${note}`);
    });
  }

  RED.nodes.registerType('crm-coql', CrmCoql);
};
