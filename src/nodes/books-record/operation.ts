/**
 * One Books operation by name, as the books-record node (or any caller holding a record type
 * and an operation as data) runs it: the operation is checked against the type's before
 * anything is sent, and the answer comes back as one payload.
 */
import { invalidInput } from '../../zoho/core/errors';
import {
  BOOKS_NAME_RE,
  BOOKS_OPERATIONS,
  BooksListOptions,
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
} from '../../zoho/books/records';

export interface BooksOperationInput extends BooksListOptions {
  recordType: unknown;
  operation: unknown;
  recordId?: unknown;
  /** The entity of create / update. */
  payload?: unknown;
  /** Optional JSON body of an action (email: to_mail_ids, cc_mail_ids, subject, body). */
  actionBody?: unknown;
}

export interface BooksOperationResult {
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
      `Unknown operation "${String(operation ?? '')}" for ${type || 'this record type'}: use ${ops.join(', ')}`,
      'operation',
    );
  }
  return operation;
}

function blank(v: unknown): boolean {
  return v === undefined || v === null || v === '';
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
  switch (operation as (typeof BOOKS_OPERATIONS)[number] | string) {
    case 'get': {
      const r = await getBooksRecord(conn, type, id, input);
      return { payload: r.record, message: r.message, organization: r.organization };
    }
    case 'list': {
      const r = await listBooksRecords(conn, type, input);
      return { payload: r.records, info: r.pageContext, organization: r.organization };
    }
    case 'create': {
      const r = await createBooksRecord(conn, type, input.payload, input);
      return { payload: r.record, message: r.message, organization: r.organization };
    }
    case 'update': {
      const r = await updateBooksRecord(conn, type, id, input.payload, input);
      return { payload: r.record, message: r.message, organization: r.organization };
    }
    case 'delete': {
      const r = await deleteBooksRecord(conn, type, id, input);
      return {
        payload: { [idField]: String(id), deleted: true, message: r.message },
        message: r.message,
        organization: r.organization,
      };
    }
    default: {
      const r = await booksAction(conn, type, id, operation, input.actionBody, input);
      return {
        payload: { [idField]: String(id), action: operation, message: r.message },
        message: r.message,
        organization: r.organization,
      };
    }
  }
}
