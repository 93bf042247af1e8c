/**
 * GET /crm/v8/{module}/search with criteria, email, phone or word; 204 when nothing matches.
 */
import type { SandboxReply, SandboxRequest } from '../types';
import { isReply, type CrmContext } from './context';
import { CriteriaError, compileCriteria, parseCriteria } from './criteria';
import { fieldsParam, paging } from './records';
import type { RecordData } from './types';
import { error, noContent, paramMissing } from './util';

/** Zoho's search answers at most 2,000 records per query. */
export const SEARCH_LIMIT = 2000;

const invalidQuery = (details: Record<string, unknown>): SandboxReply =>
  error(400, 'INVALID_QUERY', 'invalid query formed', details);

export function searchRecords(c: CrmContext, req: SandboxRequest): SandboxReply {
  const def = c.module(req);
  if (isReply(def)) return def;
  const q = req.query;
  const criteria = q.get('criteria');
  const email = q.get('email');
  const phone = q.get('phone');
  const word = q.get('word');
  if (criteria === null && email === null && phone === null && word === null) {
    return paramMissing('criteria');
  }
  const fields = fieldsParam(def, req, false);
  if (isReply(fields)) return fields;
  const pg = paging(req);
  if (isReply(pg)) return pg;
  if (pg.page * pg.perPage > SEARCH_LIMIT) {
    return error(400, 'LIMIT_EXCEEDED', 'Record count exceeded', { limit: SEARCH_LIMIT });
  }

  const tests: ((d: RecordData) => boolean)[] = [];
  if (criteria !== null) {
    try {
      tests.push(compileCriteria(parseCriteria(criteria), def));
    } catch (err) {
      if (!(err instanceof CriteriaError)) throw err;
      return invalidQuery({ ...err.details, reason: err.details.reason ?? err.message });
    }
  }
  const ofType = (...types: string[]): string[] =>
    def.fields.filter((f) => types.includes(f.type)).map((f) => f.api_name);
  if (email !== null) {
    const e = email.trim().toLowerCase();
    if (e === '') return invalidQuery({ param: 'email', reason: 'the email is empty' });
    const names = ofType('email');
    tests.push((d) => names.some((n) => typeof d[n] === 'string' && d[n].toLowerCase() === e));
  }
  if (phone !== null) {
    const digits = phone.replace(/\D/g, '');
    if (digits === '')
      return invalidQuery({ param: 'phone', reason: 'the phone number is invalid' });
    const names = ofType('phone');
    tests.push((d) =>
      names.some((n) => typeof d[n] === 'string' && d[n].replace(/\D/g, '').includes(digits)),
    );
  }
  if (word !== null) {
    const w = word.trim().toLowerCase();
    if (w.length < 2) {
      return invalidQuery({
        param: 'word',
        reason: 'the word should contain at least 2 characters',
      });
    }
    const names = ofType('text', 'textarea', 'email', 'phone', 'website', 'picklist');
    tests.push((d) =>
      names.some((n) => typeof d[n] === 'string' && d[n].toLowerCase().includes(w)),
    );
  }

  const matches = c.store.all(def.api_name).filter((r) => tests.every((t) => t(r.data)));
  const start = (pg.page - 1) * pg.perPage;
  const slice = matches.slice(start, start + pg.perPage);
  if (slice.length === 0) return noContent();
  const reachable = Math.min(matches.length, SEARCH_LIMIT);
  return {
    status: 200,
    body: {
      data: slice.map((r) => c.present(def, r, fields)),
      info: {
        per_page: pg.perPage,
        count: slice.length,
        page: pg.page,
        more_records: start + pg.perPage < reachable,
      },
    },
  };
}
