/** What books-record reads from the editor and msg before it runs an operation. */
import * as books from '../../zoho/books/index';
import { checkPositiveInt } from '../../zoho/core/validate';
import type { FlowNodeDef, InputContext } from '../runtime/flow-node';
import type { OutputMode } from '../runtime/pages';
import { flag, int, selectProp, text } from '../runtime/props';
import { BooksFileDef, readFileInput } from './files';
import { BooksOperationInput, checkBooksOperation } from './operation';

/** Options the user sets in the node or msg, each with a `books-record.param.<name>` text. */
export const BOOKS_RECORD_PARAMS = [
  'recordType',
  'operation',
  'recordId',
  'parentRecordType',
  'parentRecordId',
  'parentId',
  'organizationId',
  'searchFields',
  'search',
  'page',
  'perPage',
  'sortColumn',
  'sortOrder',
  'payload',
  'record',
  'body',
  'actionBody',
  'rateLimit',
  'format',
  'print',
  'send',
  'ignoreAutoNumberGeneration',
  'canSendInEmail',
  'fileName',
  'data',
  'contentType',
  'file',
] as const;

export interface BooksRecordDef extends FlowNodeDef, BooksFileDef {
  recordType?: string;
  parentRecordType?: string;
  parentRecordId?: string;
  parentRecordIdType?: string;
  operation?: string;
  recordId?: string;
  recordIdType?: string;
  organizationId?: string;
  organizationIdType?: string;
  searchFields?: string;
  searchFieldsType?: string;
  page?: string | number;
  perPage?: string | number;
  sortColumn?: string;
  sortOrder?: string;
  returnAll?: boolean;
  output?: string;
  /** If Zoho cannot be reached: 'fail' (default) or 'queue' in the connection's outbox. */
  outbox?: string;
  /** Merge waiting updates of one record (on unless false). */
  outboxCoalesce?: boolean;
  /** Requests a minute per organization (Zoho Books: 100). */
  rateLimit?: string | number;
  /** Length of the rate window in ms; not in the editor (tests and benchmarks shorten it). */
  rateWindowMs?: string | number;
}

export interface BooksRecordInput {
  input: BooksOperationInput & { recordType: string; operation: string };
  /** list: walk every page. */
  returnAll: boolean;
  output: OutputMode;
}

/** The list options: search, page size, sort, and the page unless every page is wanted. */
async function readListOptions(
  ctx: InputContext,
  def: BooksRecordDef,
  input: BooksOperationInput,
): Promise<boolean> {
  const { msg } = ctx;
  input.search = await ctx.prop('searchFields', {
    value: def.searchFields,
    type: def.searchFieldsType || 'json',
  });
  input.perPage = int(await ctx.prop('perPage', { value: def.perPage }));
  input.sortColumn = text(await ctx.prop('sortColumn', { value: def.sortColumn }));
  input.sortOrder = text(await ctx.prop('sortOrder', { value: def.sortOrder }));
  const returnAll = msg.returnAll !== undefined ? flag(msg.returnAll) : def.returnAll === true;
  if (!returnAll) input.page = int(await ctx.prop('page', { value: def.page }));
  return returnAll;
}

export async function readInput(
  ctx: InputContext,
  def: BooksRecordDef,
  defaultOrganizationId: string | undefined,
): Promise<BooksRecordInput> {
  const { msg } = ctx;
  const recordType = text(await ctx.prop('recordType', selectProp('recordType', def.recordType)));
  const operation = checkBooksOperation(
    recordType,
    text(await ctx.prop('operation', selectProp('operation', def.operation))),
  );
  const input: BooksRecordInput['input'] = {
    recordType: recordType!,
    operation,
    recordId: await ctx.prop('recordId', { value: def.recordId, type: def.recordIdType }),
    parentType: text(await ctx.prop('parentRecordType', { value: def.parentRecordType })),
    parentId: await ctx.prop('parentRecordId', {
      value: def.parentRecordId,
      type: def.parentRecordIdType,
    }),
    organizationId: await ctx.prop('organizationId', {
      value: def.organizationId,
      type: def.organizationIdType,
    }),
    defaultOrganizationId,
    payload: msg.payload,
    actionBody: msg.actionBody,
    rateLimit: {
      limit: checkPositiveInt(def.rateLimit || books.BOOKS_RATE_LIMIT.limit, 'rateLimit', 10_000),
      windowMs: checkPositiveInt(
        def.rateWindowMs || books.BOOKS_RATE_LIMIT.windowMs,
        'rateWindowMs',
      ),
    },
    signal: ctx.signal,
    files: readFileInput(ctx, def),
  };
  const returnAll = operation === 'list' ? await readListOptions(ctx, def, input) : false;
  const output: OutputMode = (msg.output ?? def.output) === 'pages' ? 'pages' : 'array';
  return { input, returnAll, output };
}
