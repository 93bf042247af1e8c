import assert from 'node:assert/strict';
import { RedisChannelShare } from '../../src/nodes/runtime/shared-state/channel';
import { RedisLink } from '../../src/nodes/runtime/shared-state/redis';
import { accountsFamily } from '../../src/sandbox/accounts';
import { crmFamily, type CrmFamily } from '../../src/sandbox/crm/index';
import type { ZohoConnection } from '../../src/zoho/core/connection';
import {
  ChannelShare,
  FleetChannelKeeper,
  FleetKeeperState,
} from '../../src/zoho/crm/channel-fleet';
import type { Requester } from '../../src/zoho/crm/common';
import { newChannelToken } from '../../src/zoho/crm/notifications';
import { useRedis } from '../helpers/redis';
import { DEFAULT_CLIENT, sandboxConnection, useSandbox } from '../helpers/sandbox';
import { until, untilSettled } from '../helpers/wait';

// Long enough that a loaded 2-core machine does not let a live holder's lease lapse.
const LEASE_MS = 2_000;
/** Channels of 6 s renewed 2 s before expiry: one renewal period is about 4 s. */
const KEEPER = { lifetimeMs: 6_000, renewBeforeMs: 2_000, minRenewGapMs: 200, retryMs: 200 };
const RENEWAL_PERIOD_MS = 4_000;
const CHANNEL = 'node-1';

interface Instance {
  keeper: FleetChannelKeeper;
  link: RedisLink;
  share: RedisChannelShare;
  states: FleetKeeperState[];
  /** Freezes the instance as a kill -9 would: no more Redis commands, no more Zoho calls. */
  kill(): void;
  dead: boolean;
}

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

describe('one webhook channel per watch node across a fleet (Redis record, keeper lease)', function () {
  this.timeout(60_000);
  let crm: CrmFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    crm = crmFamily({});
    return [accountsFamily(), crm];
  });
  const redis = useRedis();
  let conn: ZohoConnection;
  let fleet: Instance[] = [];

  beforeEach(() => {
    crm.notifications.channels.clear();
    sb.sandbox.requests = [];
    conn = sandboxConnection(sb.sandbox, 'ZohoCRM.modules.ALL,ZohoCRM.notifications.ALL');
  });
  afterEach(async () => {
    await Promise.all(fleet.filter((i) => !i.dead).map((i) => i.keeper.stop(1000)));
    if (fleet[0]) await fleet[0].link.command(['FLUSHALL']).catch(() => undefined);
    fleet.forEach((i) => i.link.close());
    fleet = [];
    conn.close();
  });

  const identity = () => ({
    clientId: DEFAULT_CLIENT.clientId,
    clientSecret: DEFAULT_CLIENT.clientSecret,
    refreshToken: 'fleet-refresh-token',
    issuer: 'custom',
  });

  function instance(): Instance {
    const link = new RedisLink({ url: redis.server.url });
    const share = new RedisChannelShare(link, 'test:conn', CHANNEL, identity(), LEASE_MS);
    let dead = false;
    // A dead instance's commands and calls never answer: its loop and keeper stop in place.
    const frozen: ChannelShare = {
      leaseMs: share.leaseMs,
      join: (r) => (dead ? never() : share.join(r)),
      hold: () => (dead ? never() : share.hold()),
      read: () => (dead ? never() : share.read()),
      save: (r) => (dead ? never() : share.save(r)),
      release: () => (dead ? Promise.resolve() : share.release()),
      leave: () => (dead ? Promise.resolve(false) : share.leave()),
    };
    const requester: Requester = {
      request: (opts) => (dead ? never() : conn.request(opts)),
    };
    const spec = {
      channelId: '1000000068001',
      events: ['Leads.all'],
      notifyUrl: 'https://fleet.example.com/zoho-watch/node-1',
      token: newChannelToken(),
    };
    const keeper = new FleetChannelKeeper(() => requester, spec, frozen, KEEPER);
    const me: Instance = {
      keeper,
      link,
      share,
      states: [],
      dead: false,
      kill: () => {
        dead = me.dead = true;
      },
    };
    keeper.on('state', (s: FleetKeeperState) => me.states.push(s));
    fleet.push(me);
    keeper.start();
    return me;
  }

  const watchCalls = (method: string) =>
    sb.sandbox.requests.filter((r) => r.method === method && r.path.endsWith('/actions/watch'))
      .length;
  const zohoChannel = () => crm.notifications.channels.get('1000000068001');
  const keepers = () => fleet.filter((i) => i.keeper.keeping());
  const standing = (i: Instance) => i.states.some((s) => s.state === 'standby');

  it('3 instances register the channel once; every one accepts Zoho’s token and refuses a forged one; Redis holds no token in plain text', async () => {
    instance();
    instance();
    instance();
    await until(
      () => zohoChannel() && fleet.filter(standing).length === 2 && keepers().length === 1,
      'one keeper, two standing by',
    );
    assert.equal(watchCalls('POST'), 1, 'one registration');
    const token = zohoChannel()!.token;
    for (const i of fleet) {
      assert.equal(i.keeper.accepts(token), true);
      assert.equal(i.keeper.accepts(newChannelToken()), false);
      assert.equal(i.keeper.accepts(undefined), false);
    }
    const keys = (await fleet[0].link.command(['KEYS', 'test:conn:*'])) as string[];
    assert.deepEqual(keys.sort(), Object.values(fleet[0].share.keys()).sort());
    const record = (await fleet[0].link.command(['GET', fleet[0].share.keys().record])) as string;
    assert.ok(token && !record.includes(token), 'the channel token is sealed');
  });

  it('the keeper dies: another instance takes over within one renewal period and renews the channel', async () => {
    instance();
    instance();
    await until(() => keepers().length === 1 && fleet.some(standing), 'one keeper');
    await until(() => zohoChannel(), 'the channel at Zoho');
    const [holder] = keepers();
    // Zoho holds the channel a moment before the holder has saved its expiry for the fleet; a
    // holder killed in between leaves nothing to resume, and its successor registers again
    // (with the fleet's token, so harmlessly). This case is the resume.
    await untilSettled(async () => (await holder.share.read())?.expiresAt, 'the expiry shared');
    const token = zohoChannel()!.token;
    const firstExpiry = zohoChannel()!.expiresAt;
    holder.kill();
    const died = Date.now();
    const successor = fleet.find((i) => i !== holder)!;
    await until(() => successor.keeper.keeping(), 'a successor', 10_000);
    const failoverMs = Date.now() - died;
    assert.ok(failoverMs < RENEWAL_PERIOD_MS, `failover took ${failoverMs} ms`);
    // It resumes the channel Zoho holds (no second registration) and renews it in time.
    await until(() => watchCalls('PUT') >= 1, 'a renewal', 10_000);
    assert.equal(watchCalls('POST'), 1);
    assert.ok(zohoChannel()!.expiresAt > firstExpiry, 'the expiry moved');
    assert.equal(zohoChannel()!.token, token, 'the same token');
    assert.equal(successor.keeper.accepts(token), true);
  });

  it('the last instance to stop unregisters the channel; an earlier one leaves it to the others', async () => {
    const a = instance();
    const b = instance();
    await until(() => keepers().length === 1 && fleet.some(standing), 'one keeper');
    await until(() => zohoChannel(), 'the channel at Zoho');
    const first = keepers()[0] === a ? a : b;
    const second = first === a ? b : a;
    await first.keeper.stop(1000);
    assert.ok(zohoChannel(), 'kept for the other instance');
    await until(() => second.keeper.keeping(), 'the other keeps it');
    await second.keeper.stop(1000);
    assert.equal(zohoChannel(), undefined, 'unregistered by the last');
    assert.equal(watchCalls('DELETE'), 1);
    const keys = (await a.link.command(['KEYS', 'test:conn:*'])) as string[];
    assert.deepEqual(keys, [], 'nothing left in Redis');
  });

  it('Redis down: each instance keeps the channel alone with the fleet token (callbacks still verify); back: one keeper again', async () => {
    instance();
    instance();
    await until(() => keepers().length === 1 && fleet.some(standing), 'one keeper');
    await until(() => zohoChannel(), 'the channel at Zoho');
    const token = zohoChannel()!.token;
    await redis.server.stop();
    // The standby may go alone a tick before the holder notices: both say so in the end.
    await until(
      () =>
        keepers().length === 2 &&
        fleet.every((i) => i.states.some((s) => s.state === 'alone' && !s.up)),
      'both keep it alone, and say so',
      10_000,
    );
    await until(() => watchCalls('POST') >= 2, 'the standby registered it too');
    assert.equal(zohoChannel()!.token, token, 'with the fleet token');
    fleet.forEach((i) => assert.equal(i.keeper.accepts(token), true));
    await redis.server.start();
    await until(() => keepers().length === 1, 'one keeper again', 15_000);
    assert.ok(fleet.every((i) => i.states.some((s) => s.state === 'alone' && s.up)));
    // The status tells the truth again: the keeper's state or standing by, not "alone".
    await until(
      () => fleet.every((i) => !['alone', 'registering'].includes(i.states.at(-1)?.state ?? '')),
      'each shows its state again',
    );
  });

  it('an instance started while Redis was down agrees with the fleet on one token when Redis is back', async () => {
    const a = instance();
    await until(() => a.keeper.keeping() && zohoChannel(), 'the first keeper');
    const first = zohoChannel()!.token;
    await redis.server.stop();
    instance();
    await until(() => zohoChannel()?.token !== first, 'the newcomer registered its own', 10_000);
    const own = zohoChannel()!.token;
    // Redis comes back empty (nothing persisted): the first instance back writes the record.
    await redis.server.start();
    await until(() => keepers().length === 1 && fleet.some(standing), 'one keeper again', 15_000);
    await until(
      () => fleet.every((i) => i.keeper.accepts(zohoChannel()?.token)),
      'both accept the token Zoho holds',
      15_000,
    );
    const token = zohoChannel()!.token;
    const loser = token === first ? own : first;
    await until(
      () => fleet.every((i) => !i.keeper.accepts(loser)),
      'the other token refused',
      15_000,
    );
    assert.equal(a.keeper.accepts(newChannelToken()), false);
  });
});
