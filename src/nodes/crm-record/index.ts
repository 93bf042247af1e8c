/**
 * crm-record: get, list, create, update, upsert, delete and search records of any Zoho CRM
 * module. Properties come from the editor or msg (msg.module, msg.operation, msg.recordId, …);
 * paging, batching (100 a call) and input checks live in src/zoho/crm.
 */
import type { Node, NodeAPI } from 'node-red';
import * as crm from '../../zoho/crm/index';
import { invalidInput } from '../../zoho/core/errors';
import { checkModule, checkRecords, isPlainObject } from '../../zoho/core/validate';
import { idsOf, searchQuery } from './input';
import { FlowError, partialFailure } from '../runtime/errors';
import { FlowNodeDef, setupFlowNode } from '../runtime/flow-node';
import { OutputMode, sendPages } from '../runtime/pages';
import { flag, int, text } from '../runtime/props';

const OPERATIONS = ['get', 'list', 'create', 'update', 'upsert', 'delete', 'search'];

interface CrmRecordDef extends FlowNodeDef {
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
  output?: string;
  searchBy?: string;
  search?: string;
  searchType?: string;
  trigger?: string | string[];
  duplicateCheckFields?: string;
}

export = function (RED: NodeAPI): void {
  function CrmRecord(this: Node, def: CrmRecordDef): void {
    RED.nodes.createNode(this, def);

    setupFlowNode(RED, this, def, async (ctx) => {
      const { msg, conn, signal, status } = ctx;
      const operation = text(await ctx.prop('operation', { value: def.operation })) ?? '';
      if (!OPERATIONS.includes(operation))
        throw invalidInput(`Unknown operation "${operation}": use ${OPERATIONS.join(', ')}`);
      const module = checkModule(
        await ctx.prop('module', { value: def.module, type: def.moduleType }),
      );
      const recordId = await ctx.prop('recordId', { value: def.recordId, type: def.recordIdType });
      const fields = (await ctx.prop('fields', { value: def.fields, type: def.fieldsType })) as
        string | string[] | undefined;
      const perPage = int(await ctx.prop('perPage', { value: def.perPage })) as number | undefined;
      const returnAll = msg.returnAll !== undefined ? flag(msg.returnAll) : def.returnAll === true;
      const output: OutputMode = (msg.output ?? def.output) === 'pages' ? 'pages' : 'array';
      const sort = {
        sortBy: text(await ctx.prop('sortBy', { value: def.sortBy })),
        sortOrder: text(await ctx.prop('sortOrder', { value: def.sortOrder })) as 'asc' | 'desc',
      };

      if (operation === 'get') {
        if (recordId === undefined)
          throw invalidInput('No record id given: set it or msg.recordId');
        msg.payload = await crm.getRecord(conn, module, recordId as string, { fields, signal });
        ctx.send(msg);
        status.done(msg.payload ? 'found' : 'not found');
        return;
      }
      if (operation === 'list' || operation === 'search') {
        const page = int(await ctx.prop('page', { value: def.page })) as number | undefined;
        const pageToken = text(msg.pageToken);
        const search =
          operation === 'search'
            ? await searchQuery(RED, this, ctx, def.searchBy, {
                value: def.search,
                type: def.searchType,
              })
            : undefined;
        if (returnAll) {
          const opts = { fields, perPage, ...sort, signal };
          const walk = search
            ? crm.searchAllRecords(conn, module, search, opts)
            : crm.listAllRecords(conn, module, { ...opts, pageToken });
          await sendPages(RED, ctx, walk, output, perPage ? Number(perPage) : crm.MAX_PER_PAGE);
          return;
        }
        const result = search
          ? await crm.searchRecords(conn, module, search, { fields, perPage, page, signal })
          : await crm.listRecords(conn, module, {
              fields,
              perPage,
              page,
              pageToken,
              ...sort,
              signal,
            });
        msg.payload = result.records;
        msg.info = result.info;
        ctx.send(msg);
        status.done(`${result.records.length} records`);
        return;
      }

      // Writes: results per input record, in input order.
      let result: crm.WriteResult;
      const progress = (done: number, count: number) => status.requesting(`batch ${done}/${count}`);
      if (operation === 'delete') {
        const ids = recordId !== undefined ? recordId : idsOf(msg.payload);
        result = await crm.deleteRecords(conn, module, ids, { signal, onProgress: progress });
      } else {
        let records = msg.payload;
        if (operation === 'update' && recordId !== undefined && isPlainObject(records))
          records = { id: recordId, ...records };
        checkRecords(records);
        const trigger = crm.checkTriggers(await ctx.prop('trigger', { value: def.trigger }));
        // Lookups given as plain values are explained from Zoho's per-record answer (crm-write).
        const options = { trigger, signal, onProgress: progress };
        if (operation === 'create')
          result = await crm.createRecords(conn, module, records, options);
        else if (operation === 'update')
          result = await crm.updateRecords(conn, module, records, options);
        else {
          const duplicateCheckFields = (await ctx.prop('duplicateCheckFields', {
            value: def.duplicateCheckFields,
          })) as string | string[] | undefined;
          result = await crm.upsertRecords(conn, module, records, {
            ...options,
            duplicateCheckFields,
          });
        }
      }
      msg.payload = result.results;
      if (result.failed.length > 0) {
        const shape = partialFailure(result.failed, result.results.length);
        msg.error = shape;
        ctx.send(msg);
        throw new FlowError(shape);
      }
      ctx.send(msg);
      status.done(`${result.succeeded} ${operation === 'delete' ? 'deleted' : 'written'}`);
    });
  }

  RED.nodes.registerType('crm-record', CrmRecord);
};
