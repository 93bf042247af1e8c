/** crm-record's reads: get one record, list or search one page, or walk every page. */
import type { Node, NodeAPI } from 'node-red';
import * as crm from '../../zoho/crm/index';
import { invalidInput } from '../../zoho/core/errors';
import { checkPositiveInt } from '../../zoho/core/validate';
import type { InputContext } from '../runtime/flow-node';
import { recordsText, sendPages } from '../runtime/pages';
import { int, text } from '../runtime/props';
import { CrmRecordDef, CrmRecordInput, searchQuery } from './input';

export async function getRecord(ctx: InputContext, input: CrmRecordInput): Promise<void> {
  const { msg } = ctx;
  if (input.recordId === undefined) throw invalidInput(ctx.t('errors.noRecordId'), 'recordId');
  msg.payload = await crm.getRecord(ctx.conn, input.module, input.recordId as string, {
    fields: input.fields,
    signal: ctx.signal,
  });
  ctx.send(msg);
  ctx.status.done(ctx.t(msg.payload ? 'status.found' : 'status.notFound'));
}

/** list and search: one page, or every page (returnAll) in one message or one per page. */
export async function readRecords(
  RED: NodeAPI,
  node: Node,
  ctx: InputContext,
  def: CrmRecordDef,
  input: CrmRecordInput,
): Promise<void> {
  const { msg, conn, signal } = ctx;
  const { module, fields, perPage, sortBy, sortOrder } = input;
  const page = int(await ctx.prop('page', { value: def.page })) as number | undefined;
  const pageToken = text(msg.pageToken);
  const search =
    input.operation === 'search'
      ? await searchQuery(RED, node, ctx, def.searchBy, { value: def.search, type: def.searchType })
      : undefined;
  if (input.returnAll) {
    const max = int(await ctx.prop('maxRecords', { value: def.maxRecords }));
    const maxRecords = max === undefined ? undefined : checkPositiveInt(max, 'maxRecords');
    const opts = { fields, perPage, sortBy, sortOrder, signal, maxRecords };
    const walk = search
      ? crm.searchAllRecords(conn, module, search, opts)
      : crm.listAllRecords(conn, module, { ...opts, pageToken });
    const pageSize = perPage ? Number(perPage) : crm.MAX_PER_PAGE;
    await sendPages(RED, ctx, walk, input.output, pageSize);
    return;
  }
  const result = search
    ? await crm.searchRecords(conn, module, search, { fields, perPage, page, signal })
    : await crm.listRecords(conn, module, {
        fields,
        perPage,
        page,
        pageToken,
        sortBy,
        sortOrder,
        signal,
      });
  msg.payload = result.records;
  msg.info = result.info;
  ctx.send(msg);
  ctx.status.done(recordsText(ctx.shared, result.records.length));
}
