/** books-record's runs: every page of a list, or one operation, and the status that says so. */
import type { NodeAPI } from 'node-red';
import * as books from '../../zoho/books/index';
import { QUOTA_LOW_SHARE } from '../../zoho/core/limits';
import type { InputContext } from '../runtime/flow-node';
import { recordsText, sendPages } from '../runtime/pages';
import { booksListOptions } from './operation';
import type { BooksRecordDef, BooksRecordInput } from './input';
import { resultMsg, runWithOutbox } from './outbox';

/**
 * Adds the organization every status of the node names, "· org X", with "(default of 2)" when
 * the node fell back to the account's default (the id when only the id is known), and
 * "· 40 of 1000 calls left today" when the organization's daily quota runs low.
 */
function withOrg(
  ctx: InputContext,
  text: string,
  org: books.OrganizationChoice | undefined,
): string {
  if (!org) return text;
  const quota = org.quota;
  const low = quota && quota.remaining < quota.limit * QUOTA_LOW_SHARE;
  const withQuota = low ? ctx.t('status.quotaLow', { text, ...quota }) : text;
  const name = org.name ?? org.organizationId;
  const count = org.count ?? 1;
  return org.source === 'discovered' && count > 1
    ? ctx.t('status.orgOfMany', { text: withQuota, name, count })
    : ctx.t('status.org', { text: withQuota, name });
}

/** What a done operation says: found, created, updated, deleted, or the action's label. */
function doneText(ctx: InputContext, operation: string, payload: unknown): string {
  if (Array.isArray(payload)) return recordsText(ctx.shared, payload.length);
  if (Buffer.isBuffer(payload)) return ctx.t('status.bytes', { count: payload.length });
  if (operation === 'get') return ctx.t('status.found');
  if (['create', 'update', 'delete'].includes(operation)) return ctx.t(`status.${operation}d`);
  return ctx.t(`action.${operation}`, { defaultValue: operation });
}

export async function listEveryPage(
  RED: NodeAPI,
  ctx: InputContext,
  { input, output }: BooksRecordInput,
): Promise<void> {
  let org: books.OrganizationChoice | undefined;
  const walk = books.listAllBooksRecords(ctx.conn, input.recordType, {
    ...booksListOptions(input),
    onOrganization: (o) => {
      org = o;
      ctx.msg.organizationId = o.organizationId;
    },
  });
  const size = input.perPage ? Number(input.perPage) : books.BOOKS_MAX_PER_PAGE;
  await sendPages(RED, ctx, walk, output, size, (text) => withOrg(ctx, text, org));
}

export async function runOperation(
  ctx: InputContext,
  def: BooksRecordDef,
  { input }: BooksRecordInput,
): Promise<void> {
  const result = await runWithOutbox(ctx, def, input);
  if (!result) return; // queued: no output until it is delivered
  ctx.send(resultMsg(ctx.msg, result));
  const what = doneText(ctx, input.operation, result.payload);
  ctx.status.done(withOrg(ctx, what, result.organization));
}
