import assert from 'node:assert/strict';
import { RedisPollShare, pollLeaseMs } from '../../src/nodes/runtime/shared-state/poll';
import { RedisLink } from '../../src/nodes/runtime/shared-state/redis';
import { accountsFamily } from '../../src/sandbox/accounts';
import { crmFamily, type CrmFamily } from '../../src/sandbox/crm/index';
import type { ZohoConnection } from '../../src/zoho/core/connection';
import {
  ChangeBatch,
  ChangePoller,
  Checkpoint,
  PollerState,
} from '../../src/zoho/crm/change-poller';
import { useRedis } from '../helpers/redis';
import { sandboxConnection, useSandbox } from '../helpers/sandbox';
import { until } from '../helpers/wait';

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const INTERVAL = 100;

interface Instance {
  poller: ChangePoller;
  link: RedisLink;
  sent: string[];
  states: PollerState[];
  errors: unknown[];
}

describe('one poller per watch node across a fleet (Redis lease, shared checkpoint)', function () {
  this.timeout(60_000);
  let crm: CrmFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    crm = crmFamily({});
    return [accountsFamily(), crm];
  });
  const redis = useRedis();
  let conn: ZohoConnection;
  let fleet: Instance[] = [];
  /** Every id any instance sent, in the order they were sent (instances' own lists lose that). */
  let arrivals: string[] = [];

  beforeEach(() => {
    crm.store.clear();
    conn = sandboxConnection(sb.sandbox, 'ZohoCRM.modules.ALL');
  });
  afterEach(async () => {
    await Promise.all(fleet.map((i) => i.poller.stop()));
    if (fleet[0]) await fleet[0].link.command(['FLUSHALL']).catch(() => undefined);
    fleet.forEach((i) => i.link.close());
    fleet = [];
    arrivals = [];
    conn.close();
  });

  const insert = (n: number, time: number, tag = 'L') =>
    crm.store
      .insert(
        'Leads',
        Array.from({ length: n }, (_, i) => ({ Last_Name: `${tag}${i}` })),
        { time },
      )
      .map((r) => r.id);

  /** An instance of the same watch node; `dies` leaves its lease to lapse instead of releasing it. */
  function instance(dies = false, intervalMs = INTERVAL): Instance {
    const link = new RedisLink({ url: redis.server.url });
    let mine: Checkpoint | undefined;
    const local = {
      load: () => Promise.resolve(mine && (JSON.parse(JSON.stringify(mine)) as Checkpoint)),
      save: (cp: Checkpoint) => Promise.resolve(void (mine = JSON.parse(JSON.stringify(cp)))),
    };
    const share = new RedisPollShare(link, 'test:conn', 'watch1', intervalMs, local);
    const lease = {
      leaseMs: share.leaseMs,
      hold: () => share.hold(),
      release: () => (dies ? Promise.resolve() : share.release()),
    };
    const me: Instance = { link, sent: [], states: [], errors: [], poller: undefined as never };
    me.poller = new ChangePoller(
      {
        connection: () => conn,
        modules: ['Leads'],
        events: ['create'],
        intervalMs,
        store: share,
        lease,
      },
      {
        changes: (b: ChangeBatch) => {
          me.sent.push(...b.ids);
          arrivals.push(...b.ids);
        },
        state: (s) => me.states.push(s),
        error: (e) => me.errors.push(e),
      },
    );
    fleet.push(me);
    me.poller.start();
    return me;
  }
  const everySent = () => arrivals;
  const polled = (i: Instance) => i.states.some((s) => s.state === 'polled');

  it('3 instances: one polls, the others stand by; each change once; a dead holder is replaced after its lease lapses', async () => {
    const [a, b, c] = [instance(true), instance(true), instance(true)];
    const standing = () => fleet.filter((i) => i.states.some((s) => s.state === 'standby'));
    await until(
      () => fleet.some(polled) && standing().length === 2,
      'one polling, two standing by',
    );
    const holders = fleet.filter(polled);
    assert.equal(holders.length, 1, 'one poller');
    const made = insert(250, T0 + 60_000, 'N');
    await until(() => everySent().length >= 250, 'the new records');
    assert.deepEqual(everySent(), made, 'each once, in order');
    // The holder dies without a word: its lease lapses (interval + 5 s) and another takes over.
    const [dead] = holders;
    const died = Date.now();
    await dead.poller.stop();
    const later = insert(30, T0 + 120_000, 'L');
    const rest = [a, b, c].filter((i) => i !== dead);
    await until(() => rest.some((i) => i.sent.length > 0), 'a successor', 15_000);
    const failoverMs = Date.now() - died;
    await until(() => everySent().length >= 280, 'every later record');
    assert.deepEqual(everySent(), [...made, ...later], 'nothing lost, nothing repeated');
    assert.ok(
      failoverMs < INTERVAL + 5_000 + 2 * INTERVAL + 1_000,
      `failover took ${failoverMs} ms`,
    );
    assert.deepEqual(
      fleet.flatMap((i) => i.errors),
      [],
    );
  });

  it('failover within one interval: the holder renews its short lease while idle; a standby takes over within about one lease of its death and polls at once', async () => {
    const interval = 6_000; // the lease: a quarter, at least 2 s
    const ms = pollLeaseMs(interval);
    assert.ok(ms < interval / 2, `the lease (${ms} ms) is far less than the interval`);
    [0, 1, 2].forEach(() => instance(true, interval));
    await until(() => fleet.some(polled), 'a first poll', 10_000);
    const [holder] = fleet.filter(polled);
    // Longer than two leases with nothing to poll: only the holder's renewals keep it holding.
    await new Promise((r) => setTimeout(r, 2 * ms + 500));
    assert.deepEqual(
      fleet.filter(polled),
      [holder],
      'no standby took the lease from a live holder',
    );
    const made = insert(40, T0 + 60_000, 'F');
    await until(() => everySent().length >= 40, 'the records, at the next interval', 15_000);
    // The holder dies just after a poll: without failover the next poll would come a whole
    // interval later, from whichever standby saw the lease lapse at its own interval.
    await until(() => holder.states.at(-1)?.state === 'polled', 'the holder idle');
    await holder.poller.stop();
    const died = Date.now();
    const later = insert(25, T0 + 120_000, 'G');
    const rest = fleet.filter((i) => i !== holder);
    await until(() => rest.some((i) => i.sent.length > 0), 'a successor', 15_000);
    const failoverMs = Date.now() - died;
    assert.ok(failoverMs < interval, `failover took ${failoverMs} ms (interval ${interval} ms)`);
    assert.equal(rest.filter((i) => i.sent.length > 0).length, 1, 'one successor');
    await until(() => everySent().length >= 65, 'every later record');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(everySent(), [...made, ...later], 'nothing lost, nothing repeated');
    assert.deepEqual(
      fleet.flatMap((i) => i.errors),
      [],
    );
  });

  it('Redis unreachable: every instance polls on alone from its own copy; nothing is lost', async () => {
    instance();
    instance();
    await until(
      () => fleet.some(polled) && fleet.some((i) => i.states.some((s) => s.state === 'standby')),
      'one poller',
    );
    const before = insert(20, T0 + 60_000, 'B');
    await until(() => everySent().length >= 20, 'the first records');
    await until(() => fleet.every((i) => i.states.at(-1)?.state !== 'first-read'), 'settled');
    await new Promise((r) => setTimeout(r, 3 * INTERVAL)); // the standby copies the fleet's checkpoint
    await redis.server.stop();
    const during = insert(10, T0 + 120_000, 'D');
    await until(
      () => fleet.every((i) => during.every((id) => i.sent.includes(id))),
      'each instance alone',
    );
    assert.deepEqual(new Set(everySent()), new Set([...before, ...during]), 'nothing lost');
    assert.equal(
      everySent().filter((id) => before.includes(id)).length,
      20,
      'the old ones not again',
    );
    await redis.server.start();
  });
});
