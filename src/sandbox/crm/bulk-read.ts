/**
 * Bulk Read jobs (OAS bulk_read.json; docs/ZOHO-FACTS.md "Bulk Read"): a job is created ADDED,
 * runs IN PROGRESS and ends COMPLETED (or FAILURE) on the sandbox clock, then its result is a
 * ZIP holding one CSV of at most `perJob` records; `page` / `page_token` reach the rest.
 */
import { randomBytes } from 'node:crypto';
import { jsonText } from '../body';
import type { SandboxReply, SandboxRequest } from '../types';
import { BulkCriteriaError, compileBulkCriteria } from './bulk-criteria';
import type { CrmContext } from './context';
import { minified } from './users';
import type { ModuleDef, StoredRecord } from './types';
import { error, isObject } from './util';
import { zip } from './zip';

export interface BulkReadOptions {
  /** From creation to COMPLETED; IN PROGRESS from half of it. Zoho takes minutes. */
  delayMs: number;
  /** Records per job: Zoho's 200,000. */
  perJob: number;
  /** The next this many jobs end in FAILURE (a test hook; Zoho gives no reason). */
  failNext: number;
}

/** The OAS `Query.page` pattern allows pages 1–50. */
export const MAX_PAGE = 50;
/** Jobs kept for status and download; the oldest are forgotten past this. */
const MAX_JOBS = 200;

interface Job {
  id: string;
  def: ModuleDef;
  fields: string[];
  criteria?: unknown;
  test?: (rec: StoredRecord) => boolean;
  page: number;
  created: number;
  fails: boolean;
  /** The page's records, taken when the job completes. */
  rows?: StoredRecord[];
  more?: boolean;
  nextToken?: string;
}

const err = (code: string, message: string, details: Record<string, unknown> = {}) =>
  error(400, code, message, details);

export class BulkReads {
  readonly options: BulkReadOptions = { delayMs: 2000, perJob: 200_000, failNext: 0 };
  private readonly jobs = new Map<string, Job>();
  /** next_page_token -> the job it continues and the page it reaches. */
  private readonly tokens = new Map<string, { job: Job; page: number }>();

  constructor(private readonly c: CrmContext) {}

  create(req: SandboxRequest): SandboxReply {
    const body = req.body;
    if (!isObject(body) || !isObject(body.query)) {
      return err('REQUEST_BODY_IS_EMPTY', 'the request body is empty or has no query');
    }
    const q = body.query;
    if (body.callback !== undefined) {
      // The emulator does not call back; refusing beats accepting a callback it never makes.
      return err('NOT_SUPPORTED_FEATURE', 'the sandbox does not call bulk read callbacks');
    }
    if (body.file_type !== undefined && body.file_type !== 'csv') {
      return err('NOT_SUPPORTED_FEATURE', 'the sandbox exports CSV only');
    }
    const name = isObject(q.module) ? q.module.api_name : q.module;
    const def = typeof name === 'string' ? this.c.store.modules.get(name) : undefined;
    if (!def) return err('MODULE_NOT_AVAILABLE', 'module not available', { api_name: 'module' });
    const fields = q.fields ?? def.fields.map((f) => f.api_name);
    if (!Array.isArray(fields) || fields.length === 0) {
      return err('FIELD_NOT_AVAILABLE', 'fields must be a list', { api_name: 'fields' });
    }
    for (const f of fields) {
      if (typeof f !== 'string' || !def.fields.some((d) => d.api_name === f)) {
        return err('FIELD_NOT_AVAILABLE', 'field not available', {
          api_name: String(f),
          module: def.api_name,
        });
      }
    }
    let page = 1;
    let criteria = q.criteria;
    if (q.page_token !== undefined) {
      const hit = typeof q.page_token === 'string' ? this.tokens.get(q.page_token) : undefined;
      if (!hit || hit.job.def !== def) return err('INVALID_REQUEST', 'invalid page_token');
      page = hit.page;
      criteria = hit.job.criteria;
    } else if (q.page !== undefined && q.page !== null) {
      if (!Number.isInteger(q.page) || (q.page as number) < 1) {
        return err('INVALID_REQUEST', 'invalid page');
      }
      page = q.page as number;
      if (page > MAX_PAGE) {
        return err('PAGE_RANGE_EXCEEDED', 'page range exceeded', { max_limit: MAX_PAGE });
      }
    }
    let test: Job['test'];
    try {
      test = criteria === undefined ? undefined : compileBulkCriteria(def, criteria);
    } catch (e) {
      if (!(e instanceof BulkCriteriaError)) throw e;
      return err(e.code, e.message, e.details);
    }
    const fails = this.options.failNext > 0;
    if (fails) this.options.failNext--;
    const job: Job = {
      id: this.c.store.nextId(),
      def,
      fields: ['Id', ...(fields as string[]).filter((f) => f !== 'id')],
      criteria,
      test,
      page,
      created: this.c.now(),
      fails,
    };
    this.remember(job);
    return {
      status: 201,
      body: {
        data: [
          {
            status: 'success',
            code: 'ADDED_SUCCESSFULLY',
            message: 'Added successfully.',
            details: { ...this.head(job), state: 'ADDED' },
          },
        ],
        info: {},
      },
    };
  }

  status(req: SandboxRequest): SandboxReply {
    const job = this.jobs.get(req.params.job_id ?? '');
    if (!job) return notFound();
    const state = this.state(job);
    const detail: Record<string, unknown> = {
      ...this.head(job),
      state,
      query: {
        module: { api_name: job.def.api_name, id: job.def.id },
        fields: job.fields.slice(1),
        page: job.page,
        cvid: null,
        criteria: job.criteria ?? null,
        file_type: null,
      },
      file_type: 'csv',
    };
    if (state === 'COMPLETED') {
      const rows = this.rows(job);
      detail.result = {
        page: job.page,
        per_page: this.options.perJob,
        count: rows.length,
        download_url: `/crm/bulk/v8/read/${job.id}/result`,
        more_records: job.more ?? false,
        next_page_token: job.nextToken ?? null,
      };
    }
    return { status: 200, body: { data: [detail] } };
  }

  result(req: SandboxRequest): SandboxReply {
    const job = this.jobs.get(req.params.job_id ?? '');
    if (!job || this.state(job) !== 'COMPLETED') return notFound(400);
    const lines = [job.fields.map(csvCell).join(',')];
    for (const rec of this.rows(job)) {
      lines.push(
        job.fields.map((f) => csvCell(f === 'Id' ? rec.id : cellText(rec.data[f]))).join(','),
      );
    }
    const csv = Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
    return {
      status: 200,
      contentType: 'application/x-download',
      headers: { 'content-disposition': `attachment; filename="${job.id}.zip"` },
      body: zip([{ name: `${job.id}.csv`, data: csv }]),
    };
  }

  private head(job: Job) {
    return {
      id: job.id,
      operation: 'read',
      created_by: minified(this.c.store.currentUser),
      created_time: this.c.store.formatTime(job.created),
    };
  }

  private state(job: Job): string {
    const age = this.c.now() - job.created;
    if (age < this.options.delayMs / 2) return 'ADDED';
    if (age < this.options.delayMs) return 'IN PROGRESS';
    return job.fails ? 'FAILURE' : 'COMPLETED';
  }

  /** The job's page of records, fixed the first time it is asked for after completion. */
  private rows(job: Job): StoredRecord[] {
    if (job.rows) return job.rows;
    const { perJob } = this.options;
    const all = this.c.store.all(job.def.api_name);
    const matching = job.test ? all.filter(job.test) : all;
    const start = (job.page - 1) * perJob;
    job.rows = matching.slice(start, start + perJob);
    job.more = matching.length > start + perJob && job.page < MAX_PAGE;
    if (job.more) {
      job.nextToken = randomBytes(24).toString('hex');
      this.tokens.set(job.nextToken, { job, page: job.page + 1 });
    }
    return job.rows;
  }

  private remember(job: Job): void {
    this.jobs.set(job.id, job);
    for (const [id, old] of this.jobs) {
      if (this.jobs.size <= MAX_JOBS) break;
      this.jobs.delete(id);
      if (old.nextToken) this.tokens.delete(old.nextToken);
    }
  }
}

function notFound(status = 404): SandboxReply {
  return error(status, 'RESOURCE_NOT_FOUND', 'the requested resource is not found', {
    resource: 'job_id',
  });
}

/** Lookups export their id, multi-selects their values joined by `;`, empty as nothing. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (isObject(value)) return typeof value.id === 'string' ? value.id : JSON.stringify(value);
  if (Array.isArray(value)) {
    return value.map((v) => (isObject(v) ? String(v.name ?? v.id) : String(v))).join(';');
  }
  return jsonText(value);
}

/** RFC 4180: a cell with a comma, quote or line break is quoted, its quotes doubled. */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
