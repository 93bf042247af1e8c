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

/** Options the user sets in the node or msg, each with a `crm-coql.param.<name>` text. */
const PARAMS = ['query', 'params', 'maxRecords'] as const;

interface CrmCoqlDef extends FlowNodeDef {
  query?: string;
  returnAll?: boolean;
  maxRecords?: string | number;
}

export = function (RED: NodeAPI): void {
  function CrmCoql(this: Node, def: CrmCoqlDef): void {
    RED.nodes.createNode(this, def);
    setupFlowNode(RED, this, def, PARAMS, async (ctx) => {
      const { msg, status, t } = ctx;
      const query = text(msg.query) ?? text(def.query);
      if (!query) throw invalidInput(t('errors.noQuery'), 'query');
      const params = msg.params ?? {};
      if (!isPlainObject(params)) throw invalidInput(t('errors.paramsNotObject'), 'params');
      const returnAll = msg.returnAll !== undefined ? flag(msg.returnAll) : def.returnAll === true;
      const max = int(msg.maxRecords ?? def.maxRecords);
      const result = await runCoql(ctx.conn, query, {
        // Each value is checked as it is bound.
        params: params as CoqlParams,
        returnAll,
        maxRecords: max === undefined ? undefined : Number(max),
        // Pages are independent offsets: as many at once as the connection runs.
        concurrency: ctx.conn.maxConcurrency,
        signal: ctx.signal,
        onPage: (page, rows) => status.progress(page, rows, 'rows'),
      });
      msg.payload = result.rows;
      msg.info = result.info;
      ctx.send(msg);
      const rows = t('status.rows', { count: result.rows.length });
      status.done(result.info.truncated ? ctx.shared('status.truncated', { text: rows }) : rows);
    });
  }

  RED.nodes.registerType('crm-coql', CrmCoql);
};
