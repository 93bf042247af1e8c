/**
 * Bulk Write (docs/ZOHO-FACTS.md "Bulk Write"): records in files of at most 25,000 — each
 * chunk's CSV deflated into a ZIP as it is written, uploaded to the data centre's upload host,
 * imported by one asynchronous job, polled with back-off, and its result CSV read back as one
 * result per record in input order (the shape crm-record's writes give).
 */
import type { Readable } from 'node:stream';
import { type Clock, systemClock } from '../core/clock';
import { CsvReader } from '../core/csv';
import { ZohoError, invalidInput } from '../core/errors';
import { waitForJob } from '../core/job-wait';
import { segment } from '../core/http';
import { unzipStream } from '../core/unzip';
import { isPlainObject } from '../core/validate';
import { ZipWriter } from '../core/zip-write';
import { type BulkPoll, DEFAULT_POLL } from './bulk';
import { type Column, columnsOf, headerLine, resultOfRow, rowLine } from './bulk-write-csv';
import type { Requester } from './common';
import { asRecord } from './common';
import { type CrmRecordInput, FIELD_NAME_RE, checkModule } from './validate';
import type { RecordResult, WriteResult } from './write';

const BASE = '/bulk/v8/write';
/** Zoho's records per uploaded file (upload-file.html: "a maximum of 25,000 records"). */
export const MAX_BULK_WRITE_RECORDS = 25_000;
export const BULK_WRITE_OPERATIONS = ['insert', 'update', 'upsert'] as const;
export type BulkWriteOperation = (typeof BULK_WRITE_OPERATIONS)[number];

export interface BulkWriteOptions {
  module: string;
  operation: BulkWriteOperation;
  /** An array, or any (async) iterable of records, e.g. rows of a CSV file read as they come. */
  records: Iterable<CrmRecordInput> | AsyncIterable<CrmRecordInput>;
  /** The field that finds the record to update (update: default `id`; upsert: required). */
  findBy?: string;
  /** Input key -> field API name; keys not named keep their own name. */
  fieldMapping?: Record<string, string>;
  /** Empty cells leave a field as it is (Zoho's ignore_empty). */
  ignoreEmpty?: boolean;
  /** Records per file, at most (and by default) Zoho's 25,000. */
  chunkSize?: number;
  /** The org's zgid for X-CRM-ORG; read from GET /org once when not given. */
  orgId?: string;
  poll?: BulkPoll;
  /**
   * Zoho's callback: each job is created with `callback: { url, method: post }` and `arrived(job)`
   * settles when Zoho called back for it; the job's state is then read at once. Polling goes on
   * meanwhile, from the longest wait (poll.maxMs), in case no callback comes.
   */
  callback?: BulkCallback;
  signal?: AbortSignal;
  clock?: Clock;
  /** A job's state as it moves (UPLOADING, ADDED, IN PROGRESS, COMPLETED, DOWNLOADING). */
  onState?: (state: { job?: string; chunk: number; state: string; records: number }) => void;
}

export interface BulkCallback {
  url: string;
  arrived(job: string): Promise<void>;
}

interface Prepared {
  module: string;
  operation: BulkWriteOperation;
  findBy?: string;
  mapping: Record<string, string>;
  ignoreEmpty: boolean;
  chunkSize: number;
  poll: Required<BulkPoll>;
  callback?: BulkCallback;
}

function prepare(o: BulkWriteOptions): Prepared {
  if (!isPlainObject(o)) throw invalidInput('Bulk write options must be an object', 'options');
  const module = checkModule(o.module);
  if (!(BULK_WRITE_OPERATIONS as readonly unknown[]).includes(o.operation)) {
    throw invalidInput(
      `"${String(o.operation)}" is not a bulk write operation: use insert, update or upsert`,
      'operation',
    );
  }
  const records = o.records as unknown;
  if (
    records === null ||
    typeof records !== 'object' ||
    !(Symbol.iterator in records || Symbol.asyncIterator in records)
  ) {
    throw invalidInput('Bulk write takes an array of records (or a CSV file)', 'records');
  }
  if (Array.isArray(records) && records.length === 0) {
    throw invalidInput('The array of records is empty', 'records');
  }
  let findBy = o.findBy === '' || o.findBy === null ? undefined : o.findBy;
  if (o.operation === 'update') findBy ??= 'id';
  if (o.operation === 'upsert' && findBy === undefined) {
    throw invalidInput('An upsert needs the field that finds existing records (findBy)', 'findBy');
  }
  if (findBy !== undefined && (typeof findBy !== 'string' || !FIELD_NAME_RE.test(findBy))) {
    throw invalidInput(`${JSON.stringify(findBy)} is not a field API name`, 'findBy');
  }
  const mapping = checkMapping(o.fieldMapping);
  const chunkSize = o.chunkSize ?? MAX_BULK_WRITE_RECORDS;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_BULK_WRITE_RECORDS) {
    throw invalidInput(
      `chunkSize must be a whole number from 1 to ${MAX_BULK_WRITE_RECORDS}`,
      'chunkSize',
    );
  }
  const poll = { ...DEFAULT_POLL, ...o.poll };
  const callback = o.callback;
  if (callback !== undefined && !/^https?:\/\/[^\s]+$/i.test(String(callback?.url))) {
    throw invalidInput('The callback URL must be an http(s) URL', 'callback');
  }
  if (callback) poll.firstMs = poll.maxMs;
  return {
    callback,
    module,
    operation: o.operation,
    findBy,
    mapping,
    ignoreEmpty: o.ignoreEmpty === true,
    chunkSize,
    poll,
  };
}

function checkMapping(value: unknown): Record<string, string> {
  const mapping = value ?? {};
  if (!isPlainObject(mapping)) {
    throw invalidInput(
      'The field mapping must be an object of input names to API names',
      'fieldMapping',
    );
  }
  for (const [k, v] of Object.entries(mapping)) {
    if (typeof v !== 'string' || !FIELD_NAME_RE.test(v)) {
      throw invalidInput(`The field mapping of "${k}" is not a field API name`, 'fieldMapping');
    }
  }
  return mapping as Record<string, string>;
}

/** The input in chunks of `size` records, each checked to be an object. */
async function* chunks(
  records: Iterable<CrmRecordInput> | AsyncIterable<CrmRecordInput>,
  size: number,
): AsyncGenerator<CrmRecordInput[]> {
  let batch: CrmRecordInput[] = [];
  let index = 0;
  for await (const rec of records) {
    if (!isPlainObject(rec)) {
      throw invalidInput(
        `Record ${index} is not an object of field API names to values`,
        'records',
        {
          index,
        },
      );
    }
    index++;
    batch.push(rec);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Writes every record through bulk jobs, one per chunk, one after another. Bad options throw
 * before anything is sent; a chunk whose upload, job or result fails gives each of its records
 * that error, and the chunks after it are not sent (NOT_SENT), as crm-record's writes do.
 */
export async function bulkWriteRecords(
  conn: Requester,
  options: BulkWriteOptions,
): Promise<WriteResult & { jobs: string[] }> {
  const p = prepare(options);
  const clock = options.clock ?? systemClock;
  const results: RecordResult[] = [];
  const jobs: string[] = [];
  let orgId = options.orgId;
  let failure: ZohoError | undefined;
  let chunkNo = 0;
  for await (const batch of chunks(options.records, p.chunkSize)) {
    chunkNo++;
    const offset = results.length;
    if (failure) {
      results.push(...batch.map((_, i) => errorResult(offset + i, notSent(failure!))));
      continue;
    }
    const report = (state: string, job?: string) =>
      options.onState?.({ job, chunk: chunkNo, state, records: offset });
    try {
      orgId ??= await readZgid(conn, options.signal);
      report('UPLOADING');
      const columns = columnsOf(batch, p.mapping);
      const fileId = await upload(conn, p, batch, columns, chunkNo, orgId, options.signal);
      const job = await createJob(conn, p, columns, fileId, options.signal);
      jobs.push(job);
      report('ADDED', job);
      const wake = p.callback?.arrived(job);
      const url = await waitForWriteJob(conn, job, p.poll, clock, options.signal, wake, (s) =>
        report(s, job),
      );
      report('DOWNLOADING', job);
      results.push(...(await readResult(conn, url, offset, batch.length, options.signal)));
    } catch (e) {
      if (options.signal?.aborted) throw e;
      failure = e instanceof ZohoError ? e : new ZohoError({ code: 'ERROR', message: String(e) });
      results.splice(offset);
      results.push(...batch.map((_, i) => errorResult(offset + i, failure!)));
    }
  }
  const failed = results.filter((r) => r.status === 'error');
  return { results, failed, succeeded: results.length - failed.length, jobs };
}

function errorResult(index: number, e: ZohoError): RecordResult {
  return { index, status: 'error', code: e.code, message: e.message, details: e.details ?? null };
}

function notSent(cause: ZohoError): ZohoError {
  return new ZohoError({
    code: 'NOT_SENT',
    message: `Not sent: an earlier bulk write file failed (${cause.code})`,
  });
}

async function readZgid(conn: Requester, signal?: AbortSignal): Promise<string> {
  const res = await conn.request({ product: 'crm', method: 'GET', path: '/v8/org', signal });
  const list = asRecord(res.data)?.org;
  const zgid = Array.isArray(list) ? asRecord(list[0])?.zgid : undefined;
  if ((typeof zgid !== 'string' && typeof zgid !== 'number') || String(zgid) === '') {
    throw new ZohoError({
      code: 'UNEXPECTED_RESPONSE',
      kind: 'zoho',
      message: "Zoho's org answer names no zgid, which the bulk write upload needs (X-CRM-ORG)",
    });
  }
  return String(zgid);
}

async function upload(
  conn: Requester,
  p: Prepared,
  batch: CrmRecordInput[],
  columns: Column[],
  chunkNo: number,
  orgId: string,
  signal?: AbortSignal,
): Promise<string> {
  const name = `${p.module}-${chunkNo}.csv`;
  const zip = new ZipWriter(name);
  zip.add(headerLine(columns));
  // A few hundred rows a time: the deflater gets large writes, the text is dropped at once.
  let lines = '';
  for (let i = 0; i < batch.length; i++) {
    lines += rowLine(columns, batch[i]);
    if (lines.length > 64 * 1024 || i === batch.length - 1) {
      zip.add(lines);
      lines = '';
    }
  }
  const parts = await zip.finish();
  const form = new FormData();
  form.append(
    'file',
    new Blob(
      parts.map((b) => new Uint8Array(b)),
      { type: 'application/zip' },
    ),
    `${name}.zip`,
  );
  const res = await conn.request({
    product: 'crm',
    method: 'POST',
    host: 'upload',
    path: '/crm/v8/upload',
    headers: { feature: 'bulk-write', 'X-CRM-ORG': orgId },
    body: form,
    signal,
  });
  const fileId = asRecord(asRecord(res.data)?.details)?.file_id;
  if (typeof fileId !== 'string' || fileId === '') {
    throw new ZohoError({
      code: 'UNEXPECTED_RESPONSE',
      kind: 'zoho',
      message: 'Zoho took the bulk write file but named no file_id',
    });
  }
  return fileId;
}

async function createJob(
  conn: Requester,
  p: Prepared,
  columns: Column[],
  fileId: string,
  signal?: AbortSignal,
): Promise<string> {
  const resource: Record<string, unknown> = {
    type: 'data',
    module: { api_name: p.module },
    file_id: fileId,
    field_mappings: columns.map((c, index) =>
      c.lookup ? { api_name: c.apiName, index, find_by: 'id' } : { api_name: c.apiName, index },
    ),
  };
  if (p.findBy) resource.find_by = p.findBy;
  const body: Record<string, unknown> = {
    operation: p.operation,
    ignore_empty: p.ignoreEmpty,
    resource: [resource],
  };
  if (p.callback) body.callback = { url: p.callback.url, method: 'post' };
  const res = await conn.request({
    product: 'crm',
    method: 'POST',
    path: BASE,
    body,
    signal,
  });
  const id = asRecord(asRecord(res.data)?.details)?.id;
  if (typeof id !== 'string' || id === '') {
    throw new ZohoError({
      code: 'UNEXPECTED_RESPONSE',
      kind: 'zoho',
      message: 'Zoho created a bulk write job but named no job id',
    });
  }
  return id;
}

/**
 * Waits for the job (core/job-wait.ts) until COMPLETED; FAILED and the time limit throw. `wake`
 * (Zoho's callback) cuts the current wait short once: the callback's body is not trusted, the
 * state is read from Zoho.
 */
function waitForWriteJob(
  conn: Requester,
  job: string,
  poll: Required<BulkPoll>,
  clock: Clock,
  signal: AbortSignal | undefined,
  wake: Promise<void> | undefined,
  report: (state: string) => void,
): Promise<string> {
  return waitForJob({
    what: `bulk write job ${job}`,
    poll,
    clock,
    signal,
    wake,
    initialState: 'ADDED',
    report,
    look: async () => {
      const res = await conn.request({
        product: 'crm',
        method: 'GET',
        path: `${BASE}/${segment(job)}`,
        signal,
      });
      const detail = asRecord(res.data) ?? {};
      const state = typeof detail.status === 'string' ? detail.status : 'UNKNOWN';
      if (state === 'COMPLETED') {
        const url = asRecord(detail.result)?.download_url;
        if (typeof url === 'string' && url !== '') return { state, done: url };
        throw new ZohoError({
          code: 'UNEXPECTED_RESPONSE',
          kind: 'zoho',
          message: `Zoho's bulk write job ${job} completed without a download_url`,
        });
      }
      if (state === 'FAILED' || state === 'FAILURE') {
        throw new ZohoError({
          code: 'BULK_JOB_FAILED',
          kind: 'zoho',
          message: `Zoho's bulk write job ${job} failed`,
          details: { job, resource: detail.resource },
        });
      }
      return { state, details: { job } };
    },
  });
}

/** The result ZIP's rows as results from `offset`; rows Zoho left out are errors. */
async function readResult(
  conn: Requester,
  url: string,
  offset: number,
  count: number,
  signal?: AbortSignal,
): Promise<RecordResult[]> {
  const absolute = /^https?:\/\//i.test(url);
  const res = await conn.request<Readable>({
    product: 'crm',
    method: 'GET',
    ...(absolute ? { url } : { path: url.replace(/^\/crm(?=\/)/, '') }),
    responseType: 'stream',
    signal,
  });
  const stream = res.data;
  const csv = new CsvReader();
  const out: RecordResult[] = [];
  let cols: { status: number; id: number; errors: number } | undefined;
  const take = (rows: string[][]) => {
    for (const row of rows) {
      if (!cols) {
        const at = (name: string) => row.findIndex((h) => h.trim().toUpperCase() === name);
        cols = { status: at('STATUS'), id: at('RECORD_ID'), errors: at('ERRORS') };
        if (cols.status < 0) {
          throw new ZohoError({
            code: 'UNEXPECTED_RESPONSE',
            kind: 'zoho',
            message: 'The bulk write result has no STATUS column',
          });
        }
        continue;
      }
      if (out.length >= count) continue;
      const get = (i: number) => (i >= 0 ? (row[i] ?? '') : '');
      out.push(resultOfRow(offset + out.length, get(cols.status), get(cols.id), get(cols.errors)));
    }
  };
  try {
    for await (const { data } of unzipStream(stream as AsyncIterable<Buffer>)) take(csv.push(data));
    take(csv.end());
  } finally {
    stream.destroy();
  }
  while (out.length < count) {
    out.push({
      index: offset + out.length,
      status: 'error',
      code: 'NO_RESULT',
      message: "Zoho's bulk write result has no row for this record",
      details: null,
    });
  }
  return out;
}
