/**
 * crm-record's related records, notes and tags operations in a real Node-RED runtime against
 * the sandbox: input mapping (node and msg), paging, per-record results in input order, the
 * shared error shape, and bad input refused before anything is sent.
 */
import * as assert from 'node:assert/strict';
import { helper } from '../helpers/red';
import { AnyMsg, crmHarness } from './crm-harness';

describe('crm-record node: related records, notes and tags', function () {
  this.timeout(60_000);
  const h = crmHarness('crm-record');
  const leads = (n: number) =>
    h.crm.store
      .insert(
        'Leads',
        Array.from({ length: n }, (_, i) => ({ Last_Name: `L${i}` })),
      )
      .map((r) => r.id);
  const account = () => h.crm.store.insert('Accounts', [{ Account_Name: 'Acme' }])[0].id;
  const tagNames = (id: string) =>
    ((h.crm.store.get('Leads', id)?.data.Tag ?? []) as { name: string }[]).map((t) => t.name);

  function assertOk(o: Awaited<ReturnType<typeof h.exec>>): AnyMsg {
    assert.equal(o.dones.length, 1);
    assert.equal(o.dones[0], undefined, String((o.dones[0] as Error | undefined)?.message));
    assert.equal(o.caught.length, 0);
    assert.equal(o.out.length, 1);
    return o.out[0];
  }

  describe('related records', function () {
    it('lists every related record in pages with msg.parts, 200 a page', async function () {
      const acc = account();
      h.crm.store.insert(
        'Contacts',
        Array.from({ length: 450 }, (_, i) => ({ Last_Name: `C${i}`, Account_Name: { id: acc } })),
      );
      await h.load({
        operation: 'listRelated',
        module: 'Accounts',
        recordId: acc,
        relatedList: 'Contacts',
        fields: 'Last_Name',
        returnAll: true,
        output: 'pages',
      });
      const o = await h.exec({});
      assert.equal(o.dones.length, 1);
      assert.equal(o.dones[0], undefined);
      assert.deepEqual(
        o.out.map((m) => m.payload.length),
        [200, 200, 50],
      );
      assert.equal(o.out[2].parts.count, 3);
      assert.equal(h.crmRequests().length, 3);
    });

    it('links with relation fields from msg.payload, then unlinks; list from msg.relatedList', async function () {
      const acc = account();
      const [a, b] = h.crm.store
        .insert('Contacts', [{ Last_Name: 'A' }, { Last_Name: 'B' }])
        .map((r) => r.id);
      await h.load({
        operation: 'msg',
        module: 'Accounts',
        recordId: acc,
        relatedList: '',
        fields: 'Last_Name',
      });
      let out = assertOk(
        await h.exec({
          operation: 'linkRelated',
          relatedList: 'Contacts',
          payload: [b, { id: a }],
        }),
      );
      assert.deepEqual(
        out.payload.map((r: AnyMsg) => [r.index, r.status, r.id]),
        [
          [0, 'success', b],
          [1, 'success', a],
        ],
      );
      out = assertOk(await h.exec({ operation: 'listRelated', relatedList: 'Contacts' }));
      assert.equal(out.payload.length, 2);
      out = assertOk(
        await h.exec({ operation: 'unlinkRelated', relatedList: 'Contacts', payload: [a] }),
      );
      assert.equal(out.payload[0].status, 'success');
      assert.equal(h.crm.store.get('Contacts', a)?.data.Account_Name, null);
    });

    it('a related list name Zoho does not know fails the message once with Zoho’s error', async function () {
      const acc = account();
      await h.load({
        operation: 'listRelated',
        module: 'Accounts',
        recordId: acc,
        relatedList: 'Nope',
      });
      const o = await h.exec({});
      assert.equal(o.dones.length, 1);
      assert.ok(o.dones[0]);
      assert.equal(o.out.length, 0);
      assert.equal(o.caught.length, 1);
      assert.equal(o.caught[0].error.code, 'INVALID_DATA');
    });

    it('refuses a missing related list before sending anything', async function () {
      const acc = account();
      await h.load({ operation: 'listRelated', module: 'Accounts', recordId: acc });
      const o = await h.exec({});
      assert.equal(o.caught.length, 1);
      assert.equal(o.caught[0].error.code, 'INVALID_INPUT');
      assert.match(o.caught[0].error.message, /related list/i);
      assert.deepEqual(h.sb.sandbox.requests, []);
    });
  });

  describe('notes', function () {
    it('adds one note to 250 records in 3 calls, results in record order', async function () {
      const ids = leads(250);
      await h.load({
        operation: 'addNote',
        module: 'Leads',
        recordId: 'ids',
        recordIdType: 'msg',
        noteTitle: 'Follow-up',
        noteContent: 'text',
        noteContentType: 'msg',
      });
      const out = assertOk(await h.exec({ ids, text: 'Called, no answer' }));
      assert.equal(out.payload.length, 250);
      assert.ok(
        out.payload.every((r: AnyMsg, i: number) => r.index === i && r.status === 'success'),
      );
      assert.equal(h.crmRequests().length, 3);
      const note = h.crm.store.get('Notes', out.payload[249].id)!;
      assert.equal((note.data.Parent_Id as { id: string }).id, ids[249]);
      assert.equal(note.data.Note_Content, 'Called, no answer');
    });

    it('lists, updates and deletes notes', async function () {
      const [lead] = leads(1);
      // Record id left to msg: the parent for add and list, none for delete (ids from payload).
      await h.load({ operation: 'msg', module: 'Leads', recordId: '' });
      let out = assertOk(
        await h.exec({
          operation: 'addNote',
          recordId: lead,
          payload: { title: 'T', content: 'first' },
        }),
      );
      const noteId = out.payload[0].id;
      out = assertOk(
        await h.exec({ operation: 'updateNotes', payload: [{ id: noteId, content: 'second' }] }),
      );
      assert.equal(out.payload[0].status, 'success');
      out = assertOk(await h.exec({ operation: 'listNotes', recordId: lead }));
      assert.deepEqual(
        out.payload.map((n: AnyMsg) => [n.Note_Title, n.Note_Content]),
        [['T', 'second']],
      );
      out = assertOk(await h.exec({ operation: 'deleteNotes', payload: [noteId] }));
      assert.equal(out.payload[0].status, 'success');
      assert.equal(h.crm.store.get('Notes', noteId), undefined);
    });

    it('refuses a note without content before sending anything', async function () {
      const [lead] = leads(1);
      await h.load({ operation: 'addNote', module: 'Leads', recordId: lead });
      const o = await h.exec({ payload: 'not a note' });
      assert.equal(o.dones.length, 1);
      assert.equal(o.caught.length, 1);
      assert.equal(o.caught[0].error.code, 'INVALID_INPUT');
      assert.deepEqual(h.sb.sandbox.requests, []);
    });
  });

  describe('tags', function () {
    it('tags 1,000 records from msg.payload in 10 calls, results in input order', async function () {
      const ids = leads(1000);
      await h.load({ operation: 'addTags', module: 'Leads', tags: 'hot,expo' });
      const out = assertOk(await h.exec({ payload: ids }));
      assert.equal(out.payload.length, 1000);
      assert.deepEqual(
        out.payload.slice(0, 3).map((r: AnyMsg) => r.id),
        ids.slice(0, 3),
      );
      assert.equal(h.crmRequests().length, 10);
      assert.deepEqual(tagNames(ids[999]), ['hot', 'expo']);
    });

    it('replaces with over_write, removes with msg.tags, and lists the module tags', async function () {
      const ids = leads(2);
      await h.load({ operation: 'msg', module: 'Leads', tags: '["a","b"]', tagsType: 'json' });
      assertOk(await h.exec({ operation: 'addTags', payload: ids }));
      assertOk(
        await h.exec({ operation: 'addTags', payload: [ids[0]], tags: 'c', overWrite: true }),
      );
      assert.deepEqual(tagNames(ids[0]), ['c']);
      assertOk(await h.exec({ operation: 'removeTags', payload: ids, tags: ['a'] }));
      assert.deepEqual(tagNames(ids[1]), ['b']);
      const out = assertOk(await h.exec({ operation: 'listTags' }));
      assert.deepEqual(out.payload.map((t: AnyMsg) => t.name).sort(), ['b', 'c']);
    });

    it('an unknown id: results are sent and the message fails with the failed ones', async function () {
      const [id] = leads(1);
      await h.load({ operation: 'addTags', module: 'Leads', tags: 'x' });
      const o = await h.exec({ payload: [id, '1234567890'] });
      assert.equal(o.dones.length, 1);
      assert.ok(o.dones[0]);
      assert.equal(o.out.length, 1);
      assert.deepEqual(
        o.out[0].payload.map((r: AnyMsg) => r.code),
        ['BATCH_REFUSED', 'INVALID_DATA'],
      );
      assert.equal(o.caught.length, 1);
      assert.equal(o.caught[0]._error.details.failed.length, 2);
    });

    it('refuses missing tags before sending anything', async function () {
      const [id] = leads(1);
      await h.load({ operation: 'addTags', module: 'Leads' });
      const o = await h.exec({ payload: [id] });
      assert.equal(o.caught.length, 1);
      assert.equal(o.caught[0].error.code, 'INVALID_INPUT');
      assert.deepEqual(h.sb.sandbox.requests, []);
    });
  });

  it('the example flow runs against the sandbox', async function () {
    const ids = leads(7);
    const acc = account();
    h.crm.store.insert('Contacts', [
      { Last_Name: 'A', Account_Name: { id: acc } },
      { Last_Name: 'B', Account_Name: { id: acc } },
      { Last_Name: 'C' },
    ]);
    await h.loadExample('crm-related');
    const results: AnyMsg[] = [];
    const errors: AnyMsg[] = [];
    helper.getNode('d-rel-1').on('input', (m: AnyMsg) => results.push(m));
    helper.getNode('d-rel-2').on('input', (m: AnyMsg) => errors.push(m));
    const step = async (inject: string, count: number): Promise<AnyMsg> => {
      helper.getNode(inject).receive({});
      for (let i = 0; i < 300 && results.length < count; i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(errors, []);
      assert.equal(results.length, count);
      return results[count - 1];
    };
    const tagged = await step('i-rel-1', 1);
    // The list gives the newest five first; the results follow its order.
    const newest = [...ids].reverse().slice(0, 5);
    assert.deepEqual(
      tagged.payload.map((r: AnyMsg) => r.id),
      newest,
    );
    assert.deepEqual(tagNames(newest[4]), ['expo']);
    assert.deepEqual(tagNames(ids[0]), []);
    const noted = await step('i-rel-2', 2);
    assert.equal(noted.payload.filter((r: AnyMsg) => r.status === 'success').length, 5);
    const contacts = await step('i-rel-3', 3);
    assert.deepEqual(contacts.payload.map((c: AnyMsg) => c.Last_Name).sort(), ['A', 'B']);
  });

  it('the editor route lists a module’s related lists', async function () {
    await h.load({ operation: 'list', module: 'Leads' });
    const res = await helper
      .request()
      .get('/zoho-crm/c1/related-lists')
      .query({ module: 'Accounts' });
    assert.equal(res.status, 200, res.text);
    const names = res.body.relatedLists.map((l: AnyMsg) => l.api_name);
    assert.ok(names.includes('Contacts') && names.includes('Notes'), names.join());
    const bad = await helper.request().get('/zoho-crm/c1/related-lists').query({ module: 'a b' });
    assert.equal(bad.status, 400);
  });
});
