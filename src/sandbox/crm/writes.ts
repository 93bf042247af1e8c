/**
 * Record writes: insert, update (bulk and by id), upsert and delete, with Zoho's 100-record
 * limit, per-record results, and 201 / 200 / 207 / 400 as the outcomes mix.
 */
import type { SandboxReply, SandboxRequest } from '../types';
import { isReply, type CrmContext } from './context';
import type { ModuleDef, StoredRecord } from './types';
import { recordError, validateRecord, type RecordError } from './validate';
import { error, isObject, isZohoId, paramMissing, splitList } from './util';

export const MAX_WRITE_RECORDS = 100;

type Mode = 'insert' | 'update' | 'upsert';

interface Success {
  code: 'SUCCESS';
  duplicate_field?: string | null;
  action?: 'insert' | 'update';
  details: Record<string, unknown>;
  message: string;
  status: 'success';
}

type Outcome = Success | RecordError;

/** Checks the `{ data: [...], trigger?: [...] }` envelope. */
function envelope(body: unknown): unknown[] | SandboxReply {
  if (!isObject(body)) {
    return error(400, 'INVALID_DATA', 'invalid data', {
      expected_data_type: 'jsonobject',
      api_name: 'body',
      json_path: '$',
    });
  }
  if (!('data' in body)) {
    return error(400, 'MANDATORY_NOT_FOUND', 'required field not found', {
      api_name: 'data',
      json_path: '$.data',
    });
  }
  const { data, trigger } = body;
  if (!Array.isArray(data) || data.length === 0) {
    return error(400, 'INVALID_DATA', 'invalid data', {
      expected_data_type: 'jsonarray',
      api_name: 'data',
      json_path: '$.data',
    });
  }
  if (data.length > MAX_WRITE_RECORDS) {
    return error(400, 'LIMIT_EXCEEDED', 'Record count exceeded', {
      limit: MAX_WRITE_RECORDS,
      api_name: 'data',
      json_path: '$.data',
    });
  }
  if (
    trigger !== undefined &&
    (!Array.isArray(trigger) || trigger.some((t) => typeof t !== 'string'))
  ) {
    return error(400, 'INVALID_DATA', 'invalid data', {
      expected_data_type: 'jsonarray',
      api_name: 'trigger',
      json_path: '$.trigger',
    });
  }
  return data as unknown[];
}

function success(rec: StoredRecord, message: string): Success {
  return {
    code: 'SUCCESS',
    details: {
      Modified_Time: rec.data.Modified_Time,
      Modified_By: rec.data.Modified_By,
      Created_Time: rec.data.Created_Time,
      id: rec.id,
      Created_By: rec.data.Created_By,
    },
    message,
    status: 'success',
  };
}

/** HTTP status of a batch: all fine → ok, all failed → 400, mixed → 207 Multi-Status. */
export function batchReply(outcomes: Outcome[], ok: number): SandboxReply {
  const good = outcomes.filter((o) => o.status === 'success').length;
  const status = good === outcomes.length ? ok : good === 0 ? 400 : 207;
  return { status, body: { data: outcomes } };
}

function duplicateFields(def: ModuleDef, body: unknown): string[] | SandboxReply {
  const given = isObject(body) ? body.duplicate_check_fields : undefined;
  if (given === undefined) return def.duplicate_check ?? [];
  if (!Array.isArray(given) || given.some((f) => typeof f !== 'string')) {
    return error(400, 'INVALID_DATA', 'invalid data', {
      expected_data_type: 'jsonarray',
      api_name: 'duplicate_check_fields',
      json_path: '$.duplicate_check_fields',
    });
  }
  const bad = (given as string[]).find(
    (f) => !def.fields.some((x) => x.api_name === f && !x.readOnly),
  );
  if (bad !== undefined) {
    return error(400, 'INVALID_DATA', 'invalid data', {
      api_name: bad,
      json_path: '$.duplicate_check_fields',
    });
  }
  return given as string[];
}

export function writeRecords(c: CrmContext, req: SandboxRequest, mode: Mode): SandboxReply {
  const def = c.module(req);
  if (isReply(def)) return def;
  const data = envelope(req.body);
  if (isReply(data)) return data;
  const pathId = req.params.id;
  if (pathId !== undefined) {
    if (!isZohoId(pathId))
      return error(400, 'INVALID_DATA', 'the id given seems to be invalid', {
        resource_path_index: 1,
      });
    if (data.length > 1) {
      return error(400, 'LIMIT_EXCEEDED', 'Record count exceeded', {
        limit: 1,
        api_name: 'data',
        json_path: '$.data',
      });
    }
  }
  const dupFields = mode === 'upsert' ? duplicateFields(def, req.body) : [];
  if (isReply(dupFields)) return dupFields;

  const module = def.api_name;
  const batch = new Map<string, Set<string>>();
  const outcomes: Outcome[] = [];
  const changed = { insert: [] as string[], update: [] as string[] };
  const written = { insert: new Set<string>(), update: new Set<string>() };
  const updatedFields: Record<string, string[]> = {};
  const user = c.store.currentUser;
  data.forEach((input, i) => {
    let existing: string | undefined;
    let dupField: string | null = null;
    if (mode === 'update') {
      const id = pathId ?? (isObject(input) ? input.id : undefined);
      if (id === undefined || id === null || id === '') {
        outcomes.push(
          recordError('MANDATORY_NOT_FOUND', 'required field not found', {
            api_name: 'id',
            json_path: `$.data[${i}].id`,
          }),
        );
        return;
      }
      if (!isZohoId(id) || !c.store.get(module, id)) {
        outcomes.push(
          recordError('INVALID_DATA', 'the id given seems to be invalid', {
            api_name: 'id',
            json_path: `$.data[${i}].id`,
          }),
        );
        return;
      }
      existing = id;
    } else if (mode === 'upsert' && isObject(input)) {
      for (const f of dupFields) {
        const v = input[f];
        if (v === undefined || v === null || v === '') continue;
        const match = c.store.findMatch(module, { [f]: isObject(v) ? { id: v.id } : v });
        if (match) {
          existing = match.id;
          dupField = f;
          break;
        }
      }
    }
    const checked = validateRecord(def, input, i, c.store, existing, batch);
    if (!checked.ok) {
      outcomes.push(checked.error);
      return;
    }
    let result: Success;
    if (existing !== undefined) {
      const rec = c.store.update(module, existing, checked.data, { user });
      result = success(rec, 'record updated');
      changed.update.push(rec.id);
      checked.fields.forEach((f) => written.update.add(f));
      updatedFields[rec.id] = [...checked.fields];
    } else {
      const [rec] = c.store.insert(module, [checked.data], { user });
      result = success(rec, 'record added');
      changed.insert.push(rec.id);
      checked.fields.forEach((f) => written.insert.add(f));
    }
    if (mode === 'upsert') {
      result = {
        code: 'SUCCESS',
        duplicate_field: dupField,
        action: existing !== undefined ? 'update' : 'insert',
        details: result.details,
        message: result.message,
        status: 'success',
      };
    }
    outcomes.push(result);
  });
  c.emit({ module, operation: 'insert', ids: changed.insert, fields: [...written.insert] });
  c.emit({
    module,
    operation: 'update',
    ids: changed.update,
    fields: [...written.update],
    fieldsById: updatedFields,
  });
  return batchReply(outcomes, mode === 'insert' ? 201 : 200);
}

/**
 * A deleted note's answer carries its stamps (notes.json: DELETE /Notes answers Success_Response,
 * whose details require Created/Modified Time and By); other modules answer `{ id }`.
 */
function noteStamp(rec: StoredRecord): Record<string, unknown> {
  const { Created_Time, Created_By, Modified_Time, Modified_By } = rec.data;
  return { id: rec.id, Created_Time, Created_By, Modified_Time, Modified_By };
}

export function deleteRecords(c: CrmContext, req: SandboxRequest): SandboxReply {
  const def = c.module(req);
  if (isReply(def)) return def;
  const ids = req.params.id !== undefined ? [req.params.id] : splitList(req.query.get('ids'));
  if (req.params.id === undefined && ids.length === 0) return paramMissing('ids');
  if (ids.length > MAX_WRITE_RECORDS) {
    return error(400, 'LIMIT_EXCEEDED', 'Record count exceeded', {
      limit: MAX_WRITE_RECORDS,
      param: 'ids',
    });
  }
  const outcomes: Outcome[] = [];
  const gone: string[] = [];
  for (const id of ids) {
    const rec = isZohoId(id) ? c.store.get(def.api_name, id) : undefined;
    if (!rec) {
      outcomes.push(recordError('INVALID_DATA', 'the id given seems to be invalid', { id }));
      continue;
    }
    gone.push(id);
    outcomes.push({
      code: 'SUCCESS',
      details: def.api_name === 'Notes' ? noteStamp(rec) : { id },
      message: 'record deleted',
      status: 'success',
    });
  }
  c.store.remove(def.api_name, gone);
  c.emit({ module: def.api_name, operation: 'delete', ids: gone });
  return batchReply(outcomes, 200);
}
