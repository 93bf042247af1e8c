/**
 * Zoho CRM mass update (API v8, record.json `Mass_Update_Body_Wrapper`): `POST
 * /{module}/actions/mass_update` writes the same field values into up to 500 records named by id
 * (Zoho's v8 `mass-update-records.html`: "a maximum of 500 records in a single API call"). Zoho
 * answers with a `job_id`; `GET …/actions/mass_update?job_id=` then reports the job's Status
 * (SCHEDULED, RUNNING, COMPLETED, FAILED) and counts. The job is polled with doubling waits under
 * a time limit, never an unbounded loop. docs/ZOHO-FACTS.md "Mass update".
 */
import { type Clock, systemClock } from '../core/clock';
import { ZohoError, invalidInput } from '../core/errors';
import { waitForJob } from '../core/job-wait';
import { checkRecordIds, isPlainObject } from '../core/validate';
import { Requester, asRecord, dataOf, path } from './common';
import { checkModule } from './validate';

/** Records one mass update may name by id (v8 `mass-update-records.html`). */
export const MASS_UPDATE_MAX_IDS = 500;

export interface MassUpdatePoll {
  /** First wait before asking for the job's status; doubles up to maxMs. */
  firstMs?: number;
  maxMs?: number;
  /** Give up waiting after this long (the update itself may still finish at Zoho). */
  timeoutMs?: number;
}

export const MASS_UPDATE_POLL: Required<MassUpdatePoll> = {
  firstMs: 1_000,
  maxMs: 30_000,
  timeoutMs: 10 * 60_000,
};

export interface MassUpdateOptions {
  /** The field values every record gets (field API names to values). */
  fields: unknown;
  /** The records to update: ids as an array or a comma-separated string, at most 500. */
  ids: unknown;
  /** Multi-select picklists: replace the values instead of adding to them (`over_write`). */
  overWrite?: boolean;
  poll?: MassUpdatePoll;
  clock?: Clock;
  signal?: AbortSignal;
  /** The job's status each time it changes (SCHEDULED, RUNNING, …). */
  onStatus?: (status: string) => void;
}

/** The job's end as Zoho counts it. */
export interface MassUpdateResult {
  jobId: string | null;
  status: string;
  total: number;
  updated: number;
  notUpdated: number;
  failed: number;
}

const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function resultOf(jobId: string | null, job: Record<string, unknown>): MassUpdateResult {
  return {
    jobId,
    status: typeof job.Status === 'string' ? job.Status : 'UNKNOWN',
    total: count(job.Total_Count),
    updated: count(job.Updated_Count),
    notUpdated: count(job.Not_Updated_Count),
    failed: count(job.Failed_Count),
  };
}

/** The body, checked: nothing is sent when an option is wrong. */
function bodyOf(options: MassUpdateOptions): Record<string, unknown> {
  const { fields } = options;
  if (!isPlainObject(fields) || Object.keys(fields).length === 0)
    throw invalidInput(
      'The fields to set are an object of field API names to values, e.g. { "Lead_Status": "Contacted" }',
      'fields',
    );
  if ('id' in fields)
    throw invalidInput('The fields to set cannot include id: name the records in ids', 'fields');
  const ids = checkRecordIds(options.ids, 'ids');
  if (ids.length > MASS_UPDATE_MAX_IDS)
    throw invalidInput(
      `${ids.length} ids given: Zoho mass-updates at most ${MASS_UPDATE_MAX_IDS} records a call`,
      'ids',
    );
  if (options.overWrite !== undefined && typeof options.overWrite !== 'boolean')
    throw invalidInput('overWrite must be true or false', 'overWrite');
  const body: Record<string, unknown> = { data: [fields], ids: [...new Set(ids)] };
  if (options.overWrite !== undefined) body.over_write = options.overWrite;
  return body;
}

/** Zoho's refusal inside a 2xx answer (an API_Exception entry) as a ZohoError. */
function refusal(entry: Record<string, unknown> | undefined, status: number, data: unknown) {
  return new ZohoError({
    code: typeof entry?.code === 'string' ? entry.code : 'UNEXPECTED_RESPONSE',
    message: typeof entry?.message === 'string' ? entry.message : 'Zoho did not accept the update',
    status,
    details: entry?.details ?? data,
  });
}

/** Sends the update; with a job id back, waits for the job's end and returns its counts. */
export async function massUpdate(
  conn: Requester,
  module: string,
  options: MassUpdateOptions,
): Promise<MassUpdateResult> {
  const mod = checkModule(module);
  const body = bodyOf(options);
  const res = await conn.request({
    product: 'crm',
    method: 'POST',
    path: path(mod, 'actions', 'mass_update'),
    body,
    signal: options.signal,
  });
  const entry = asRecord(dataOf(res.data)[0]) ?? asRecord(res.data);
  if (!entry || entry.status !== 'success') throw refusal(entry, res.status, res.data);
  const jobId = asRecord(entry.details)?.job_id;
  if (typeof jobId !== 'string' || jobId === '') {
    // "record updated" without a job (an answer record.json allows): Zoho counted nothing.
    const n = (body.ids as string[]).length;
    return { jobId: null, status: 'COMPLETED', total: n, updated: n, notUpdated: 0, failed: 0 };
  }
  const poll = { ...MASS_UPDATE_POLL, ...options.poll };
  return waitForMassUpdate(conn, mod, jobId, poll, options);
}

/** Waits for the job (core/job-wait.ts) until COMPLETED; FAILED and the time limit throw. */
function waitForMassUpdate(
  conn: Requester,
  module: string,
  jobId: string,
  poll: Required<MassUpdatePoll>,
  options: MassUpdateOptions,
): Promise<MassUpdateResult> {
  return waitForJob({
    what: `mass update job ${jobId}`,
    poll,
    clock: options.clock ?? systemClock,
    signal: options.signal,
    report: (state) => options.onStatus?.(state),
    look: async () => {
      const res = await conn.request({
        product: 'crm',
        method: 'GET',
        path: path(module, 'actions', 'mass_update'),
        query: { job_id: jobId },
        signal: options.signal,
      });
      const job = asRecord(dataOf(res.data)[0]) ?? {};
      if (job.status === 'error') throw refusal(job, res.status, res.data);
      const result = resultOf(jobId, job);
      if (result.status === 'COMPLETED') return { state: result.status, done: result };
      if (result.status === 'FAILED')
        throw new ZohoError({
          code: 'MASS_UPDATE_FAILED',
          kind: 'zoho',
          message: `Zoho's mass update job ${jobId} failed`,
          details: result,
        });
      return { state: result.status, details: { ...result } };
    },
  });
}
