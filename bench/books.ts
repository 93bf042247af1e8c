/**
 * Zoho Books figures: staying under Books' per-organization minute limit with 1,000 creates,
 * and returnAll of 20,000 contacts against a bare axios paging loop at the same sandbox.
 *
 * Time is scaled down for the throttle bench: the sandbox enforces 100 requests per 1.2 s
 * (Zoho's 100 a minute, 50 times faster) and the client's window is set the same. The client
 * loses about one queue-plus-round-trip (~60 ms here) per window, because it counts a call until
 * a window after its answer; scaling time down inflates that share (at 600 ms windows it is ~10%,
 * at Zoho's real 60 s about 0.1%).
 */
import axios from 'axios';
import { accountsFamily } from '../src/sandbox/accounts';
import { booksFamily } from '../src/sandbox/books/index';
import { Sandbox } from '../src/sandbox/server';
import { ZohoConnection } from '../src/zoho/core/connection';
import { createBooksRecord, listAllBooksRecords, listOrganizations } from '../src/zoho/books/index';
import { collectPages } from '../src/zoho/core/paginate';
import { Figure, figure, median } from './lib';

const CLIENT = { clientId: '1000.SANDBOXCLIENT', clientSecret: 'sandbox-secret' };
const SCOPE = 'ZohoBooks.fullaccess.all';
/** Zoho's minute, 50 times faster. */
/** One page of a Books list answer: what the bare loop reads. */
interface BooksPage {
  contacts: unknown[];
  page_context: { has_more_page: boolean };
}

const TIME_SCALE = 50;
const LIMIT = { limit: 100, windowMs: 60_000 / TIME_SCALE };

async function rig(rateLimit: { limit: number; windowMs: number }) {
  const books = booksFamily({ rateLimit });
  const sb = new Sandbox({ creditLimit: 0 }, [accountsFamily(), books]);
  await sb.start();
  const org = books.store.defaultOrg().organization_id;
  const connect = async (): Promise<ZohoConnection> => {
    const refreshToken = sb.accounts.issueRefreshToken({ clientId: CLIENT.clientId, scope: SCOPE });
    const conn = new ZohoConnection({
      region: 'custom',
      accountsUrl: sb.url,
      ...CLIENT,
      refreshToken,
      maxConcurrency: 5,
    });
    // Token and organization list first, so the timed part measures Books calls only.
    await listOrganizations(conn);
    return conn;
  };
  const accessToken = (): string => {
    const refreshToken = sb.accounts.issueRefreshToken({ clientId: CLIENT.clientId, scope: SCOPE });
    return sb.accounts.issueAccessToken({ clientId: CLIENT.clientId, scope: SCOPE, refreshToken });
  };
  return { books, sb, org, connect, accessToken };
}

/** 1,000 Books creates with the sandbox enforcing 100 requests per 1.2 s. */
export async function booksThrottle(): Promise<Figure[]> {
  const r = await rig(LIMIT);
  try {
    const conn = await r.connect();
    r.books.resetStats();
    r.sb.clearRequests();
    const n = 1000;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        createBooksRecord(
          conn,
          'contacts',
          { contact_name: `Bench ${i}` },
          { organizationId: r.org, rateLimit: LIMIT },
        ),
      ),
    );
    const elapsed = Date.now() - started;
    conn.close();
    const got429 = r.sb.requests.filter((q) => q.status === 429).length;
    // The first window's burst is free; the rest can go at most `limit` per window.
    const ideal = ((n - LIMIT.limit) / LIMIT.limit) * LIMIT.windowMs;
    return [
      figure(
        `books.throttle_1000_creates_429s (100 per ${LIMIT.windowMs} ms = Zoho's minute / ${TIME_SCALE})`,
        got429,
        'responses',
        '= 0',
      ),
      figure(
        'books.throttle_throughput_fraction_of_limit',
        Math.round((ideal / elapsed) * 1000) / 1000,
        'ratio',
        '>= 0.9',
      ),
      figure('books.throttle_1000_creates_wall', elapsed, 'ms'),
    ];
  } finally {
    await r.sb.stop();
  }
}

/** returnAll of 20,000 contacts: calls made and time against a bare axios loop. */
export async function booksReturnAll(): Promise<Figure[]> {
  const r = await rig({ limit: 0, windowMs: 60_000 });
  try {
    const total = 20_000;
    r.books.seedContacts(total);
    const runs = 5;
    const ours: number[] = [];
    const bare: number[] = [];
    let calls = 0;
    for (let i = 0; i < runs; i++) {
      // A fresh connection each run: Books' 100-a-minute window starts empty, as for one flow.
      const conn = await r.connect();
      r.sb.clearRequests();
      let t = Date.now();
      const all = await collectPages(
        listAllBooksRecords(conn, 'contacts', { organizationId: r.org }),
      );
      ours.push(Date.now() - t);
      calls = r.sb.requests.length;
      conn.close();
      if (all.items.length !== total) throw new Error(`returnAll read ${all.items.length}`);

      const token = r.accessToken();
      t = Date.now();
      const items: unknown[] = [];
      for (let page = 1; ; page++) {
        const res = await axios.get<BooksPage>(`${r.sb.url}/books/v3/contacts`, {
          params: { organization_id: r.org, page, per_page: 200 },
          headers: { Authorization: `Zoho-oauthtoken ${token}` },
        });
        items.push(...res.data.contacts);
        if (!res.data.page_context.has_more_page) break;
      }
      bare.push(Date.now() - t);
      if (items.length !== total) throw new Error(`bare loop read ${items.length}`);
    }
    const ratio = median(ours) / median(bare);
    return [
      figure('books.return_all_20000_contacts_api_calls', calls, 'calls', '= 100'),
      figure(
        `books.return_all_20000_contacts_time_vs_bare_axios (median of ${runs})`,
        Math.round(ratio * 100) / 100,
        'ratio',
        '<= 1.2',
      ),
      figure('books.return_all_20000_contacts_wall', median(ours), 'ms'),
      figure('books.return_all_20000_contacts_bare_axios_wall', median(bare), 'ms'),
    ];
  } finally {
    await r.sb.stop();
  }
}
