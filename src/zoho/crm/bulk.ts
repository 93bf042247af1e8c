/**
 * Bulk Read (docs/ZOHO-FACTS.md "Bulk Read"): one asynchronous job per 200,000 records instead
 * of 1,000 page calls. A job is created, polled with back-off until COMPLETED, its ZIP streamed
 * through the ZIP and CSV readers into chunks of records, and the next job started while Zoho
 * says more_records: memory stays flat whatever the export's size.
 */
import type { Readable } from 'node:stream';
import { type Clock, systemClock } from '../core/clock';
import { CsvReader } from '../core/csv';
import { LocalCodes, ZohoError, invalidInput } from '../core/errors';
import { segment } from '../core/http';
import type { Page } from '../core/paginate';
import { waitForJob } from '../core/job-wait';
import { unzipStream } from '../core/unzip';
import { checkPositiveInt, isPlainObject } from '../core/validate';
import type { CrmRecord, Requester } from './common';
import { asRecord, dataOf } from './common';
import { type Criteria, buildCriteria } from './criteria';
import { checkFieldNames, checkModule } from './validate';

const BASE = '/bulk/v8/read';
/** Zoho's pages for one export: the OAS `Query.page` pattern allows 1–50. */
export const MAX_BULK_PAGE = 50;
export const DEFAULT_CHUNK = 1000;
export const MAX_CHUNK = 50_000;

export interface BulkPoll {
  /** First wait before asking for the job's state; doubles up to maxMs. */
  firstMs?: number;
  maxMs?: number;
  /** Give up on one job after this long (Zoho's jobs take minutes, rarely hours). */
  timeoutMs?: number;
}

export const DEFAULT_POLL: Required<BulkPoll> = {
  firstMs: 5_000,
  maxMs: 60_000,
  timeoutMs: 6 * 60 * 60 * 1000,
};

export interface BulkReadOptions {
  module: string;
  /** Field API names (or a comma-separated list), in column order; all fields when empty. */
  fields?: string[] | string;
  /** The search builder's criteria (crm/criteria.ts), sent as Bulk Read's JSON criteria. */
  criteria?: Criteria;
  /** Records per chunk yielded (default 1,000). */
  chunkSize?: number;
  /** Stop after this many jobs (pages of 200,000); default every page Zoho has. */
  maxJobs?: number;
  poll?: BulkPoll;
  signal?: AbortSignal;
  clock?: Clock;
  /** A job's state as it moves (ADDED, IN PROGRESS, COMPLETED, DOWNLOADING). */
  onState?: (state: BulkJobState) => void;
}

export interface BulkJobState {
  job: string;
  /** 1-based page of the export this job reads. */
  page: number;
  state: string;
  /** Records yielded so far over every job. */
  records: number;
}

/** What each chunk's `info` carries. */
export interface BulkChunkInfo {
  job: string;
  jobPage: number;
}

interface Prepared {
  module: string;
  fields?: string[];
  criteria?: Record<string, unknown>;
  chunkSize: number;
  maxJobs: number;
  poll: Required<BulkPoll>;
}

const COMPARATOR: Record<string, string> = { equals: 'equal' };

/** Search criteria (already checked by buildCriteria) as Bulk Read's JSON criteria. */
function bulkCriteria(input: unknown): Record<string, unknown> {
  if (Array.isArray(input)) {
    if (input.length === 3 && typeof input[0] === 'string' && typeof input[1] === 'string') {
      return leaf(input[0], input[1], input[2]);
    }
    return groupOf('and', input);
  }
  const obj = input as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && (keys[0] === 'and' || keys[0] === 'or')) {
    return groupOf(keys[0], obj[keys[0]] as unknown[]);
  }
  if ('field' in obj) return leaf(obj.field as string, obj.op ?? obj.operator, obj.value);
  return groupOf(
    'and',
    keys.map((k) => ({ field: k, value: obj[k] })),
  );
}

function groupOf(op: string, list: unknown[]): Record<string, unknown> {
  const group = list.map(bulkCriteria);
  return group.length === 1 ? group[0] : { group_operator: op, group };
}

function leaf(field: string, op: unknown, value: unknown): Record<string, unknown> {
  const operator = typeof op === 'string' ? op : Array.isArray(value) ? 'in' : 'equals';
  const scalar = (v: unknown) =>
    v instanceof Date ? v.toISOString().replace(/\.\d+Z$/, '+00:00') : v;
  return {
    api_name: field,
    comparator: COMPARATOR[operator] ?? operator,
    value: Array.isArray(value) ? value.map(scalar) : scalar(value),
  };
}

function prepare(o: BulkReadOptions): Prepared {
  if (!isPlainObject(o)) throw invalidInput('Bulk read options must be an object', 'options');
  const module = checkModule(o.module);
  const fields =
    o.fields === undefined || o.fields === null || o.fields.length === 0
      ? undefined
      : checkFieldNames(o.fields);
  let criteria: Record<string, unknown> | undefined;
  if (o.criteria !== undefined && o.criteria !== null) {
    if (typeof o.criteria === 'string') {
      throw invalidInput('Bulk read takes criteria as an object, not a search string', 'criteria');
    }
    buildCriteria(o.criteria); // every check of the search builder, same messages
    criteria = bulkCriteria(o.criteria);
  }
  const chunkSize = checkPositiveInt(o.chunkSize ?? DEFAULT_CHUNK, 'chunkSize', MAX_CHUNK);
  const maxJobs = checkPositiveInt(o.maxJobs ?? MAX_BULK_PAGE, 'maxJobs', MAX_BULK_PAGE);
  const poll = { ...DEFAULT_POLL, ...o.poll };
  for (const key of ['firstMs', 'maxMs', 'timeoutMs'] as const) {
    if (!Number.isFinite(poll[key]) || poll[key] < 0) {
      throw invalidInput(`poll.${key} must be a number of milliseconds`, 'poll');
    }
  }
  return { module, fields, criteria, chunkSize, maxJobs, poll };
}

/**
 * The export as chunks of records (`Page`s: page = chunk number, total = records so far). Bad
 * options throw before anything is sent; closing the iterator or aborting the signal stops the
 * poll and the download.
 */
export function bulkReadRecords(
  conn: Requester,
  options: BulkReadOptions,
): AsyncGenerator<Page<CrmRecord>> {
  const p = prepare(options);
  return walk(conn, p, options);
}

async function* walk(
  conn: Requester,
  p: Prepared,
  o: BulkReadOptions,
): AsyncGenerator<Page<CrmRecord>> {
  const clock = o.clock ?? systemClock;
  let total = 0;
  let chunkNo = 0;
  // Records carried over a job's end, so chunks stay full across jobs; one chunk is held
  // back to learn whether it is the last.
  let carry: CrmRecord[] = [];
  let held: Page<CrmRecord> | undefined;
  let info: BulkChunkInfo | undefined;
  let truncated = false;
  const chunk = (items: CrmRecord[]): Page<CrmRecord> | undefined => {
    const before = held;
    total += items.length;
    held = { items, page: ++chunkNo, total, info, truncated: false, last: false };
    return before;
  };
  let token: string | undefined;
  for (let jobPage = 1; jobPage <= p.maxJobs; jobPage++) {
    const job = await createJob(conn, p, jobPage, token, o.signal);
    const report = (state: string) =>
      o.onState?.({ job, page: jobPage, state, records: total + carry.length });
    report('ADDED');
    const result = await waitForReadJob(conn, job, p.poll, clock, o.signal, report);
    report('DOWNLOADING');
    info = { job, jobPage };
    for await (const records of download(conn, job, p.chunkSize, o.signal)) {
      carry = carry.length > 0 ? carry.concat(records) : records;
      while (carry.length >= p.chunkSize) {
        const ready = chunk(carry.slice(0, p.chunkSize));
        carry = carry.slice(p.chunkSize);
        if (ready) yield ready;
      }
    }
    token = typeof result.next_page_token === 'string' ? result.next_page_token : undefined;
    if (result.more_records !== true) break;
    truncated = jobPage === p.maxJobs;
  }
  if (carry.length > 0) {
    const ready = chunk(carry);
    if (ready) yield ready;
  }
  // One chunk even when nothing matched, so a caller always has an answer to send.
  yield held
    ? { ...held, truncated, last: true }
    : { items: [], page: 1, total: 0, info, truncated, last: true };
}

async function createJob(
  conn: Requester,
  p: Prepared,
  page: number,
  token: string | undefined,
  signal?: AbortSignal,
): Promise<string> {
  const query: Record<string, unknown> = { module: { api_name: p.module } };
  if (p.fields) query.fields = p.fields;
  if (p.criteria) query.criteria = p.criteria;
  if (token) query.page_token = token;
  else if (page > 1) query.page = page;
  const res = await conn.request({
    product: 'crm',
    method: 'POST',
    path: BASE,
    body: { query },
    signal,
  });
  const details = asRecord(asRecord(dataOf(res.data)[0])?.details);
  const id = details?.id;
  if (typeof id !== 'string' || id === '') {
    throw new ZohoError({
      code: 'UNEXPECTED_RESPONSE',
      kind: 'zoho',
      message: 'Zoho created a bulk read job but named no job id',
    });
  }
  return id;
}

/** Waits for the job (core/job-wait.ts) until COMPLETED; FAILURE and the time limit throw. */
function waitForReadJob(
  conn: Requester,
  job: string,
  poll: Required<BulkPoll>,
  clock: Clock,
  signal: AbortSignal | undefined,
  report: (state: string) => void,
): Promise<Record<string, unknown>> {
  return waitForJob({
    what: `bulk read job ${job}`,
    poll,
    clock,
    signal,
    initialState: 'ADDED',
    report,
    look: async () => {
      const res = await conn.request({
        product: 'crm',
        method: 'GET',
        path: `${BASE}/${segment(job)}`,
        signal,
      });
      const detail = asRecord(dataOf(res.data)[0]) ?? {};
      const state = typeof detail.state === 'string' ? detail.state : 'UNKNOWN';
      if (state === 'COMPLETED') return { state, done: asRecord(detail.result) ?? {} };
      if (state === 'FAILURE' || state === 'FAILED') {
        throw new ZohoError({
          code: 'BULK_JOB_FAILED',
          kind: 'zoho',
          message: `Zoho's bulk read job ${job} failed`,
          details: { job },
        });
      }
      return { state, details: { job } };
    },
  });
}

/** CSV rows to records keyed by the header, gathered into batches of `size`. */
class Records {
  private header?: string[];
  private batch: CrmRecord[] = [];

  constructor(private readonly size: number) {}

  add(rows: string[][]): void {
    for (const row of rows) {
      if (!this.header) {
        // Zoho names the id column `Id`; records elsewhere in the pack carry `id`.
        this.header = row.map((name) => (name === 'Id' ? 'id' : name));
        continue;
      }
      const rec: CrmRecord = {};
      this.header.forEach((name, i) => (rec[name] = row[i] ? row[i] : null));
      this.batch.push(rec);
    }
  }

  /** Full batches, or with `all` also the last partial one. */
  *take(all = false): Generator<CrmRecord[]> {
    let from = 0;
    while (this.batch.length - from >= this.size || (all && from < this.batch.length)) {
      yield this.batch.slice(from, from + this.size);
      from += this.size;
    }
    this.batch = this.batch.slice(from);
  }
}

const cancelled = () =>
  new ZohoError({ code: LocalCodes.ABORTED, message: 'The bulk read was cancelled.' });

/** The job's CSV as arrays of records of `size`, read as the ZIP arrives. */
async function* download(
  conn: Requester,
  job: string,
  size: number,
  signal?: AbortSignal,
): AsyncGenerator<CrmRecord[]> {
  const res = await conn.request<Readable>({
    product: 'crm',
    method: 'GET',
    path: `${BASE}/${segment(job)}/result`,
    responseType: 'stream',
    signal,
  });
  const stream = res.data;
  // The request path lets go of the signal once the answer's head is in: the body is ours.
  const abort = () => stream.destroy(cancelled());
  signal?.addEventListener('abort', abort, { once: true });
  const csv = new CsvReader();
  const records = new Records(size);
  try {
    for await (const { data } of unzipStream(stream as AsyncIterable<Buffer>)) {
      records.add(csv.push(data));
      yield* records.take();
    }
    records.add(csv.end());
    yield* records.take(true);
  } catch (e) {
    if (signal?.aborted) throw cancelled();
    if (e instanceof ZohoError) throw e;
    throw new ZohoError({
      code: LocalCodes.NETWORK_ERROR,
      kind: 'network',
      message: `The bulk read download broke off: ${(e as Error).message}`,
    });
  } finally {
    signal?.removeEventListener('abort', abort);
    stream.destroy();
  }
}
