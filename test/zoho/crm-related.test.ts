/**
 * Related records, notes and tags through a real ZohoConnection against the sandbox's CRM
 * emulator (HTTP on 127.0.0.1), with the issue 17 figures: API calls to tag 1,000 records, to add
 * a note to 500 records and to list 5,000 related records.
 */
import assert from 'node:assert/strict';
import { accountsFamily } from '../../src/sandbox/accounts';
import { type CrmFamily, crmFamily } from '../../src/sandbox/crm/index';
import type { ZohoConnection } from '../../src/zoho/core/connection';
import { ZohoError } from '../../src/zoho/core/errors';
import {
  addNotes,
  addTags,
  collectRelatedRecords,
  deleteNotes,
  linkRelatedRecords,
  listNotes,
  listRelatedRecords,
  listTags,
  removeTags,
  unlinkRelatedRecords,
  updateNotes,
} from '../../src/zoho/crm/index';
import { sandboxConnection, useSandbox } from '../helpers/sandbox';

const invalid = (param: string) => (e: unknown) =>
  e instanceof ZohoError && e.kind === 'input' && e.param === param;

describe('crm related records, notes and tags against the sandbox', function () {
  this.timeout(120_000);
  let crm: CrmFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    crm = crmFamily();
    return [accountsFamily(), crm];
  });
  let conn: ZohoConnection;
  let account: string;
  const calls = (pattern: RegExp) =>
    sb.sandbox.requests.filter((r) => r.path.startsWith('/crm/') && pattern.test(r.path)).length;
  const leads = (n: number) =>
    crm.store
      .insert(
        'Leads',
        Array.from({ length: n }, (_, i) => ({ Last_Name: `L${i}` })),
      )
      .map((r) => r.id);

  beforeEach(() => {
    crm.store.clear();
    account = crm.store.insert('Accounts', [{ Account_Name: 'Acme' }])[0].id;
    conn = sandboxConnection(sb.sandbox, 'ZohoCRM.modules.ALL,ZohoCRM.settings.ALL', {
      maxConcurrency: 4,
    });
    sb.sandbox.clearRequests();
  });
  afterEach(() => conn.close());

  describe('related records', () => {
    it('lists 5,000 related records in 25 calls of 200, in one array', async () => {
      crm.store.insert(
        'Contacts',
        Array.from({ length: 5000 }, (_, i) => ({
          Last_Name: `C${i}`,
          Account_Name: { id: account },
        })),
      );
      const ref = { module: 'Accounts', recordId: account, relatedList: 'Contacts' };
      const all = await collectRelatedRecords(conn, ref, { fields: 'Last_Name' });
      assert.equal(all.records.length, 5000);
      assert.equal(new Set(all.records.map((r) => r.id)).size, 5000);
      assert.equal(all.truncated, false);
      assert.equal(calls(/\/Accounts\/\d+\/Contacts/), 25);
      assert.equal(all.pages, 25);
    });

    it('links with relation fields, lists a page and unlinks, results in input order', async () => {
      const [a, b] = crm.store
        .insert('Contacts', [{ Last_Name: 'A' }, { Last_Name: 'B' }])
        .map((r) => r.id);
      const ref = { module: 'Accounts', recordId: account, relatedList: 'Contacts' };
      const linked = await linkRelatedRecords(conn, ref, [b, { id: a }, '1234567890']);
      assert.deepEqual(
        linked.results.map((r) => [r.index, r.status]),
        [
          [0, 'success'],
          [1, 'success'],
          [2, 'error'],
        ],
      );
      assert.equal(linked.results[1].id, a);
      const page = await listRelatedRecords(conn, ref, { fields: 'Last_Name', perPage: 1 });
      assert.equal(page.records.length, 1);
      assert.equal(page.info.more_records, true);
      const unlinked = await unlinkRelatedRecords(conn, ref, [a]);
      assert.equal(unlinked.succeeded, 1);
      const left = await listRelatedRecords(conn, ref, { fields: 'Last_Name' });
      assert.deepEqual(
        left.records.map((r) => r.id),
        [b],
      );
    });

    it('refuses bad input with its param and sends nothing', async () => {
      const ref = { module: 'Accounts', recordId: account, relatedList: 'Contacts' };
      await assert.rejects(
        listRelatedRecords(conn, { ...ref, relatedList: '../x' }),
        invalid('relatedList'),
      );
      await assert.rejects(
        listRelatedRecords(conn, { ...ref, recordId: 'abc' }),
        invalid('recordId'),
      );
      await assert.rejects(listRelatedRecords(conn, ref, { perPage: 201 }), invalid('perPage'));
      await assert.rejects(linkRelatedRecords(conn, ref, [{ Last_Name: 'x' }]), invalid('records'));
      await assert.rejects(unlinkRelatedRecords(conn, ref, []), invalid('ids'));
      assert.equal(calls(/./), 0);
    });
  });

  describe('notes', () => {
    it('adds one note to 500 records in 5 calls (100 a call), in parent order', async () => {
      const ids = leads(500);
      const parents = ids.map((id) => ({ module: 'Leads', id }));
      const result = await addNotes(conn, parents, { title: 'Call', content: 'Called back' });
      assert.equal(result.succeeded, 500);
      assert.equal(calls(/\/Notes$/), 5);
      const note = crm.store.get('Notes', result.results[499].id!);
      assert.equal((note?.data.Parent_Id as { id: string }).id, ids[499]);
    });

    it('lists, updates and deletes a record notes', async () => {
      const [lead] = leads(1);
      const added = await addNotes(conn, { module: 'Leads', id: lead }, { content: 'first' });
      const noteId = added.results[0].id!;
      const updated = await updateNotes(conn, { id: noteId, title: 'T', content: 'second' });
      assert.equal(updated.succeeded, 1);
      const listed = await listNotes(conn, { module: 'Leads', id: lead });
      assert.deepEqual(
        listed.records.map((r) => [r.id, r.Note_Content, r.Note_Title]),
        [[noteId, 'second', 'T']],
      );
      assert.equal((await deleteNotes(conn, [noteId])).succeeded, 1);
      assert.equal((await listNotes(conn, { module: 'Leads', id: lead })).records.length, 0);
    });

    it('refuses a note without content or with bad parents before sending', async () => {
      const parent = { module: 'Leads', id: '1' };
      await assert.rejects(addNotes(conn, parent, { content: ' ' }), invalid('note'));
      await assert.rejects(addNotes(conn, [], { content: 'x' }), invalid('parents'));
      await assert.rejects(
        addNotes(conn, [{ module: 'Leads', id: 'x' }], { content: 'x' }),
        invalid('parents'),
      );
      await assert.rejects(updateNotes(conn, [{ content: 'x' } as never]), invalid('notes'));
      assert.equal(calls(/./), 0);
    });
  });

  describe('tags', () => {
    it('tags 1,000 records in 10 calls, then lists the module tags', async () => {
      const ids = leads(1000);
      const result = await addTags(conn, 'Leads', ids, ['hot', 'expo']);
      assert.equal(result.succeeded, 1000);
      assert.equal(calls(/\/actions\/add_tags$/), 10);
      assert.deepEqual(
        result.results.slice(0, 2).map((r) => r.id),
        ids.slice(0, 2),
      );
      const tags = await listTags(conn, 'Leads');
      assert.deepEqual(tags.map((t) => t.name).sort(), ['expo', 'hot']);
      const rec = crm.store.get('Leads', ids[999])!;
      assert.deepEqual(
        (rec.data.Tag as { name: string }[]).map((t) => t.name),
        ['hot', 'expo'],
      );
    });

    it('over_write replaces tags; remove takes them off', async () => {
      const ids = leads(2);
      await addTags(conn, 'Leads', ids, 'a,b');
      await addTags(conn, 'Leads', [ids[0]], ['c'], { overWrite: true });
      const names = (id: string) =>
        (crm.store.get('Leads', id)!.data.Tag as { name: string }[]).map((t) => t.name);
      assert.deepEqual(names(ids[0]), ['c']);
      assert.deepEqual(names(ids[1]), ['a', 'b']);
      const removed = await removeTags(conn, 'Leads', ids, ['a']);
      assert.equal(removed.succeeded, 2);
      assert.deepEqual(names(ids[1]), ['b']);
    });

    it('an unknown id fails that record; the others of its call are refused, not changed', async () => {
      const [id] = leads(1);
      const result = await addTags(conn, 'Leads', [id, '1234567890'], ['x']);
      assert.deepEqual(
        result.results.map((r) => [r.index, r.code]),
        [
          [0, 'BATCH_REFUSED'],
          [1, 'INVALID_DATA'],
        ],
      );
      assert.equal(crm.store.get('Leads', id)!.data.Tag ?? null, null);
    });

    it('refuses bad tags and ids before sending', async () => {
      await assert.rejects(addTags(conn, 'Leads', ['1'], ''), invalid('tags'));
      await assert.rejects(addTags(conn, 'Leads', ['1'], ['x'.repeat(26)]), invalid('tags'));
      await assert.rejects(addTags(conn, 'Leads', [], ['x']), invalid('ids'));
      await assert.rejects(removeTags(conn, 'Leads', ['1'], [5] as never), invalid('tags'));
      await assert.rejects(listTags(conn, ''), invalid('module'));
      assert.equal(calls(/./), 0);
    });
  });
});
