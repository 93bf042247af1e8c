/**
 * crm-record's record actions: convert a lead. Values come from the node's properties, a
 * message overriding each where it carries one (msg.deal, msg.assignTo, msg.overwrite, …).
 */
import type { NodeAPI } from 'node-red';
import * as crm from '../../zoho/crm/index';
import { invalidInput } from '../../zoho/core/errors';
import type { InputContext } from '../runtime/flow-node';
import { flag } from '../runtime/props';
import { CrmRecordDef, CrmRecordInput } from './input';

type Run = (
  RED: NodeAPI,
  ctx: InputContext,
  def: CrmRecordDef,
  input: CrmRecordInput,
) => Promise<void>;

/**
 * A checkbox the message may override (msg.<name>: true/false or "true"/"false"). Unticked and
 * not in msg, nothing is sent, so Zoho's own default applies.
 */
const checkbox = (
  ctx: InputContext,
  name: string,
  own: boolean | undefined,
): boolean | undefined =>
  ctx.msg[name] !== undefined ? flag(ctx.msg[name]) : own === true ? true : undefined;

const convertLead: Run = async (_RED, ctx, def, input) => {
  if (input.module !== crm.LEADS_MODULE)
    throw invalidInput(ctx.t('errors.convertLeadsOnly', { module: input.module }), 'module');
  if (input.recordId === undefined) throw invalidInput(ctx.t('errors.noRecordId'), 'recordId');
  const typed = (name: 'deal' | 'assignTo' | 'accountId' | 'contactId') =>
    ctx.prop(name, { value: def[name], type: def[`${name}Type`] });
  const result = await crm.convertLead(ctx.conn, input.recordId, {
    deal: await typed('deal'),
    assignTo: await typed('assignTo'),
    accountId: await typed('accountId'),
    contactId: await typed('contactId'),
    overwrite: checkbox(ctx, 'overwrite', def.overwrite),
    notifyLeadOwner: checkbox(ctx, 'notifyLeadOwner', def.notifyLeadOwner),
    notifyNewEntityOwner: checkbox(ctx, 'notifyNewEntityOwner', def.notifyNewEntityOwner),
    signal: ctx.signal,
  });
  ctx.msg.payload = result;
  ctx.send(ctx.msg);
  ctx.status.done(ctx.t('status.converted'));
};

/** The runs of this file by operation. */
export const ACTION_RUNS: Record<string, Run> = { convertLead };
