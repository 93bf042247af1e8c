import assert from 'node:assert/strict';
import { accountsFamily } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';
import { ZohoConnection } from '../../src/zoho/core/connection';
import { CreditLedger, coqlLimit, crmCreditCost } from '../../src/zoho/core/credits';
import { ZohoError } from '../../src/zoho/core/errors';
import { ASSUMED_CRM_CREDITS } from '../../src/zoho/core/limits';
import { FakeClock } from '../helpers/clock';
import { ProbeFamily, probeFamily, sandboxConnection } from '../helpers/sandbox';

const records = (n: number) => ({ data: Array.from({ length: n }, () => ({ Last_Name: 'x' })) });
const coql = (query: string) => ({
  method: 'POST',
  path: '/v8/coql',
  body: { select_query: query },
});

describe("credits: what a CRM call costs and the pack's own count", () => {
  it("weighs calls as Zoho's published table does", () => {
    const cases: Array<[string, Parameters<typeof crmCreditCost>[0], number]> = [
      ['a read', { method: 'GET', path: '/v8/Leads/123' }, 1],
      ['a list', { method: 'GET', path: '/v8/Leads', query: { page: 1 } }, 1],
      ['a list of a custom view', { method: 'GET', path: '/v8/Leads', query: { cvid: '9' } }, 3],
      ['deleted ids', { method: 'GET', path: '/v8/Leads/deleted' }, 2],
      ['convert lead', { method: 'POST', path: '/v8/Leads/123/actions/convert' }, 5],
      ['insert of 10', { method: 'POST', path: '/v8/Leads', body: records(10) }, 1],
      ['insert of 11', { method: 'POST', path: '/v8/Leads', body: records(11) }, 2],
      ['update of 100', { method: 'PUT', path: '/v8/Leads', body: records(100) }, 10],
      ['upsert of 25', { method: 'POST', path: '/v8/Leads/upsert', body: records(25) }, 3],
      ['delete', { method: 'DELETE', path: '/v8/Leads', query: { ids: '1,2,3' } }, 1],
      [
        'tags on 120',
        {
          method: 'POST',
          path: '/v8/Leads/actions/add_tags',
          query: { ids: Array(120).fill('1').join(',') },
        },
        3,
      ],
      ['bulk read', { method: 'POST', path: '/bulk/v8/read' }, 50],
      ['bulk write', { method: 'POST', url: 'https://www.zohoapis.com/crm/bulk/v8/write' }, 500],
      ['bulk job status', { method: 'GET', path: '/bulk/v8/read/1' }, 1],
      ['search', { method: 'GET', path: '/v8/Leads/search', query: { word: 'x' } }, 1],
      ['COQL without LIMIT', coql('select id from Leads'), 1],
      ['COQL LIMIT 200', coql('select id from Leads limit 200'), 1],
      ['COQL LIMIT 201', coql('select id from Leads limit 201'), 2],
      ['COQL LIMIT 400, 1000', coql('select id from Leads limit 400, 1000'), 2],
      ['COQL LIMIT 2000 OFFSET 10', coql('select id from Leads LIMIT 2000 OFFSET 10'), 3],
      [
        "COQL with 'limit 2000' in a string",
        coql("select id from Leads where a = 'limit 2000'"),
        1,
      ],
      [
        'an absolute URL',
        { method: 'GET', url: 'https://www.zohoapis.com/crm/v8/Leads/deleted' },
        2,
      ],
    ];
    for (const [name, call, credits] of cases) assert.equal(crmCreditCost(call), credits, name);
    assert.equal(coqlLimit('select a from b'), undefined);
  });

  it('counts credits over a rolling 24 hours in bounded minute buckets', () => {
    const clock = new FakeClock();
    const ledger = new CreditLedger(clock);
    ledger.add(3);
    clock.advance(12 * 3_600_000);
    ledger.add(4);
    assert.equal(ledger.spent(), 7);
    clock.advance(12 * 3_600_000 + 60_000);
    assert.equal(ledger.spent(), 4, 'the first credits left the 24 hours');
    clock.advance(24 * 3_600_000);
    assert.equal(ledger.spent(), 0);
  });

  describe('creditBackoff without a figure from Zoho', () => {
    let sb: Sandbox;
    let probe: ProbeFamily;
    let clock: FakeClock;
    let conn: ZohoConnection;
    const warnings: string[] = [];

    beforeEach(async () => {
      probe = probeFamily();
      // creditLimit 0: the emulated org never sends X-API-CREDITS-REMAINING.
      sb = new Sandbox({ creditLimit: 0 }, [accountsFamily(), probe]);
      await sb.start();
      clock = new FakeClock();
      warnings.length = 0;
      const logger = { warn: (m: string) => void warnings.push(m), debug: () => undefined };
      conn = sandboxConnection(sb, 'ZohoCRM.modules.ALL,ZohoCRM.bulk.ALL', {
        clock,
        creditBackoff: 0.5,
        logger,
      });
    });
    afterEach(async () => {
      conn.close();
      await sb.stop();
    });

    it('warns once, shows it in the status, and stops at its own count', async () => {
      const bulk = { method: 'POST' as const, path: '/bulk/v8/write', body: {} };
      const allowed = (ASSUMED_CRM_CREDITS * 0.5) / 500;
      for (let i = 0; i < allowed; i++) await conn.request(bulk);
      // Plus the one credit of the org read (no CRM family here: it fails, so 50,000 is assumed).
      assert.equal(conn.http.creditsSpent(), ASSUMED_CRM_CREDITS / 2 + 1);
      assert.equal(warnings.length, 1, 'one warning in the log, not one per call');
      assert.match(warnings[0], /edition could not be read .*pack's own estimate/);
      assert.equal(conn.status().warning?.code, 'CREDIT_ESTIMATE');
      const before = probe.calls;
      const refused = await conn.request(bulk).catch((e: unknown) => e as ZohoError);
      assert.equal((refused as ZohoError).code, 'CREDIT_BUDGET_REACHED');
      assert.match((refused as ZohoError).message, /pack's own estimate/);
      assert.equal(probe.calls, before, 'nothing sent');
      clock.advance(24 * 3_600_000 + 120_000);
      await conn.request({ method: 'GET', path: '/v8/__probe' });
      assert.equal(warnings.length, 1);
    });

    it("uses Zoho's X-API-CREDITS-REMAINING once it comes, and the warning ends", async () => {
      sb.configure({ creditLimit: 10 });
      await conn.request({ method: 'GET', path: '/v8/__probe' });
      assert.equal(conn.status().warning?.code, 'CREDIT_ESTIMATE', 'no figure below half used');
      for (let i = 0; i < 4; i++) await conn.request({ method: 'GET', path: '/v8/__probe' });
      assert.equal(conn.status().warning, undefined, "Zoho's figure came at half used");
      assert.deepEqual(conn.http.creditInfo(), { limit: 10, remaining: 5, resetAt: undefined });
      const refused = await conn.request({ method: 'GET', path: '/v8/__probe' }).catch((e) => e);
      assert.equal((refused as ZohoError).code, 'CREDIT_BUDGET_REACHED');
      assert.doesNotMatch((refused as ZohoError).message, /estimate/);
    });

    it('is silent without creditBackoff', async () => {
      const plain = sandboxConnection(sb, 'ZohoCRM.modules.ALL', { clock });
      await plain.request({ method: 'GET', path: '/v8/__probe' });
      assert.equal(plain.status().warning, undefined);
      plain.close();
    });
  });
});
