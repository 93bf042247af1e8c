import assert from 'node:assert/strict';
import { Oas } from '../helpers/oas';
import { startCrm, V8, type CrmHarness } from './crm-client';

const oas = new Oas();
const RELATED = '/crm/v8/{module_api_name}/{record_id}/{related_list_api_name}';
const ATTACHMENTS = '/crm/v8/{module}/{record_id}/Attachments';

describe('CRM v8 record count, related lists and bulk attachment delete (sandbox)', function () {
  this.timeout(30000);
  let h: CrmHarness;
  let acme: string;
  let other: string;
  let contacts: string[];
  before(async () => {
    h = await startCrm();
    const store = h.crm.store;
    [{ id: acme }, { id: other }] = store.insert('Accounts', [
      { Account_Name: 'Acme' },
      { Account_Name: 'Other' },
    ]);
    contacts = store
      .insert('Contacts', [
        { Last_Name: 'One', Email: 'one@acme.example', Account_Name: { id: acme } },
        { Last_Name: 'Two', Account_Name: { id: acme } },
        { Last_Name: 'Free' },
      ])
      .map((r) => r.id);
    store.insert('Deals', [
      { Deal_Name: 'Big', Stage: 'Qualification', Account_Name: { id: acme } },
    ]);
    store.insert('Notes', [{ Note_Content: 'call back', Parent_Id: { id: acme } }]);
  });
  after(() => h.stop());

  it('counts a module, a search and refuses cvid with search parameters', async () => {
    let res = await h.get(`${V8}/Contacts/actions/count`);
    assert.deepEqual([res.status, res.body], [200, { count: 3 }]);
    res = await h.get(
      `${V8}/Contacts/actions/count?criteria=${encodeURIComponent('(Last_Name:starts_with:T)')}`,
    );
    assert.deepEqual(res.body, { count: 1 });
    res = await h.get(`${V8}/Contacts/actions/count?email=one@acme.example`);
    assert.deepEqual(res.body, { count: 1 });
    res = await h.get(`${V8}/Contacts/actions/count?cvid=1&word=one`);
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'AMBIGUITY_DURING_PROCESSING');
    const refused = oas.response(
      'record_count.json',
      '/crm/v8/{module_api_name}/actions/count',
      'get',
      '400',
    );
    assert.deepEqual(oas.check(refused, res.body), []);
    res = await h.get(`${V8}/Nope/actions/count`);
    assert.equal(res.body.code, 'INVALID_MODULE');
  });

  it('lists the related lists of Accounts', async () => {
    const res = await h.get(`${V8}/settings/related_lists?module=Accounts`);
    assert.equal(res.status, 200);
    const names = res.body.related_lists.map((l: { api_name: string }) => l.api_name);
    for (const n of ['Contacts', 'Deals', 'Notes', 'Attachments']) assert.ok(names.includes(n), n);
    assert.equal(res.body.related_lists[0].module.api_name, 'Accounts');
    assert.equal((await h.get(`${V8}/settings/related_lists`)).body.code, 'REQUIRED_PARAM_MISSING');
  });

  it('reads, relates and delinks Contacts, Deals and Notes under an Account', async () => {
    let res = await h.get(`${V8}/Accounts/${acme}/Contacts?fields=Last_Name`);
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.data.map((d: { Last_Name: string }) => d.Last_Name),
      ['One', 'Two'],
    );
    assert.deepEqual(oas.check(oas.response('related_records.json', RELATED, 'get'), res.body), []);
    res = await h.get(`${V8}/Accounts/${acme}/Deals`);
    assert.equal(res.body.data[0].Deal_Name, 'Big');
    res = await h.get(`${V8}/Accounts/${acme}/Notes`);
    assert.equal(res.body.data[0].Note_Content, 'call back');

    res = await h.request('PUT', `${V8}/Accounts/${acme}/Contacts`, {
      data: [{ id: contacts[2] }, { id: '1' }],
    });
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.data.map((d: { status: string; message: string }) => [d.status, d.message]),
      [
        ['success', 'relation added'],
        ['error', 'the related id given seems to be invalid'],
      ],
    );
    assert.deepEqual(oas.check(oas.response('related_records.json', RELATED, 'put'), res.body), []);
    assert.equal(h.crm.store.get('Contacts', contacts[2])?.data.Account_Name !== null, true);

    res = await h.request('DELETE', `${V8}/Accounts/${acme}/Contacts?ids=${contacts[0]}`);
    assert.equal(res.body.data[0].message, 'relation removed');
    assert.deepEqual(
      oas.check(oas.response('related_records.json', RELATED, 'delete'), res.body),
      [],
    );
    res = await h.get(`${V8}/Accounts/${acme}/Contacts?fields=Last_Name`);
    assert.deepEqual(
      res.body.data.map((d: { Last_Name: string }) => d.Last_Name),
      ['Two', 'Free'],
    );
    assert.equal((await h.get(`${V8}/Accounts/${other}/Contacts`)).status, 204);
    res = await h.get(`${V8}/Accounts/${acme}/Shoes`);
    assert.equal(res.status, 400);
    assert.equal(res.body.message, 'The relation name given seems to be invalid');
  });

  it('deletes attachments by ids, all or nothing', async () => {
    const store = h.crm.store;
    const add = (name: string) =>
      store.addAttachment({
        module: 'Accounts',
        recordId: acme,
        fileName: name,
        contentType: 'text/plain',
        data: Buffer.from(name),
        linkUrl: null,
        owner: { name: 'x', id: '1', email: 'x@example.com' },
      }).id;
    const [a, b, c] = [add('a'), add('b'), add('c')];
    let res = await h.request('DELETE', `${V8}/Accounts/${acme}/Attachments?ids=${a},999`);
    assert.equal(res.status, 400);
    assert.equal(store.attachmentsOf(acme).length, 3, 'nothing deleted');
    res = await h.request('DELETE', `${V8}/Accounts/${acme}/Attachments?ids=${a},${b}`);
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.data.map((d: { details: { id: string } }) => d.details.id),
      [a, b],
    );
    assert.deepEqual(
      oas.check(oas.response('attachments.json', ATTACHMENTS, 'delete'), res.body),
      [],
    );
    assert.deepEqual(
      store.attachmentsOf(acme).map((x) => x.id),
      [c],
    );
    res = await h.request('DELETE', `${V8}/Accounts/${acme}/Attachments`);
    assert.equal(res.body.code, 'REQUIRED_PARAM_MISSING');
  });
});
