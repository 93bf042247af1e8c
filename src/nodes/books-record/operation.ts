/**
 * One Books operation by name, as books-record runs it from a message: the operation is checked
 * against the record type's before anything is sent, the message's loose values become the
 * client's typed options, and the answer comes back as one payload.
 */
import { invalidInput } from '../../zoho/core/errors';
import { textOf } from '../../zoho/core/validate';
import {
  BOOKS_NAME_RE,
  BooksListOptions,
  BooksRateLimit,
  BooksRecord,
  BooksRequester,
  OrganizationChoice,
  booksAction,
  booksOperations,
  booksTypeInfo,
  isBooksEntity,
  createBooksRecord,
  deleteBooksRecord,
  getBooksRecord,
  listBooksRecords,
  updateBooksRecord,
} from '../../zoho/books/index';
import { BooksFileInfo, BooksFileInput, runFileOperation } from './files';

/** The values of one message, as the editor and msg give them. */
export interface BooksOperationInput {
  recordType: unknown;
  operation: unknown;
  recordId?: unknown;
  parentType?: unknown;
  parentId?: unknown;
  organizationId?: unknown;
  defaultOrganizationId?: string;
  /** The entity of create / update. */
  payload?: unknown;
  /** Optional JSON body of an action (email: to_mail_ids, cc_mail_ids, subject, body). */
  actionBody?: unknown;
  search?: unknown;
  page?: unknown;
  perPage?: unknown;
  sortColumn?: unknown;
  sortOrder?: unknown;
  rateLimit?: BooksRateLimit | false;
  signal?: AbortSignal;
  /** Query options and files: format, print, send, ignoreAutoNumberGeneration, file name. */
  files?: BooksFileInput;
}

export interface BooksOperationResult {
  /** A file (PDF, attachment): payload is its Buffer. */
  file?: BooksFileInfo;
  /** The entity (get, create, update), the records (list), or { id, …, message } otherwise. */
  payload: unknown;
  message?: string;
  /** list: Zoho's page_context. */
  info?: Record<string, unknown>;
  organization: OrganizationChoice;
}

/** Checks the operation name against the record type; returns it. */
export function checkBooksOperation(recordType: unknown, operation: unknown): string {
  if (typeof recordType !== 'string' || !BOOKS_NAME_RE.test(recordType)) {
    throw invalidInput(
      `${blank(recordType) ? 'No record type given' : `"${String(recordType)}" is not a Zoho Books record type`}: use a name like "invoices" or "contacts" (lowercase letters, digits, _)`,
      'recordType',
    );
  }
  const type = recordType;
  const ops = booksOperations(type);
  if (typeof operation !== 'string' || !BOOKS_NAME_RE.test(operation) || !ops.includes(operation)) {
    throw invalidInput(
      `Unknown operation "${textOf(operation)}" for ${type || 'this record type'}: use ${ops.join(', ')}`,
      'operation',
    );
  }
  return operation;
}

function blank(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/**
 * The client's options from a message's values. They are handed over as they are: the client
 * checks every one of them at run time (ids as numbers or strings, filters, page sizes) and
 * refuses a wrong one before anything is sent, with the option at fault in `param`.
 */
export function booksListOptions(input: BooksOperationInput): BooksListOptions {
  return {
    organizationId: input.organizationId as string | undefined,
    defaultOrganizationId: input.defaultOrganizationId,
    parentType: input.parentType as string | undefined,
    parentId: input.parentId as string | undefined,
    search: input.search as BooksListOptions['search'],
    page: input.page as number | undefined,
    perPage: input.perPage as number | undefined,
    sortColumn: input.sortColumn as string | undefined,
    sortOrder: input.sortOrder as BooksListOptions['sortOrder'],
    rateLimit: input.rateLimit,
    signal: input.signal,
  };
}

/** Runs get, list (one page), create, update, delete or an action. */
export async function runBooksOperation(
  conn: BooksRequester,
  input: BooksOperationInput,
): Promise<BooksOperationResult> {
  const operation = checkBooksOperation(input.recordType, input.operation);
  const type = input.recordType as string;
  const idField = booksTypeInfo(type)?.idField ?? 'id';
  let id = input.recordId;
  // An update may carry its id in the entity (as Zoho returns it).
  if (blank(id) && operation === 'update' && isBooksEntity(input.payload))
    id = input.payload[idField];
  if (blank(id) && operation !== 'list' && operation !== 'create') {
    throw invalidInput(`No record id given for ${operation}`, 'recordId');
  }
  const options = booksListOptions(input);
  const recordId = id as string;
  const entity = input.payload as BooksRecord;
  const files = input.files ?? {};
  const file = runFileOperation(conn, type, operation, recordId, input.payload, files, options);
  if (file) return file;
  const numbering = { ignoreAutoNumberGeneration: files.ignoreAutoNumberGeneration as boolean };
  switch (operation) {
    case 'get': {
      const r = await getBooksRecord(conn, type, recordId, options);
      return { payload: r.record, message: r.message, organization: r.organization };
    }
    case 'list': {
      const r = await listBooksRecords(conn, type, options);
      return { payload: r.records, info: r.pageContext, organization: r.organization };
    }
    case 'create': {
      const send = files.send as boolean | undefined;
      const r = await createBooksRecord(conn, type, entity, { ...options, ...numbering, send });
      return { payload: r.record, message: r.message, organization: r.organization };
    }
    case 'update': {
      const r = await updateBooksRecord(conn, type, recordId, entity, { ...options, ...numbering });
      return { payload: r.record, message: r.message, organization: r.organization };
    }
    case 'delete': {
      const r = await deleteBooksRecord(conn, type, recordId, options);
      return {
        payload: { [idField]: String(id), deleted: true, message: r.message },
        message: r.message,
        organization: r.organization,
      };
    }
    default: {
      const body = input.actionBody as BooksRecord | undefined;
      const r = await booksAction(conn, type, recordId, operation, body, options);
      return {
        payload: { [idField]: String(id), action: operation, message: r.message },
        message: r.message,
        organization: r.organization,
      };
    }
  }
}
