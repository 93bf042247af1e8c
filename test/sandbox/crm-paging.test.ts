/**
 * The sandbox's record listing pages from an index (binary search for the cursor, no copy of the
 * module): its answers must be those of the plain model it replaced — filter, sort a copy,
 * reverse for descending, scan for the first record past the cursor — whatever the sort, order
 * and filters, and with records written and deleted between pages.
 */
import assert from 'node:assert/strict';
import type { StoredRecord } from '../../src/sandbox/crm/types';
import { startCrm, V8, type CrmHarness } from './crm-client';

interface Walk {
  sortBy: 'id' | 'Created_Time' | 'Modified_Time';
  desc: boolean;
  since?: number;
  ids?: string[];
}

const key = (r: StoredRecord, sortBy: string) =>
  sortBy === 'Created_Time' ? r.created : sortBy === 'Modified_Time' ? r.modified : r.id;

/** The records of a walk in served order, as the old listing computed them on every page. */
function model(all: StoredRecord[], w: Walk): StoredRecord[] {
  const out = all
    .filter((r) => !w.ids || w.ids.includes(r.id))
    .filter((r) => w.since === undefined || Math.floor(r.modified / 1000) * 1000 > w.since)
    .sort((a, b) => {
      const x = key(a, w.sortBy);
      const y = key(b, w.sortBy);
      return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1;
    });
  return w.desc ? out.reverse() : out;
}

/** Sort key and id of the last record served, as they were when it was served. */
interface Cursor {
  k: number | string;
  id: string;
}

/** The model's next page after the last record served (undefined: from the start). */
function modelPage(all: StoredRecord[], w: Walk, after: Cursor | undefined, n: number) {
  const order = model(all, w);
  let start = 0;
  if (after) {
    start = order.findIndex((r) => {
      const k = key(r, w.sortBy);
      const cmp =
        k < after.k ? -1 : k > after.k ? 1 : r.id < after.id ? -1 : r.id > after.id ? 1 : 0;
      return w.desc ? cmp < 0 : cmp > 0;
    });
    if (start < 0) start = order.length;
  }
  return { ids: order.slice(start, start + n).map((r) => r.id), more: start + n < order.length };
}

describe('CRM v8 record listing pages like the plain model (sandbox)', function () {
  this.timeout(60000);
  let h: CrmHarness;
  before(async () => {
    h = await startCrm();
  });
  after(() => h.stop());

  /** 300 Leads with created and modified times out of id order, some equal. */
  function seed(): StoredRecord[] {
    h.crm.store.clear();
    const base = Date.UTC(2025, 0, 1);
    const recs: StoredRecord[] = [];
    for (let i = 0; i < 300; i++) {
      const time = base + ((i * 7919) % 97) * 1000;
      recs.push(...h.crm.store.insert('Leads', [{ Last_Name: `P${i}` }], { time }));
    }
    for (let i = 0; i < 300; i += 3) {
      h.crm.store.update(
        'Leads',
        recs[i].id,
        { Email: `p${i}@x.example` },
        { time: base + ((i * 31) % 211) * 1000 },
      );
    }
    return recs;
  }

  /** Walks a listing page by page, writing between pages, checking each page against the model. */
  async function walk(
    walked: Walk,
    perPage: number,
    writeBetween: boolean,
    pickIds?: (recs: StoredRecord[]) => string[],
  ): Promise<number> {
    const recs = seed();
    const w = pickIds ? { ...walked, ids: pickIds(recs) } : walked;
    const all = () => h.crm.store.all('Leads');
    let query = `${V8}/Leads?fields=Last_Name&per_page=${perPage}&sort_by=${w.sortBy}&sort_order=${w.desc ? 'desc' : 'asc'}`;
    if (w.ids) query += `&ids=${w.ids.join(',')}`;
    const headers: Record<string, string> =
      w.since === undefined ? {} : { 'If-Modified-Since': new Date(w.since).toISOString() };
    let last: Cursor | undefined;
    let token: string | null = null;
    let pages = 0;
    for (;;) {
      const want = modelPage(all(), w, last, perPage);
      const res = await h.get(
        token ? `${V8}/Leads?fields=Last_Name&per_page=${perPage}&page_token=${token}` : query,
        headers,
      );
      if (want.ids.length === 0) {
        assert.equal(res.status, 204, `page ${pages + 1} of ${JSON.stringify(w)}`);
        return pages;
      }
      const got = (res.body.data as Array<{ id: string }>).map((d) => d.id);
      assert.deepEqual(got, want.ids, `page ${pages + 1} of ${JSON.stringify(w)}`);
      assert.equal(res.body.info.more_records, want.more);
      pages++;
      const served = h.crm.store.get('Leads', got[got.length - 1]);
      assert.ok(served);
      last = { k: key(served, w.sortBy), id: served.id };
      token = res.body.info.next_page_token as string | null;
      if (!token) return pages;
      if (writeBetween) {
        // A record deleted right after the cursor, the cursor's own record updated, one added.
        h.crm.store.remove('Leads', [recs[(pages * 37) % recs.length].id]);
        h.crm.store.update('Leads', last.id, { Email: `moved${pages}@x.example` });
        h.crm.store.insert('Leads', [{ Last_Name: `late ${pages}` }]);
      }
    }
  }

  const walks: Walk[] = [];
  for (const sortBy of ['id', 'Created_Time', 'Modified_Time'] as const)
    for (const desc of [true, false]) walks.push({ sortBy, desc });

  for (const w of walks) {
    it(`serves ${w.sortBy} ${w.desc ? 'desc' : 'asc'} pages as the model does, with and without writes`, async () => {
      assert.equal(await walk(w, 40, false), 8);
      assert.ok((await walk(w, 40, true)) >= 7);
    });
  }

  it('serves If-Modified-Since and ids walks as the model does', async () => {
    const since = Date.UTC(2025, 0, 1) + 50_000;
    assert.ok((await walk({ sortBy: 'id', desc: true, since }, 25, true)) > 1);
    assert.ok((await walk({ sortBy: 'Modified_Time', desc: false, since }, 25, false)) > 1);
    const pick = (recs: StoredRecord[]) =>
      recs
        .filter((_, i) => i % 4 === 1)
        .map((r) => r.id)
        .slice(0, 60);
    assert.equal(await walk({ sortBy: 'Created_Time', desc: true }, 20, false, pick), 3);
  });
});
