/**
 * What a long run meets besides single faults: the connection's creditBackoff stopping the pack
 * before the org's daily credits run out (read from Zoho's X-API-CREDITS-REMAINING header) and resuming
 * when the 24-hour window gives them back; a 401 INVALID_TOKEN in the middle of a paged read;
 * and token requests resuming after the accounts server failed or throttled.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import * as sinon from 'sinon';
import { NthMatch } from './fault-kinds';
import { figure } from './figures';
import { NODE_CASES } from './node-cases';
import { Rig, contractBreach } from './rig';

const crmRecord = NODE_CASES.find((c) => c.type === 'crm-record')!;
const booksRecord = NODE_CASES.find((c) => c.type === 'books-record')!;
const LIST = { operation: 'list', fields: 'Last_Name,Email' };
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Wall time (Date.now()) and monotonic time (performance.now(), which the pack's pauses and
 * latches read) move `ms` ahead; timers keep real time. Until sinon.restore().
 */
function later(ms: number): void {
  const realNow = performance.now.bind(performance);
  sinon.stub(performance, 'now').callsFake(() => realNow() + ms);
  sinon.useFakeTimers({ now: Date.now() + ms, toFake: ['Date'], shouldAdvanceTime: true });
}

describe('reliability: credits and tokens over a long run', function () {
  this.timeout(120_000);
  const rig = Rig.use();
  afterEach(() => {
    sinon.restore();
    rig.sandbox.configure({
      creditLimit: 0,
      tokenRateLimit: { max: 1_000_000, windowMs: 600_000 },
    });
    rig.sandbox.faults.clear();
    rig.sandbox.resetStats();
  });

  for (const fraction of [0.5, 0.8, 1.0]) {
    it(`creditBackoff ${fraction}: stops before the credits run out, resumes when they return`, async function () {
      const limit = 40;
      rig.crm.store.clear();
      rig.crm.store.insert('Leads', [{ Last_Name: 'Doe' }]);
      await rig.load([crmRecord], { creditBackoff: String(fraction) });
      rig.sandbox.resetStats();
      rig.sandbox.configure({ creditLimit: limit });
      rig.sandbox.clearRequests();
      let ok = 0;
      let refused;
      for (let i = 0; i < limit + 10 && !refused; i++) {
        const o = await rig.exec('crm-record', LIST, { settleMs: 5 });
        assert.equal(contractBreach(o), undefined);
        if (o.dones[0] === undefined) ok++;
        else refused = o;
      }
      const spent = limit - rig.sandbox.creditsRemaining();
      assert.ok(refused, 'the pack never stopped');
      assert.equal(refused.errors[0].error.code, 'CREDIT_BUDGET_REACHED');
      assert.match(String(refused.statuses.at(-1)?.text), /CREDIT_BUDGET_REACHED/);
      assert.equal(refused.requests.filter((r) => r.path.startsWith('/crm/')).length, 0);
      assert.equal(rig.sandbox.stats.throttled, 0, "Zoho's own credit limit was hit");
      assert.equal(spent, Math.ceil(fraction * limit), `spent ${spent} of ${limit}`);
      // With ZohoCRM.org.READ granted, the pack also reads GET /org (the org's daily allowance,
      // core/credit-allowance.ts), a call that costs a credit too.
      const orgReads = rig.sandbox.requests.filter((r) => r.path === '/crm/v8/org').length;
      assert.equal(ok + orgReads, spent, 'one credit per message that got through');
      figure(`credits.backoff_${fraction.toFixed(1)}.spent_of_${limit}`, spent);
      figure(`credits.backoff_${fraction.toFixed(1)}.zoho_429`, rig.sandbox.stats.throttled);

      // A day later Zoho's rolling window has given the credits back.
      later(DAY_MS + 60_000);
      const resumed = await rig.exec('crm-record', LIST);
      assert.equal(resumed.dones[0], undefined, JSON.stringify(resumed.errors[0]?.error));
      assert.equal(resumed.outs.length, 1);
      figure(`credits.backoff_${fraction.toFixed(1)}.resumed`, 1);
    });
  }

  it('one connection for CRM and Books: a CRM credit budget reached refuses no Books call', async function () {
    const limit = 20;
    rig.crm.store.clear();
    rig.crm.store.insert('Leads', [{ Last_Name: 'Doe' }]);
    rig.books.store.clear();
    rig.books.config.dailyLimit = 1000;
    await rig.load([crmRecord, booksRecord], { creditBackoff: '0.5' });
    rig.sandbox.configure({ creditLimit: limit });
    let crmRefused;
    for (let i = 0; i < limit && !crmRefused; i++) {
      const o = await rig.exec('crm-record', LIST, { settleMs: 5 });
      if (o.dones[0] !== undefined) crmRefused = o;
    }
    assert.equal(crmRefused?.errors[0].error.code, 'CREDIT_BUDGET_REACHED');
    const calls = 25;
    let refused = 0;
    for (let i = 0; i < calls; i++) {
      const o = await rig.exec('books-record', { operation: 'list' }, { settleMs: 5 });
      assert.equal(contractBreach(o), undefined);
      if (o.dones[0] !== undefined) refused++;
    }
    rig.books.config.dailyLimit = 0;
    figure('credits.books_calls_under_crm_budget', calls);
    figure('credits.books_refused_under_crm_budget', refused);
    assert.equal(refused, 0);
  });

  it('a 401 INVALID_TOKEN on page 2 of 3: one refresh, every record, one output', async function () {
    rig.crm.store.clear();
    rig.crm.store.insert(
      'Leads',
      Array.from({ length: 450 }, (_, i) => ({ Last_Name: `L${i}` })),
    );
    await rig.load([crmRecord]);
    rig.sandbox.faults.inject({
      match: { method: 'GET', path: new NthMatch(/^\/crm\/v8\/Leads$/, 2) },
      kind: 'expire-token',
    });
    const tokensBefore = rig.sandbox.stats.tokenRequests.refresh_token;
    const o = await rig.exec('crm-record', { ...LIST, returnAll: true, perPage: 200 });
    assert.equal(contractBreach(o), undefined);
    assert.equal(o.outs[0].payload.length, 450);
    const pages = o.requests.filter((r) => r.path === '/crm/v8/Leads');
    assert.deepEqual(
      pages.map((r) => r.status),
      [200, 401, 200, 200],
    );
    // The first refresh is the connection's first token; the second is the 401's.
    assert.equal(rig.sandbox.stats.tokenRequests.refresh_token - tokensBefore, 2);
    figure('faults.midrun_401.records', o.outs[0].payload.length);
  });

  it('token requests resume after the accounts server failed (5xx), after its pause', async function () {
    await rig.load([crmRecord]);
    rig.sandbox.faults.inject({ match: { path: '/oauth/v2/token' }, kind: 'status', status: 500 });
    const failed = await rig.exec('crm-record', LIST);
    assert.equal(failed.errors[0]?.error.code, 'ACCOUNTS_SERVER_ERROR');
    const paused = await rig.exec('crm-record', LIST);
    assert.equal(
      paused.errors[0]?.error.code,
      'ACCOUNTS_SERVER_ERROR',
      'no second token request at once',
    );
    later(6_000);
    const resumed = await rig.exec('crm-record', LIST);
    assert.equal(resumed.outs.length, 1, JSON.stringify(resumed.errors[0]?.error));
    figure('faults.token_5xx.resumed', 1);
  });

  it('token requests resume after Zoho throttled them, after the cool-down', async function () {
    await rig.load([crmRecord]);
    rig.sandbox.configure({ tokenRateLimit: { max: 0, windowMs: 600_000 } });
    const throttled = await rig.exec('crm-record', LIST);
    assert.equal(throttled.errors[0]?.error.code, 'TOKEN_THROTTLED');
    assert.equal(throttled.statuses.at(-1)?.shape, 'ring');
    rig.sandbox.configure({ tokenRateLimit: { max: 1_000_000, windowMs: 600_000 } });
    const before = rig.sandbox.stats.tokenRequests.total;
    const held = await rig.exec('crm-record', LIST);
    assert.equal(held.errors[0]?.error.code, 'TOKEN_THROTTLED');
    assert.equal(rig.sandbox.stats.tokenRequests.total, before, 'the cool-down sends nothing');
    later(2 * 60_000 + 1_000);
    const resumed = await rig.exec('crm-record', LIST);
    assert.equal(resumed.outs.length, 1, JSON.stringify(resumed.errors[0]?.error));
    figure('faults.token_throttle.resumed', 1);
  });

  it('a revoked refresh token: a red "reconnect" status, and no token request storm', async function () {
    await rig.load([crmRecord]);
    rig.sandbox.accounts.revokeRefreshToken(rig.refreshToken);
    const before = rig.sandbox.stats.tokenRequests.total;
    for (let i = 0; i < 20; i++) {
      const o = await rig.exec('crm-record', LIST, { settleMs: 5 });
      assert.equal(o.errors[0]?.error.code, 'TOKEN_REVOKED');
      assert.equal(o.statuses.at(-1)?.fill, 'red');
    }
    assert.equal(rig.sandbox.stats.tokenRequests.total - before, 1);
    figure(
      'faults.revoked.token_requests_for_20_messages',
      rig.sandbox.stats.tokenRequests.total - before,
    );
  });
});
