/**
 * Mass update:
 *   POST /{module}/actions/mass_update          `{ data: [fields], ids, over_write }`
 *   GET  /{module}/actions/mass_update?job_id=  `{ data: [{ Status, …_Count }] }`
 *
 * Sources: Zoho's v8 OpenAPI record.json (Mass_Update_Body_Wrapper, Mass_Update_Success_Response
 * with `details.job_id`, Mass_Update with Status COMPLETED / FAILED / RUNNING / SCHEDULED and the
 * counts); v8 `mass-update-records.html` (ids: at most 500 a call, updated at once; custom views
 * and territories scheduled). The sandbox has no custom views or territories: `cvid` and
 * `territory` are refused as INVALID_DATA. The refusal shapes for a missing `ids`, more than 500
 * ids and an unknown job, counting unknown ids as not updated, and the job staying RUNNING for
 * `runMs` are **unverified** (docs/ZOHO-FACTS.md, Mass update).
 */
import type { SandboxReply, SandboxRequest } from '../types';
import { isReply, type CrmContext } from './context';
import { validateRecord } from './validate';
import { error, isObject, isZohoId, paramMissing } from './util';

export const MASS_UPDATE_IDS_MAX = 500;
/** Jobs remembered; the oldest is forgotten past this (nothing grows without bound). */
const JOBS_KEPT = 1000;

export interface MassUpdateOptions {
  /** Sandbox-clock time a job answers RUNNING before COMPLETED (0: done at the first ask). */
  runMs: number;
}

interface Job {
  module: string;
  doneAt: number;
  total: number;
  updated: number;
  notUpdated: number;
}

const missing = (key: string): SandboxReply =>
  error(400, 'MANDATORY_NOT_FOUND', 'required field not found', {
    api_name: key,
    json_path: `$.${key}`,
  });

const invalid = (key: string, extra: Record<string, unknown> = {}): SandboxReply =>
  error(400, 'INVALID_DATA', 'invalid data', { api_name: key, json_path: `$.${key}`, ...extra });

export class MassUpdates {
  readonly options: MassUpdateOptions = { runMs: 0 };
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly c: CrmContext) {}

  create(req: SandboxRequest): SandboxReply {
    const { c } = this;
    const def = c.module(req);
    if (isReply(def)) return def;
    const body = isObject(req.body) ? req.body : {};
    if (!Array.isArray(body.data) || body.data.length === 0) return missing('data');
    if (body.cvid !== undefined) return invalid('cvid');
    if (body.territory !== undefined) return invalid('territory');
    if (!Array.isArray(body.ids) || body.ids.length === 0) return missing('ids');
    if (body.ids.length > MASS_UPDATE_IDS_MAX)
      return invalid('ids', { maximum_length: MASS_UPDATE_IDS_MAX });
    const bad = body.ids.findIndex((id) => !isZohoId(id));
    if (bad >= 0) return invalid(`ids[${bad}]`);
    const ids = body.ids as string[];
    const known = ids.filter((id) => c.store.get(def.api_name, id));
    // The values are checked as an update of a record that exists (mandatory fields may not
    // be blanked, types must match); a refusal names the field.
    const checked = validateRecord(def, body.data[0], 0, c.store, known[0] ?? '0', new Map());
    if (!checked.ok) return { status: 400, body: { data: [checked.error] } };
    for (const id of known) c.store.update(def.api_name, id, checked.data);
    c.emit({ module: def.api_name, operation: 'update', ids: known, fields: checked.fields });
    const jobId = c.store.nextId();
    this.jobs.set(jobId, {
      module: def.api_name,
      doneAt: c.now() + this.options.runMs,
      total: ids.length,
      updated: known.length,
      notUpdated: ids.length - known.length,
    });
    if (this.jobs.size > JOBS_KEPT) this.jobs.delete(this.jobs.keys().next().value as string);
    return {
      status: 200,
      body: {
        data: [
          {
            status: 'success',
            code: 'SUCCESS',
            message: 'mass update scheduled successfully',
            details: { job_id: jobId },
          },
        ],
      },
    };
  }

  status(req: SandboxRequest): SandboxReply {
    const def = this.c.module(req);
    if (isReply(def)) return def;
    const jobId = req.query.get('job_id');
    if (jobId === null || jobId === '') return paramMissing('job_id');
    const job = this.jobs.get(jobId);
    if (!job || job.module !== def.api_name)
      return error(400, 'INVALID_DATA', 'invalid data', { param_name: 'job_id' });
    const running = this.c.now() < job.doneAt;
    const entry = running
      ? { Status: 'RUNNING', Total_Count: job.total, Updated_Count: 0, Not_Updated_Count: 0 }
      : {
          Status: 'COMPLETED',
          Total_Count: job.total,
          Updated_Count: job.updated,
          Not_Updated_Count: job.notUpdated,
          Failed_Count: 0,
        };
    return { status: 200, body: { data: [{ ...entry, Failed_Count: 0 }] } };
  }
}
