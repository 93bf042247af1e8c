/**
 * crm-record's writes as data: what resolveWrite reads from the node and msg (checked, before
 * anything is sent) is all sendWrite needs, so the outbox can journal it and send it later.
 */
import * as crm from '../../zoho/crm/index';
import { checkRecordIds, isPlainObject } from '../../zoho/core/validate';
import { checkFieldNames, checkRecords } from '../../zoho/crm/validate';
import type { InputContext } from '../runtime/flow-node';
import { CrmRecordDef, CrmRecordInput, idsOf } from './input';

/** A write as resolved from the node and msg: options only, so the outbox can keep it. */
export interface WriteSpec {
  operation: 'create' | 'update' | 'upsert' | 'delete';
  module: string;
  records?: Record<string, unknown>[];
  ids?: string[];
  trigger?: crm.Trigger[];
  duplicateCheckFields?: string | string[];
  workflowTrigger?: boolean;
}

/** Reads and checks everything a write needs; bad input throws before anything is sent. */
export async function resolveWrite(
  ctx: InputContext,
  def: CrmRecordDef,
  input: CrmRecordInput,
): Promise<WriteSpec> {
  const { msg } = ctx;
  const { module, recordId } = input;
  const operation = input.operation as WriteSpec['operation'];
  // Run: absent means Zoho's own default (its automations run); see crm.checkTriggers.
  const trigger = crm.checkTriggers(await ctx.prop('trigger', { value: def.trigger }));
  if (operation === 'delete') {
    const ids = recordId !== undefined ? recordId : idsOf(msg.payload);
    // A delete has one switch, wf_trigger: on when Run names workflow, off when it does not.
    const workflowTrigger = trigger === undefined ? undefined : trigger.includes('workflow');
    return { operation, module, ids: checkRecordIds(ids), workflowTrigger };
  }
  let records = msg.payload;
  if (operation === 'update' && recordId !== undefined && isPlainObject(records))
    records = { id: recordId, ...records };
  const spec: WriteSpec = { operation, module, records: checkRecords(records), trigger };
  // A create in an outbox may be replayed as an upsert on these fields (outbox.ts).
  if (operation === 'upsert' || (operation === 'create' && def.outbox === 'queue')) {
    const fields = (await ctx.prop('duplicateCheckFields', {
      value: def.duplicateCheckFields,
    })) as string | string[] | undefined;
    if (fields !== undefined && fields !== '' && !(Array.isArray(fields) && !fields.length))
      spec.duplicateCheckFields = checkFieldNames(
        fields,
        'duplicateCheckFields',
        'duplicate check field',
      );
  }
  return spec;
}

/** Sends a resolved write, 100 records a call, `concurrency` calls at once. */
export function sendWrite(
  conn: InputContext['conn'],
  spec: WriteSpec,
  options: crm.WriteOptions,
): Promise<crm.WriteResult> {
  const { operation, module, trigger } = spec;
  if (operation === 'delete') {
    const { signal, stop, onProgress, concurrency, continueAfterError } = options;
    const workflowTrigger = spec.workflowTrigger;
    return crm.deleteRecords(conn, module, spec.ids ?? [], {
      signal,
      stop,
      onProgress,
      concurrency,
      continueAfterError,
      workflowTrigger,
    });
  }
  const list = spec.records ?? [];
  const opts = { ...options, trigger };
  if (operation === 'create') return crm.createRecords(conn, module, list, opts);
  if (operation === 'update') return crm.updateRecords(conn, module, list, opts);
  const duplicateCheckFields = spec.duplicateCheckFields;
  return crm.upsertRecords(conn, module, list, { ...opts, duplicateCheckFields });
}
