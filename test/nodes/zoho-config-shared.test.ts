import * as assert from 'node:assert/strict';
import type { ZohoConfigNode } from '../../src/nodes/runtime/config-node';
import { RedisLink } from '../../src/nodes/runtime/shared-state/redis';
import { isZohoError } from '../../src/zoho/core/errors';
import {
  FlowNode,
  freshUserDir,
  helper,
  loadFlow,
  runtime,
  startRed,
  stopRed,
  unloadFlow,
} from '../helpers/red';
import { useRedis } from '../helpers/redis';
import { DEFAULT_CLIENT, issueTokens, useSandbox } from '../helpers/sandbox';
import { until } from '../helpers/wait';

type Status = { fill?: string; text?: string };

describe('zoho-config: shared state through Redis, in Node-RED', function () {
  this.timeout(30_000);
  const sb = useSandbox();
  const redis = useRedis();
  let probe: RedisLink | undefined;

  before(() => startRed());
  beforeEach(() => freshUserDir());
  afterEach(async () => {
    await unloadFlow();
    await probe?.command(['FLUSHALL']).catch(() => undefined);
    probe?.close();
    probe = undefined;
  });
  after(() => stopRed());

  const config = (id: string, extra: Record<string, unknown> = {}): FlowNode => ({
    id,
    type: 'zoho-config',
    region: 'custom',
    accountsUrl: sb.url,
    maxConcurrency: '3',
    sharedState: 'redis',
    redisUrl: redis.server.url,
    redisPrefix: 'test-fleet:',
    ...extra,
  });
  const creds = (refreshToken: string) => ({
    clientId: DEFAULT_CLIENT.clientId,
    clientSecret: DEFAULT_CLIENT.clientSecret,
    refreshToken,
  });
  const configNode = (id: string) => helper.getNode(id) as unknown as ZohoConfigNode;
  const call = (id: string) =>
    configNode(id).getConnection().request({ product: 'crm', method: 'GET', path: '/v8/org' });
  const redisKeys = async (): Promise<string[]> => {
    probe ??= new RedisLink({ url: redis.server.url });
    return (await probe.command(['KEYS', '*'])) as string[];
  };

  it('two connections holding the same refresh token make one token request for 2 × 100 calls', async () => {
    const { refreshToken } = issueTokens(sb.sandbox);
    await loadFlow([config('c1'), config('c2')], {
      c1: creds(refreshToken),
      c2: creds(refreshToken),
    });
    const answers = await Promise.all(
      ['c1', 'c2'].flatMap((id) => Array.from({ length: 100 }, () => call(id))),
    );
    assert.ok(answers.every((a) => a.status === 200));
    assert.equal(sb.sandbox.stats.tokenRequests.total, 1);
    const keys = await redisKeys();
    assert.ok(keys.length > 0 && keys.every((k) => k.startsWith('test-fleet:')), keys.join());
  });

  it('"this instance only" writes nothing to Redis and refreshes per connection, as before', async () => {
    const { refreshToken } = issueTokens(sb.sandbox);
    const alone = { sharedState: 'instance' };
    await loadFlow([config('c1', alone), config('c2', alone)], {
      c1: creds(refreshToken),
      c2: creds(refreshToken),
    });
    await Promise.all([call('c1'), call('c2')]);
    assert.equal(sb.sandbox.stats.tokenRequests.total, 2);
    assert.deepEqual(await redisKeys(), []);
  });

  it('a Redis URL that is not one is a config error naming redisUrl, and nothing is sent', async () => {
    const { refreshToken } = issueTokens(sb.sandbox);
    await loadFlow([config('c1', { redisUrl: 'localhost:6379' })], { c1: creds(refreshToken) });
    // getConnection() throws the config error the account holds.
    const error = await Promise.resolve()
      .then(() => call('c1'))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(isZohoError(error) && error.param === 'redisUrl', String(error));
    assert.match(error.message, /redis:\/\/ or rediss:\/\//);
    assert.equal(sb.sandbox.stats.tokenRequests.total + sb.sandbox.stats.apiRequests, 0);
  });

  it('Redis down: a flow node shows yellow and calls still succeed; the status clears when it is back', async () => {
    const { refreshToken } = issueTokens(sb.sandbox);
    await loadFlow(
      [
        { id: 'f1', type: 'tab' },
        config('c1'),
        { id: 'n1', type: 'crm-record', z: 'f1', config: 'c1', wires: [[]] },
      ],
      { c1: creds(refreshToken) },
    );
    await call('c1');
    const statuses: Status[] = [];
    helper
      .getNode('n1')
      .on('call:status', (c: { args: unknown[] }) => statuses.push(c.args[0] as Status));
    await redis.server.stop();
    const down = await until(() => statuses.find((s) => s.fill === 'yellow'), 'a yellow status');
    assert.equal(down.text, 'shared state (Redis) unreachable: working alone');
    assert.equal((await call('c1')).status, 200);
    await redis.server.start();
    await until(
      () => statuses.at(-1)?.fill === undefined && statuses.length > 1,
      'the status cleared',
      15_000,
    );
  });

  describe('fleet set-up without the editor: credentials written as ${NAME}', function () {
    const names = ['ZOHO_TEST_CLIENT_ID', 'ZOHO_TEST_CLIENT_SECRET', 'ZOHO_TEST_REFRESH_TOKEN'];
    const fromEnv = {
      clientId: '${ZOHO_TEST_CLIENT_ID}',
      clientSecret: '${ZOHO_TEST_CLIENT_SECRET}',
      refreshToken: '${ZOHO_TEST_REFRESH_TOKEN}',
    };
    afterEach(() => names.forEach((n) => delete process.env[n]));

    it('two nodes take one Self Client from the environment and share one token request', async () => {
      const { refreshToken } = issueTokens(sb.sandbox);
      process.env.ZOHO_TEST_CLIENT_ID = DEFAULT_CLIENT.clientId;
      process.env.ZOHO_TEST_CLIENT_SECRET = DEFAULT_CLIENT.clientSecret;
      process.env.ZOHO_TEST_REFRESH_TOKEN = refreshToken;
      await loadFlow([config('c1'), config('c2')], { c1: fromEnv, c2: fromEnv });
      const answers = await Promise.all(['c1', 'c2', 'c1', 'c2'].map((id) => call(id)));
      assert.ok(answers.every((a) => a.status === 200));
      assert.equal(sb.sandbox.stats.tokenRequests.total, 1);
      const stored = runtime().getCredentials('c1') ?? {};
      assert.equal(stored.refreshToken, '${ZOHO_TEST_REFRESH_TOKEN}', 'the reference stays');
      assert.ok(
        configNode('c1').secrets().includes(refreshToken),
        'scrubbed from texts as any secret',
      );
    });

    it('a variable that is not set is a config error naming it, and nothing is sent', async () => {
      process.env.ZOHO_TEST_CLIENT_ID = DEFAULT_CLIENT.clientId;
      process.env.ZOHO_TEST_CLIENT_SECRET = DEFAULT_CLIENT.clientSecret;
      await loadFlow([config('c1')], { c1: fromEnv });
      const error = await Promise.resolve()
        .then(() => call('c1'))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(isZohoError(error) && error.param === 'refreshToken', String(error));
      assert.match(
        error.message,
        /\$\{ZOHO_TEST_REFRESH_TOKEN\}.*ZOHO_TEST_REFRESH_TOKEN is not set/,
      );
      assert.equal(sb.sandbox.stats.tokenRequests.total + sb.sandbox.stats.apiRequests, 0);
    });
  });
});
