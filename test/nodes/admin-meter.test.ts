import * as assert from 'node:assert/strict';
import { ZohoError } from '../../src/zoho/core/errors';
import {
  AdminMeter,
  FAILURE_TTL_MS,
  MAX_KEYS,
  USER_LIMIT,
  USER_WINDOW_MS,
  callerOf,
} from '../../src/nodes/runtime/admin-meter';

describe('AdminMeter (editor routes that call Zoho)', function () {
  let now = 0;
  const meter = () => new AdminMeter(() => now);
  const zohoFailure = new ZohoError({ code: 'INTERNAL_ERROR', kind: 'zoho', message: 'x' });
  beforeEach(() => (now = 1_000));

  it('remembers a Zoho failure for 30 s, then forgets it', function () {
    const m = meter();
    m.noteFailure('k', 'user:a', zohoFailure);
    now += FAILURE_TTL_MS - 1;
    assert.equal(m.recentFailure('k'), zohoFailure);
    now += 1;
    assert.equal(m.recentFailure('k'), undefined);
  });

  it('does not remember input errors or errors of its own', function () {
    const m = meter();
    m.noteFailure(
      'a',
      'user:a',
      new ZohoError({ code: 'INVALID_INPUT', kind: 'input', message: 'x' }),
    );
    m.noteFailure('b', 'user:a', new Error('not deployed'));
    assert.equal(m.admit('user:a'), 0);
    assert.equal(m.recentFailure('a'), undefined);
    assert.equal(m.recentFailure('b'), undefined);
  });

  it('admits a user until USER_LIMIT failures in the window, each user on their own', function () {
    const m = meter();
    for (let i = 0; i < USER_LIMIT; i++) {
      assert.equal(m.admit('user:a'), 0);
      m.noteFailure(`k${i}`, 'user:a', zohoFailure);
    }
    assert.ok(m.admit('user:a') > 0);
    assert.equal(m.admit('user:b'), 0);
    now += USER_WINDOW_MS;
    assert.equal(m.admit('user:a'), 0);
  });

  it('holds at most MAX_KEYS callers and failures', function () {
    const m = meter();
    for (let i = 0; i < MAX_KEYS * 3; i++) {
      m.noteFailure(`k${i}`, `addr:${i}`, zohoFailure);
    }
    const sizes = m as unknown as { calls: Map<string, unknown>; failures: Map<string, unknown> };
    assert.equal(sizes.calls.size, MAX_KEYS);
    assert.equal(sizes.failures.size, MAX_KEYS);
    assert.equal(m.recentFailure('k0'), undefined);
  });

  it('names the caller by Node-RED user, else by address', function () {
    assert.equal(callerOf({ user: { username: 'ann' }, ip: '1.2.3.4' }), 'user:ann');
    assert.equal(callerOf({ ip: '1.2.3.4' }), 'addr:1.2.3.4');
    assert.equal(callerOf({ socket: { remoteAddress: '::1' } }), 'addr:::1');
  });
});
