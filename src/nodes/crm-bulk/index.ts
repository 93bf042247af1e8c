/**
 * crm-bulk: a Zoho CRM Bulk Read export. A job per 200,000 records is created, polled and its
 * zipped CSV streamed: out as one message per chunk of records (msg.parts, like crm-record's
 * pages) or written to a CSV file under the node's directory (msg.payload its path). The
 * directory is the node's alone: a message never chooses where files are written.
 */
import type { Node, NodeAPI } from 'node-red';
import { invalidInput } from '../../zoho/core/errors';
import { checkNotifyUrl } from '../../zoho/crm/notifications';
import { checkModule } from '../../zoho/crm/validate';
import { bulkReadRecords, type BulkJobState } from '../../zoho/crm/bulk';
import type { BulkWriteOperation } from '../../zoho/crm/bulk-write';
import type { Criteria } from '../../zoho/crm/criteria';
import { type FlowNodeDef, type InputContext, setupFlowNode } from '../runtime/flow-node';
import { recordsText, sendPages } from '../runtime/pages';
import { evaluate, int, text } from '../runtime/props';
import { BulkCallbacks } from './callback';
import { writeCsvFile } from './file';
import { type BulkWriteDef, runBulkWrite } from './write';

/** Options the user sets in the node or msg, each with a `crm-bulk.param.<name>` text. */
const PARAMS = [
  'module',
  'fields',
  'criteria',
  'chunkSize',
  'directory',
  'operation',
  'records',
  'findBy',
  'fieldMapping',
  'publicUrl',
] as const;

type CallbackFor = NonNullable<Parameters<typeof runBulkWrite>[4]>;

interface CrmBulkDef extends FlowNodeDef, BulkWriteDef {
  /** read (the default, flows saved before writes existed), insert, update or upsert. */
  operation?: string;
  module?: string;
  moduleType?: string;
  fields?: string;
  fieldsType?: string;
  criteria?: string;
  criteriaType?: string;
  chunkSize?: string | number;
  output?: string;
  directory?: string;
}

async function run(
  RED: NodeAPI,
  ctx: InputContext,
  def: CrmBulkDef,
  callbackFor?: CallbackFor,
): Promise<void> {
  const { msg, status, t } = ctx;
  const given = await ctx.prop('module', { value: def.module, type: def.moduleType });
  // Checked as given: text() would make msg.module true the module "true", sent to Zoho.
  const module = checkModule(typeof given === 'string' ? given.trim() : given);
  const operation = def.operation || 'read';
  if (operation !== 'read') {
    await runBulkWrite(ctx, def, module, operation as BulkWriteOperation, callbackFor);
    return;
  }
  const fields = (await ctx.prop('fields', { value: def.fields, type: def.fieldsType })) as
    string | string[] | undefined;
  const criteria = await ctx.prop('criteria', { value: def.criteria, type: def.criteriaType });
  const chunkSize = int(await ctx.prop('chunkSize', { value: def.chunkSize }));
  const toFile = def.output === 'file';
  const directory = text(def.directory);
  if (toFile && !directory) throw invalidInput(t('errors.noDirectory'), 'directory');
  const walk = bulkReadRecords(ctx.conn, {
    module,
    fields,
    criteria: criteria === undefined || criteria === '' ? undefined : (criteria as Criteria),
    chunkSize: chunkSize === undefined ? undefined : Number(chunkSize),
    signal: ctx.signal,
    onState: (s: BulkJobState) =>
      status.requesting(t('status.job', { state: s.state, page: s.page, count: s.records })),
  });
  if (!toFile) {
    await sendPages(RED, ctx, walk, 'pages', Number(chunkSize ?? 1000));
    return;
  }
  const written = await writeCsvFile(directory!, module, walk, ctx.signal, (page, count) =>
    status.progress(page, count),
  );
  msg.payload = written.path;
  msg.info = { count: written.count, truncated: written.truncated };
  ctx.send(msg);
  status.done(t('status.file', { records: recordsText(ctx.shared, written.count) }));
}

/** Writes with a public URL are completed by Zoho's callback (polling stays the fallback). */
function callbackHook(RED: NodeAPI, node: Node, def: CrmBulkDef): CallbackFor | undefined {
  if (!def.operation || def.operation === 'read' || !def.publicUrl) return undefined;
  const callbacks = new BulkCallbacks(RED, node.id);
  node.on('close', () => callbacks.close());
  return async (msg) => {
    const typed = { value: def.publicUrl, type: def.publicUrlType || 'str' };
    const base = await evaluate(RED, node, typed, msg, 'publicUrl');
    if (base === undefined || base === '') return undefined;
    return callbacks.forMessage(checkNotifyUrl(base));
  };
}

export = function (RED: NodeAPI): void {
  function CrmBulk(this: Node, def: CrmBulkDef): void {
    RED.nodes.createNode(this, def);
    const callbackFor = callbackHook(RED, this, def);
    setupFlowNode(RED, this, def, PARAMS, (ctx) => run(RED, ctx, def, callbackFor));
  }

  RED.nodes.registerType('crm-bulk', CrmBulk);
};
