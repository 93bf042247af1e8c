/**
 * Issue 13 item 9: the channel keeper plans with expiries Zoho can mean (at most the week asked
 * for, never in the past) and backs off when Zoho keeps answering expiries moments away.
 */
import assert from 'node:assert/strict';
import { plannedExpiry } from '../../src/zoho/crm/channel-keeper';
import { HOSTILE_EXPIRIES, NORMAL_EXPIRY, keeperCallsPerHour } from './keeper-sim';

const FOUR_WEEKS_H = 4 * 7 * 24;

describe('channel keeper: hostile expiries', function () {
  this.timeout(60_000);

  it('keeps an expiry inside (now, asked] and replaces any other by the one asked', () => {
    const now = 1_000_000;
    const asked = now + 5000;
    assert.equal(plannedExpiry(now + 3000, now, asked), now + 3000);
    assert.equal(plannedExpiry(asked + 1, now, asked), asked);
    assert.equal(plannedExpiry(now - 1, now, asked), asked);
    assert.equal(plannedExpiry(Number.NaN, now, asked), asked);
  });

  it('renews no more often under an expiry of 2099 or one in the past than on the normal schedule', async () => {
    const normal = await keeperCallsPerHour(NORMAL_EXPIRY, FOUR_WEEKS_H);
    assert.ok(normal > 0 && normal < 0.01, `normal ${normal}/h`);
    for (const name of ['year2099', 'past']) {
      const hostile = await keeperCallsPerHour(HOSTILE_EXPIRIES[name], FOUR_WEEKS_H);
      assert.ok(hostile <= normal, `${name}: ${hostile}/h against ${normal}/h`);
    }
  });

  it('backs off when every answer expires a second later: about one call an hour', async () => {
    const perHour = await keeperCallsPerHour(HOSTILE_EXPIRIES.oneSecond, FOUR_WEEKS_H);
    assert.ok(perHour <= 1.1, `${perHour}/h`);
  });
});
