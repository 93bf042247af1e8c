/**
 * crm-watch-in's webhook under attack, and what a stopped watch flow leaves behind. Forged
 * callbacks (watch-forged.ts) against a deployed webhook node: none may send a message, each
 * is answered 4xx, and genuine sandbox changes still arrive after the barrage; the channel
 * tokens are canaries that must not show in the exported flow, debug logs, statuses or
 * messages. Then both modes, and books-watch-in's poll, stopped: no pack timer, no socket, and
 * the route answers 404. Faults: watch-faults.reliability.test.ts.
 */
import assert from 'node:assert/strict';
import { helper, httpNodeUrl, runtime } from '../helpers/red';
import { figure } from './figures';
import { TimerWatch, grown, resources } from './leak-watch';
import { ORG, Rig } from './rig';
import { leaks } from './canaries';
import { forgedVariants, sendRaw } from './watch-forged';
import {
  booksWatchProps,
  createLeads,
  idsOf,
  loadWatch,
  pollProps,
  sleep,
  until,
  webhookProps,
} from './watch-rig';

const textOf = (v: unknown): string => JSON.stringify(v) ?? '';
const BOOKS_POLL = booksWatchProps({ entities: 'contacts', rateWindowMs: 1000 });

describe('reliability: crm-watch-in', function () {
  this.timeout(300_000);
  const rig = Rig.use({ settings: { logging: { console: { level: 'debug' } } } });
  const channelOf = (nodeId: string) =>
    rig.crm.notifications.live().find((c) => c.notifyUrl.endsWith(`/zoho-watch/${nodeId}`));

  it('the webhook refuses forged callbacks, keeps its token secret and still delivers', async function () {
    const w = await loadWatch(rig, [
      { id: 'w1', props: webhookProps() },
      { id: 'w2', props: webhookProps() },
    ]);
    await until(() => channelOf('w1') && channelOf('w2'), 'both channels');
    await until(() => w.statuses.get('w1')?.some((s) => s.fill === 'green'), 'w1 active');
    const ch1 = channelOf('w1')!;
    const ch2 = channelOf('w2')!;
    const out1 = w.outs.get('w1')!;
    const out2 = w.outs.get('w2')!;
    const emitted = () => out1.length + out2.length + w.caught.length;

    const variants = forgedVariants({
      nodeId: 'w1',
      token: ch1.token!,
      channelId: ch1.channelId,
      other: { nodeId: 'w2', token: ch2.token!, channelId: ch2.channelId },
    });
    const accepted: string[] = [];
    const notRefused: string[] = [];
    const answers: Record<string, number> = {};
    for (const f of variants) {
      const before = emitted();
      const status = await sendRaw(httpNodeUrl(''), f);
      await sleep(3);
      answers[status] = (answers[status] ?? 0) + 1;
      if (emitted() > before) accepted.push(`${f.label}: ${status}`);
      // 0: the server cut an oversized upload short, which refuses it as well. OPTIONS is
      // Express's own answer listing the route's methods (Allow: POST); no handler runs.
      const refused = status === 0 || (status >= 400 && status < 500);
      if (!refused && !(f.method === 'OPTIONS' && status === 200))
        notRefused.push(`${f.label}: ${status}`);
    }
    // The genuine token with a channel id that is not w1's: answered 2xx (Zoho retries and
    // finally drops a channel whose URL fails) but ignored.
    const otherChannel = ['12345', ch2.channelId, 1, undefined, ''].map((channel_id) => ({
      server_time: Date.now(),
      module: 'Leads',
      ids: ['4876876000000999999'],
      operation: 'insert',
      token: ch1.token,
      channel_id,
    }));
    for (const body of otherChannel) {
      const before = emitted();
      const res = await fetch(httpNodeUrl('/zoho-watch/w1'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      await sleep(3);
      if (emitted() > before) accepted.push(`genuine token, channel ${body.channel_id}`);
      if (res.status >= 300)
        notRefused.push(`genuine token, channel ${body.channel_id}: ${res.status}`);
    }
    await sleep(200);
    const forged = variants.length + otherChannel.length;
    figure('watch.forged_callbacks', forged);
    figure('watch.forged_accepted', accepted.length);
    figure('watch.forged_not_4xx', notRefused.length);
    figure(
      'watch.forged_answers',
      Object.entries(answers)
        .map(([k, v]) => `${k}:${v}`)
        .join(' '),
    );
    assert.deepEqual(accepted, []);
    assert.deepEqual(notRefused, []);
    assert.equal(emitted(), 0, 'nothing left the nodes');

    // A callback with the genuine token and channel but a body Zoho never sends: a catchable
    // error, which must not carry the token along.
    const malformed = { channel_id: ch1.channelId, token: ch1.token, module: 'Leads', ids: ['1'] };
    for (const operation of ['bogus', undefined]) {
      await fetch(httpNodeUrl('/zoho-watch/w1'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...malformed, operation }),
      });
    }
    await until(() => w.caught.length === 2, 'the malformed callbacks caught');

    const ids = await createLeads(rig, 25, 'G');
    await until(
      () => idsOf(out1).length >= ids.length && idsOf(out2).length >= ids.length,
      'genuine',
    );
    await sleep(300);
    const delivered = ids.filter((id) => idsOf(out1).filter((x) => x === id).length === 1);
    figure('watch.genuine_delivered', `${delivered.length} of ${ids.length}`);
    assert.deepEqual(idsOf(out1), ids);
    assert.deepEqual(idsOf(out2), ids);

    const logs = (helper.log() as { args: unknown[][] }).args;
    const texts: [string, string][] = [
      ['exported flow', JSON.stringify(runtime().getFlows())],
      ['statuses', textOf([...w.statuses.values()])],
      ['outputs', textOf([out1, out2])],
      ['caught errors', textOf(w.caught)],
      ...logs.map((a, i): [string, string] => [`log ${i}`, textOf(a)]),
    ];
    const found = leaks(texts, [ch1.token!, ch2.token!]);
    figure('watch.token_leaks', found.length);
    assert.ok(
      logs.some((a) => /actions\/watch/.test(textOf(a))),
      'debug lines of the registration were built',
    );
    assert.deepEqual(found, []);
    assert.deepEqual(rig.unhandled, []);
  });

  it('stopped in the middle of a slow registration and slow polls (CRM, Books): nothing left behind', async function () {
    const timers = new TimerWatch();
    await new Promise((r) => setImmediate(r));
    const baseline = resources();
    timers.install();
    try {
      const w = await loadWatch(rig, [
        { id: 'p1', props: pollProps() },
        { id: 'w1', props: webhookProps() },
        { id: 'b1', type: 'books-watch-in', props: BOOKS_POLL },
      ]);
      const polled = (id: string) => w.statuses.get(id)?.some((s) => /^polling ·/.test(s.text));
      await until(() => polled('p1') && polled('b1'), 'a poll of each');
      rig.sandbox.clearRequests();
      for (const match of [
        { method: 'GET', path: '/crm/v8/Leads' },
        { method: 'POST', path: '/crm/v8/actions/watch' },
        { method: 'GET', path: '/books/v3/contacts' },
      ])
        rig.sandbox.faults.inject({ match, kind: 'slow', delayMs: 1500, times: Infinity });
      // A redeploy of the webhook node: its registration starts again, slowly.
      rig.crm.notifications.channels.clear();
      const flows = runtime()
        .getFlows()
        .flows.map((n) => (n.id === 'w1' ? { ...n, name: 'x' } : n));
      await runtime().setFlows(flows, undefined, 'nodes');
      const seen = (method: string, path: string) =>
        rig.sandbox.requests.some((r) => r.method === method && r.path === path);
      await until(
        () =>
          seen('GET', '/crm/v8/Leads') &&
          seen('POST', '/crm/v8/actions/watch') &&
          seen('GET', '/books/v3/contacts'),
        'the three requests under way',
      );
      const started = Date.now();
      await rig.unload();
      const closeMs = Date.now() - started;
      rig.sandbox.faults.clear();
      await sleep(1700);
      const channelsLeft = rig.crm.notifications.live().length;
      let left = grown(baseline, resources());
      for (let i = 0; i < 100 && Object.keys(left).length > 0; i++) {
        await sleep(100);
        left = grown(baseline, resources());
      }
      const packTimers = timers.packTimers();
      figure('watch.stop_mid_request_close_ms', closeMs);
      figure('watch.stop_mid_request_channels_left', channelsLeft);
      figure('watch.stop_mid_request_pack_timers_left', packTimers.length);
      figure(
        'watch.stop_mid_request_handles_left',
        Object.values(left).reduce((a, b) => a + b, 0),
      );
      assert.ok(closeMs < 6000, `close took ${closeMs} ms`);
      assert.deepEqual(packTimers, []);
      assert.deepEqual(left, {});
      assert.equal(channelsLeft, 0, 'a channel registered after the node stopped');
      assert.deepEqual(rig.unhandled, []);
    } finally {
      timers.uninstall();
    }
  });

  it('a stopped watch flow (both modes, and books-watch-in) leaves no timer, socket or route behind', async function () {
    const timers = new TimerWatch();
    await new Promise((r) => setImmediate(r));
    const baseline = resources();
    timers.install();
    try {
      const w = await loadWatch(rig, [
        { id: 'w1', props: webhookProps({ fetchRecords: true }) },
        { id: 'p1', props: pollProps({ fetchRecords: true }) },
        { id: 'b1', type: 'books-watch-in', props: BOOKS_POLL },
      ]);
      const polled = (id: string) => w.statuses.get(id)?.some((s) => /^polling ·/.test(s.text));
      await until(() => channelOf('w1'), 'the channel');
      await until(() => polled('p1') && polled('b1'), 'a poll of each');
      const ids = await createLeads(rig, 3, 'K');
      rig.books.store.insert(ORG, 'contacts', [{ contact_name: 'K' }, { contact_name: 'L' }]);
      const got = (id: string) => idsOf(w.outs.get(id)!).length >= 3;
      await until(
        () => got('w1') && got('p1') && w.outs.get('b1')!.length >= 2,
        'both modes and books-watch-in delivered',
      );
      const probe = {
        label: 'probe',
        method: 'POST',
        path: '/zoho-watch/w1',
        headers: { 'Content-Type': 'application/json' },
        body: '{"token":"x"}',
      };
      const whileRunning = await sendRaw(httpNodeUrl(''), probe);
      await rig.unload();
      const afterStop = await sendRaw(httpNodeUrl(''), probe);
      figure('watch.route_status_after_stop', afterStop);
      assert.equal(whileRunning, 403);
      assert.equal(afterStop, 404);
      assert.equal(channelOf('w1'), undefined, 'the channel unregistered');
      assert.equal(ids.length, 3);

      let left = grown(baseline, resources());
      for (let i = 0; i < 100 && Object.keys(left).length > 0; i++) {
        await sleep(100);
        left = grown(baseline, resources());
      }
      const packTimers = timers.packTimers();
      figure('watch.pack_timers_left', packTimers.length);
      figure(
        'watch.handles_left',
        Object.values(left).reduce((a, b) => a + b, 0),
      );
      assert.deepEqual(packTimers, []);
      assert.deepEqual(left, {});
      assert.deepEqual(rig.unhandled, []);
    } finally {
      timers.uninstall();
    }
  });
});
