/**
 * What crm-record reads from the editor and msg before it runs an operation: the node's
 * properties, the options every operation shares, ids to delete and the search query.
 */
import type { Node, NodeAPI } from 'node-red';
import type { SearchQuery } from '../../zoho/crm/index';
import { invalidInput } from '../../zoho/core/errors';
import { isPlainObject } from '../../zoho/core/validate';
import { checkModule } from '../../zoho/crm/validate';
import type { FlowNodeDef, InputContext } from '../runtime/flow-node';
import { OutputMode } from '../runtime/pages';
import { evaluate, flag, int, selectProp, text } from '../runtime/props';
import { CRM_RECORD_OPERATIONS, WITHOUT_MODULE } from './operations';

export type CrmRecordOperation = (typeof CRM_RECORD_OPERATIONS)[number];

/** Options the user sets in the node or msg, each with a `crm-record.param.<name>` text. */
export const CRM_RECORD_PARAMS = [
  'operation',
  'module',
  'recordId',
  'ids',
  'records',
  'payload',
  'fields',
  'perPage',
  'maxRecords',
  'page',
  'pageToken',
  'sortBy',
  'sortOrder',
  'search',
  'criteria',
  'word',
  'email',
  'phone',
  'trigger',
  'duplicateCheckFields',
  'relatedList',
  'tags',
  'overWrite',
  'noteTitle',
  'noteContent',
  'note',
  'notes',
  'parents',
  'deal',
  'assignTo',
  'accountId',
  'contactId',
  'overwrite',
  'notifyLeadOwner',
  'notifyNewEntityOwner',
  'userType',
  'role',
  'values',
  'from',
  'to',
  'cc',
  'bcc',
  'replyTo',
  'subject',
  'content',
  'mailFormat',
  'templateId',
  'orgEmail',
] as const;

export interface CrmRecordDef extends FlowNodeDef {
  operation?: string;
  module?: string;
  moduleType?: string;
  recordId?: string;
  recordIdType?: string;
  fields?: string;
  fieldsType?: string;
  perPage?: string | number;
  page?: string | number;
  sortBy?: string;
  sortOrder?: string;
  returnAll?: boolean;
  /** With returnAll: stop after this many records (empty: the library's reach). */
  maxRecords?: string | number;
  output?: string;
  searchBy?: string;
  search?: string;
  searchType?: string;
  trigger?: string | string[];
  duplicateCheckFields?: string;
  relatedList?: string;
  relatedListType?: string;
  tags?: string;
  tagsType?: string;
  overWrite?: boolean;
  noteTitle?: string;
  noteTitleType?: string;
  noteContent?: string;
  noteContentType?: string;
  deal?: string;
  dealType?: string;
  assignTo?: string;
  assignToType?: string;
  accountId?: string;
  accountIdType?: string;
  contactId?: string;
  contactIdType?: string;
  overwrite?: boolean;
  notifyLeadOwner?: boolean;
  notifyNewEntityOwner?: boolean;
  /** massUpdate: the field values every record gets (TypedInput, msg.values). */
  values?: string;
  valuesType?: string;
  /** sendMail: the sender (node only), recipients and subject (msg.to, … override), content. */
  mailFrom?: string;
  mailFromType?: string;
  to?: string;
  toType?: string;
  cc?: string;
  ccType?: string;
  bcc?: string;
  bccType?: string;
  subject?: string;
  subjectType?: string;
  /** Empty with no type: msg.payload. */
  content?: string;
  contentType?: string;
  replyTo?: string;
  replyToType?: string;
  templateId?: string;
  templateIdType?: string;
  mailFormat?: string;
  orgEmail?: boolean;
  /** listUsers: Zoho's user type (AllUsers, ActiveUsers, AdminUsers, …). */
  userType?: string;
  role?: string;
  roleType?: string;
  /** Metadata operations: ask Zoho instead of the connection's cached answer. */
  refresh?: boolean;
  /** If Zoho cannot be reached: 'fail' (default) or 'queue' in the connection's outbox. */
  outbox?: string;
  /** Outbox: merge waiting updates of one record (default on). */
  outboxCoalesce?: boolean;
}

/** The options every operation reads, resolved in one order whatever the operation. */
export interface CrmRecordInput {
  operation: CrmRecordOperation;
  module: string;
  recordId: unknown;
  fields?: string | string[];
  perPage?: number;
  returnAll: boolean;
  output: OutputMode;
  sortBy?: string;
  sortOrder?: 'asc' | 'desc';
}

function isOperation(value: string): value is CrmRecordOperation {
  return (CRM_RECORD_OPERATIONS as readonly string[]).includes(value);
}

export async function readInput(ctx: InputContext, def: CrmRecordDef): Promise<CrmRecordInput> {
  const { msg } = ctx;
  const operation = text(await ctx.prop('operation', selectProp('operation', def.operation))) ?? '';
  if (!isOperation(operation)) {
    const operations = CRM_RECORD_OPERATIONS.join(', ');
    throw invalidInput(ctx.t('errors.unknownOperation', { operation, operations }), 'operation');
  }
  const module = WITHOUT_MODULE.has(operation)
    ? ''
    : checkModule(await ctx.prop('module', { value: def.module, type: def.moduleType }));
  const recordId = await ctx.prop('recordId', { value: def.recordId, type: def.recordIdType });
  const fields = (await ctx.prop('fields', { value: def.fields, type: def.fieldsType })) as
    string | string[] | undefined;
  const perPage = int(await ctx.prop('perPage', { value: def.perPage })) as number | undefined;
  return {
    operation,
    module,
    recordId,
    fields,
    perPage,
    returnAll: msg.returnAll !== undefined ? flag(msg.returnAll) : def.returnAll === true,
    output: (msg.output ?? def.output) === 'pages' ? 'pages' : 'array',
    sortBy: text(await ctx.prop('sortBy', { value: def.sortBy })),
    sortOrder: text(await ctx.prop('sortOrder', { value: def.sortOrder })) as 'asc' | 'desc',
  };
}

export const SEARCH_KEYS = ['criteria', 'word', 'email', 'phone'] as const;

/** Ids to delete: an id, a comma list, an array of ids or of records with an id. */
export function idsOf(value: unknown): unknown {
  const one = (v: unknown) => (isPlainObject(v) ? v.id : v);
  return Array.isArray(value) ? value.map(one) : one(value);
}

/**
 * The search: msg.criteria / msg.word / msg.email / msg.phone when the message has one (more
 * than one is refused by the library), else the editor's "search by" and its TypedInput value.
 */
export async function searchQuery(
  RED: NodeAPI,
  node: Node,
  ctx: InputContext,
  by: string | undefined,
  typed: { value?: string; type?: string },
): Promise<SearchQuery> {
  const { msg } = ctx;
  const fromMsg = SEARCH_KEYS.filter((k) => msg[k] !== undefined && msg[k] !== '');
  if (fromMsg.length) return Object.fromEntries(fromMsg.map((k) => [k, msg[k]])) as SearchQuery;
  const key = SEARCH_KEYS.includes(by as (typeof SEARCH_KEYS)[number]) ? by! : 'criteria';
  return { [key]: await evaluate(RED, node, typed, msg, key) } as SearchQuery;
}
