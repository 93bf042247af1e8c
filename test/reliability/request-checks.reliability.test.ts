/**
 * The request judges of the fuzz suite can fail: requests with an unsafe path, an injected query
 * key, or a COQL or criteria literal that changed the query are flagged; sound ones are not.
 */
import assert from 'node:assert/strict';
import type { RecordedRequest } from '../../src/sandbox/types';
import { alteredCoql, alteredCriteria, unsafeRequest } from './request-checks';

const req = (target: string, extra: Partial<RecordedRequest> = {}): RecordedRequest => {
  const url = new URL(target, 'http://x');
  return {
    method: 'GET',
    path: url.pathname,
    target,
    query: Object.fromEntries(url.searchParams),
    headers: {},
    body: undefined,
    status: 200,
    time: 0,
    ...extra,
  };
};

describe('reliability: the request judges', function () {
  it('flag unsafe paths and injected query keys, pass sound requests', function () {
    for (const bad of [
      '/crm/v8/Leads/..',
      '/crm/v8/Leads/%2e%2e/x',
      '/crm/v8/Leads/1%2F2',
      '/crm/v8/Leads/1%3Fa',
      '/crm/v8/Leads/1%00',
      '/crm/v8/Leads/%zz',
      '/crm/v8/Leads/INJ',
      '/crm/v8/Leads?INJ=1',
      '/crm/v8/Leads#x',
    ]) {
      assert.ok(unsafeRequest(req(bad)), bad);
    }
    for (const good of ['/crm/v8/Leads/123', '/crm/v8/Leads?fields=Last_Name&page_token=INJ%26x']) {
      assert.equal(unsafeRequest(req(good)), undefined, good);
    }
  });

  it('flag a COQL literal or criteria value that changed the query', function () {
    const coql = (q: string) => req('/crm/v8/coql', { method: 'POST', body: { select_query: q } });
    const base = 'select Last_Name from Leads where Last_Name = ';
    assert.equal(alteredCoql(coql(`${base}'x\\' or 1=1' limit 5`), "x' or 1=1"), undefined);
    assert.ok(alteredCoql(coql(`${base}'x' or Last_Name = 'y' limit 5`), "x' or Last_Name = 'y"));
    assert.ok(alteredCoql(coql(`${base}'x' limit 5`), 'y'));
    const search = (c: string) => req(`/crm/v8/Leads/search?criteria=${encodeURIComponent(c)}`);
    assert.equal(alteredCriteria(search('(Last_Name:equals:a\\,b)'), 'a,b'), undefined);
    assert.ok(
      alteredCriteria(search('(Last_Name:equals:a)or(Email:equals:b)'), 'a)or(Email:equals:b'),
    );
    assert.ok(alteredCriteria(search('(Last_Name:equals:a,b)'), 'a,b'));
  });
});
