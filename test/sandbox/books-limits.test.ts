/**
 * The emulator's Books daily quota: X-Rate-Limit-* on every answer to an organization (reset in
 * seconds to the org's midnight), a 429 once the day's calls are used, and no CRM credits spent.
 */
import assert from 'node:assert/strict';
import { orgDay } from '../../src/sandbox/books/time';
import { BERLIN, ORG, useBooksSandbox } from './books-client';

describe('sandbox: Zoho Books daily quota', function () {
  const h = useBooksSandbox(50);
  beforeEach(() => h.books.resetStats());

  const get = (org: string) => h.call('GET', 'contacts', undefined, org);

  it('counts down X-Rate-Limit-Remaining per organization, reset at its midnight', async function () {
    h.books.config.dailyLimit = 1000;
    const first = await get(ORG);
    const second = await get(ORG);
    const berlin = await get(BERLIN);
    assert.equal(first.headers.get('x-rate-limit-limit'), '1000');
    assert.equal(first.headers.get('x-rate-limit-remaining'), '999');
    assert.equal(second.headers.get('x-rate-limit-remaining'), '998');
    assert.equal(berlin.headers.get('x-rate-limit-remaining'), '999');
    const reset = Number(berlin.headers.get('x-rate-limit-reset'));
    const expected = orgDay(Date.now(), 'Europe/Berlin').secondsLeft;
    assert.ok(Math.abs(reset - expected) <= 1, `${reset} vs ${expected}`);
  });

  it('answers 429 once the day is used, and spends no CRM credits', async function () {
    h.books.config.dailyLimit = 2;
    const credits = h.sb.sandbox.creditsRemaining();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(ORG)).status);
    assert.deepEqual(statuses, [200, 200, 429]);
    assert.equal(h.sb.sandbox.creditsRemaining(), credits);
    assert.equal(h.books.stats.throttled, 1);
  });

  it('answers Books while CRM has no credits left, even past zero', async function () {
    const saved = h.sb.sandbox.options.creditLimit;
    try {
      // A limit lowered below what the day already spent (the fault suite's "daily credit
      // limit") leaves CRM's credits below zero.
      h.sb.sandbox.configure({ creditLimit: 10 });
      const crm = () => fetch(`${h.sb.url}/crm/v8/org`, { headers: h.headers() });
      assert.equal((await crm()).status, 200);
      h.sb.sandbox.configure({ creditLimit: 0.5 });
      assert.ok(h.sb.sandbox.creditsRemaining() < 0);
      assert.equal((await crm()).status, 429);
      assert.equal((await get(ORG)).status, 200);
    } finally {
      h.sb.sandbox.configure({ creditLimit: saved });
    }
  });

  it("knows an org's midnight: 23:00 UTC is 1 h before UTC's, 1 h after Berlin's summer one", function () {
    const at = Date.UTC(2026, 5, 9, 23, 0, 0);
    assert.deepEqual(orgDay(at, 'Etc/UTC'), { date: '2026-06-09', secondsLeft: 3600 });
    assert.deepEqual(orgDay(at, 'Europe/Berlin'), { date: '2026-06-10', secondsLeft: 82800 });
    // The recorded org: 20:22:34 GMT, reset 27445 s (America/New_York, -0400).
    const recorded = Date.UTC(2026, 5, 9, 20, 22, 34);
    assert.equal(orgDay(recorded, 'America/New_York').secondsLeft, 27446);
  });
});
