/**
 * crm-record's record actions: convert a lead, count records. Values come from the node's properties, a
 * message overriding each where it carries one (msg.deal, msg.assignTo, msg.overwrite, …).
 */
import type { Node, NodeAPI } from 'node-red';
import * as crm from '../../zoho/crm/index';
import { invalidInput } from '../../zoho/core/errors';
import type { InputContext } from '../runtime/flow-node';
import { flag } from '../runtime/props';
import { CrmRecordDef, CrmRecordInput, searchQuery } from './input';

type Run = (
  RED: NodeAPI,
  node: Node,
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

const convertLead: Run = async (_RED, _node, ctx, def, input) => {
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

/**
 * The module's record count, or the count of what a search selects: msg.criteria / word / email
 * / phone, else the node's Search by / Search for; both empty counts the whole module.
 */
const count: Run = async (RED, node, ctx, def, input) => {
  const query = await searchQuery(RED, node, ctx, def.searchBy, {
    value: def.search,
    type: def.searchType,
  });
  const given = Object.values(query).some((v) => v !== undefined && v !== '');
  const result = await crm.countRecords(ctx.conn, input.module, given ? query : undefined, {
    signal: ctx.signal,
  });
  ctx.msg.payload = result;
  ctx.send(ctx.msg);
  ctx.status.done(ctx.t('status.counted', { count: result }));
};

/** The runs of this file by operation. */
export const ACTION_RUNS: Record<string, Run> = { convertLead, count };
