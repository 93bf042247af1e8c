/**
 * crm-record's send mail: a mail from the record in Record id. The message may set the
 * recipients and subject (msg.to, msg.cc, msg.bcc, msg.subject override the node's); the content
 * is the node's Content TypedInput, msg.payload by default. The sender, reply-to, template,
 * format and org-address option come from the node only: a message that came from an e-mail node
 * carries msg.from, which must not become the CRM sender.
 */
import type { Node, NodeAPI } from 'node-red';
import * as crm from '../../zoho/crm/index';
import { invalidInput } from '../../zoho/core/errors';
import type { InputContext } from '../runtime/flow-node';
import { evaluate } from '../runtime/props';
import type { CrmRecordDef, CrmRecordInput } from './input';

export async function sendMail(
  RED: NodeAPI,
  node: Node,
  ctx: InputContext,
  def: CrmRecordDef,
  input: CrmRecordInput,
): Promise<void> {
  if (input.recordId === undefined) throw invalidInput(ctx.t('errors.noRecordId'), 'recordId');
  const own = (name: string, value: string | undefined, type: string | undefined) =>
    evaluate(RED, node, { value, type }, ctx.msg, name);
  const fromMsg = (name: 'to' | 'cc' | 'bcc' | 'subject') =>
    ctx.prop(name, { value: def[name], type: def[`${name}Type`] });
  const content =
    def.contentType === undefined && def.content === undefined
      ? ctx.msg.payload
      : await own('content', def.content, def.contentType);
  const result = await crm.sendMail(ctx.conn, input.module, input.recordId, {
    from: await own('from', def.mailFrom, def.mailFromType),
    to: await fromMsg('to'),
    cc: await fromMsg('cc'),
    bcc: await fromMsg('bcc'),
    subject: await fromMsg('subject'),
    content,
    replyTo: await own('replyTo', def.replyTo, def.replyToType),
    templateId: await own('templateId', def.templateId, def.templateIdType),
    mailFormat: def.mailFormat || 'html',
    orgEmail: def.orgEmail === true ? true : undefined,
    signal: ctx.signal,
  });
  ctx.msg.payload = result;
  ctx.send(ctx.msg);
  ctx.status.done(ctx.t('status.mailed'));
}
