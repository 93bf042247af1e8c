/**
 * Issue 13 items 9 and 10: time a hostile Zoho or a wrong clock could bend. The channel keeper's
 * calls per hour under expiries Zoho cannot mean, and waits of the rolling window (the Books
 * window of item 10) across wall-clock steps.
 */
import assert from 'node:assert/strict';
import { RollingWindow } from '../../src/zoho/core/limits';
import { FakeClock } from '../helpers/clock';
import { HOSTILE_EXPIRIES, NORMAL_EXPIRY, keeperCallsPerHour } from '../zoho/keeper-sim';
import { figure } from './figures';

const HOUR = 3_600_000;
const FOUR_WEEKS_H = 4 * 7 * 24;

describe('reliability: hostile expiries and clock steps', function () {
  this.timeout(120_000);

  it('keeper: calls per hour under hostile expiries stay within the normal schedule', async () => {
    const normal = await keeperCallsPerHour(NORMAL_EXPIRY, FOUR_WEEKS_H);
    const y2099 = await keeperCallsPerHour(HOSTILE_EXPIRIES.year2099, FOUR_WEEKS_H);
    const past = await keeperCallsPerHour(HOSTILE_EXPIRIES.past, FOUR_WEEKS_H);
    const second = await keeperCallsPerHour(HOSTILE_EXPIRIES.oneSecond, FOUR_WEEKS_H);
    // Per week: per hour, the normal schedule rounds to 0.01 and hides any difference.
    const week = 7 * 24;
    figure('attack.keeper.calls_per_week_normal', normal * week);
    figure('attack.keeper.calls_per_week_expiry_2099', y2099 * week);
    figure('attack.keeper.calls_per_week_expiry_past', past * week);
    figure('attack.keeper.calls_per_week_expiry_one_second', second * week);
    assert.ok(y2099 <= normal && past <= normal);
    assert.ok(second <= 1.1);
  });

  it('clock steps: no wait of the rolling window is stretched by a wall-clock step', async () => {
    const steps = [-HOUR, -24 * HOUR, -365 * 24 * HOUR, HOUR, 24 * HOUR];
    const windowMs = 60_000;
    let stretched = 0;
    for (const step of steps) {
      const clock = new FakeClock();
      const window = new RollingWindow(2, windowMs, clock);
      for (let i = 0; i < 2; i++) (await window.take())();
      clock.stepWall(step);
      (await window.take())();
      if (clock.sleeps.some((ms) => ms > windowMs + 1)) stretched++;
    }
    figure('attack.clock_step.steps_tried', steps.length);
    figure('attack.clock_step.waits_stretched', stretched);
    assert.equal(stretched, 0);
  });
});
