import assert from 'node:assert/strict';
import { crmApi, issueTokens, useSandbox } from '../helpers/sandbox';

/** The emulator weighs CRM calls as Zoho's published table does (src/sandbox/crm/credits.ts). */
describe('sandbox: API credits per call', () => {
  const sb = useSandbox({ creditLimit: 1_000_000 });

  async function cost(method: string, path: string, body?: unknown): Promise<number> {
    const { api } = crmApi(sb.url, issueTokens(sb.sandbox).accessToken);
    const before = sb.sandbox.creditsRemaining();
    await api(method, path, body);
    return before - sb.sandbox.creditsRemaining();
  }
  const leads = (n: number) => ({
    data: Array.from({ length: n }, (_, i) => ({ Last_Name: `c${i}` })),
  });
  const coql = (limit: string) => ({
    select_query: `select Last_Name from Leads where Last_Name is not null${limit}`,
  });

  it('charges by the table: writes per 10 records, COQL by LIMIT, deleted ids, custom views', async () => {
    assert.equal(await cost('GET', '/Leads'), 1);
    assert.equal(await cost('GET', '/Leads?cvid=1'), 3);
    assert.equal(await cost('GET', '/Leads/deleted'), 2);
    assert.equal(await cost('POST', '/Leads', leads(10)), 1);
    assert.equal(await cost('POST', '/Leads', leads(11)), 2);
    assert.equal(await cost('POST', '/Leads/upsert', leads(100)), 10);
    assert.equal(await cost('POST', '/coql', coql('')), 1);
    assert.equal(await cost('POST', '/coql', coql(' limit 200')), 1);
    assert.equal(await cost('POST', '/coql', coql(' limit 201')), 2);
    assert.equal(await cost('POST', '/coql', coql(' limit 1000, 1001')), 3);
    assert.equal(await cost('POST', '/coql', { select_query: 'not a query' }), 1);
  });
});
