/**
 * books-record's query options and files: send and ignore_auto_number_generation on writes, a
 * document as PDF on get (format "pdf", print), and the attachment (receipt) operations. The
 * client checks every value; msg values ("true" / "false" strings too) override the node's.
 */
import {
  BooksRequester,
  addBooksAttachment,
  checkBooksFormat,
  deleteBooksAttachment,
  getBooksAttachment,
  getBooksRecordPdf,
} from '../../zoho/books/index';
import type { InputContext } from '../runtime/flow-node';
import { text } from '../runtime/props';
import type { BooksListOptions } from '../../zoho/books/index';

/** The node's settings for these options. */
export interface BooksFileDef {
  /** get: "json" (default) or "pdf". */
  format?: string;
  print?: boolean;
  send?: boolean;
  ignoreAutoNumber?: boolean;
}

/** What a message sets for these options (unchecked: the client checks them). */
export interface BooksFileInput {
  format?: unknown;
  print?: unknown;
  send?: unknown;
  ignoreAutoNumberGeneration?: unknown;
  canSendInEmail?: unknown;
  fileName?: unknown;
  contentType?: unknown;
}

/** msg's "true" / "false" as booleans; anything else as given, for the client to refuse. */
function msgFlag(value: unknown, fallback: boolean | undefined): unknown {
  if (value === undefined || value === null || value === '') return fallback;
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

export function readFileInput(ctx: InputContext, def: BooksFileDef): BooksFileInput {
  const msg = ctx.msg as Record<string, unknown>;
  return {
    format: text(msg.format) ?? def.format,
    print: msgFlag(msg.print, def.print === true ? true : undefined),
    send: msgFlag(msg.send, def.send === true ? true : undefined),
    ignoreAutoNumberGeneration: msgFlag(
      msg.ignoreAutoNumberGeneration,
      def.ignoreAutoNumber === true ? true : undefined,
    ),
    canSendInEmail: msgFlag(msg.canSendInEmail, undefined),
    fileName: msg.filename,
    contentType: msg.contentType,
  };
}

/** A file that came back: its bytes go on msg.payload, these on msg.filename / contentType. */
export interface BooksFileInfo {
  fileName: string;
  contentType: string;
  size: number;
}

export interface BooksFileRun {
  payload: unknown;
  message?: string;
  file?: BooksFileInfo;
  organization: Awaited<ReturnType<typeof getBooksAttachment>>['organization'];
}

/** get as PDF, or an attachment operation; undefined for any other operation. */
export function runFileOperation(
  conn: BooksRequester,
  type: string,
  operation: string,
  recordId: string,
  payload: unknown,
  input: BooksFileInput,
  options: BooksListOptions,
): Promise<BooksFileRun> | undefined {
  const fileOf = async (p: ReturnType<typeof getBooksAttachment>): Promise<BooksFileRun> => {
    const { data, fileName, contentType, size, organization } = await p;
    return { payload: data, file: { fileName, contentType, size }, organization };
  };
  switch (operation) {
    case 'get': {
      if (checkBooksFormat(input.format) === 'json') return undefined;
      return fileOf(
        getBooksRecordPdf(conn, type, recordId, { ...options, print: input.print as boolean }),
      );
    }
    case 'get_attachment':
      return fileOf(getBooksAttachment(conn, type, recordId, options));
    case 'add_attachment': {
      const file = {
        data: payload as Buffer,
        fileName: input.fileName as string,
        contentType: input.contentType as string | undefined,
      };
      const canSendInEmail = input.canSendInEmail as boolean | undefined;
      return addBooksAttachment(conn, type, recordId, file, { ...options, canSendInEmail }).then(
        (r) => ({
          payload: { message: r.message },
          message: r.message,
          organization: r.organization,
        }),
      );
    }
    case 'delete_attachment':
      return deleteBooksAttachment(conn, type, recordId, options).then((r) => ({
        payload: { message: r.message },
        message: r.message,
        organization: r.organization,
      }));
    default:
      return undefined;
  }
}
