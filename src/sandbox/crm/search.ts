/**
 * GET /crm/v8/{module}/search with criteria, email, phone or word; 204 when nothing matches.
 */
import type { SandboxReply, SandboxRequest } from '../types';
import { isReply, type CrmContext } from './context';
import { CriteriaError, compileCriteria, parseCriteria } from './criteria';
import { pageReply } from './page-reply';
import { fieldsParam, paging } from './records';
import type { ModuleDef, RecordData, StoredRecord } from './types';
import { error } from './util';

/** Zoho's search answers at most 2,000 records per query. */
export const SEARCH_LIMIT = 2000;

/**
 * OAS `module_search.json` `InvalidQuery`: the message "Invalid query formed" and details that
 * name the field (`api_name`) with a `reason`; a search parameter's own fault names the parameter.
 */
const invalidQuery = (details: Record<string, unknown>): SandboxReply =>
  error(400, 'INVALID_QUERY', 'Invalid query formed', {
    api_name: details.api_name ?? details.param ?? 'criteria',
    ...details,
  });

/** The search parameters Zoho's search and record count take. */
export const SEARCH_PARAMS = ['criteria', 'email', 'phone', 'word'] as const;

type RecordTest = (d: RecordData) => boolean;

function textTest(def: ModuleDef, types: string[], match: (v: string) => boolean): RecordTest {
  const names = def.fields.filter((f) => types.includes(f.type)).map((f) => f.api_name);
  return (d) => names.some((n) => typeof d[n] === 'string' && match(d[n]));
}

/**
 * The tests `criteria`, `email`, `phone` and `word` set (all must pass), or Zoho's answer to a
 * malformed one.
 */
export function searchTests(def: ModuleDef, q: URLSearchParams): RecordTest[] | SandboxReply {
  const tests: RecordTest[] = [];
  const criteria = q.get('criteria');
  if (criteria !== null) {
    try {
      tests.push(compileCriteria(parseCriteria(criteria), def));
    } catch (err) {
      if (!(err instanceof CriteriaError)) throw err;
      return invalidQuery({ ...err.details, reason: err.details.reason ?? err.message });
    }
  }
  const email = q.get('email');
  if (email !== null) {
    const e = email.trim().toLowerCase();
    if (e === '') return invalidQuery({ param: 'email', reason: 'the email is empty' });
    tests.push(textTest(def, ['email'], (v) => v.toLowerCase() === e));
  }
  const phone = q.get('phone');
  if (phone !== null) {
    const digits = phone.replace(/\D/g, '');
    if (digits === '')
      return invalidQuery({ param: 'phone', reason: 'the phone number is invalid' });
    tests.push(textTest(def, ['phone'], (v) => v.replace(/\D/g, '').includes(digits)));
  }
  const word = q.get('word');
  if (word !== null) {
    const w = word.trim().toLowerCase();
    if (w.length < 2) {
      return invalidQuery({
        param: 'word',
        reason: 'the word should contain at least 2 characters',
      });
    }
    const types = ['text', 'textarea', 'email', 'phone', 'website', 'picklist'];
    tests.push(textTest(def, types, (v) => v.toLowerCase().includes(w)));
  }
  return tests;
}

export function searchRecords(c: CrmContext, req: SandboxRequest): SandboxReply {
  const def = c.module(req);
  if (isReply(def)) return def;
  if (SEARCH_PARAMS.every((name) => req.query.get(name) === null)) {
    // OAS module_search.json `Mandatory_Param_Missing`: the parameters of which one is expected.
    return error(400, 'EXPECTED_PARAM_MISSING', 'One of the expected parameter is missing', {
      param_names: [...SEARCH_PARAMS],
    });
  }
  const fields = fieldsParam(def, req, false);
  if (isReply(fields)) return fields;
  const pg = paging(req);
  if (isReply(pg)) return pg;
  if (pg.page * pg.perPage > SEARCH_LIMIT) {
    // OAS module_search.json `Max_records` (its limit a string).
    return error(400, 'LIMIT_REACHED', 'maximum response iteration limit reached', {
      limit: String(SEARCH_LIMIT),
    });
  }
  const tests = searchTests(def, req.query);
  if (isReply(tests)) return tests;

  const matches = c.store.all(def.api_name).filter((r) => tests.every((t) => t(r.data)));
  const present = (r: StoredRecord) => c.present(def, r, fields);
  return pageReply(matches, pg, present, Math.min(matches.length, SEARCH_LIMIT));
}
