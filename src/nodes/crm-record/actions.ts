/**
 * crm-record's record actions: convert a lead, count records, mass update, send mail (mail.ts). Values come from the node's properties, a
 * message overriding each where it carries one (msg.deal, msg.assignTo, msg.overwrite, …).
 */
import type { Node, NodeAPI } from 'node-red';
import * as crm from '../../zoho/crm/index';
import { invalidInput } from '../../zoho/core/errors';
import { checkRecordIds } from '../../zoho/core/validate';
import type { InputContext } from '../runtime/flow-node';
import { flag } from '../runtime/props';
import { CrmRecordDef, CrmRecordInput, idsOf, searchQuery } from './input';
import { sendMail } from './mail';

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

/**
 * The same values into up to 500 records: the ids from the node's Record id, else msg.payload
 * (ids or records, as delete takes them); the values from the Values property (msg.values).
 * Zoho's job is polled until it ends; msg.payload gets its counts.
 */
const massUpdate: Run = async (_RED, _node, ctx, def, input) => {
  const values = await ctx.prop('values', { value: def.values, type: def.valuesType });
  if (values === undefined) throw invalidInput(ctx.t('errors.noValues'), 'values');
  const fromNode = input.recordId !== undefined;
  const ids = fromNode ? input.recordId : idsOf(ctx.msg.payload);
  if (ids === undefined || ids === null || ids === '')
    throw invalidInput(ctx.t('errors.noIds'), fromNode ? 'recordId' : 'ids');
  const result = await crm.massUpdate(ctx.conn, input.module, {
    fields: values,
    ids: checkRecordIds(ids, fromNode ? 'recordId' : 'ids'),
    overWrite: checkbox(ctx, 'overWrite', def.overWrite),
    signal: ctx.signal,
    onStatus: (status) => ctx.status.requesting(ctx.t('status.massUpdateJob', { status })),
  });
  ctx.msg.payload = result;
  ctx.send(ctx.msg);
  ctx.status.done(ctx.t('status.massUpdated', { count: result.updated, total: result.total }));
};

/** The runs of this file by operation. */
export const ACTION_RUNS: Record<string, Run> = { convertLead, count, massUpdate, sendMail };
