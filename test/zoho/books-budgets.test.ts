/**
 * Per-product, per-organization budgets on one connection used for CRM and Books: Books' daily
 * quota read from its X-Rate-Limit-* headers (its own organizations, its own refusal), CRM's
 * credit budget (creditBackoff) never holding back a Books call nor the other way round, and a
 * Books 429 without Retry-After waiting for the per-minute window to roll.
 */
import { performance } from 'node:perf_hooks';
import assert from 'node:assert/strict';
import { accountsFamily } from '../../src/sandbox/accounts';
import { booksFamily, type BooksFamily } from '../../src/sandbox/books/index';
import type { Clock } from '../../src/zoho/core/clock';
import { ZohoConnection } from '../../src/zoho/core/connection';
import { ZohoError } from '../../src/zoho/core/errors';
import { listBooksRecords } from '../../src/zoho/books/index';
import { ProbeFamily, probeFamily, sandboxConnection, useSandbox } from '../helpers/sandbox';

const ORG = '10234695';
const OTHER = '20234696';

describe('books budgets: per product and organization', function () {
  this.timeout(60_000);
  let books: BooksFamily;
  let probe: ProbeFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    books = booksFamily();
    probe = probeFamily();
    return [accountsFamily(), books, probe];
  });
  const conns: ZohoConnection[] = [];
  function connect(extra: Partial<ConstructorParameters<typeof ZohoConnection>[0]> = {}) {
    const conn = sandboxConnection(sb.sandbox, 'ZohoBooks.fullaccess.all ZohoCRM.modules.ALL', {
      maxConcurrency: 2,
      ...extra,
    });
    conns.push(conn);
    return conn;
  }

  beforeEach(() => {
    books.store.clear();
    books.resetStats();
    books.config.rateLimit = { limit: 100, windowMs: 60_000 };
    books.config.dailyLimit = 1000;
    sb.sandbox.configure({ creditLimit: 0 });
  });
  afterEach(() => conns.splice(0).forEach((c) => c.close()));

  const booksCalls = (org: string) =>
    sb.sandbox.requests.filter(
      (r) => r.path.startsWith('/books/') && r.query?.organization_id === org,
    ).length;
  const crmProbe = (conn: ZohoConnection) => conn.request({ method: 'GET', path: '/v8/__probe' });
  const refusedWith = (code: string) => (e: unknown) => {
    assert.ok(e instanceof ZohoError, String(e));
    assert.equal(e.code, code, e.message);
    return true;
  };

  it("stops an organization's Books calls when its day's quota is gone, and only that one", async function () {
    books.config.dailyLimit = 3;
    const conn = connect();
    for (let i = 0; i < 3; i++) await listBooksRecords(conn, 'contacts', { organizationId: ORG });
    const sent = booksCalls(ORG);
    await assert.rejects(
      listBooksRecords(conn, 'contacts', { organizationId: ORG }),
      refusedWith('DAILY_LIMIT_REACHED'),
    );
    assert.equal(booksCalls(ORG), sent, 'the refused call was sent');
    // Another organization and CRM have their own allowances.
    await listBooksRecords(conn, 'contacts', { organizationId: OTHER });
    await crmProbe(conn);
    assert.equal(books.stats.throttled, 0, "Zoho's own daily refusal was met");
  });

  it('a CRM credit budget reached refuses CRM calls only: Books calls go on (0 refused)', async function () {
    sb.sandbox.configure({ creditLimit: 4 });
    const conn = connect({ creditBackoff: 0.5 });
    await crmProbe(conn);
    await crmProbe(conn);
    await assert.rejects(crmProbe(conn), refusedWith('CREDIT_BUDGET_REACHED'));
    const left = sb.sandbox.creditsRemaining();
    let refused = 0;
    for (let i = 0; i < 5; i++) {
      await listBooksRecords(conn, 'contacts', { organizationId: ORG }).catch(() => refused++);
    }
    assert.equal(refused, 0);
    assert.equal(sb.sandbox.creditsRemaining(), left, 'Books calls spent CRM credits');
  });

  it("Books' daily quota used up never refuses a CRM call", async function () {
    books.config.dailyLimit = 1;
    sb.sandbox.configure({ creditLimit: 100 });
    const conn = connect({ creditBackoff: 0.9 });
    await listBooksRecords(conn, 'contacts', { organizationId: ORG });
    await assert.rejects(
      listBooksRecords(conn, 'contacts', { organizationId: ORG }),
      refusedWith('DAILY_LIMIT_REACHED'),
    );
    for (let i = 0; i < 3; i++) await crmProbe(conn);
  });

  it('a repeated Books 429 without Retry-After waits for the per-minute window', async function () {
    // Zoho's limit is lower than the client's window (another app shares the organization).
    books.config.rateLimit = { limit: 1, windowMs: 600 };
    const sleeps: number[] = [];
    let offset = 0;
    // Time moves by what is asked, and really by at most 400 ms: the first retry lands inside
    // the sandbox's 600 ms window (a second 429), the one after the long wait outside it.
    const clock: Clock = {
      now: () => Date.now() + offset,
      monotonic: () => performance.now() + offset,
      sleep: async (ms) => {
        sleeps.push(ms);
        offset += ms;
        await new Promise((r) => setTimeout(r, Math.min(ms, 400)));
      },
    };
    const conn = connect({ clock });
    await listBooksRecords(conn, 'contacts', { organizationId: ORG });
    await listBooksRecords(conn, 'contacts', { organizationId: ORG });
    assert.equal(books.stats.throttled, 2);
    assert.equal(sleeps.length, 2, String(sleeps));
    assert.ok(sleeps[0] < 5_000, `the first 429 gets the usual short back-off: ${sleeps[0]} ms`);
    assert.equal(sleeps[1], 60_000, 'the repeat waits for the window to roll');
  });
});
