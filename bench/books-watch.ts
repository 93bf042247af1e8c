/**
 * books-watch-in figures, in a real Node-RED (test helper) against the sandbox's Books family:
 * - API calls per poll cycle and entity when nothing changed (a `filter` type, invoices and
 *   bills, and a `sort` type, contacts and expenses);
 * - changes lost or duplicated over 1,000 changes (creates of four entities, updates of records
 *   delivered before, invoice status changes) with 3 restarts of Node-RED on a file context
 *   store, the changes of each restart made while Node-RED was down.
 */
import { booksFamily, type BooksFamily } from '../src/sandbox/books/index';
import { ENTITY_BY_NAME } from '../src/sandbox/books/defs';
import type { Entity } from '../src/sandbox/books/store';
import { persistentContext, shutdownRed } from '../test/helpers/red';
import { Figure, figure } from './lib';
import { WatchRig, until, watchRig } from './watch-rig';

const ENTITIES = ['invoices', 'bills', 'contacts', 'expenses'];
const ID_FIELDS: Record<string, string> = {
  invoices: 'invoice_id',
  bills: 'bill_id',
  contacts: 'contact_id',
  expenses: 'expense_id',
};
const ROWS: Record<string, Entity> = {
  invoices: { customer_id: '1', status: 'draft' },
  bills: { vendor_id: '2' },
  contacts: { contact_name: 'C' },
  expenses: { amount: 5 },
};

interface Rig extends WatchRig {
  books: BooksFamily;
  org: string;
}

async function rig(): Promise<Rig> {
  const books = booksFamily({ rateLimit: { limit: 100_000, windowMs: 60_000 } });
  books.config.dailyLimit = 10_000_000;
  const r = await watchRig('books-watch-in', books);
  return Object.assign(r, { books, org: String(books.store.defaultOrg().organization_id) });
}

const polls = (r: Rig) => r.statuses.filter((s) => /^polling ·/.test(String(s.text))).length;
const node = (extra: Record<string, unknown> = {}) => ({
  entities: ENTITIES.join(','),
  onCreated: true,
  onUpdated: true,
  onStatus: true,
  interval: '0.05',
  rateLimit: 10_000,
  ...extra,
});

/** Calls per poll cycle and entity, nothing changing, over `cycles` polls. */
export async function booksPollIdleCalls(cycles = 50): Promise<Figure[]> {
  const r = await rig();
  try {
    for (const type of ENTITIES) r.books.store.insert(r.org, type, [{ ...ROWS[type] }]);
    await r.load(node());
    await until(() => polls(r) >= 2, 10_000);
    r.sb.clearRequests();
    const from = polls(r);
    await until(() => polls(r) >= from + cycles, 60_000);
    const calls = r.sb.requests.filter((q) => q.path.startsWith('/books/v3/')).length;
    const done = polls(r) - from;
    const perEntity = Math.round((calls / done / ENTITIES.length) * 100) / 100;
    return [figure('books_watch.poll_idle_calls_per_cycle_per_entity', perEntity, 'calls', '<= 1')];
  } finally {
    await r.close();
  }
}

/**
 * `total` changes in rounds (creates of each entity, one update of records delivered the round
 * before: invoices to `sent`, the others a field), `restarts` restarts spread over the rounds
 * with that round's changes made while Node-RED is down. Each change must arrive exactly once.
 */
export async function booksPollExactness(total = 1000, restarts = 3): Promise<Figure[]> {
  const r = await rig();
  try {
    await persistentContext(true);
    await r.load(node());
    await until(() => polls(r) >= 1, 10_000);
    const expected = new Map<string, number>();
    let previous: [string, Entity][] = [];
    let made = 0;
    let restarted = 0;
    const rounds = 8;
    const perRound = Math.ceil(total / rounds);
    for (let round = 0; made < total; round++) {
      const down = restarted < restarts && round > 0 && round % 2 === 0;
      if (down) {
        await shutdownRed();
        restarted++;
      }
      const updates = previous.slice(0, Math.min(Math.floor(perRound / 3), total - made));
      for (const [type, e] of updates) {
        const invoice = type === 'invoices';
        r.books.store.update(
          r.org,
          ENTITY_BY_NAME.get(type)!,
          e,
          invoice ? { status: 'sent' } : { reference_number: `R${round}` },
        );
        expected.set(`${type}:${String(e[ID_FIELDS[type]])}:${invoice ? 'status' : 'updated'}`, 0);
      }
      made += updates.length;
      const creates = Math.min(perRound - updates.length, total - made);
      const fresh: [string, Entity][] = [];
      for (let i = 0; i < creates; i++) {
        const type = ENTITIES[i % ENTITIES.length];
        const [e] = r.books.store.insert(r.org, type, [{ ...ROWS[type] }]);
        expected.set(`${type}:${String(e[ID_FIELDS[type]])}:created`, 0);
        fresh.push([type, e]);
      }
      made += creates;
      previous = fresh;
      if (down) await r.load(node());
      await until(() => r.out.length >= expected.size, 20_000);
    }
    const last = polls(r);
    await until(() => polls(r) >= last + 5, 10_000);
    let duplicated = 0;
    let unexpected = 0;
    for (const m of r.out) {
      const k = `${String(m.entity)}:${String(m.id)}:${String(m.event)}`;
      const seen = expected.get(k);
      if (seen === undefined) unexpected++;
      else {
        if (seen > 0) duplicated++;
        expected.set(k, seen + 1);
      }
    }
    const lost = [...expected.values()].filter((n) => n === 0).length;
    return [
      figure('books_watch.poll_changes', made, `changes (${restarted} restarts)`),
      figure('books_watch.poll_changes_lost', lost, 'changes', '= 0'),
      figure('books_watch.poll_changes_duplicated', duplicated + unexpected, 'changes', '= 0'),
    ];
  } finally {
    await r.close();
  }
}
