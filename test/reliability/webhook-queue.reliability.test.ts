/**
 * Issue 13 item 12: crm-watch-in's incoming callbacks. 10,000 replays of one valid callback
 * make one message; a flood of distinct callbacks while each takes seconds to handle is held to
 * the queue's bound, the rest answered 503 (Retry-After) for Zoho to send again.
 */
import assert from 'node:assert/strict';
import { httpNodeUrl } from '../helpers/red';
import { MAX_QUEUED } from '../../src/nodes/crm-watch-in/inbox';
import { figure } from './figures';
import { Rig } from './rig';
import { loadWatch, sleep, until, webhookProps } from './watch-rig';

describe('reliability: crm-watch-in webhook queue', function () {
  this.timeout(300_000);
  const rig = Rig.use();
  afterEach(() => rig.sandbox.faults.clear());
  const channelOf = (nodeId: string) =>
    rig.crm.notifications.live().find((c) => c.notifyUrl.endsWith(`/zoho-watch/${nodeId}`));
  const post = (body: unknown) =>
    fetch(httpNodeUrl('/zoho-watch/w1'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.status);
  /** Posts every body, `width` at a time; the answers' statuses. */
  async function postAll(bodies: unknown[], width: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < bodies.length; i += width)
      statuses.push(...(await Promise.all(bodies.slice(i, i + width).map(post))));
    return statuses;
  }

  it('10,000 replays of one valid callback make one message', async function () {
    const w = await loadWatch(rig, [{ id: 'w1', props: webhookProps() }]);
    const ch = await until(() => channelOf('w1'), 'channel');
    const body = {
      server_time: Date.now(),
      module: 'Leads',
      ids: ['4876876000000111111'],
      operation: 'insert',
      token: ch.token,
      channel_id: ch.channelId,
    };
    const statuses = await postAll(Array(10_000).fill(body), 50);
    await sleep(200);
    const out = w.outs.get('w1')!;
    figure('attack.webhook_replay.callbacks', statuses.length);
    figure('attack.webhook_replay.messages', out.length);
    assert.equal(out.length, 1);
    assert.deepEqual(new Set(statuses), new Set([200]));
  });

  it('a flood of distinct callbacks, each slow to handle, holds the queue to its bound', async function () {
    const w = await loadWatch(rig, [{ id: 'w1', props: webhookProps({ fetchRecords: true }) }]);
    const ch = await until(() => channelOf('w1'), 'channel');
    // Each callback fetches its records: make that take 5 s, so the callbacks pile up.
    rig.sandbox.faults.inject({
      kind: 'slow',
      delayMs: 5000,
      times: Infinity,
      match: { method: 'GET', path: '/crm/v8/Leads' },
    });
    const bodies = Array.from({ length: 500 }, (_, i) => ({
      server_time: Date.now() + i,
      module: 'Leads',
      ids: [String(4876876000000200000n + BigInt(i))],
      operation: 'insert',
      token: ch.token,
      channel_id: ch.channelId,
    }));
    const statuses = await postAll(bodies, 50);
    const taken = statuses.filter((s) => s === 200).length;
    const emittedDuringFlood = w.outs.get('w1')!.length;
    const refused = statuses.filter((s) => s === 503).length;
    figure('attack.webhook_flood.callbacks', statuses.length);
    figure('attack.webhook_flood.peak_queue', taken - emittedDuringFlood);
    figure('attack.webhook_flood.refused_503', refused);
    assert.ok(taken - emittedDuringFlood <= MAX_QUEUED, `${taken} taken`);
    assert.equal(taken + refused, statuses.length);
    assert.ok(refused > 0);
  });
});
