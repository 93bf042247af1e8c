/**
 * Books organization discovery shared by a fleet through Redis: the first instance asks Zoho
 * (GET /organizations), the others read its answer, sealed in Redis; Redis unreachable, each
 * asks Zoho itself.
 */
import assert from 'node:assert/strict';
import { RedisSharedCache } from '../../src/nodes/runtime/shared-state/cache';
import { RedisLink } from '../../src/nodes/runtime/shared-state/redis';
import { accountsFamily } from '../../src/sandbox/accounts';
import { booksFamily, type BooksFamily } from '../../src/sandbox/books/index';
import type { ZohoConnection } from '../../src/zoho/core/connection';
import { resolveOrganization } from '../../src/zoho/books/core';
import { useRedis } from '../helpers/redis';
import { DEFAULT_CLIENT, sandboxConnection, useSandbox } from '../helpers/sandbox';

describe('Books organization discovery shared by a fleet (Redis)', function () {
  this.timeout(30_000);
  let books: BooksFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    books = booksFamily();
    return [accountsFamily(), books];
  });
  const redis = useRedis();
  let links: RedisLink[] = [];
  let conns: ZohoConnection[] = [];

  afterEach(async () => {
    await links[0]?.command(['FLUSHALL']).catch(() => undefined);
    links.forEach((l) => l.close());
    conns.forEach((c) => c.close());
    links = [];
    conns = [];
  });

  const identity = {
    clientId: DEFAULT_CLIENT.clientId,
    clientSecret: DEFAULT_CLIENT.clientSecret,
    refreshToken: 'fleet-refresh-token',
    issuer: 'custom',
  };

  /** One instance: its own Redis link and connection, sharing the fleet's cache. */
  function instance(): { conn: ZohoConnection; cache: RedisSharedCache } {
    const link = new RedisLink({ url: redis.server.url });
    const cache = new RedisSharedCache(link, 'test:conn', identity);
    const conn = sandboxConnection(sb.sandbox, 'ZohoBooks.fullaccess.all', { sharedCache: cache });
    links.push(link);
    conns.push(conn);
    return { conn, cache };
  }
  const orgRequests = () =>
    sb.sandbox.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/organizations'))
      .length;

  it('3 instances discover the default organization with one request to Zoho; Redis holds it sealed', async () => {
    sb.sandbox.clearRequests();
    const fleet = [instance(), instance(), instance()];
    const first = await resolveOrganization(fleet[0].conn);
    const rest = await Promise.all(fleet.slice(1).map((i) => resolveOrganization(i.conn)));
    const expected = books.store.defaultOrg().organization_id;
    for (const choice of [first, ...rest]) {
      assert.equal(choice.organizationId, String(expected));
      assert.equal(choice.source, 'discovered');
    }
    assert.equal(orgRequests(), 1, 'one GET /organizations for the fleet');
    const raw = (await links[0].command([
      'GET',
      fleet[0].cache.key('organizations:books'),
    ])) as string;
    assert.ok(raw && !raw.includes(String(expected)), 'sealed, not in plain text');
    const ttl = (await links[0].command([
      'PTTL',
      fleet[0].cache.key('organizations:books'),
    ])) as number;
    assert.ok(ttl > 0 && ttl <= 3_600_000, `lapses by itself (${ttl} ms)`);
  });

  it('a cold start of 3 instances at once asks Zoho once: one holds the lease, the others wait for its answer', async () => {
    sb.sandbox.clearRequests();
    // Zoho slow enough that the three ask at once, as a fleet restarting together does.
    sb.sandbox.configure({ latencyMs: 200 });
    const fleet = [instance(), instance(), instance()];
    const choices = await Promise.all(fleet.map((i) => resolveOrganization(i.conn)));
    const expected = String(books.store.defaultOrg().organization_id);
    assert.deepEqual(
      choices.map((c) => c.organizationId),
      [expected, expected, expected],
    );
    assert.equal(orgRequests(), 1, 'one GET /organizations for the fleet');
    const lease = await links[0].command([
      'EXISTS',
      fleet[0].cache.leaseKey('organizations:books'),
    ]);
    assert.equal(lease, 0, 'the lease given back');
  });

  it('a holder that died leaves a lease that lapses: the next instance asks Zoho, once', async () => {
    sb.sandbox.clearRequests();
    const [a, b] = [instance(), instance()];
    // A lease nobody will give back, as a holder killed mid-call leaves it.
    const taken = await a.cache.acquire('organizations:books', 400);
    assert.ok(taken);
    const started = Date.now();
    const [ca, cb] = await Promise.all([resolveOrganization(a.conn), resolveOrganization(b.conn)]);
    assert.equal(ca.organizationId, cb.organizationId);
    assert.ok(Date.now() - started >= 350, 'waited for the lease to lapse');
    assert.equal(orgRequests(), 1);
  });

  it('Redis unreachable: each instance asks Zoho itself and still finds the organization', async () => {
    const fleet = [instance(), instance()];
    await redis.server.stop();
    try {
      sb.sandbox.clearRequests();
      const choices = await Promise.all(fleet.map((i) => resolveOrganization(i.conn)));
      assert.deepEqual(
        choices.map((c) => c.organizationId),
        fleet.map(() => String(books.store.defaultOrg().organization_id)),
      );
      assert.equal(orgRequests(), 2);
    } finally {
      await redis.server.start();
    }
  });
});
