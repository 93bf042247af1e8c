/**
 * books-record: get, list, create, update, delete and the entity actions (email, mark as sent,
 * void, …) of Zoho Books records. Properties come from the editor or msg (msg.recordType,
 * msg.operation, msg.recordId, msg.organizationId, …); org discovery, the per-organization rate
 * limit, paging and input checks live in src/zoho/books.
 */
import type { Node, NodeAPI } from 'node-red';
import * as books from '../../zoho/books/records';
import { BooksOperationInput, checkBooksOperation, runBooksOperation } from './operation';
import { checkPositiveInt } from '../../zoho/core/validate';
import { isZohoConfigNode } from '../runtime/config-node';
import { FlowNodeDef, setupFlowNode } from '../runtime/flow-node';
import { OutputMode, sendPages } from '../runtime/pages';
import { flag, int, text } from '../runtime/props';

interface BooksRecordDef extends FlowNodeDef {
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
  /** Requests a minute per organization (Zoho Books: 100). */
  rateLimit?: string | number;
  /** Length of the rate window in ms; not in the editor (tests and benchmarks shorten it). */
  rateWindowMs?: string | number;
}

/** " · org X (default of 2)" when the node fell back to the account's default organization. */
function orgNote(org: books.OrganizationChoice | undefined): string {
  if (!org || org.source !== 'discovered') return '';
  const many = (org.count ?? 1) > 1 ? ` (default of ${org.count})` : '';
  return ` · org ${org.name ?? org.organizationId}${many}`;
}

export = function (RED: NodeAPI): void {
  function BooksRecord(this: Node, def: BooksRecordDef): void {
    RED.nodes.createNode(this, def);
    const found = def.config ? RED.nodes.getNode(def.config) : null;
    const defaultOrg = isZohoConfigNode(found) ? found.organizationId : undefined;
    setupFlowNode(RED, this, def, async (ctx) => {
      const { msg, conn, signal, status } = ctx;
      const recordType = text(await ctx.prop('recordType', { value: def.recordType }));
      const operation = checkBooksOperation(
        recordType,
        text(await ctx.prop('operation', { value: def.operation })),
      );
      const input: BooksOperationInput = {
        recordType,
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
        defaultOrganizationId: defaultOrg,
        payload: msg.payload,
        actionBody: msg.actionBody,
        rateLimit: {
          limit: checkPositiveInt(
            def.rateLimit || books.BOOKS_RATE_LIMIT.limit,
            'rateLimit',
            10_000,
          ),
          windowMs: checkPositiveInt(
            def.rateWindowMs || books.BOOKS_RATE_LIMIT.windowMs,
            'rateWindowMs',
          ),
        },
        signal,
      };
      if (operation === 'list') {
        input.search = await ctx.prop('searchFields', {
          value: def.searchFields,
          type: def.searchFieldsType || 'json',
        });
        input.perPage = int(await ctx.prop('perPage', { value: def.perPage }));
        input.sortColumn = text(await ctx.prop('sortColumn', { value: def.sortColumn }));
        input.sortOrder = text(await ctx.prop('sortOrder', { value: def.sortOrder }));
        const returnAll =
          msg.returnAll !== undefined ? flag(msg.returnAll) : def.returnAll === true;
        if (returnAll) {
          const output: OutputMode = (msg.output ?? def.output) === 'pages' ? 'pages' : 'array';
          let org: books.OrganizationChoice | undefined;
          const walk = books.listAllBooksRecords(conn, recordType!, {
            ...input,
            onOrganization: (o) => {
              org = o;
              msg.organizationId = o.organizationId;
            },
          });
          let total = 0;
          let pages = 0;
          const counted = async function* () {
            for await (const page of walk) {
              ({ total, page: pages } = page);
              yield page;
            }
          };
          const size = input.perPage ? Number(input.perPage) : books.BOOKS_MAX_PER_PAGE;
          await sendPages(RED, ctx, counted(), output, size);
          const across = output === 'pages' ? ` in ${pages} messages` : '';
          status.done(`${total} records${across}${orgNote(org)}`);
          return;
        }
        input.page = int(await ctx.prop('page', { value: def.page }));
      }
      const result = await runBooksOperation(conn, input);
      msg.payload = result.payload;
      msg.organizationId = result.organization.organizationId;
      msg.info = result.info ?? { message: result.message };
      ctx.send(msg);
      const what = Array.isArray(result.payload)
        ? `${result.payload.length} records`
        : operation === 'get'
          ? 'found'
          : operation;
      status.done(`${what}${orgNote(result.organization)}`);
    });
  }

  RED.nodes.registerType('books-record', BooksRecord);
};
