/**
 * Polling for changes through a real ZohoConnection against the sandbox: exact across pages,
 * equal timestamps, edits while paging and downtime; the pure mark functions on their own.
 */
import assert from 'node:assert/strict';
import { accountsFamily } from '../../src/sandbox/accounts';
import { crmFamily, type CrmFamily } from '../../src/sandbox/crm/index';
import { ZohoConnection } from '../../src/zoho/core/connection';
import {
  Change,
  Mark,
  advance,
  classify,
  currentDeletedMark,
  currentMark,
  deletedSince,
  group,
  isNew,
  modifiedSince,
} from '../../src/zoho/crm/changes';
import {
  ChangeBatch,
  ChangePoller,
  Checkpoint,
  PollerState,
} from '../../src/zoho/crm/change-poller';
import { ORG_TIME_ZONES, sandboxConnection, useSandbox } from '../helpers/sandbox';
import { until } from '../helpers/wait';

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

for (const zone of ORG_TIME_ZONES) {
  describe(`crm-changes: polling (org time zone ${zone.name})`, function () {
    this.timeout(30_000);
    let crm: CrmFamily;
    const sb = useSandbox({ creditLimit: 0 }, () => {
      crm = crmFamily({ timeZoneOffsetMinutes: zone.offsetMinutes });
      return [accountsFamily(), crm];
    });
    let conn: ZohoConnection;

    beforeEach(() => {
      crm.store.clear();
      conn = sandboxConnection(sb.sandbox, 'ZohoCRM.modules.ALL');
    });
    afterEach(() => conn.close());

    const insert = (n: number, time: number, tag = 'L') =>
      crm.store
        .insert(
          'Leads',
          Array.from({ length: n }, (_, i) => ({ Last_Name: `${tag}${i}` })),
          { time },
        )
        .map((r) => r.id);

    async function poll(mark: Mark, fields?: string[]): Promise<{ changes: Change[]; mark: Mark }> {
      const changes: Change[] = [];
      let last = mark;
      for await (const page of modifiedSince(conn, 'Leads', mark, { fields })) {
        changes.push(...page.changes);
        last = page.mark;
      }
      return { changes, mark: last };
    }
    const idsOf = (changes: Change[], op?: string) =>
      changes.filter((c) => !op || c.operation === op).flatMap((c) => c.ids);

    it('keeps marks with pure functions', () => {
      let m: Mark = { time: 0, ids: [] };
      m = advance(m, 'a', 1000);
      m = advance(m, 'b', 1000);
      assert.deepEqual(m, { time: 1000, ids: ['a', 'b'] });
      assert.equal(isNew(m, 'a', 1000), false);
      assert.equal(isNew(m, 'c', 1000), true);
      assert.equal(isNew(m, 'a', 2000), true);
      assert.equal(isNew(m, 'z', 0), false);
      assert.deepEqual(advance(m, 'c', 2000), { time: 2000, ids: ['c'] });
      assert.equal(classify(m, 'c', 1000), 'create');
      assert.equal(classify(m, 'a', 1000), 'edit');
      assert.equal(classify(m, 'x', 500), 'edit');
      assert.equal(classify({ time: 0, ids: [] }, 'x', 500), 'create');
      const g = group('Leads', [
        { op: 'create', rec: { id: '1' } },
        { op: 'create', rec: { id: '2' } },
        { op: 'edit', rec: { id: '3' } },
        { op: 'create', rec: { id: '4' } },
      ]);
      assert.deepEqual(
        g.map((c) => [c.operation, c.ids]),
        [
          ['create', ['1', '2']],
          ['edit', ['3']],
          ['create', ['4']],
        ],
      );
    });

    it('starts at the newest record, and costs one call when nothing changed', async () => {
      assert.deepEqual(await currentMark(conn, 'Leads'), { time: 0, ids: [] });
      insert(3, T0);
      const newest = insert(2, T0 + 5000);
      const mark = await currentMark(conn, 'Leads');
      assert.equal(mark.time, T0 + 5000);
      assert.deepEqual([...mark.ids].sort(), [...newest].sort());
      sb.sandbox.clearRequests();
      const { changes } = await poll(mark);
      assert.deepEqual(changes, []);
      const calls = sb.sandbox.requests.filter((r) => r.path.startsWith('/crm/'));
      assert.equal(calls.length, 1);
      // The mark's own second is asked again (a later edit in it must not be missed).
      assert.equal(
        calls[0].headers['if-modified-since'],
        new Date(T0 + 4000).toISOString().replace('.000Z', '+00:00'),
      );
      crm.store.clear();
      sb.sandbox.clearRequests();
      insert(1, T0);
      assert.deepEqual((await poll({ time: T0 + 5000, ids: [] })).changes, []);
      assert.equal(sb.sandbox.requests.filter((r) => r.path.startsWith('/crm/'))[0].status, 304);
    });

    it('reads 450 records of one second across pages exactly once, then only newer ones', async () => {
      const first = insert(450, T0 + 1200);
      const a = await poll({ time: 0, ids: [] });
      assert.deepEqual(idsOf(a.changes, 'create'), first);
      assert.equal(a.mark.time, T0 + 1000);
      assert.equal(a.mark.ids.length, 450);

      const same = insert(10, T0 + 1700, 'S');
      const later = insert(5, T0 + 3000, 'N');
      const b = await poll(a.mark);
      assert.deepEqual(idsOf(b.changes), [...same, ...later]);
      assert.deepEqual(idsOf(b.changes, 'create'), [...same, ...later]);
      const c = await poll(b.mark);
      assert.deepEqual(c.changes, []);
    });

    it('tells edits from creates and misses no record edited while it pages', async () => {
      const old = insert(500, T0);
      const mark = await currentMark(conn, 'Leads');
      // 450 edits at distinct seconds after the mark, then a create.
      old
        .slice(0, 450)
        .forEach((id, i) =>
          crm.store.update(
            'Leads',
            id,
            { Email: `e${i}@x.example` },
            { time: T0 + 2000 + i * 1000 },
          ),
        );
      const fresh = insert(1, T0 + 500_000, 'F');
      const seen: string[] = [];
      let m = mark;
      let moved = false;
      for await (const page of modifiedSince(conn, 'Leads', m)) {
        seen.push(...page.changes.flatMap((c) => c.ids));
        m = page.mark;
        if (!moved) {
          // Zoho moves a record edited now to the end of the order while we page.
          moved = true;
          crm.store.update('Leads', old[449], { Email: 'late@x.example' }, { time: T0 + 600_000 });
          crm.store.update(
            'Leads',
            old[499],
            { Email: 'untouched-before@x.example' },
            {
              time: T0 + 600_000,
            },
          );
        }
      }
      assert.equal(new Set(seen).size, 452, 'every change, a record edited again seen again');
      for (const id of [...old.slice(0, 450), old[499], ...fresh]) assert.ok(seen.includes(id), id);
      assert.equal(m.time, T0 + 600_000);
    });

    it('misses no record of a second longer than a page when records of it are edited while it pages', async () => {
      // Issue 16's lost page: the walk of one second goes by page number, and an edit moves a
      // record of page 1 to the end, so every later record moves up one place.
      const all = insert(300, T0);
      const seen: string[] = [];
      // A mark in that second already: its page 1 holds nothing newer, so page 2 comes next.
      let m: Mark = { time: T0, ids: [] };
      let edited: string[] = [];
      for await (const page of modifiedSince(conn, 'Leads', m)) {
        seen.push(...page.changes.flatMap((c) => c.ids));
        m = page.mark;
        if (edited.length === 0) {
          edited = all.slice(0, 20);
          edited.forEach((id) =>
            crm.store.update('Leads', id, { Email: 'x@x.example' }, { time: T0 + 5000 }),
          );
        }
      }
      const missing = all.filter((id) => !seen.includes(id));
      assert.deepEqual(missing, [], `${missing.length} records of the second never read`);
      const twice = seen.filter((id, i) => seen.indexOf(id) !== i);
      assert.deepEqual(twice.sort(), [...edited].sort(), 'only the records edited again, again');
      assert.equal(m.time, T0 + 5000);
      assert.equal(new Set(seen).size, 300);
    });

    it('resumes after downtime from a saved mark (JSON round trip) without loss or repeats', async () => {
      insert(20, T0);
      const saved = JSON.stringify(await currentMark(conn, 'Leads'));
      const during = [...insert(30, T0, 'D'), ...insert(30, T0 + 86400e3, 'E')];
      const got = await poll(JSON.parse(saved) as Mark);
      assert.deepEqual(idsOf(got.changes, 'create'), during);
      assert.equal(idsOf(got.changes, 'edit').length, 0);
    });

    it('reads deleted records since a mark, oldest first, once', async () => {
      const ids = insert(30, T0);
      assert.deepEqual(await currentDeletedMark(conn, 'Leads'), { time: 0, ids: [] });
      crm.store.remove('Leads', ids.slice(0, 5), { time: T0 + 1000 });
      const start = await currentDeletedMark(conn, 'Leads');
      assert.equal(start.ids.length, 5);
      crm.store.remove('Leads', ids.slice(5, 10), { time: T0 + 1000 });
      crm.store.remove('Leads', ids.slice(10, 30), { time: T0 + 9000 });
      const a = await deletedSince(conn, 'Leads', start);
      const got = a.changes.flatMap((c) => c.ids);
      assert.deepEqual([...got].sort(), ids.slice(5, 30).sort());
      assert.deepEqual(new Set(got.slice(0, 5)), new Set(ids.slice(5, 10)), 'oldest first');
      assert.ok(a.changes.every((c) => c.operation === 'delete'));
      assert.equal(a.mark.time, T0 + 9000);
      const b = await deletedSince(conn, 'Leads', a.mark);
      assert.deepEqual(b.changes, []);
    });

    describe('ChangePoller', () => {
      let stored: Checkpoint | undefined;
      let saves = 0;
      let batches: ChangeBatch[] = [];
      let states: PollerState[] = [];
      let errors: unknown[] = [];
      const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
      const store = {
        load: () => Promise.resolve(stored && copy(stored)),
        save: (cp: Checkpoint) => {
          stored = copy(cp);
          saves++;
          return Promise.resolve();
        },
      };
      const polls = () => states.filter((s) => s.state === 'polled').length;
      const sent = (op?: string) =>
        batches.filter((b) => !op || b.operation === op).flatMap((b) => b.ids);
      const start = (): ChangePoller => {
        const poller = new ChangePoller(
          {
            connection: () => conn,
            modules: ['Leads'],
            events: ['create', 'edit'],
            intervalMs: 20,
            store,
          },
          {
            changes: (b) => batches.push(b),
            state: (s) => states.push(s),
            error: (e) => errors.push(e),
          },
        );
        poller.start();
        return poller;
      };

      beforeEach(() => {
        stored = undefined;
        saves = 0;
        batches = [];
        states = [];
        errors = [];
      });

      it('starts from now, sends every page in order with a save after each, and resumes from its store', async () => {
        insert(3, T0, 'Old');
        let poller = start();
        await until(() => polls() >= 2, 'two polls');
        assert.equal(states[0].state, 'first-read');
        assert.equal(batches.length, 0, 'records that existed before the first start are not sent');
        const made = insert(250, T0 + 60_000, 'N');
        const savedBefore = saves;
        await until(() => sent().length >= 250, 'the new records');
        assert.ok(saves - savedBefore >= 2, `a save per page (${saves - savedBefore})`);
        assert.equal(batches[0].serverTime, T0 + 60_000);
        await poller.stop();
        const during = insert(5, T0 + 120_000, 'D');
        poller = start();
        await until(() => sent().length >= 255, 'the records made while stopped');
        await poller.stop();
        assert.deepEqual(sent('create'), [...made, ...during], 'each once, in order');
        assert.deepEqual(errors, []);
      });

      it('reports a failed poll (state, then error) and the next poll goes on from the checkpoint', async () => {
        const poller = start();
        await until(() => polls() >= 1, 'the first poll');
        sb.sandbox.faults.inject({
          match: { path: '/crm/v8/Leads', method: 'GET' },
          kind: 'status',
          status: 400,
        });
        await until(() => errors.length === 1, 'the error');
        const failed = states.find((s) => s.state === 'failed');
        assert.equal((failed as { error: { code: string } }).error.code, 'INVALID_DATA');
        const [id] = insert(1, T0 + 60_000, 'R');
        await until(() => sent().includes(id), 'the record after recovery');
        await poller.stop();
        const after = states.length;
        await new Promise((r) => setTimeout(r, 60));
        assert.equal(states.length, after, 'no poll after stop');
      });
    });
  });
}
