/**
 * creditBackoff's allowance from the org's edition and licences (GET /org license_details) by
 * Zoho's formula, against the sandbox: the budget per edition, the fallback for an edition the
 * pack does not know or an org it may not read, and one org read per day.
 */
import assert from 'node:assert/strict';
import { accountsFamily } from '../../src/sandbox/accounts';
import { crmFamily } from '../../src/sandbox/crm/index';
import type { Edition } from '../../src/sandbox/editions';
import { Sandbox } from '../../src/sandbox/server';
import type { SandboxOptions } from '../../src/sandbox/types';
import { ConnectionOptions, ZohoConnection } from '../../src/zoho/core/connection';
import { allowanceOfOrg } from '../../src/zoho/core/credit-allowance';
import { ZohoError } from '../../src/zoho/core/errors';
import { ASSUMED_CRM_CREDITS } from '../../src/zoho/core/limits';
import { FakeClock } from '../helpers/clock';
import { ProbeFamily, probeFamily, sandboxConnection } from '../helpers/sandbox';

const BULK_WRITE = 500;
const bulk = { method: 'POST' as const, path: '/bulk/v8/write', body: {} };
const leads = { method: 'GET' as const, path: '/v8/Leads', query: { fields: 'Last_Name' } };
const org = (license: Record<string, unknown>) => ({ org: [{ license_details: license }] });

describe("creditBackoff: the org's allowance by Zoho's formula", function () {
  this.timeout(60_000);

  it('works out the allowance from paid_type and users_license_purchased', () => {
    const cases: Array<[unknown, number | string]> = [
      [{ paid_type: 'enterprise', users_license_purchased: 10 }, 60_000],
      [{ paid_type: 'Enterprise', users_license_purchased: 100 }, 150_000],
      [{ paid_type: 'zoho one', users_license_purchased: 3 }, 53_000],
      [{ paid_type: 'ZohoOne', users_license_purchased: 4_990 }, 5_000_000],
      [{ paid_type: 'standard', users_license_purchased: 10 }, 52_500],
      [{ paid_type: 'Starter', users_license_purchased: 400 }, 100_000],
      [{ paid_type: 'professional', users_license_purchased: 20 }, 60_000],
      [{ paid_type: 'PROFESSIONAL_EDITION', users_license_purchased: 9_000 }, 3_000_000],
      [{ paid_type: 'ultimate', users_license_purchased: 10_000 }, 20_050_000],
      [{ paid_type: 'crm_plus', users_license_purchased: 5 }, 60_000],
      [{ paid_type: 'CRM Plus', users_license_purchased: 5 }, 60_000],
      [{ paid_type: 'free', users_license_purchased: 3, paid: false }, 5_000],
      [{ paid_type: 'enterprise' }, 50_000],
      [{ paid_type: 'bigin_express', users_license_purchased: 3 }, 'unknown-edition'],
      [{ paid_type: null }, 'unknown-edition'],
    ];
    for (const [license, expected] of cases) {
      const reading = allowanceOfOrg(org(license as Record<string, unknown>));
      const got = reading.kind === 'formula' ? reading.credits : reading.kind;
      assert.equal(got, expected, JSON.stringify(license));
    }
    assert.equal(allowanceOfOrg({ org: [{}] }).kind, 'unread');
    assert.equal(allowanceOfOrg(undefined).kind, 'unread');
  });

  describe('against the sandbox', () => {
    let sb: Sandbox;
    let probe: ProbeFamily;
    let clock: FakeClock;
    const warnings: string[] = [];
    const conns: ZohoConnection[] = [];
    const orgReads = () => sb.requests.filter((r) => r.path === '/crm/v8/org');

    async function start(options: Partial<SandboxOptions>): Promise<void> {
      probe = probeFamily();
      // creditLimit 0: Zoho's X-API-CREDITS-REMAINING never comes, the formula is all there is.
      // The probe first: it answers the 500-credit Bulk Write call before the CRM family's own.
      sb = new Sandbox({ creditLimit: 0, ...options }, [accountsFamily(), probe, crmFamily()]);
      await sb.start();
    }

    function connect(scope?: string, extra: Partial<ConnectionOptions> = {}): ZohoConnection {
      const logger = { warn: (m: string) => void warnings.push(m), debug: () => undefined };
      const conn = sandboxConnection(sb, scope, { clock, creditBackoff: 0.5, logger, ...extra });
      conns.push(conn);
      return conn;
    }

    /** Bulk writes (500 credits each) until the budget refuses one: what got through. */
    async function spendUntilRefused(conn: ZohoConnection): Promise<ZohoError> {
      for (let i = 0; i < 400; i++) {
        const before = probe.calls;
        const sent = sb.requests.length;
        const refused = await conn.request(bulk).then(
          () => undefined,
          (e: unknown) => e as ZohoError,
        );
        if (refused) {
          assert.equal(probe.calls, before, 'the refused call ran nothing');
          assert.equal(sb.requests.length, sent, 'the refused call sent nothing');
          return refused;
        }
      }
      throw new Error('never refused');
    }

    beforeEach(() => {
      clock = new FakeClock();
      warnings.length = 0;
    });
    afterEach(async () => {
      for (const conn of conns.splice(0)) conn.close();
      await sb.stop();
    });

    const editions: Array<[Edition, number, number]> = [
      ['enterprise', 10, 60_000],
      ['free', 3, 5_000],
    ];
    for (const [edition, users, allowance] of editions) {
      it(`${edition}, ${users} users: the budget is ${allowance} by the formula, nothing sent beyond it`, async () => {
        await start({ edition, licensedUsers: users });
        const conn = connect();
        const refused = await spendUntilRefused(conn);
        assert.equal(refused.code, 'CREDIT_BUDGET_REACHED');
        const details = refused.details as { limit: number; estimated: boolean };
        assert.equal(details.limit, allowance);
        assert.match(refused.message, new RegExp(`against ${allowance} \\(Zoho's formula for`));
        const spent = conn.http.creditsSpent();
        const budget = allowance * 0.5;
        assert.ok(spent >= budget && spent - BULK_WRITE < budget, `${spent} against ${budget}`);
        assert.equal(orgReads().length, 1);
        const warning = conn.status().warning;
        assert.equal(warning?.code, 'CREDIT_ESTIMATE');
        assert.deepEqual(warning?.details, {
          source: 'formula',
          credits: allowance,
          edition: edition === 'free' ? 'Free' : 'Enterprise',
          users,
        });
        assert.equal(warnings.length, 1, 'said once in the log');
        assert.match(warnings[0], /Zoho's formula for (Enterprise|Free) with \d+ user licences/);
      });
    }

    it('an edition the pack does not know: the assumed 50,000, and the log names the value', async () => {
      await start({ paidType: 'bigin_express', licensedUsers: 200 });
      const conn = connect();
      const refused = await spendUntilRefused(conn);
      assert.equal((refused.details as { limit: number }).limit, ASSUMED_CRM_CREDITS);
      assert.match(refused.message, /against an assumed 50000/);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /edition "bigin_express" .* not one the pack knows/);
      assert.match(warnings[0], /pack's own estimate/);
      assert.deepEqual(conn.status().warning?.details, {
        source: 'assumed',
        credits: ASSUMED_CRM_CREDITS,
        paidType: 'bigin_express',
      });
    });

    it('a grant without ZohoCRM.org.READ: the org read is refused, user calls go on', async () => {
      await start({ edition: 'free' });
      const conn = connect('ZohoCRM.modules.ALL');
      const answers = await Promise.all([conn.request(leads), conn.request(leads)]);
      assert.deepEqual(
        answers.map((a) => a.status),
        [204, 204],
      );
      assert.equal(orgReads().length, 1, 'one read for both calls');
      assert.equal(orgReads()[0].status, 401);
      assert.equal(conn.status().state, 'connected');
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /Zoho refused GET \/org: the grant lacks ZohoCRM\.org\.READ/);
      assert.equal(conn.status().warning?.code, 'CREDIT_ESTIMATE');
      // Scopes that do not ask for it: nothing is sent to learn what cannot be read.
      sb.clearRequests();
      const narrow = connect('ZohoCRM.modules.ALL', { scopes: ['ZohoCRM.modules.ALL'] });
      assert.equal((await narrow.request(leads)).status, 204);
      assert.equal(orgReads().length, 0);
      assert.match(warnings[1], /the connection's scopes lack ZohoCRM\.org\.READ/);
    });

    it('a slow org read: a caller who gives up is not held; a failed read falls back, tried again later', async () => {
      await start({ edition: 'enterprise' });
      sb.faults.inject({ match: { path: '/crm/v8/org' }, kind: 'slow', delayMs: 1_500, times: 1 });
      const conn = connect();
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 50);
      const started = Date.now();
      const aborted = await conn.request({ ...leads, signal: abort.signal }).catch((e) => e);
      assert.equal((aborted as ZohoError).code, 'ABORTED');
      assert.ok(Date.now() - started < 1_000, `held ${Date.now() - started} ms`);
      await waitFor(() => conn.status().warning !== undefined);
      assert.equal((conn.status().warning?.details as { credits: number }).credits, 60_000);
      // A read that meets a server error: the assumed floor now, another read 10 minutes on.
      const other = connect();
      sb.faults.inject({ match: { path: '/crm/v8/org' }, kind: 'status', status: 500, times: 1 });
      sb.clearRequests();
      assert.equal((await other.request(leads)).status, 204);
      assert.match(warnings.at(-1) ?? '', /could not be read \(GET \/org failed: /);
      clock.advance(10 * 60_000 + 1);
      await other.request(leads);
      await waitFor(() => orgReads().length === 2);
      await waitFor(() => other.status().warning?.details !== undefined);
      await waitFor(
        () => (other.status().warning?.details as { source: string }).source === 'formula',
      );
    });

    it('reads the org once a day, and again when the connection is rebuilt', async () => {
      await start({ edition: 'standard', licensedUsers: 4 });
      const conn = connect();
      await Promise.all(Array.from({ length: 5 }, () => conn.request(leads)));
      assert.equal(orgReads().length, 1, 'five first calls, one read');
      clock.advance(23 * 3_600_000);
      await conn.request(leads);
      assert.equal(orgReads().length, 1, 'not yet a day');
      clock.advance(3_600_000 + 60_000);
      await conn.request(leads);
      await waitFor(() => orgReads().length === 2);
      await conn.request(leads);
      assert.equal(orgReads().length, 2, 'a day later, one more');
      assert.equal((conn.status().warning?.details as { credits: number }).credits, 51_000);
      const rebuilt = connect();
      await rebuilt.request(leads);
      assert.equal(orgReads().length, 3, 'a new connection reads it again');
    });
  });
});

async function waitFor(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
