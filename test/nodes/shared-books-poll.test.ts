/**
 * books-watch-in across a fleet: the Books change poller with the same Redis lease and shared
 * checkpoint as crm-watch-in's poll mode (runtime/shared-state/poll.ts), three instances of one
 * watch node against the sandbox's Books family and a real redis-server.
 */
import assert from 'node:assert/strict';
import { RedisPollShare } from '../../src/nodes/runtime/shared-state/poll';
import { RedisLink } from '../../src/nodes/runtime/shared-state/redis';
import { accountsFamily } from '../../src/sandbox/accounts';
import { booksFamily, type BooksFamily } from '../../src/sandbox/books/index';
import type { ZohoConnection } from '../../src/zoho/core/connection';
import { BooksChangePoller, BooksCheckpoint, BooksPollerState } from '../../src/zoho/books/index';
import { useRedis } from '../helpers/redis';
import { sandboxConnection, useSandbox } from '../helpers/sandbox';
import { until } from '../helpers/wait';

const ORG = '10234695';
const INTERVAL = 100;

interface Instance {
  poller: BooksChangePoller;
  link: RedisLink;
  sent: string[];
  states: BooksPollerState[];
  errors: unknown[];
}

describe('one books-watch-in poller across a fleet (Redis lease, shared checkpoint)', function () {
  this.timeout(60_000);
  let books: BooksFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    books = booksFamily();
    return [accountsFamily(), books];
  });
  const redis = useRedis();
  let conn: ZohoConnection;
  let fleet: Instance[] = [];
  let arrivals: string[] = [];

  beforeEach(() => {
    books.store.clear();
    books.config.rateLimit = { limit: 100_000, windowMs: 60_000 };
    books.config.dailyLimit = 1_000_000;
    conn = sandboxConnection(sb.sandbox, 'ZohoBooks.fullaccess.all');
  });
  afterEach(async () => {
    await Promise.all(fleet.map((i) => i.poller.stop()));
    if (fleet[0]) await fleet[0].link.command(['FLUSHALL']).catch(() => undefined);
    fleet.forEach((i) => i.link.close());
    fleet = [];
    arrivals = [];
    conn.close();
  });

  const insert = (n: number) =>
    books.store
      .insert(
        ORG,
        'invoices',
        Array.from({ length: n }, () => ({ customer_id: '1' })),
      )
      .map((e) => String(e.invoice_id));

  /** An instance of the same watch node; its lease lapses on stop instead of being released. */
  function instance(): Instance {
    const link = new RedisLink({ url: redis.server.url });
    let mine: BooksCheckpoint | undefined;
    const local = {
      load: () => Promise.resolve(mine && structuredClone(mine)),
      save: (cp: BooksCheckpoint) => Promise.resolve(void (mine = structuredClone(cp))),
    };
    // The node passes its Books store and gets the share back as a Books store (index.ts).
    const share = new RedisPollShare(link, 'test:conn', 'bwatch1', INTERVAL, local);
    const lease = {
      leaseMs: share.leaseMs,
      hold: () => share.hold(),
      release: () => Promise.resolve(),
    };
    const me: Instance = { link, sent: [], states: [], errors: [], poller: undefined as never };
    me.poller = new BooksChangePoller(
      {
        connection: () => conn,
        entities: ['invoices'],
        events: ['created'],
        intervalMs: INTERVAL,
        rateLimit: false,
        store: share,
        lease,
      },
      {
        change: (c) => {
          me.sent.push(c.id);
          arrivals.push(c.id);
        },
        state: (s) => me.states.push(s),
        error: (e) => me.errors.push(e),
        warning: (e) => me.errors.push(e),
      },
    );
    fleet.push(me);
    me.poller.start();
    return me;
  }
  const polled = (i: Instance) => i.states.some((s) => s.state === 'polled');

  it('3 instances: one polls, the others stand by; each change once; a dead holder is replaced', async () => {
    instance();
    instance();
    instance();
    const standing = () => fleet.filter((i) => i.states.some((s) => s.state === 'standby'));
    await until(
      () => fleet.some(polled) && standing().length === 2,
      'one polling, two standing by',
    );
    const holders = fleet.filter(polled);
    assert.equal(holders.length, 1, 'one poller');
    const made = insert(250);
    await until(() => arrivals.length >= 250, 'the new invoices', 10_000);
    assert.deepEqual([...arrivals].sort(), [...made].sort(), 'each once');
    const [dead] = holders;
    await dead.poller.stop();
    const later = insert(30);
    const rest = fleet.filter((i) => i !== dead);
    await until(() => rest.some((i) => i.sent.length > 0), 'a successor', 15_000);
    await until(() => arrivals.length >= 280, 'every later invoice', 10_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(arrivals.length, 280, 'nothing repeated');
    assert.deepEqual(new Set(arrivals), new Set([...made, ...later]), 'nothing lost');
    assert.deepEqual(
      fleet.flatMap((i) => i.errors),
      [],
    );
  });
});
