import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import {
  RedisLink,
  RedisMissingError,
  loadRedis,
} from '../../src/nodes/runtime/shared-state/redis';
import { RedisSharedTokens } from '../../src/nodes/runtime/shared-state/tokens';
import { Clock, systemClock } from '../../src/zoho/core/clock';
import { SHARED_STATE_DOWN, ZohoConnection } from '../../src/zoho/core/connection';
import { isZohoError } from '../../src/zoho/core/errors';
import { issuerOf, regionOfAccountsUrl } from '../../src/zoho/core/regions';
import { useRedis } from '../helpers/redis';
import { ALL_SCOPES, DEFAULT_CLIENT, Sandbox, useSandbox } from '../helpers/sandbox';
import { until } from '../helpers/wait';

/** Real sleeps, wall and monotonic time moved together by `advance` (the sandbox reads it too). */
class ShiftedClock implements Clock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  monotonic(): number {
    return performance.now() + this.offset;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms, signal);
  }
}

describe('shared tokens through a real Redis: a fleet refreshes once', function () {
  this.timeout(60_000);
  const sb = useSandbox();
  const redis = useRedis();
  let links: RedisLink[] = [];
  let conns: ZohoConnection[] = [];

  afterEach(async () => {
    conns.forEach((c) => c.close());
    if (links[0]) await links[0].command(['FLUSHALL']).catch(() => undefined);
    links.forEach((l) => l.close());
    links = [];
    conns = [];
  });

  function refreshToken(sandbox: Sandbox): string {
    const clientId = DEFAULT_CLIENT.clientId;
    return sandbox.accounts.issueRefreshToken({ clientId, scope: ALL_SCOPES });
  }

  /** `n` instances holding `token`, each with its own Redis link (as separate processes have). */
  function fleet(
    n: number,
    token: string,
    extra: { clock?: Clock; shared?: boolean; refreshMarginMs?: number } = {},
  ): ZohoConnection[] {
    const issuer = issuerOf(regionOfAccountsUrl(sb.url));
    const identity = { ...DEFAULT_CLIENT, refreshToken: token, issuer };
    for (let i = 0; i < n; i++) {
      const link = new RedisLink({ url: redis.server.url });
      links.push(link);
      conns.push(
        new ZohoConnection({
          region: 'custom',
          accountsUrl: sb.url,
          clientId: DEFAULT_CLIENT.clientId,
          clientSecret: DEFAULT_CLIENT.clientSecret,
          refreshToken: token,
          clock: extra.clock,
          refreshMarginMs: extra.refreshMarginMs,
          // Three instances stay within the org's concurrency cap: no 429 backoff in the way.
          maxConcurrency: 3,
          sharedTokens: extra.shared === false ? undefined : new RedisSharedTokens(link, identity),
        }),
      );
    }
    return conns;
  }

  const call = (c: ZohoConnection) => c.request({ method: 'GET', path: '/v8/org' });
  const tokenRequests = () => sb.sandbox.stats.tokenRequests.total;

  it('3 instances × 200 concurrent calls on a cold start make 1 token request (3 without Redis)', async () => {
    const token = refreshToken(sb.sandbox);
    const shared = fleet(3, token);
    const answers = await Promise.all(
      shared.flatMap((c) => Array.from({ length: 200 }, () => call(c))),
    );
    assert.ok(answers.every((a) => a.status === 200));
    assert.equal(sb.sandbox.stats.throttled, 0);
    assert.equal(tokenRequests(), 1);
    assert.deepEqual(
      shared.map((c) => c.auth.tokenRequests).sort(),
      [0, 0, 1],
      'one instance asked Zoho, the others read its token',
    );
    const alone = fleet(3, refreshToken(sb.sandbox), { shared: false }).slice(3);
    await Promise.all(alone.flatMap((c) => Array.from({ length: 200 }, () => call(c))));
    assert.equal(tokenRequests() - 1, 3, 'instance-only: one per instance');
  });

  it('one hour of sandbox clock with 10-minute tokens: about 6 refreshes for the fleet, not 3 × as many', async () => {
    const clock = new ShiftedClock();
    sb.sandbox.configure({ now: () => clock.now(), tokenLifetimeSec: 600 });
    const runHour = async (shared: boolean): Promise<number> => {
      const before = tokenRequests();
      const start = clock.offset;
      const instances = fleet(3, refreshToken(sb.sandbox), {
        clock,
        shared,
        refreshMarginMs: 30_000,
      }).slice(-3);
      for (let t = 0; t <= 3_600_000; t += 30_000) {
        clock.offset = start + t;
        const answers = await Promise.all(instances.map(call));
        assert.ok(answers.every((a) => a.status === 200));
      }
      clock.offset = start + 3_600_000 + 60_000;
      return tokenRequests() - before;
    };
    const fleetCount = await runHour(true);
    const aloneCount = await runHour(false);
    // A token lasts 570 s before its margin: requests at 0, 570, …, 3420 s.
    assert.ok(fleetCount >= 6 && fleetCount <= 7, `fleet made ${fleetCount} token requests`);
    assert.equal(aloneCount, 3 * fleetCount, 'each instance alone refreshes as often');
  });

  it('a throttled accounts server pauses every instance: the others do not ask at all', async () => {
    sb.sandbox.configure({ tokenRateLimit: { max: 0, windowMs: 600_000 } });
    const [first, second, third] = fleet(3, refreshToken(sb.sandbox));
    const firstError = await call(first).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isZohoError(firstError) && firstError.code === 'TOKEN_THROTTLED');
    for (const other of [second, third]) {
      const error = await call(other).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isZohoError(error) && error.code === 'TOKEN_THROTTLED', String(error));
      assert.match(error.message, /another instance/);
      assert.equal(other.auth.tokenRequests, 0);
    }
    assert.equal(tokenRequests(), 1, 'Zoho was asked once');
  });

  it('Redis holds the token encrypted and never the refresh token', async () => {
    const token = refreshToken(sb.sandbox);
    const [one] = fleet(1, token);
    await call(one);
    const access = one.auth.current()?.accessToken;
    assert.ok(access);
    const keys = (await links[0].command(['KEYS', '*'])) as string[];
    assert.equal(keys.length, 1, keys.join());
    assert.ok(!keys[0].includes(token) && !keys[0].includes(access));
    const raw = String(await links[0].command(['GET', keys[0]]));
    assert.ok(!raw.includes(access) && !raw.includes(token), 'neither token in the clear');
    assert.match(raw, /"tag":/, 'AES-GCM with its authentication tag');
    // An instance with another client secret cannot read it: it refreshes on its own.
    const issuer = issuerOf(regionOfAccountsUrl(sb.url));
    const stranger = new RedisSharedTokens(links[0], {
      ...DEFAULT_CLIENT,
      clientSecret: 'another-secret',
      refreshToken: token,
      issuer,
    });
    assert.equal(await stranger.read(), undefined);
  });

  it('Redis killed mid-run: calls still succeed per instance with a warning, then the fleet shares again', async () => {
    const clock = new ShiftedClock();
    sb.sandbox.configure({ now: () => clock.now(), tokenLifetimeSec: 600 });
    const instances = fleet(3, refreshToken(sb.sandbox), { clock, refreshMarginMs: 30_000 });
    await Promise.all(instances.map(call));
    assert.equal(tokenRequests(), 1);
    await redis.server.stop();
    await until(
      () => instances.every((c) => c.status().warning?.code === SHARED_STATE_DOWN),
      'the warning',
    );
    clock.offset += 600_000;
    const answers = await Promise.all(instances.flatMap((c) => [call(c), call(c)]));
    assert.ok(answers.every((a) => a.status === 200));
    assert.equal(tokenRequests(), 4, 'each instance refreshed on its own');
    await redis.server.start();
    await until(
      () => instances.every((c) => c.status().warning === undefined),
      'the recovery',
      15_000,
    );
    clock.offset += 600_000;
    await Promise.all(instances.map(call));
    assert.equal(tokenRequests(), 5, 'one refresh for the fleet again');
  });

  it('without the redis package: a clear error naming it', () => {
    assert.throws(
      () => loadRedis('redis-package-absent-for-this-test'),
      (e: unknown) =>
        e instanceof RedisMissingError &&
        /"redis-package-absent-for-this-test" is not installed/.test(e.message),
    );
  });
});
