/**
 * GET /crm/v8/{module}/actions/count: `{ "count": n }` for the whole module, or for the records
 * that `criteria`, `email`, `phone` or `word` select (as search), or for a custom view (`cvid`).
 *
 * Sources: record_count.json (Zoho's v8 OpenAPI: email, phone, word and cvid; cvid with any search
 * parameter answers 400 AMBIGUITY_DURING_PROCESSING listing the parameters in
 * `ambiguity_due_to`); the answer's `count` key and `criteria` as on Zoho's "Get Record Count" API
 * page and Joel Lipman's v5 examples (joellipman.com, "Zoho CRM: using criteria with module record
 * count"). The emulator has no custom views, so any cvid answers INVALID_DATA (unverified).
 */
import type { SandboxReply, SandboxRequest } from '../types';
import { isReply, type CrmContext } from './context';
import { SEARCH_PARAMS, searchTests } from './search';
import { error } from './util';

export function recordCount(c: CrmContext, req: SandboxRequest): SandboxReply {
  const def = c.module(req);
  if (isReply(def)) return def;
  const given = SEARCH_PARAMS.filter((name) => req.query.get(name) !== null);
  const cvid = req.query.get('cvid');
  if (cvid !== null && given.length > 0) {
    return error(
      400,
      'AMBIGUITY_DURING_PROCESSING',
      'Please use either Cvid or Search Params. Combination of both the params is not allowed',
      { ambiguity_due_to: ['cvid', ...given].map((param_name) => ({ param_name })) },
    );
  }
  if (cvid !== null) {
    return error(400, 'INVALID_DATA', 'the id given seems to be invalid', { param_name: 'cvid' });
  }
  const tests = searchTests(def, req.query);
  if (isReply(tests)) return tests;
  let count = 0;
  for (const rec of c.store.all(def.api_name)) if (tests.every((t) => t(rec.data))) count++;
  return { status: 200, body: { count } };
}
