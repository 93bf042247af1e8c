/**
 * crm-watch-in in webhook mode with shared state (Redis), in a real Node-RED: the node joins a
 * fleet whose other instance (a peer keeper on its own Redis link, as another replica would be)
 * already keeps the channel, stands by without registering it again, and verifies Zoho's
 * callbacks with the fleet's token; a forged callback is refused.
 */
import * as assert from 'node:assert/strict';
import { RedisChannelShare } from '../../src/nodes/runtime/shared-state/channel';
import { RedisLink } from '../../src/nodes/runtime/shared-state/redis';
import { keyBase } from '../../src/nodes/runtime/shared-state/tokens';
import { accountsFamily } from '../../src/sandbox/accounts';
import { crmFamily, type CrmFamily } from '../../src/sandbox/crm/index';
import { ZohoConnection } from '../../src/zoho/core/connection';
import { issuerOf } from '../../src/zoho/core/regions';
import { FleetChannelKeeper } from '../../src/zoho/crm/channel-fleet';
import { channelIdFor, newChannelToken } from '../../src/zoho/crm/notifications';
import {
  freshUserDir,
  helper,
  httpNodeUrl,
  loadFlow,
  startRed,
  stopRed,
  unloadFlow,
} from '../helpers/red';
import { useRedis } from '../helpers/redis';
import { DEFAULT_CLIENT, crmApi, issueTokens, useSandbox } from '../helpers/sandbox';
import { webhookProps } from '../helpers/watch';
import { until } from '../helpers/wait';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMsg = Record<string, any>;

describe('crm-watch-in webhook across a fleet (Redis), in Node-RED', function () {
  this.timeout(60_000);
  let crm: CrmFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    crm = crmFamily({});
    return [accountsFamily(), crm];
  });
  const redis = useRedis();
  let peer: { keeper: FleetChannelKeeper; link: RedisLink; conn: ZohoConnection } | undefined;

  before(() => startRed());
  beforeEach(() => {
    freshUserDir();
    crm.notifications.channels.clear();
  });
  afterEach(async () => {
    await unloadFlow();
    await peer?.keeper.stop(1000);
    await peer?.link.command(['FLUSHALL']).catch(() => undefined);
    peer?.link.close();
    peer?.conn.close();
    peer = undefined;
  });
  after(() => stopRed());

  const watchPosts = () =>
    sb.sandbox.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/actions/watch'))
      .length;

  it('stands by while another instance keeps the channel, and verifies callbacks with the fleet token', async () => {
    const { refreshToken, accessToken } = issueTokens(sb.sandbox);
    sb.sandbox.clearRequests();
    const identity = {
      clientId: DEFAULT_CLIENT.clientId,
      clientSecret: DEFAULT_CLIENT.clientSecret,
      refreshToken,
      issuer: issuerOf({ region: 'custom', accountsUrl: sb.url }),
    };
    // Another replica of the same flows, on its own Redis link.
    const link = new RedisLink({ url: redis.server.url });
    const share = new RedisChannelShare(
      link,
      keyBase('test-fleet:', identity),
      'n1',
      identity,
      30_000,
    );
    const conn = new ZohoConnection({ region: 'custom', accountsUrl: sb.url, ...identity });
    const spec = {
      channelId: channelIdFor('n1'),
      events: ['Leads.create', 'Leads.edit', 'Leads.delete'],
      notifyUrl: httpNodeUrl('/zoho-watch/n1'),
      token: newChannelToken(),
    };
    const keeper = new FleetChannelKeeper(() => conn, spec, share);
    peer = { keeper, link, conn };
    keeper.start();
    await until(
      () => keeper.keeping() && crm.notifications.live().length === 1,
      'the peer keeps it',
    );
    const fleetToken = crm.notifications.live()[0].token;

    const statuses: AnyMsg[] = [];
    await loadFlow(
      [
        { id: 'f1', type: 'tab' },
        {
          id: 'c1',
          type: 'zoho-config',
          region: 'custom',
          accountsUrl: sb.url,
          sharedState: 'redis',
          redisUrl: redis.server.url,
          redisPrefix: 'test-fleet:',
        },
        {
          id: 'n1',
          type: 'crm-watch-in',
          z: 'f1',
          config: 'c1',
          wires: [['out']],
          ...webhookProps(),
        },
        { id: 'out', type: 'helper', z: 'f1' },
      ],
      { c1: { clientId: identity.clientId, clientSecret: identity.clientSecret, refreshToken } },
    );
    const out: AnyMsg[] = [];
    helper.getNode('out').on('input', (m: AnyMsg) => out.push(m));
    helper.getNode('n1').on('call:status', (c: { args: AnyMsg[] }) => statuses.push(c.args[0]));
    await until(
      () => statuses.some((s) => /standing by/.test(String(s.text))),
      'standing by',
      20_000,
    );
    assert.equal(watchPosts(), 1, 'the channel is registered once');
    assert.equal(crm.notifications.live()[0].token, fleetToken);

    // Zoho calls the node's URL with the token the peer registered.
    const [id] = await crmApi(sb.url, accessToken).createLeads(1);
    await until(() => out.length === 1, 'the change, verified by the node');
    assert.deepEqual(out[0].payload.ids, [id]);

    const forged = await fetch(httpNodeUrl('/zoho-watch/n1'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        module: 'Leads',
        operation: 'insert',
        ids: ['1'],
        channel_id: spec.channelId,
        token: newChannelToken(),
      }),
    });
    assert.equal(forged.status, 403);
    assert.equal(out.length, 1, 'nothing from the forged callback');
  });
});
