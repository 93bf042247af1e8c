/**
 * The Books change poller through a real ZohoConnection against the sandbox's Books family:
 * created / updated / status changes of a `filter` type (invoices) and a `sort` type
 * (contacts), one call per entity per idle poll, a stop and restart from the saved checkpoint
 * with nothing lost or repeated, the bounded status memory, and bad entities refused.
 */
import assert from 'node:assert/strict';
import { accountsFamily } from '../../src/sandbox/accounts';
import { booksFamily, type BooksFamily } from '../../src/sandbox/books/index';
import { ENTITY_BY_NAME } from '../../src/sandbox/books/defs';
import type { Entity } from '../../src/sandbox/books/store';
import { ZohoConnection } from '../../src/zoho/core/connection';
import { ZohoError } from '../../src/zoho/core/errors';
import {
  BooksChange,
  BooksChangeEvent,
  BooksChangePoller,
  BooksCheckpoint,
  BooksPollerState,
  checkWatchEntities,
} from '../../src/zoho/books/index';
import { sandboxConnection, useSandbox } from '../helpers/sandbox';
import { until } from '../helpers/wait';

const ORG = '10234695';

describe('books change poller against the sandbox', function () {
  this.timeout(30_000);
  let books: BooksFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    books = booksFamily();
    return [accountsFamily(), books];
  });
  let conn: ZohoConnection;
  let saved: BooksCheckpoint | undefined;
  let got: BooksChange[];
  let polls: number;
  let warnings: unknown[];
  let poller: BooksChangePoller | undefined;

  beforeEach(() => {
    books.store.clear();
    books.resetStats();
    books.config.rateLimit = { limit: 100_000, windowMs: 60_000 };
    books.config.dailyLimit = 1_000_000;
    conn = sandboxConnection(sb.sandbox, 'ZohoBooks.fullaccess.all');
    saved = undefined;
    got = [];
    polls = 0;
    warnings = [];
  });
  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
    conn.close();
  });

  const start = (
    entities: string[],
    events: BooksChangeEvent[] = ['created', 'updated'],
    maxSortPages?: number,
  ) => {
    poller = new BooksChangePoller(
      {
        connection: () => conn,
        entities,
        events,
        intervalMs: 50,
        rateLimit: false,
        maxSortPages,
        store: {
          load: () => Promise.resolve(saved && structuredClone(saved)),
          save: (cp) => Promise.resolve(void (saved = structuredClone(cp))),
        },
      },
      {
        change: (c) => got.push(c),
        state: (s: BooksPollerState) => {
          if (s.state === 'polled') polls++;
        },
        error: (e) => assert.fail(String(e)),
        warning: (e) => warnings.push(e),
      },
    );
    poller.start();
  };
  const insert = (type: string, rows: Entity[]) => books.store.insert(ORG, type, rows);
  const update = (type: string, e: Entity, body: Entity) =>
    books.store.update(ORG, ENTITY_BY_NAME.get(type)!, e, body);
  const booksCalls = () => sb.sandbox.requests.filter((r) => r.path.startsWith('/books/v3/'));

  it('refuses entities it cannot watch, before any request', () => {
    for (const bad of [[], ['contactpersons'], ['taxes'], ['nope'], [''], 'invoices']) {
      assert.throws(
        () => checkWatchEntities(bad),
        (e: unknown) => e instanceof ZohoError && e.kind === 'input' && e.param === 'entities',
      );
    }
    assert.deepEqual(checkWatchEntities(['invoices', 'contacts', 'invoices']), [
      'invoices',
      'contacts',
    ]);
    assert.equal(booksCalls().length, 0);
  });

  it('reports creates, edits and status changes of a filtered and a sorted type, and one call per entity when idle', async () => {
    insert('invoices', [{ customer_id: '1', status: 'draft' }]);
    insert('contacts', [{ contact_name: 'Old' }]);
    start(['invoices', 'contacts'], ['created', 'updated', 'status']);
    await until(() => polls >= 2, 'two polls');
    const [inv] = insert('invoices', [{ customer_id: '1', status: 'draft' }]);
    const [con] = insert('contacts', [{ contact_name: 'New' }]);
    await until(() => got.length >= 2, 'the creates', 5000);
    update('invoices', inv, { status: 'sent' });
    update('contacts', con, { contact_name: 'Newer' });
    await until(() => got.length >= 4, 'the edits', 5000);
    const seen = got.map((c) => [c.entity, c.event, c.id]);
    assert.deepEqual(seen.slice(0, 2).sort(), [
      ['contacts', 'created', con.contact_id],
      ['invoices', 'created', inv.invoice_id],
    ]);
    assert.deepEqual(seen.slice(2).sort(), [
      ['contacts', 'updated', con.contact_id],
      ['invoices', 'status', inv.invoice_id],
    ]);
    const status = got.find((c) => c.event === 'status');
    assert.deepEqual(status?.changes, { status: { from: 'draft', to: 'sent' } });
    assert.equal(status?.record.status, 'sent');

    sb.sandbox.clearRequests();
    const before = polls;
    await until(() => polls >= before + 5, 'five idle polls');
    const calls = booksCalls();
    const cycles = polls - before;
    for (const type of ['invoices', 'contacts']) {
      const n = calls.filter((r) => r.path === `/books/v3/${type}`).length;
      assert.ok(n >= cycles - 1 && n <= cycles + 1, `${type}: ${n} calls in ${cycles} polls`);
    }
    const filtered = calls.filter((r) => r.path === '/books/v3/invoices');
    assert.ok(filtered.every((r) => r.query.last_modified_time));
    assert.ok(calls.every((r) => r.query.sort_column === 'last_modified_time'));
    assert.equal(got.length, 4, 'nothing twice');
  });

  it('a stop and restart mid-stream neither loses nor repeats a change', async () => {
    start(['invoices', 'contacts', 'expenses']);
    await until(() => polls >= 1, 'the first poll');
    const made: string[] = [];
    const make = (n: number) => {
      made.push(
        ...insert(
          'invoices',
          Array.from({ length: n }, () => ({ customer_id: '1' })),
        ).map((e) => String(e.invoice_id)),
        ...insert(
          'contacts',
          Array.from({ length: n }, (_, i) => ({ contact_name: `C${i}` })),
        ).map((e) => String(e.contact_id)),
        ...insert(
          'expenses',
          Array.from({ length: n }, () => ({ amount: 1 })),
        ).map((e) => String(e.expense_id)),
      );
    };
    make(150);
    await until(() => got.length >= 100, 'some changes');
    await poller!.stop();
    make(100); // while stopped
    start(['invoices', 'contacts', 'expenses']);
    make(50);
    await until(() => got.length >= made.length, `${made.length} changes`, 10_000);
    await until(() => polls >= 3, 'more polls');
    const ids = got.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, 'nothing twice');
    assert.deepEqual([...ids].sort(), [...made].sort(), 'nothing lost');
    assert.ok(got.every((c) => c.event === 'created'));
    assert.deepEqual(warnings, []);
  });

  it('a sorted type with more changes than one walk reads says which were skipped, and goes on', async () => {
    const pages = 3; // MAX_SORT_PAGES (25) in use: the same walk, smaller
    start(['contacts'], undefined, pages);
    await until(() => polls >= 1, 'the first poll');
    await poller!.stop();
    const row = (i: number) => ({ contact_name: `C${i}` });
    const older = insert(
      'contacts',
      Array.from({ length: 300 }, (_, i) => row(i)),
    );
    await new Promise((r) => setTimeout(r, 1100)); // the next second
    const newer = insert(
      'contacts',
      Array.from({ length: pages * 200 + 100 }, (_, i) => row(i)),
    );
    start(['contacts'], undefined, pages);
    // One second of 700 changes: the walk reads 600 of them, then moves past that second.
    await until(() => got.length >= pages * 200, 'the newest contacts', 15_000);
    await until(() => polls >= 4, 'more polls');
    assert.equal(warnings.length, 1);
    const gap = warnings[0] as ZohoError;
    assert.equal(gap.code, 'CHANGES_SKIPPED');
    assert.match(gap.message, /More than 600 contacts changed/);
    const ids = got.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, 'nothing twice');
    assert.equal(ids.length, pages * 200);
    const newerIds = new Set(newer.map((e) => String(e.contact_id)));
    assert.ok(
      ids.every((id) => newerIds.has(id)),
      'only the newer ones',
    );
    assert.ok(
      older.every((e) => !ids.includes(String(e.contact_id))),
      'the older ones skipped',
    );
  });
});
