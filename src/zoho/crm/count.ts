/**
 * Zoho CRM record count (API v8, record_count.json): `GET /{module}/actions/count` answers
 * `{ count }` for the whole module, or for the records a search selects (criteria, word, email or
 * phone, built and checked by the search's own builder). One call, 1 credit.
 */
import { ZohoError } from '../core/errors';
import { Requester, asRecord, path } from './common';
import { SearchQuery, searchParams } from './search';
import { checkModule } from './validate';

/** How many records the module holds, or how many the search matches. */
export async function countRecords(
  conn: Requester,
  module: string,
  search?: SearchQuery,
  options: { signal?: AbortSignal } = {},
): Promise<number> {
  const mod = checkModule(module);
  const query = search === undefined ? undefined : searchParams(search);
  const res = await conn.request({
    product: 'crm',
    method: 'GET',
    path: path(mod, 'actions', 'count'),
    query,
    signal: options.signal,
  });
  // 204 is Zoho's "nothing" answer across CRM reads (unverified for count): none matched.
  if (res.status === 204) return 0;
  const count = asRecord(res.data)?.count;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0)
    throw new ZohoError({
      code: 'UNEXPECTED_RESPONSE',
      kind: 'http',
      status: res.status,
      message: 'Zoho answered the count without a number in `count`',
      details: res.data,
    });
  return count;
}
