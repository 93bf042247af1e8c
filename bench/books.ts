/**
 * Zoho Books figures: staying under Books' per-organization minute limit with many creates,
 * and returnAll of 20,000 contacts against a bare axios paging loop at the same sandbox.
 *
 * Time is scaled down for the throttle bench in `npm run bench` (Zoho's minute / 10, where a
 * round trip is well under 1% of a window) and runs at Zoho's real minute in `--long`.
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
/** One page of a Books list answer: what the bare loop reads. */
interface BooksPage {
  contacts: unknown[];
  page_context: { has_more_page: boolean };
}

type Rig = Awaited<ReturnType<typeof rig>>;

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

/** Median milliseconds of one bare create round trip, measured with the sandbox's limit off. */
async function roundTripMs(r: Rig): Promise<number> {
  const kept = r.books.config.rateLimit;
  // With the limit off the sandbox counts nothing, so the timed run starts with empty windows.
  r.books.config.rateLimit = { limit: 0, windowMs: kept.windowMs };
  const token = r.accessToken();
  const times: number[] = [];
  try {
    for (let i = 0; i < 21; i++) {
      const t = process.hrtime.bigint();
      await axios.post(
        `${r.sb.url}/books/v3/contacts`,
        { contact_name: `Probe ${i}` },
        {
          params: { organization_id: r.org },
          headers: { Authorization: `Zoho-oauthtoken ${token}` },
        },
      );
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  } finally {
    r.books.config.rateLimit = kept;
  }
  return median(times);
}

/**
 * `creates` Books creates at once with the sandbox enforcing Zoho's 100 a minute, the minute
 * divided by `timeScale`, and the client's window set the same: the share of the limit used.
 * The client loses about one round trip per window (it counts a call until a window after its
 * answer), so the scale must keep a round trip under 1% of the window for the goal to mean
 * anything; the round trip is measured and its share reported beside the throughput.
 */
export async function booksThrottle(timeScale: number, creates: number): Promise<Figure[]> {
  const limit = { limit: 100, windowMs: 60_000 / timeScale };
  const r = await rig(limit);
  try {
    const conn = await r.connect();
    const roundTrip = await roundTripMs(r);
    r.books.resetStats();
    r.sb.clearRequests();
    const started = Date.now();
    await Promise.all(
      Array.from({ length: creates }, (_, i) =>
        createBooksRecord(
          conn,
          'contacts',
          { contact_name: `Bench ${i}` },
          { organizationId: r.org, rateLimit: limit },
        ),
      ),
    );
    const elapsed = Date.now() - started;
    conn.close();
    const got429 = r.sb.requests.filter((q) => q.status === 429).length;
    // The first window's burst is free; the rest can go at most `limit` per window.
    const ideal = ((creates - limit.limit) / limit.limit) * limit.windowMs;
    const tag = `books.throttle_${creates}_creates_window_${limit.windowMs}ms`;
    return [
      figure(`${tag}_429s`, got429, 'responses', '= 0'),
      figure(`${tag}_wall`, elapsed, 'ms'),
      figure(`${tag}_ideal`, ideal, 'ms'),
      figure(`${tag}_round_trip_median`, Number(roundTrip.toFixed(1)), 'ms'),
      figure(
        `${tag}_round_trip_share_of_window`,
        Number((roundTrip / limit.windowMs).toFixed(4)),
        'ratio',
        '<= 0.01',
      ),
      figure(
        `${tag}_throughput_fraction_of_limit`,
        Math.round((ideal / elapsed) * 1000) / 1000,
        'ratio',
        '>= 0.97',
      ),
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
