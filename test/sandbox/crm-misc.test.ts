import assert from 'node:assert/strict';
import {
  CrmStore,
  ModuleRegistry,
  crmFamily,
  sensorsModule,
  standardModules,
} from '../../src/sandbox/crm/index';
import { seed } from '../../src/sandbox/crm/seed';
import { defaultFamilies } from '../../src/sandbox/families';
import { Oas } from '../helpers/oas';
import { startCrm, V8, type CrmHarness } from './crm-client';

const oas = new Oas();

describe('CRM v8 attachments, metadata and seeding (sandbox)', function () {
  this.timeout(30000);
  let h: CrmHarness;
  before(async () => {
    h = await startCrm({
      customModules: [
        {
          api_name: 'Vehicles',
          singular_label: 'Vehicle',
          plural_label: 'Vehicles',
          fields: [
            { api_name: 'Name', type: 'text', mandatory: true },
            { api_name: 'VIN', type: 'text', unique: true },
          ],
        },
      ],
    });
  });
  after(() => h.stop());

  describe('attachments', () => {
    const upload = (
      module: string,
      id: string,
      data: Buffer,
      name: string,
      type = 'application/pdf',
    ) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(data)], { type }), name);
      return h.request('POST', `${V8}/${module}/${id}/Attachments`, form);
    };

    it('round-trips bytes, file name and content type; lists and deletes', async () => {
      const [lead] = h.crm.store.insert('Leads', [{ Last_Name: 'Att' }]);
      const bytes = Buffer.from([0, 1, 2, 253, 254, 255, 13, 10, 45, 45]);
      const up = await upload('Leads', lead.id, bytes, 'résumé (1).pdf');
      assert.equal(up.status, 200);
      const [ok] = up.body.data;
      assert.equal(ok.code, 'SUCCESS');
      assert.match(ok.details.id, /^\d{19}$/);
      assert.deepEqual(
        oas.check(
          oas.response('attachments.json', '/crm/v8/{module}/{record_id}/Attachments', 'post'),
          up.body,
        ),
        [],
      );

      const all =
        'id,File_Name,Size,Owner,Modified_By,Created_By,Parent_Id,$sharing_permission,Modified_Time,Created_Time,$editable,$file_id,$type,$se_module,$state,$link_url';
      const list = await h.get(`${V8}/Leads/${lead.id}/Attachments?fields=${all}`);
      assert.equal(list.status, 200);
      assert.equal(list.body.data[0].File_Name, 'résumé (1).pdf');
      assert.equal(list.body.data[0].Size, String(bytes.length));
      assert.deepEqual(list.body.data[0].Parent_Id, { id: lead.id, name: 'Att' });
      assert.deepEqual(list.body.info, { per_page: 200, page: 1, count: 1, more_records: false });
      assert.deepEqual(
        oas.check(
          oas.response('attachments.json', '/crm/v8/{module}/{record_id}/Attachments', 'get'),
          list.body,
        ),
        [],
      );
      const few = await h.get(`${V8}/Leads/${lead.id}/Attachments?fields=File_Name`);
      assert.deepEqual(Object.keys(few.body.data[0]), ['File_Name', 'id']);
      const noFields = await h.get(`${V8}/Leads/${lead.id}/Attachments`);
      assert.equal(noFields.body.code, 'REQUIRED_PARAM_MISSING');

      const file = await h.get(`${V8}/Leads/${lead.id}/Attachments/${ok.details.id}`);
      assert.equal(file.status, 200);
      assert.deepEqual(file.raw, bytes);
      assert.equal(file.headers.get('content-type'), 'application/pdf');
      assert.equal(
        file.headers.get('content-disposition'),
        `attachment; filename="r_sum_ (1).pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%281%29.pdf`,
      );

      const del = await h.request('DELETE', `${V8}/Leads/${lead.id}/Attachments/${ok.details.id}`);
      assert.equal(del.status, 200);
      assert.equal(del.body.data[0].code, 'SUCCESS');
      assert.equal((await h.get(`${V8}/Leads/${lead.id}/Attachments?fields=id`)).status, 204);
      assert.equal(
        (await h.get(`${V8}/Leads/${lead.id}/Attachments/${ok.details.id}`)).status,
        204,
      );
      const again = await h.request(
        'DELETE',
        `${V8}/Leads/${lead.id}/Attachments/${ok.details.id}`,
      );
      assert.equal(again.status, 400);
    });

    it('refuses files over 20 MB, missing files and unknown records', async () => {
      const [lead] = h.crm.store.insert('Leads', [{ Last_Name: 'Big' }]);
      const big = await upload('Leads', lead.id, Buffer.alloc(20 * 1024 * 1024 + 1), 'big.bin');
      assert.equal(big.status, 400);
      assert.equal(big.body.code, 'INVALID_DATA');
      assert.match(String(big.body.message), /should not exceed 20 MB/);
      const exact = await upload('Leads', lead.id, Buffer.alloc(20 * 1024 * 1024), 'max.bin');
      assert.equal(exact.status, 200);
      const none = await h.request('POST', `${V8}/Leads/${lead.id}/Attachments`, new FormData());
      assert.equal(none.status, 400);
      const ghost = await upload('Leads', '4876876000099999999', Buffer.from('x'), 'x.txt');
      assert.equal(ghost.body.code, 'INVALID_DATA');
      const link = await h.request(
        'POST',
        `${V8}/Leads/${lead.id}/Attachments?attachmentUrl=${encodeURIComponent('https://x.example/a.pdf')}`,
      );
      assert.equal(link.status, 200);
      h.crm.store.remove('Leads', [lead.id]);
      assert.equal(
        h.crm.store.attachmentsOf(lead.id).length,
        0,
        'attachments go with their record',
      );
    });
  });

  describe('metadata', () => {
    it('lists modules, standard and custom', async () => {
      const res = await h.get(`${V8}/settings/modules`);
      assert.equal(res.status, 200);
      const names = res.body.modules.map((m: { api_name: string }) => m.api_name);
      for (const m of [
        'Leads',
        'Contacts',
        'Accounts',
        'Deals',
        'Tasks',
        'Calls',
        'Events',
        'Notes',
        'Products',
        'Quotes',
        'Cases',
        'Solutions',
        'Appointments',
        'Sensors',
        'Vehicles',
      ]) {
        assert.ok(names.includes(m), m);
      }
      const sensors = res.body.modules.find((m: { api_name: string }) => m.api_name === 'Sensors');
      assert.equal(sensors.generated_type, 'custom');
      assert.match(sensors.id, /^\d+$/);
      const one = await h.get(`${V8}/settings/modules/Deals`);
      assert.equal(one.body.modules[0].api_name, 'Deals');
      assert.deepEqual(
        oas.check(
          oas.response('modules.json', '/crm/v8/settings/modules/{api_name}', 'get'),
          one.body,
          { lenientNull: true },
        ),
        [],
      );
      assert.equal((await h.get(`${V8}/settings/modules/Nope`)).body.code, 'INVALID_MODULE');
    });

    it('lists fields with types, mandatory and unique flags', async () => {
      const res = await h.get(`${V8}/settings/fields?module=Leads`);
      assert.equal(res.status, 200);
      const byName = new Map(res.body.fields.map((f: { api_name: string }) => [f.api_name, f]));
      const last = byName.get('Last_Name') as Record<string, unknown>;
      assert.equal(last.system_mandatory, true);
      assert.equal(last.data_type, 'text');
      const email = byName.get('Email') as Record<string, unknown>;
      assert.deepEqual(email.unique, { casesensitive: false });
      const status = byName.get('Lead_Status') as { pick_list_values: { actual_value: string }[] };
      assert.ok(status.pick_list_values.some((v) => v.actual_value === 'Contacted'));
      const contacts = await h.get(`${V8}/settings/fields?module=Contacts`);
      const account = contacts.body.fields.find(
        (f: { api_name: string }) => f.api_name === 'Account_Name',
      );
      assert.equal(account.data_type, 'lookup');
      assert.equal(account.lookup.module.api_name, 'Accounts');
      assert.deepEqual(
        oas.check(oas.response('fields.json', '/crm/v8/settings/fields', 'get'), res.body, {
          lenientNull: true,
        }),
        [],
      );
      assert.equal((await h.get(`${V8}/settings/fields`)).body.code, 'REQUIRED_PARAM_MISSING');
      assert.equal((await h.get(`${V8}/settings/fields?module=leads`)).body.code, 'INVALID_MODULE');
      const mandatory = (m: string) =>
        h.crm.modules
          .get(m)!
          .fields.filter((f) => f.mandatory)
          .map((f) => f.api_name);
      assert.deepEqual(mandatory('Deals'), ['Deal_Name', 'Stage']);
      assert.deepEqual(mandatory('Accounts'), ['Account_Name']);
      assert.deepEqual(mandatory('Tasks'), ['Subject']);
      assert.deepEqual(mandatory('Vehicles'), ['Name']);
    });

    it('answers users and org in Zoho shapes', async () => {
      let res = await h.get(`${V8}/users?type=CurrentUser`);
      assert.equal(res.status, 200);
      assert.equal(res.body.users.length, 1);
      assert.equal(res.body.users[0].email, 'admin@sandbox.zoho.example');
      assert.deepEqual(
        oas.check(oas.response('users.json', '/crm/v8/users', 'get'), res.body, {
          lenientNull: true,
        }),
        [],
      );
      res = await h.get(`${V8}/users?type=AllUsers&per_page=2`);
      assert.deepEqual(res.body.info, { per_page: 2, count: 2, page: 1, more_records: true });
      res = await h.get(`${V8}/users?type=ActiveUsers`);
      assert.equal(res.body.users.length, 3);
      assert.equal((await h.get(`${V8}/users?type=Martians`)).body.code, 'INVALID_DATA');
      const org = await h.get(`${V8}/org`);
      assert.equal(org.status, 200);
      assert.equal(org.body.org[0].max_per_page, 200);
      assert.deepEqual(
        oas.check(oas.response('org.json', '/crm/v8/org', 'get'), org.body, { lenientNull: true }),
        [],
      );
    });
  });

  describe('seeding', () => {
    it('loads 100,000 records in well under 5 s of CPU', () => {
      const store = new CrmStore(new ModuleRegistry([...standardModules(), sensorsModule()]));
      // CPU time, not wall time: a machine busy with other work must not read as a slow seed.
      const t0 = process.cpuUsage();
      seed(store, { Leads: 100000 });
      const used = process.cpuUsage(t0);
      const ms = (used.user + used.system) / 1000;
      assert.equal(store.count('Leads'), 100000);
      assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms of CPU`);
      const emails = new Set(store.all('Leads').map((r) => r.data.Email));
      assert.equal(emails.size, 100000, 'unique emails');
    });

    it('generates linked, believable data for every module', () => {
      const crm = crmFamily({ seed: 20 });
      for (const m of crm.modules.list()) assert.equal(crm.store.count(m.api_name), 20, m.api_name);
      const deal = crm.store.all('Deals')[0].data;
      assert.ok(typeof deal.Amount === 'number' && deal.Amount > 0);
      assert.ok(typeof deal.Stage === 'string');
      assert.match(String((deal.Account_Name as { id: string }).id), /^\d{19}$/);
      assert.ok((deal.Account_Name as { name: string }).name.length > 0);
      const lead = crm.store.all('Leads')[0].data;
      assert.match(String(lead.Email), /@/);
      const times = crm.store.all('Leads').map((r) => r.created);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
      );
      assert.deepEqual(
        crmFamily({ seed: 20 }).store.all('Leads')[0].data.Email,
        lead.Email,
        'deterministic',
      );
    });

    it('serves sandbox-only seed and count routes, and is a default family', async () => {
      const res = await fetch(`${h.sandbox.url}/sandbox/crm/seed`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ counts: { Products: 3 } }),
      });
      assert.deepEqual(await res.json(), { inserted: { Products: 3 } });
      const counts = (await (await fetch(`${h.sandbox.url}/sandbox/crm/counts`)).json()) as Record<
        string,
        number
      >;
      assert.ok(counts.Products >= 3);
      assert.ok(defaultFamilies().some((f) => f.name === 'crm'));
    });
  });
});
