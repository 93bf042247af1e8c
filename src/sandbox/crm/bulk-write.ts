/**
 * Bulk Write (docs/ZOHO-FACTS.md "Bulk Write"): a ZIP with one CSV is uploaded to the upload
 * host (`feature: bulk-write`, `X-CRM-ORG: <zgid>`), a job imports it ADDED → IN PROGRESS →
 * COMPLETED (or FAILED) on the sandbox clock, and its result is a ZIP whose CSV holds the first
 * three mapped columns plus STATUS, RECORD_ID and ERRORS, one row per uploaded row.
 */
import http from 'node:http';
import { inflateRawSync } from 'node:zlib';
import type { SandboxReply, SandboxRequest } from '../types';
import type { CrmContext } from './context';
import { isLoopback } from './notify-callbacks';
import { minified } from './users';
import type { FieldDef, RecordData } from './types';
import { error, isObject } from './util';
import { validateRecord } from './validate';
import { zip } from './zip';

export interface BulkWriteOptions {
  /** From creation to COMPLETED; IN PROGRESS from half of it. */
  delayMs: number;
  /** The next this many jobs end FAILED (a test hook). */
  failNext: number;
}

/** upload-file.html: at most 25 MB a file, 25,000 records a CSV. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
export const MAX_FILE_RECORDS = 25_000;
/** Files and jobs kept; the oldest are forgotten past this. */
const MAX_KEPT = 50;
export const ZGID = '60001235';

interface Job {
  id: string;
  operation: string;
  created: number;
  fails: boolean;
  /** Records in the file. */
  total: number;
  resource: Record<string, unknown>;
  file: { name: string; rows: string[][] };
  /** The result CSV, made once when the job completes. */
  result?: Buffer;
  counts?: { added: number; updated: number; skipped: number };
}

const bad = (code: string, message: string, details: Record<string, unknown> = {}, status = 400) =>
  error(status, code, message, details);

/** The one entry of a ZIP (local header layout, stored or deflated). */
function unzipOne(buf: Buffer): { name: string; data: Buffer } | undefined {
  if (buf.length < 30 || buf.readUInt32LE(0) !== 0x04034b50) return undefined;
  const method = buf.readUInt16LE(8);
  const size = buf.readUInt32LE(18);
  const nameLen = buf.readUInt16LE(26);
  const extra = buf.readUInt16LE(28);
  const name = buf.subarray(30, 30 + nameLen).toString('utf8');
  const packed = buf.subarray(30 + nameLen + extra, 30 + nameLen + extra + size);
  try {
    return { name, data: method === 0 ? packed : inflateRawSync(packed) };
  } catch {
    return undefined;
  }
}

/** RFC 4180 rows (the sandbox reads small files whole). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else field += ch;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV cell as the field's value (Zoho reads CSV text by the field's type). */
function valueOf(field: FieldDef | undefined, text: string, lookup: boolean): unknown {
  if (!field) return text;
  if (lookup || field.type === 'lookup' || field.type === 'ownerlookup') return { id: text };
  switch (field.type) {
    case 'integer':
    case 'bigint':
    case 'double':
    case 'currency':
    case 'percent':
      return text.trim() === '' || Number.isNaN(Number(text)) ? text : Number(text);
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'multiselectpicklist':
      return text.split(';');
    default:
      return text;
  }
}

export class BulkWrites {
  readonly options: BulkWriteOptions = { delayMs: 2000, failNext: 0 };
  private readonly files = new Map<string, { name: string; rows: string[][] }>();
  private readonly jobs = new Map<string, Job>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly c: CrmContext) {}

  upload(req: SandboxRequest): SandboxReply {
    if (req.headers.feature !== 'bulk-write') {
      return bad('INVALID_REQUEST', 'the feature header must be bulk-write', { header: 'feature' });
    }
    if (req.headers['x-crm-org'] !== ZGID) {
      return bad('INVALID_ORG', 'the X-CRM-ORG header is not this org', { header: 'X-CRM-ORG' });
    }
    const part = req.files?.find((f) => f.name === 'file');
    if (!part) return bad('MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'file' });
    if (part.data.length > MAX_UPLOAD_BYTES) {
      return bad('FILE_TOO_LARGE', 'The file size is too large to process', {}, 413);
    }
    const entry = unzipOne(part.data);
    if (!entry) {
      return bad('INVALID_FILE_FORMAT', 'invalid file format. only zip format is supported');
    }
    const id = this.c.store.nextId();
    this.keep(this.files, id, { name: entry.name, rows: parseCsv(entry.data.toString('utf8')) });
    return {
      status: 200,
      body: {
        status: 'success',
        code: 'FILE_UPLOAD_SUCCESS',
        message: 'file uploaded.',
        details: { file_id: id, created_time: this.c.store.formatTime(this.c.now()) },
      },
    };
  }

  create(req: SandboxRequest): SandboxReply {
    const body = req.body;
    if (!isObject(body)) return bad('REQUEST_BODY_IS_EMPTY', 'the request body is empty');
    const { operation, callback } = body;
    if (operation !== 'insert' && operation !== 'update' && operation !== 'upsert') {
      return bad('INVALID_DATA', 'invalid data', { api_name: 'operation' });
    }
    let callbackUrl: URL | undefined;
    if (callback !== undefined) {
      const url = isObject(callback) && typeof callback.url === 'string' ? callback.url : '';
      if (!isObject(callback) || callback.method !== 'post' || !/^https?:\/\//.test(url)) {
        return bad('INVALID_DATA', 'invalid data', { api_name: 'callback' });
      }
      callbackUrl = new URL(url);
    }
    const resource: unknown = Array.isArray(body.resource) ? body.resource[0] : undefined;
    if (!isObject(resource))
      return bad('MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'resource' });
    const name = isObject(resource.module) ? resource.module.api_name : undefined;
    const def = typeof name === 'string' ? this.c.store.modules.get(name) : undefined;
    if (!def) return bad('INVALID_DATA', 'invalid module', { api_name: 'module' });
    const file =
      typeof resource.file_id === 'string' ? this.files.get(resource.file_id) : undefined;
    if (!file) return bad('INVALID_DATA', 'invalid file_id', { api_name: 'file_id' });
    if (file.rows.length - 1 > MAX_FILE_RECORDS) {
      return bad('LIMIT_EXCEEDED', 'the file has more than 25,000 records', {
        limit: MAX_FILE_RECORDS,
      });
    }
    if (operation !== 'insert' && typeof resource.find_by !== 'string') {
      return bad('MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'find_by' });
    }
    const fails = this.options.failNext > 0;
    if (fails) this.options.failNext--;
    const id = this.c.store.nextId();
    const total = file.rows.length - 1;
    const job: Job = { id, operation, created: this.c.now(), fails, total, resource, file };
    this.keep(this.jobs, id, job);
    this.finish(job, callbackUrl);
    return {
      status: 201,
      body: {
        status: 'success',
        code: 'SUCCESS',
        message: 'success',
        details: { id, created_by: minified(this.c.store.currentUser) },
      },
    };
  }

  status(req: SandboxRequest): SandboxReply {
    const job = this.jobs.get(req.params.job_id ?? '');
    if (!job) return bad('RESOURCE_NOT_FOUND', 'the requested resource is not found', {}, 404);
    return { status: 200, body: this.detail(job) };
  }

  private detail(job: Job): Record<string, unknown> {
    const state = this.state(job);
    if (state === 'COMPLETED') this.run(job);
    const counts = job.counts ?? { added: 0, updated: 0, skipped: 0 };
    return {
      status: state,
      character_encoding: 'UTF-8',
      resource: [
        {
          ...job.resource,
          status: state,
          code: state,
          file: {
            status: state,
            name: job.file.name,
            added_count: counts.added,
            updated_count: counts.updated,
            skipped_count: counts.skipped,
            total_count: job.total,
          },
        },
      ],
      id: job.id,
      ...(state === 'COMPLETED'
        ? {
            result: {
              download_url: `${this.c.sandbox.baseUrl()}/crm/bulk/v8/write/${job.id}/result`,
            },
          }
        : {}),
      created_by: minified(this.c.store.currentUser),
      operation: job.operation,
      created_time: this.c.store.formatTime(job.created),
    };
  }

  result(req: SandboxRequest): SandboxReply {
    const job = this.jobs.get(req.params.job_id ?? '');
    if (!job || this.state(job) !== 'COMPLETED') {
      return bad('RESOURCE_NOT_FOUND', 'the requested resource is not found', {}, 404);
    }
    return {
      status: 200,
      contentType: 'application/x-download',
      body: zip([
        {
          name: `${job.resource.module && isObject(job.resource.module) ? String(job.resource.module.api_name) : 'bulk'}-bulkwrite.csv`,
          data: this.run(job),
        },
      ]),
    };
  }

  private state(job: Job): string {
    const age = this.c.now() - job.created;
    if (age < this.options.delayMs / 2) return 'ADDED';
    if (age < this.options.delayMs) return 'IN PROGRESS';
    return job.fails ? 'FAILED' : 'COMPLETED';
  }

  /** Imports the file once, row by row, as the record API would take each row. */
  private run(job: Job): Buffer {
    if (job.result) return job.result;
    const res = job.resource;
    const def = this.c.store.modules.get(String((res.module as { api_name: string }).api_name))!;
    const maps = (Array.isArray(res.field_mappings) ? res.field_mappings : []).filter(isObject);
    const [header = [], ...rows] = job.file.rows;
    const findBy = typeof res.find_by === 'string' ? res.find_by : undefined;
    const user = this.c.store.currentUser;
    const counts = { added: 0, updated: 0, skipped: 0 };
    const shown = header.slice(0, 3);
    const out = [[...shown, 'STATUS', 'RECORD_ID', 'ERRORS'].map(csvCell).join(',')];
    rows.forEach((row, i) => {
      const data: RecordData = {};
      for (const m of maps) {
        const api = String(m.api_name);
        const text = row[Number(m.index)] ?? '';
        if (text === '' && (res.ignore_empty === true || job.operation === 'insert')) continue;
        if (api === 'id') data.id = text;
        else
          data[api] = valueOf(
            def.fields.find((f) => f.api_name === api),
            text,
            m.find_by === 'id',
          );
      }
      let existing: string | undefined;
      if (findBy === 'id')
        existing = this.c.store.get(def.api_name, typeof data.id === 'string' ? data.id : '')?.id;
      else if (findBy && data[findBy] !== undefined) {
        existing = this.c.store.findMatch(def.api_name, { [findBy]: data[findBy] })?.id;
      }
      delete data.id;
      let status: string;
      let id = '';
      let errors = '';
      if (job.operation === 'update' && !existing) {
        status = 'SKIPPED';
        errors = `RESOURCE_NOT_FOUND-${findBy ?? 'id'}`;
      } else {
        const checked = validateRecord(def, data, i, this.c.store, existing, new Map());
        if (!checked.ok) {
          status = 'SKIPPED';
          const d = checked.error.details as { api_name?: string } | undefined;
          errors = `${checked.error.code}-${d?.api_name ?? ''}`;
        } else if (existing) {
          id = this.c.store.update(def.api_name, existing, checked.data, { user }).id;
          status = 'UPDATED';
        } else {
          id = this.c.store.insert(def.api_name, [checked.data], { user })[0].id;
          status = 'ADDED';
        }
      }
      counts[status === 'ADDED' ? 'added' : status === 'UPDATED' ? 'updated' : 'skipped']++;
      out.push([...shown.map((_, k) => row[k] ?? ''), status, id, errors].map(csvCell).join(','));
    });
    job.counts = counts;
    job.result = Buffer.from(out.join('\r\n') + '\r\n', 'utf8');
    job.file = { name: job.file.name, rows: [] }; // the rows' text is let go
    return job.result;
  }

  /**
   * Zoho runs a job whether or not anyone asks for its status: at its end the file is imported
   * (so a job whose create answer was lost still writes its records, once), then, with a
   * callback URL, the job's details are posted there (create-job.html "callback"): to loopback
   * http URLs only, once.
   */
  private finish(job: Job, url: URL | undefined): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      // On a test's own clock the job may not have ended yet: its status read imports it.
      if (this.state(job) === 'COMPLETED') this.run(job);
      if (!url || !isLoopback(url.hostname) || url.protocol !== 'http:') return;
      const body = Buffer.from(JSON.stringify(this.detail(job)));
      const req = http.request(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
        timeout: 10_000,
      });
      req.on('response', (res) => res.resume());
      req.on('timeout', () => req.destroy());
      req.on('error', () => undefined);
      req.end(body);
    }, this.options.delayMs);
    this.timers.add(timer);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private keep<T>(map: Map<string, T>, id: string, value: T): void {
    map.set(id, value);
    for (const key of map.keys()) {
      if (map.size <= MAX_KEPT) break;
      map.delete(key);
    }
  }
}
