import assert from 'node:assert/strict';
import { collectPages, paginate, FetchedPage } from '../../src/zoho/core/paginate';
import { ZohoError } from '../../src/zoho/core/errors';

/** A fake API of `total` items served `size` per page, by numeric cursor. */
function api(total: number, size: number) {
  const cursors: Array<number | undefined> = [];
  const fetch = (cursor: number | undefined): Promise<FetchedPage<number, number>> => {
    cursors.push(cursor);
    const start = cursor ?? 0;
    const items = Array.from(
      { length: Math.max(0, Math.min(size, total - start)) },
      (_, i) => start + i,
    );
    const next = start + items.length < total ? start + items.length : undefined;
    return Promise.resolve({ items, next, info: { start } });
  };
  return { fetch, cursors };
}

describe('paginate', () => {
  it('walks every page until there is no next cursor', async () => {
    const { fetch, cursors } = api(25, 10);
    const pages = [];
    for await (const page of paginate(fetch)) pages.push(page);
    assert.deepEqual(cursors, [undefined, 10, 20]);
    assert.deepEqual(
      pages.map((p) => [p.page, p.items.length, p.total, p.last, p.truncated]),
      [
        [1, 10, 10, false, false],
        [2, 10, 20, false, false],
        [3, 5, 25, true, false],
      ],
    );
  });

  it('cuts at maxRecords and says truncated when more was there', async () => {
    const { fetch, cursors } = api(100, 10);
    const all = await collectPages(paginate(fetch, { maxRecords: 25 }));
    assert.equal(all.items.length, 25);
    assert.deepEqual(all.items.slice(-1), [24]);
    assert.equal(all.truncated, true);
    assert.equal(cursors.length, 3);
  });

  it('is not truncated when the cap equals what exists', async () => {
    const { fetch } = api(20, 10);
    const all = await collectPages(paginate(fetch, { maxRecords: 20 }));
    assert.equal(all.items.length, 20);
    assert.equal(all.truncated, false);
  });

  it('stops at maxPages', async () => {
    const { fetch, cursors } = api(100, 10);
    const all = await collectPages(paginate(fetch, { maxPages: 2 }));
    assert.equal(all.items.length, 20);
    assert.equal(all.pages, 2);
    assert.equal(all.truncated, true);
    assert.equal(cursors.length, 2);
  });

  it('starts from a given cursor, and stops on an empty page or a ceiling', async () => {
    const { fetch, cursors } = api(30, 10);
    const all = await collectPages(paginate(fetch, { start: 20 }));
    assert.deepEqual(cursors, [20]);
    assert.equal(all.items.length, 10);
    const empty = await collectPages(paginate(() => Promise.resolve({ items: [], next: 5 })));
    assert.equal(empty.pages, 1);
    const ceiling = await collectPages(
      paginate(() => Promise.resolve({ items: [1], truncated: true, next: 9 })),
    );
    assert.equal(ceiling.truncated, true);
    assert.equal(ceiling.pages, 1);
  });

  it('refuses a cursor loop and bad caps', async () => {
    await assert.rejects(
      collectPages(paginate(() => Promise.resolve({ items: [1], next: 'same' }))),
      (e: unknown) => e instanceof ZohoError && e.code === 'PAGINATION_LOOP',
    );
    await assert.rejects(
      collectPages(paginate(() => Promise.resolve({ items: [] }), { maxRecords: 0 })),
      /maxRecords/,
    );
  });

  it('stops when the consumer breaks out (lazy: no further fetch)', async () => {
    const { fetch, cursors } = api(100, 10);
    for await (const page of paginate(fetch)) {
      if (page.page === 2) break;
    }
    assert.equal(cursors.length, 2);
  });

  it('honours an aborted signal', async () => {
    const { fetch } = api(100, 10);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      collectPages(paginate(fetch, { signal: controller.signal })),
      (e: unknown) => (e as ZohoError).code === 'ABORTED',
    );
  });

  it("weighs a page by its answer's bytes when the family passes them on (a cut page by its share)", async () => {
    // Tiny items in answers said to weigh 400 bytes: the budget sees the answers, not the items.
    const heavy = (cursor: number | undefined): Promise<FetchedPage<number, number>> => {
      const start = cursor ?? 0;
      const items = Array.from({ length: 10 }, (_, i) => start + i);
      return Promise.resolve({ items, next: start + 10, bytes: 400 });
    };
    const pages = [];
    for await (const page of paginate(heavy, { maxRecords: 15 })) pages.push(page.bytes);
    assert.deepEqual(pages, [400, 200]);
    await assert.rejects(
      collectPages(paginate(heavy, { maxPages: 5 }), undefined, 1000),
      (e: ZohoError) => e.code === 'RESULT_TOO_LARGE' && /in 3 pages/.test(e.message),
    );
    // Without bytes, the items' own JSON is what counts: 5 pages of 10 small numbers pass.
    const light = await collectPages(paginate(api(50, 10).fetch), undefined, 1000);
    assert.equal(light.items.length, 50);
  });
});
