import { performance } from 'node:perf_hooks';
/**
 * Notification channels through a real ZohoConnection against the sandbox: enable, renew,
 * re-register, disable, with a clock the test steps; callback parsing and the token check.
 */
import assert from 'node:assert/strict';
import { accountsFamily } from '../../src/sandbox/accounts';
import { crmFamily, type CrmFamily } from '../../src/sandbox/crm/index';
import { ZohoConnection } from '../../src/zoho/core/connection';
import { Clock } from '../../src/zoho/core/clock';
import { createRecords, fetchRecordsByIds } from '../../src/zoho/crm/index';
import {
  MAX_CHANNEL_LIFETIME_MS,
  channelIdFor,
  disableChannel,
  enableChannel,
  newChannelToken,
  parseNotification,
  renewChannel,
  tokenMatches,
  watchEvents,
} from '../../src/zoho/crm/notifications';
import { ZohoError } from '../../src/zoho/core/errors';
import { ChannelKeeper, KeeperState } from '../../src/zoho/crm/channel-keeper';
import { sandboxConnection, useSandbox } from '../helpers/sandbox';
import { until } from '../helpers/wait';

/** A clock whose sleeps wait until the test calls step(), which moves time by the sleep. */
class SteppedClock implements Clock {
  offset = 0;
  readonly sleeps: number[] = [];
  private waiting?: { ms: number; resolve: () => void };

  now(): number {
    return Date.now() + this.offset;
  }

  monotonic(): number {
    return performance.now() + this.offset;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve, reject) => {
      // The signal's own reason, as a real abortable sleep rejects with.
      if (signal?.aborted) return reject(signal.reason as Error);
      signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      this.waiting = { ms, resolve };
    });
  }

  async step(): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!this.waiting) {
      if (Date.now() > deadline) throw new Error('nothing is sleeping');
      await new Promise((r) => setTimeout(r, 5));
    }
    const w = this.waiting;
    this.waiting = undefined;
    this.offset += w.ms;
    w.resolve();
  }
}

describe('crm-watch: notification channels', function () {
  this.timeout(30_000);
  let crm: CrmFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    crm = crmFamily({});
    return [accountsFamily(), crm];
  });
  let conn: ZohoConnection;
  let clock: SteppedClock;

  beforeEach(() => {
    clock = new SteppedClock();
    sb.sandbox.configure({ now: () => clock.now() });
    crm.notifications.channels.clear();
    conn = sandboxConnection(sb.sandbox, 'ZohoCRM.modules.ALL,ZohoCRM.notifications.ALL', {
      clock,
    });
  });
  afterEach(() => conn.close());

  const spec = () => ({
    channelId: channelIdFor('node-1'),
    events: watchEvents(['Leads', 'Deals'], ['create', 'edit']),
    notifyUrl: 'http://127.0.0.1:9/zoho-watch/node-1',
    token: newChannelToken(),
  });
  const watchCalls = () =>
    sb.sandbox.requests.filter((r) => r.path === '/crm/v8/actions/watch').map((r) => r.method);

  it('derives a stable channel id and checked event names', () => {
    assert.equal(channelIdFor('abc'), channelIdFor('abc'));
    assert.notEqual(channelIdFor('abc'), channelIdFor('abd'));
    assert.match(channelIdFor('abc'), /^\d{1,16}$/);
    assert.deepEqual(watchEvents(['Leads'], ['create', 'all']), ['Leads.all']);
    assert.throws(() => watchEvents(['Leads'], ['explode']), /not an event/);
    assert.throws(() => watchEvents([], ['create']), /at least one module/);
    assert.ok(newChannelToken().length <= 50);
  });

  it('enables, renews and disables a channel; renewing a forgotten one says NOT_SUBSCRIBED', async () => {
    const s = spec();
    const expiry = clock.now() + MAX_CHANNEL_LIFETIME_MS - 60_000;
    const on = await enableChannel(conn, s, expiry);
    assert.equal(Math.floor(on.expiresAt / 1000), Math.floor(expiry / 1000));
    assert.deepEqual(crm.notifications.live()[0].events, s.events);
    const sooner = await renewChannel(conn, s, expiry - 3600e3);
    assert.equal(Math.floor(sooner.expiresAt / 1000), Math.floor((expiry - 3600e3) / 1000));
    assert.equal(crm.notifications.live()[0].expiresAt, sooner.expiresAt);
    assert.equal(await disableChannel(conn, s.channelId), true);
    assert.equal(await disableChannel(conn, s.channelId), false);
    await assert.rejects(
      renewChannel(conn, s, expiry),
      (e: ZohoError) => e.code === 'NOT_SUBSCRIBED',
    );
  });

  it('keeps a channel alive on a stepped clock: renews before expiry, re-registers, unregisters', async () => {
    const states: KeeperState[] = [];
    const keeper = new ChannelKeeper(() => conn, spec(), { clock });
    keeper.on('state', (s: KeeperState) => states.push(s));
    keeper.start();
    const first = await until(() => states.find((s) => s.state === 'active'), 'registration');
    assert.equal(first.state, 'active');
    if (first.state !== 'active') return;
    assert.ok(first.expiresAt - clock.now() > 6.9 * 86400e3, "asks for Zoho's one-week maximum");
    assert.ok(first.expiresAt - first.nextRenewal >= 3600e3 - 1000, 'renews an hour ahead');
    assert.deepEqual(watchCalls(), ['POST']);

    await clock.step();
    await until(
      () => states.filter((s) => s.state === 'active').length === 2 || undefined,
      'renewal',
    );
    assert.deepEqual(watchCalls(), ['POST', 'PUT']);
    const channel = crm.notifications.live()[0];
    assert.ok(channel.expiresAt > clock.now() + 6.9 * 86400e3, 'the sandbox holds the new expiry');

    crm.notifications.channels.clear();
    await clock.step();
    await until(
      () => states.filter((s) => s.state === 'active').length === 3 || undefined,
      're-register',
    );
    assert.deepEqual(watchCalls(), ['POST', 'PUT', 'PUT', 'POST']);
    assert.equal(crm.notifications.live().length, 1);

    await keeper.stop();
    assert.equal(crm.notifications.live().length, 0);
    assert.equal(watchCalls().at(-1), 'DELETE');
    assert.equal(states.at(-1)?.state, 'stopped');
  });

  it('retries a failed registration with backoff and reports it', async () => {
    sb.sandbox.faults.inject({
      match: { path: '/crm/v8/actions/watch' },
      kind: 'status',
      status: 400,
      times: 1,
    });
    const states: KeeperState[] = [];
    const keeper = new ChannelKeeper(() => conn, spec(), { clock, retryMs: 1000 });
    keeper.on('state', (s: KeeperState) => states.push(s));
    keeper.start();
    const retry = await until(() => states.find((s) => s.state === 'retrying'), 'a retry');
    assert.equal(retry.state === 'retrying' && retry.error.status, 400);
    await clock.step();
    await until(() => states.find((s) => s.state === 'active'), 'registration after retry');
    assert.equal(clock.sleeps[0], 1000);
    await keeper.stop();
  });

  it('stop never hangs on an unreachable Zoho', async () => {
    const keeper = new ChannelKeeper(() => conn, spec(), { clock });
    keeper.start();
    await until(() => (keeper.current.state === 'active' ? true : undefined), 'registration');
    sb.sandbox.faults.inject({ match: { method: 'DELETE' }, kind: 'slow', delayMs: 5000 });
    const t0 = Date.now();
    await keeper.stop(300);
    assert.ok(Date.now() - t0 < 2000, `stop took ${Date.now() - t0} ms`);
  });

  it('parses callbacks and checks the token in constant time', () => {
    const n = parseNotification({
      server_time: 1700000000000,
      module: 'Leads',
      resource_uri: 'https://www.zohoapis.com/crm/v8/Leads',
      ids: ['4876876000000500001'],
      affected_fields: [{ '4876876000000500001': ['Email'] }],
      affected_values: [{ record_id: '4876876000000500001', values: { Email: 'a@b.c' } }],
      query_params: {},
      channel_id: 77,
      operation: 'update',
      token: 'tok',
    });
    assert.equal(n.channelId, '77');
    assert.deepEqual(n.affectedFields, { '4876876000000500001': ['Email'] });
    assert.deepEqual(n.affectedValues, { '4876876000000500001': { Email: 'a@b.c' } });
    assert.throws(
      () => parseNotification({ module: 'Leads', ids: [], operation: 'x' }),
      /operation/,
    );
    assert.throws(() => parseNotification('nope'), /JSON object/);
    assert.equal(tokenMatches('tok', 'tok'), true);
    assert.equal(tokenMatches('tok', 'tok2'), false);
    assert.equal(tokenMatches('tok', undefined), false);
    assert.equal(tokenMatches('', ''), false);
  });

  it('fetches records by ids, 100 ids a call, in the order asked', async () => {
    const made = await createRecords(
      conn,
      'Leads',
      Array.from({ length: 150 }, (_, i) => ({ Last_Name: `L${i}`, Email: `l${i}@x.example` })),
    );
    const ids = made.results.map((r) => String(r.id)).reverse();
    sb.sandbox.clearRequests();
    const records = await fetchRecordsByIds(conn, 'Leads', ids, ['Last_Name', 'Email']);
    assert.deepEqual(
      records.map((r) => r.id),
      ids,
    );
    assert.equal(records[0].Last_Name, 'L149');
    const lists = sb.sandbox.requests.filter((r) => r.path === '/crm/v8/Leads');
    assert.equal(lists.length, 2);
  });
});
