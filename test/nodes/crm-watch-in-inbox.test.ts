import * as assert from 'node:assert/strict';
import {
  CallbackInbox,
  MAX_QUEUED,
  MAX_REMEMBERED,
  REPLAY_WINDOW_MS,
} from '../../src/nodes/crm-watch-in/inbox';

describe('crm-watch-in CallbackInbox', function () {
  let now = 0;
  const inbox = () => new CallbackInbox(() => now);

  it('drops an exact replay within the window and takes it again after', function () {
    const box = inbox();
    const body = { ids: ['1'], server_time: 1 };
    assert.equal(box.admit(body), 'take');
    assert.equal(box.admit({ ...body }), 'replay');
    assert.equal(box.admit({ ids: ['2'], server_time: 1 }), 'take');
    now += REPLAY_WINDOW_MS;
    assert.equal(box.admit(body), 'take');
    assert.equal(box.replays, 1);
  });

  it('refuses over MAX_QUEUED waiting, without remembering the refused one', async function () {
    const box = inbox();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    for (let i = 0; i < MAX_QUEUED; i++) {
      assert.equal(box.admit({ i }), 'take');
      box.push(() => gate);
    }
    assert.equal(box.admit({ i: 'late' }), 'full');
    assert.equal(box.refused, 1);
    release();
    await box.drained();
    assert.equal(box.length, 0);
    assert.equal(box.peak, MAX_QUEUED);
    assert.equal(box.admit({ i: 'late' }), 'take');
  });

  it('remembers at most MAX_REMEMBERED callbacks', function () {
    const box = inbox();
    for (let i = 0; i < MAX_REMEMBERED + 10; i++) box.admit({ i });
    const seen = (box as unknown as { seen: Map<string, number> }).seen;
    assert.ok(seen.size <= MAX_REMEMBERED, String(seen.size));
  });
});
