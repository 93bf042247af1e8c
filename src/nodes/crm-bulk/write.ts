/**
 * crm-bulk's writes: msg.payload's records (an array of objects) imported by Bulk Write jobs of
 * up to 25,000 records each, answered as crm-record's writes are: one result per record in
 * input order in msg.payload, and a catchable error naming the failed ones.
 */
import fs from 'node:fs';
import { invalidInput } from '../../zoho/core/errors';
import {
  type BulkCallback,
  type BulkWriteOperation,
  bulkWriteRecords,
} from '../../zoho/crm/bulk-write';
import { sendWriteResult } from '../crm-record/write';
import type { InputContext } from '../runtime/flow-node';
import { text } from '../runtime/props';
import type { BulkCallbacks } from './callback';
import { csvPathIn, csvRecords } from './csv-input';

export interface BulkWriteDef {
  /** Where a CSV file named by msg.payload is read from (the read's output directory too). */
  directory?: string;
  /** The base URL at which Zoho reaches this Node-RED (as crm-watch-in's webhook mode). */
  publicUrl?: string;
  publicUrlType?: string;
  findBy?: string;
  fieldMapping?: string;
  fieldMappingType?: string;
  ignoreEmpty?: boolean;
}

export async function runBulkWrite(
  ctx: InputContext,
  def: BulkWriteDef,
  module: string,
  operation: BulkWriteOperation,
  callbackFor?: (
    msg: InputContext['msg'],
  ) => Promise<ReturnType<BulkCallbacks['forMessage']> | undefined>,
): Promise<void> {
  const hook = await callbackFor?.(ctx.msg);
  try {
    await write(ctx, def, module, operation, hook?.callback, text(def.directory));
  } finally {
    hook?.dispose();
  }
}

async function write(
  ctx: InputContext,
  def: BulkWriteDef,
  module: string,
  operation: BulkWriteOperation,
  callback: BulkCallback | undefined,
  directory?: string,
): Promise<void> {
  const { msg, status, t } = ctx;
  const payload = msg.payload;
  let records: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>;
  if (Array.isArray(payload)) records = payload as Record<string, unknown>[];
  else if (typeof payload === 'string' && payload !== '') {
    const file = csvPathIn(directory, payload);
    await fs.promises.access(file, fs.constants.R_OK).catch(() => {
      throw invalidInput(t('errors.noCsv', { file: payload }), 'records');
    });
    records = csvRecords(file);
  } else throw invalidInput(t('errors.noRecords'), 'records');
  const mapping = await ctx.prop('fieldMapping', {
    value: def.fieldMapping,
    type: def.fieldMappingType,
  });
  const result = await bulkWriteRecords(ctx.conn, {
    module,
    operation,
    records,
    findBy: text(await ctx.prop('findBy', { value: def.findBy })) || undefined,
    fieldMapping:
      mapping === undefined || mapping === '' ? undefined : (mapping as Record<string, string>),
    ignoreEmpty: def.ignoreEmpty === true,
    callback,
    signal: ctx.signal,
    onState: (s) =>
      status.requesting(t('status.writeJob', { state: s.state, chunk: s.chunk, count: s.records })),
  });
  msg.info = { jobs: result.jobs };
  // A bulk job cannot be stopped half-way: closing the node cancels through ctx.signal instead.
  sendWriteResult(ctx, result, new AbortController().signal, 'written');
}
