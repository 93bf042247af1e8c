/**
 * Issue 13 item 10: waits are measured on a monotonic clock, so a wall-clock step cannot stretch
 * them; and sleeps longer than setTimeout can hold are chained instead of firing at once.
 */
import assert from 'node:assert/strict';
import { MAX_TIMER_MS, systemClock } from '../../src/zoho/core/clock';
import { RollingWindow } from '../../src/zoho/core/limits';
import { FakeClock } from '../helpers/clock';

const HOUR = 3_600_000;

describe('clock: monotonic waits and long sleeps', function () {
  it('a rolling window waits at most its window after the wall clock steps back an hour', async () => {
    const clock = new FakeClock();
    const window = new RollingWindow(2, 60_000, clock);
    for (let i = 0; i < 2; i++) (await window.take())();
    clock.stepWall(-HOUR);
    (await window.take())();
    const longest = Math.max(...clock.sleeps);
    assert.ok(clock.sleeps.length > 0, 'the third call waited for room');
    assert.ok(longest <= 60_001, `waited ${longest} ms for a 60 s window`);
  });

  it('a sleep past setTimeout’s limit is chained, never one overflowing timer', async () => {
    const asked: number[] = [];
    const original = globalThis.setTimeout;
    globalThis.setTimeout = ((fn: () => void, ms?: number) => {
      asked.push(ms ?? 0);
      return original(fn, ms);
    }) as typeof setTimeout;
    const stop = new AbortController();
    try {
      const sleeping = systemClock.sleep(MAX_TIMER_MS + 1000, stop.signal);
      stop.abort();
      await assert.rejects(sleeping);
    } finally {
      globalThis.setTimeout = original;
    }
    assert.ok(asked.length > 0);
    assert.ok(
      asked.every((ms) => ms <= MAX_TIMER_MS),
      `timers asked: ${asked.join(', ')}`,
    );
  });

  it('sleeps of ordinary length still wait about as long as asked', async () => {
    const t0 = performance.now();
    await systemClock.sleep(30);
    assert.ok(performance.now() - t0 >= 29);
  });
});
