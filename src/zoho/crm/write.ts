/**
 * Zoho CRM records (API v8), writing: create, update, upsert, delete, any number of records in
 * calls of at most 100, with one result per input record in input order. Every bad input is
 * refused before a request leaves.
 */
import { ZohoError, invalidInput } from '../core/errors';
import type { HttpMethod } from '../core/http';
import { BATCH_SIZE, runBatches } from '../core/batch';
import { checkPositiveInt, checkRecordId, checkRecordIds, textOf } from '../core/validate';
import {
  CrmRecordInput,
  FieldMeta,
  checkFieldNames,
  checkLookupFields,
  checkModule,
  checkRecords,
} from './validate';
import { Requester, asRecord, dataOf, path } from './common';

export type Trigger = 'workflow' | 'approval' | 'blueprint' | 'pathfinder' | 'orchestration';
export const TRIGGERS: readonly Trigger[] = [
  'workflow',
  'approval',
  'blueprint',
  'pathfinder',
  'orchestration',
];

/** Zoho's answer for one input record, in input order. */
export interface RecordResult {
  /** Position of the record (or id) in the input. */
  index: number;
  status: 'success' | 'error';
  /** Zoho's code (SUCCESS, INVALID_DATA, DUPLICATE_DATA, …) or a local one (NOT_SENT, …). */
  code: string;
  message: string;
  details: unknown;
  id?: string;
  /** Upsert: `insert` or `update`. */
  action?: string;
}

/** One record or a list of them, each an object of field API names to values. */
export type CrmRecords = CrmRecordInput | readonly CrmRecordInput[];

export interface WriteResult {
  results: RecordResult[];
  failed: RecordResult[];
  succeeded: number;
}

export interface WriteOptions {
  /**
   * Automations to run. Absent (the default): no `trigger` is sent and Zoho runs every workflow
   * rule, approval and blueprint the record meets; `[]`: none; a list: only those.
   */
  trigger?: Trigger[];
  /** Records per call; at most (and by default) 100. */
  batchSize?: number;
  /** Calls in flight at once; default 1, strictly in order. */
  concurrency?: number;
  /** After a failed call, send the remaining batches anyway (default: mark them NOT_SENT). */
  continueAfterError?: boolean;
  /** Field metadata (settings/fields) to check lookup fields against before sending. */
  fieldMeta?: readonly FieldMeta[];
  signal?: AbortSignal;
  /** Once aborted, no new call starts (those records get NOT_SENT); the calls in flight finish. */
  stop?: AbortSignal;
  onProgress?: (done: number, count: number) => void;
}

export interface UpsertOptions extends WriteOptions {
  /** Fields Zoho matches existing records on, e.g. ["Email"]; default: the module's unique fields. */
  duplicateCheckFields?: string[] | string;
}

/** The text that asks for no automation at all (Zoho's `trigger: []`). */
export const NO_TRIGGER = 'none';

/**
 * Zoho's `trigger` list from an array or a comma-separated string; unknown names refused.
 * Absent, null or an empty string: undefined, so nothing is sent and Zoho runs its automations
 * as it does for any write (Zoho, "Kaizen #33 - Triggering Workflow Rules, Approvals, and
 * Blueprints via Zoho CRM API"). `[]` or "none": none run.
 */
export function checkTriggers(value: unknown): Trigger[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  const list =
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : value;
  if (!Array.isArray(list))
    throw invalidInput(
      `trigger must be an array of ${TRIGGERS.join(', ')} (or "${NO_TRIGGER}")`,
      'trigger',
    );
  if (list.length === 1 && list[0] === NO_TRIGGER) return [];
  for (const t of list) {
    if (!TRIGGERS.includes(t as Trigger)) {
      throw invalidInput(
        `Unknown trigger "${String(t)}": use ${TRIGGERS.join(', ')}, or "${NO_TRIGGER}" alone`,
        'trigger',
      );
    }
  }
  return [...new Set(list as Trigger[])];
}

/**
 * Zoho refuses a lookup given as a plain value with INVALID_DATA expecting a JSON object; say
 * what to send instead. Knowing it from Zoho's answer costs no metadata call.
 */
function lookupHint(e: Record<string, unknown>, item: unknown): string | undefined {
  const details = asRecord(e.details);
  const field = details?.api_name;
  if (e.code !== 'INVALID_DATA' || details?.expected_data_type !== 'jsonobject') return undefined;
  if (typeof field !== 'string') return undefined;
  const value = asRecord(item)?.[field];
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  return `Field "${field}" is a lookup: give { "id": "<record id>" }, not the plain value ${JSON.stringify(value)}`;
}

function toResult(entry: unknown, index: number, item?: unknown): RecordResult {
  const e = asRecord(entry) ?? {};
  const code = typeof e.code === 'string' ? e.code : 'UNKNOWN';
  const status =
    e.status === 'success' || (e.status === undefined && code === 'SUCCESS') ? 'success' : 'error';
  const details = e.details;
  const result: RecordResult = {
    index,
    status,
    code,
    message: lookupHint(e, item) ?? (typeof e.message === 'string' ? e.message : ''),
    details,
  };
  const id = asRecord(details)?.id;
  if (typeof id === 'string' || typeof id === 'number') result.id = String(id);
  if (typeof e.action === 'string') result.action = e.action;
  return result;
}

function errorResult(error: unknown, index: number): RecordResult {
  const z =
    error instanceof ZohoError
      ? error
      : new ZohoError({
          code: 'UNKNOWN_ERROR',
          message: String((error as Error)?.message ?? error),
        });
  return { index, status: 'error', code: z.code, message: z.message, details: z.details ?? null };
}

/** Code given to records of a refused batch whose own reason Zoho's answer did not keep. */
export const BATCH_REFUSED = 'BATCH_REFUSED';

/**
 * Per-record answers of a call that failed. Zoho answers a call in which every record failed
 * with HTTP 400 and one entry per record; those are per-record results, not a failure of the
 * call. When the error keeps the whole body (`details.data`), each record gets its own entry;
 * when it keeps only the first entry (its `json_path` is `$.data[k]…`), record k gets it and the
 * others are marked BATCH_REFUSED. Anything else (auth, module, network) fails the call.
 */
function perRecordFromError(error: unknown, count: number): unknown[] | undefined {
  if (!(error instanceof ZohoError) || error.status !== 400) return undefined;
  const details = asRecord(error.details);
  const data = details?.data;
  if (Array.isArray(data) && data.length === count) return data as unknown[];
  const at =
    typeof details?.json_path === 'string' ? /^\$\.data\[(\d+)\]/.exec(details.json_path) : null;
  if (!at || Number(at[1]) >= count) return undefined;
  const k = Number(at[1]);
  return Array.from({ length: count }, (_, i) =>
    i === k
      ? { code: error.code, message: error.message, details: error.details, status: 'error' }
      : {
          code: BATCH_REFUSED,
          message: `Zoho refused every record of this batch; its reason for this record was not reported (record ${k}: ${error.code})`,
          details: null,
          status: 'error',
        },
  );
}

export interface WriteCall<T> {
  items: T[];
  /** Sends one chunk; returns Zoho's per-item entries, positional. */
  send: (items: T[]) => Promise<unknown[]>;
  options: WriteOptions;
}

/** Runs a write of any items in calls of 100 (core/batch.ts), one RecordResult per item. */
export async function runWrite<T>({ items, send, options }: WriteCall<T>): Promise<WriteResult> {
  const size =
    options.batchSize === undefined
      ? BATCH_SIZE
      : checkPositiveInt(options.batchSize, 'batchSize', BATCH_SIZE);
  let answered = false;
  let firstError: unknown;
  const results = await runBatches<T, RecordResult>(
    items,
    async (chunkItems, info) => {
      let entries: unknown[];
      try {
        entries = await send(chunkItems);
      } catch (error) {
        const recovered = perRecordFromError(error, chunkItems.length);
        if (!recovered) throw error;
        entries = recovered;
      }
      if (entries.length !== chunkItems.length) {
        throw new ZohoError({
          code: 'BATCH_RESULT_MISMATCH',
          message: `Zoho answered ${entries.length} results for ${chunkItems.length} records`,
        });
      }
      answered = true;
      return entries.map((entry, i) => toResult(entry, info.offset + i, chunkItems[i]));
    },
    {
      size,
      concurrency: options.concurrency,
      signal: options.signal,
      stop: options.stop,
      continueAfterError: options.continueAfterError,
      onProgress: options.onProgress,
      onChunkError: (error, chunkItems, info) => {
        firstError ??= error;
        return chunkItems.map((_, i) => errorResult(error, info.offset + i));
      },
    },
  );
  // Nothing reached Zoho's per-record stage: the call itself failed (auth, module, network).
  // A cancelled write keeps its per-record results instead: the caller must say what was sent.
  const cancelled = options.signal?.aborted === true || options.stop?.aborted === true;
  if (!answered && firstError !== undefined && !cancelled)
    throw firstError instanceof Error ? firstError : new Error(textOf(firstError));
  const failed = results.filter((r) => r.status !== 'success');
  return { results, failed, succeeded: results.length - failed.length };
}

function prepareRecords(records: CrmRecords, options: WriteOptions): Record<string, unknown>[] {
  const list = checkRecords(records);
  if (options.fieldMeta) checkLookupFields(list, options.fieldMeta);
  return list;
}

/** Sends one chunk of records with the method given; returns Zoho's per-record entries. */
async function sendRecords(
  conn: Requester,
  method: HttpMethod,
  callPath: string,
  body: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<unknown[]> {
  const res = await conn.request({ product: 'crm', method, path: callPath, body, signal });
  return dataOf(res.data);
}

/** Sends prepared records in calls of 100 with Zoho's `trigger` list and any extra body keys. */
function writeRecords(
  conn: Requester,
  method: HttpMethod,
  callPath: string,
  records: Record<string, unknown>[],
  options: WriteOptions,
  extraBody: Record<string, unknown> = {},
): Promise<WriteResult> {
  const trigger = checkTriggers(options.trigger);
  // No `trigger` key at all unless asked: its absence is what lets Zoho run the automations.
  const triggerBody = trigger === undefined ? {} : { trigger };
  return runWrite({
    items: records,
    options,
    send: (data) =>
      sendRecords(conn, method, callPath, { data, ...triggerBody, ...extraBody }, options.signal),
  });
}

/** Inserts records (any number; 100 per call), results in input order. */
export async function createRecords(
  conn: Requester,
  module: string,
  records: CrmRecords,
  options: WriteOptions = {},
): Promise<WriteResult> {
  const mod = checkModule(module);
  return writeRecords(conn, 'POST', path(mod), prepareRecords(records, options), options);
}

/** Updates records; each needs its `id`. */
export async function updateRecords(
  conn: Requester,
  module: string,
  records: CrmRecords,
  options: WriteOptions = {},
): Promise<WriteResult> {
  const mod = checkModule(module);
  const withIds = prepareRecords(records, options).map((record, i) => {
    try {
      return { ...record, id: checkRecordId(record.id) };
    } catch (e) {
      throw invalidInput(
        `Record ${i} needs the id of the record to update: ${(e as Error).message}`,
        'records',
        { index: i },
      );
    }
  });
  return writeRecords(conn, 'PUT', path(mod), withIds, options);
}

/** Inserts or updates, matching existing records on duplicateCheckFields. */
export async function upsertRecords(
  conn: Requester,
  module: string,
  records: CrmRecords,
  options: UpsertOptions = {},
): Promise<WriteResult> {
  const mod = checkModule(module);
  const list = prepareRecords(records, options);
  const fields = options.duplicateCheckFields;
  const unset =
    fields === undefined || fields === '' || (Array.isArray(fields) && fields.length === 0);
  const extra = unset
    ? {}
    : {
        duplicate_check_fields: checkFieldNames(
          fields,
          'duplicateCheckFields',
          'duplicate check field',
        ),
      };
  return writeRecords(conn, 'POST', path(mod, 'upsert'), list, options, extra);
}

export interface DeleteOptions {
  /**
   * Zoho's `wf_trigger`: true or false is sent as given; absent (the default) sends nothing, so
   * Zoho runs the delete's workflow rules as it does for any delete (Kaizen #33).
   */
  workflowTrigger?: boolean;
  batchSize?: number;
  concurrency?: number;
  continueAfterError?: boolean;
  signal?: AbortSignal;
  /** Once aborted, no new call starts (those ids get NOT_SENT); the calls in flight finish. */
  stop?: AbortSignal;
  onProgress?: (done: number, count: number) => void;
}

/** Deletes records by id (100 per call), results in input order. */
export async function deleteRecords(
  conn: Requester,
  module: string,
  ids: string | readonly string[],
  options: DeleteOptions = {},
): Promise<WriteResult> {
  const mod = checkModule(module);
  const list = checkRecordIds(ids);
  return runWrite({
    items: list,
    options,
    send: async (chunkIds) => {
      const res = await conn.request({
        product: 'crm',
        method: 'DELETE',
        path: path(mod),
        query: {
          ids: chunkIds.join(','),
          ...(options.workflowTrigger === undefined
            ? {}
            : { wf_trigger: options.workflowTrigger ? 'true' : 'false' }),
        },
        signal: options.signal,
      });
      const entries = dataOf(res.data);
      // Match Zoho's answers to the ids asked for; positional when an answer names no id.
      const byId = new Map<string, unknown>();
      for (const entry of entries) {
        const id = asRecord(asRecord(entry)?.details)?.id;
        if (id !== undefined) byId.set(textOf(id), entry);
      }
      return chunkIds.map((id, i) => byId.get(id) ?? entries[i]);
    },
  });
}
