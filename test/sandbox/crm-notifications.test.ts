import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_CHANNEL_LIFETIME_MS } from '../../src/sandbox/crm/index';
import { Oas } from '../helpers/oas';
import { authHeader, issueTokens } from '../helpers/sandbox';
import { startCrm, V8, type CrmHarness } from './crm-client';

const oas = new Oas();
const WATCH = '/crm/v8/actions/watch';

/** Zoho's spec types a channel's channel_id as an object; Zoho's docs and SDKs use a number. */
const specQuirk = (e: string) => /channel_id: expected object/.test(e);

function conforms(method: string, status: string, body: unknown): void {
  const errors = oas.check(oas.response('notifications.json', WATCH, method, status), body, {
    lenientNull: true,
  });
  assert.deepEqual(
    errors.filter((e) => !specQuirk(e)),
    [],
  );
}

interface Receiver {
  url: string;
  bodies: Record<string, unknown>[];
  /** When true the receiver never answers (a hung webhook). */
  hang: boolean;
  next(count?: number, timeoutMs?: number): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

async function receiver(): Promise<Receiver> {
  const bodies: Record<string, unknown>[] = [];
  const r = { hang: false } as Receiver;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      if (!r.hang) res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  Object.assign(r, {
    url: `http://127.0.0.1:${port}/hook?src=zoho`,
    bodies,
    async next(count = 1, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (bodies.length < count) {
        if (Date.now() > deadline) throw new Error(`only ${bodies.length} of ${count} callbacks`);
        await new Promise((res) => setTimeout(res, 5));
      }
      return bodies.splice(0, count);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
  return r;
}

describe('CRM v8 notifications (sandbox)', function () {
  this.timeout(20000);
  let h: CrmHarness;
  let rx: Receiver;
  let offset = 0;

  before(async () => {
    h = await startCrm();
    rx = await receiver();
  });
  after(async () => {
    await h.stop();
    await rx.close();
  });
  beforeEach(() => {
    offset = 0;
    auth = {};
    h.sandbox.configure({ now: () => Date.now() + offset });
    h.crm.store.clear();
    h.crm.notifications.channels.clear();
    rx.bodies.length = 0;
    rx.hang = false;
  });

  const enable = (item: Record<string, unknown>) =>
    h.request('POST', `${V8}/actions/watch`, { watch: [item] }, auth);
  let auth: Record<string, string> = {};
  /** A token that outlives the moves of the clock these tests make. */
  const longAuth = () => {
    h.sandbox.configure({ tokenLifetimeSec: 30 * 86400 });
    auth = authHeader(issueTokens(h.sandbox).accessToken);
    return auth;
  };
  const channel = (extra: Record<string, unknown> = {}) => ({
    channel_id: '1000000068001',
    events: ['Leads.all'],
    token: 'secret-token-1',
    notify_url: rx.url,
    ...extra,
  });

  it('enables a channel in Zoho shape, with a request body Zoho accepts', async () => {
    const body = {
      watch: [channel({ channel_expiry: new Date(Date.now() + 3600e3).toISOString() })],
    };
    const res = await h.request('POST', `${V8}/actions/watch`, body);
    assert.equal(res.status, 201);
    const sent = h.sandbox.requests.filter((r) => r.path === WATCH).at(-1);
    assert.ok(sent);
    // Zoho's spec types channel_id as an object, while its docs and SDKs send a number.
    assert.deepEqual(
      oas
        .checkCall(['notifications.json'], sent)
        .flatMap((c) => c.errors)
        .filter((e) => !e.includes('channel_id')),
      [],
    );
    conforms('post', '201', res.body);
    const ev = res.body.watch[0].details.events[0];
    assert.equal(ev.channel_id, '1000000068001');
    assert.equal(ev.resource_name, 'Leads');
    const list = await h.get(`${V8}/actions/watch`);
    assert.equal(list.status, 200);
    conforms('get', '200', list.body);
    assert.equal(list.body.watch[0].notify_url, rx.url);
  });

  it('POSTs Zoho-shaped callbacks on create, edit and delete made through the API', async () => {
    await enable(channel({ return_affected_field_values: true }));
    const created = await h.request('POST', `${V8}/Leads`, {
      data: [{ Last_Name: 'Ada' }, { Last_Name: 'Bob' }],
    });
    const ids = created.body.data.map((d: { details: { id: string } }) => d.details.id);
    const [ins] = await rx.next();
    assert.equal(ins.operation, 'insert');
    assert.equal(ins.module, 'Leads');
    assert.deepEqual(ins.ids, ids);
    assert.equal(ins.channel_id, '1000000068001');
    assert.equal(ins.token, 'secret-token-1');
    assert.deepEqual(ins.query_params, { src: 'zoho' });
    assert.equal(typeof ins.server_time, 'number');
    assert.match(String(ins.resource_uri), /\/crm\/v8\/Leads$/);

    await h.request('PUT', `${V8}/Leads/${ids[0]}`, { data: [{ Email: 'ada@x.example' }] });
    const [upd] = await rx.next();
    assert.equal(upd.operation, 'update');
    assert.deepEqual(upd.affected_fields, [{ [ids[0]]: ['Email'] }]);
    assert.deepEqual(upd.affected_values, [
      { record_id: ids[0], values: { Email: 'ada@x.example' } },
    ]);

    await h.request('DELETE', `${V8}/Leads?ids=${ids[1]}`);
    const [del] = await rx.next();
    assert.equal(del.operation, 'delete');
    assert.deepEqual(del.ids, [ids[1]]);
  });

  it('sends only the events a channel asked for', async () => {
    await enable(channel({ events: ['Leads.delete', 'Contacts.create'] }));
    const lead = await h.request('POST', `${V8}/Leads`, { data: [{ Last_Name: 'X' }] });
    await h.request('POST', `${V8}/Contacts`, { data: [{ Last_Name: 'Y' }] });
    const [first] = await rx.next();
    assert.equal(first.module, 'Contacts');
    await h.request('DELETE', `${V8}/Leads/${lead.body.data[0].details.id}`);
    const [second] = await rx.next();
    assert.equal(second.operation, 'delete');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(rx.bodies.length, 0);
  });

  it('honours expiry on the sandbox clock: one hour by default and beyond one week', async () => {
    longAuth();
    await enable(channel());
    offset = 3600e3 + 1000;
    await h.request('POST', `${V8}/Leads`, { data: [{ Last_Name: 'Late' }] }, auth);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(rx.bodies.length, 0);
    assert.equal((await h.get(`${V8}/actions/watch`, auth)).status, 204);

    // Beyond the week the channel falls back to the default hour (unverified, see expiryOf).
    const now = Date.now() + offset;
    const tooFar = new Date(now + MAX_CHANNEL_LIFETIME_MS + 60e3).toISOString();
    const fallback = await enable(channel({ channel_expiry: tooFar }));
    assert.equal(fallback.status, 201);
    const expiry = Date.parse(fallback.body.watch[0].details.events[0].channel_expiry);
    assert.ok(Math.abs(expiry - (now + 3600e3)) < 5000, 'one hour from now');
    const past = await enable(channel({ channel_expiry: new Date(now - 60e3).toISOString() }));
    assert.equal(past.status, 202);
    assert.equal(past.body.watch[0].code, 'INVALID_DATA');
    assert.equal(past.body.watch[0].details.api_name, 'channel_expiry');
    const week = new Date(now + MAX_CHANNEL_LIFETIME_MS - 60e3).toISOString();
    assert.equal((await enable(channel({ channel_expiry: week }))).status, 201);
    const listed = await h.get(`${V8}/actions/watch`, auth);
    assert.equal(listed.body.watch[0].notify_on_related_action, true, "Zoho's default");
  });

  it('renews with PUT, answers NOT_SUBSCRIBED for a channel it does not have, and deletes', async () => {
    longAuth();
    const unknown = await h.request('PUT', `${V8}/actions/watch`, {
      watch: [channel({ channel_id: '42' })],
    });
    assert.equal(unknown.body.watch[0].code, 'NOT_SUBSCRIBED');
    conforms('put', '202', unknown.body);

    await enable(channel());
    const later = new Date(Date.now() + 5 * 86400e3).toISOString();
    const renewed = await h.request(
      'PUT',
      `${V8}/actions/watch`,
      { watch: [{ channel_id: '1000000068001', channel_expiry: later }] },
      auth,
    );
    assert.equal(renewed.status, 200);
    conforms('put', '200', renewed.body);
    offset = 2 * 86400e3;
    await h.request('POST', `${V8}/Leads`, { data: [{ Last_Name: 'Still' }] }, auth);
    const [cb] = await rx.next();
    assert.equal(cb.token, 'secret-token-1', 'a renewal keeps the token');

    const patched = await h.request(
      'PATCH',
      `${V8}/actions/watch`,
      { watch: [{ channel_id: '1000000068001', events: ['Leads.all'], _delete_events: true }] },
      auth,
    );
    assert.equal(patched.status, 200);
    assert.equal(h.crm.notifications.live().length, 0, 'removing its last event ends a channel');

    await enable(channel());
    const gone = await h.request(
      'DELETE',
      `${V8}/actions/watch?channel_ids=1000000068001`,
      undefined,
      auth,
    );
    assert.equal(gone.status, 200);
    conforms('delete', '200', gone.body);
    assert.equal(h.crm.notifications.live().length, 0);
    const again = await h.request(
      'DELETE',
      `${V8}/actions/watch?channel_ids=1000000068001`,
      undefined,
      auth,
    );
    assert.equal(again.body.watch[0].code, 'NOT_SUBSCRIBED');
  });

  it('PATCH without _delete_events updates only what it names; the list counts its entries', async () => {
    await enable(channel({ events: ['Leads.create', 'Contacts.edit'] }));
    const patched = await h.request('PATCH', `${V8}/actions/watch`, {
      watch: [{ channel_id: '1000000068001', token: 'new-token', events: ['Deals.delete'] }],
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.watch[0].status, 'success');
    conforms('patch', '200', patched.body);
    const [ch] = h.crm.notifications.live();
    assert.equal(ch.token, 'new-token');
    assert.equal(ch.notifyUrl, rx.url, 'the notify_url not given stays');
    assert.deepEqual(ch.events, ['Leads.create', 'Contacts.edit', 'Deals.delete']);
    const list = await h.get(`${V8}/actions/watch?per_page=2`);
    assert.equal(list.body.watch.length, 2);
    assert.equal(list.body.info.count, 2, 'info.count counts the entries returned');
    assert.equal(list.body.info.more_records, true);
    const second = await h.get(`${V8}/actions/watch?per_page=2&page=2`);
    assert.equal(second.body.info.count, 1);
    assert.equal(second.body.info.more_records, false);
    const unknown = await h.request('PATCH', `${V8}/actions/watch`, {
      watch: [{ channel_id: '42', token: 't' }],
    });
    assert.equal(unknown.body.watch[0].code, 'NOT_SUBSCRIBED');
  });

  it('notification_condition: updates only when the chosen fields are written; creates and deletes as ever', async () => {
    const fields = await h.get(`${V8}/settings/fields?module=Leads`);
    const emailId = fields.body.fields.find((f: { api_name: string }) => f.api_name === 'Email').id;
    const cond = (operator: string, group: unknown[]) => [
      {
        type: 'field_selection',
        module: { api_name: 'Leads' },
        field_selection: { group_operator: operator, group },
      },
    ];
    // Email named by its id, Phone by its api_name: either identifies a field.
    const res = await enable(
      channel({
        notification_condition: cond('or', [
          { field: { id: emailId } },
          { field: { api_name: 'Phone' } },
        ]),
      }),
    );
    assert.equal(res.status, 201);
    conforms('post', '201', res.body);
    const echoed = res.body.watch[0].details.events[0].notification_condition[0];
    assert.deepEqual(
      echoed.field_selection.group.map((g: { field: { api_name: string } }) => g.field.api_name),
      ['Email', 'Phone'],
    );
    const created = await h.request('POST', `${V8}/Leads`, {
      data: [{ Last_Name: 'Ada' }, { Last_Name: 'Bob' }],
    });
    const [a, b] = created.body.data.map((d: { details: { id: string } }) => d.details.id);
    assert.equal((await rx.next())[0].operation, 'insert');
    await h.request('PUT', `${V8}/Leads`, {
      data: [
        { id: a, Company: 'not watched' },
        { id: b, Phone: '123' },
      ],
    });
    const [upd] = await rx.next();
    assert.deepEqual(upd.ids, [b], 'only the record whose watched field was written');
    assert.deepEqual(upd.affected_fields, [{ [b]: ['Phone'] }]);
    await h.request('PUT', `${V8}/Leads/${a}`, { data: [{ Company: 'still not' }] });
    await h.request('DELETE', `${V8}/Leads/${a}`);
    const [del] = await rx.next();
    assert.equal(del.operation, 'delete', 'the unwatched update sent nothing');

    // PATCH without a condition keeps it; 'and' wants every field written.
    await h.request('PATCH', `${V8}/actions/watch`, {
      watch: [{ channel_id: '1000000068001', token: 'secret-token-2' }],
    });
    assert.deepEqual(h.crm.notifications.live()[0].conditions.Leads?.fields, ['Email', 'Phone']);
    await enable(
      channel({
        notification_condition: cond('and', [
          { field: { api_name: 'Email' } },
          { field: { api_name: 'Phone' } },
        ]),
      }),
    );
    await h.request('PUT', `${V8}/Leads/${b}`, { data: [{ Phone: '456' }] });
    await h.request('PUT', `${V8}/Leads/${b}`, { data: [{ Phone: '789', Email: 'b@x.example' }] });
    const [both] = await rx.next();
    assert.deepEqual(both.ids, [b]);
    assert.deepEqual(
      (both.affected_fields as Record<string, string[]>[])[0][b].sort(),
      ['Email', 'Phone'],
      'the first update (Phone alone) sent nothing',
    );
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(rx.bodies.length, 0, 'nothing more');
  });

  it('refuses a notification_condition on a module the channel does not watch or an unknown field', async () => {
    const bad = async (condition: unknown) => {
      const res = await enable(
        channel({ events: ['Leads.edit'], notification_condition: condition }),
      );
      assert.equal(res.status, 202);
      assert.equal(res.body.watch[0].code, 'INVALID_DATA');
      assert.equal(res.body.watch[0].details.api_name, 'notification_condition');
    };
    const on = (module: string, field: string) => [
      {
        type: 'field_selection',
        module: { api_name: module },
        field_selection: { field: { api_name: field } },
      },
    ];
    await bad(on('Deals', 'Stage'));
    await bad(on('Leads', 'No_Such_Field'));
    await bad({ not: 'an array' });
    assert.equal(h.crm.notifications.live().length, 0);
  });

  it('refuses bad channels: no notify_url, bad event, long token', async () => {
    const noUrl = await enable({ channel_id: '1', events: ['Leads.all'] });
    assert.equal(noUrl.body.watch[0].code, 'MANDATORY_NOT_FOUND');
    conforms('post', '202', noUrl.body);
    const badEvent = await enable(channel({ events: ['Leads.explode'] }));
    assert.equal(badEvent.body.watch[0].details.api_name, 'events');
    const badModule = await enable(channel({ events: ['Nope.all'] }));
    assert.equal(badModule.body.watch[0].code, 'INVALID_DATA');
    const longToken = await enable(channel({ token: 'x'.repeat(51) }));
    assert.equal(longToken.body.watch[0].details.api_name, 'token');
  });

  it('only notifies loopback URLs, and a hung receiver never blocks the API', async () => {
    await enable(channel({ channel_id: '7', notify_url: 'http://example.com/hook' }));
    await h.request('POST', `${V8}/Leads`, { data: [{ Last_Name: 'A' }] });
    const outside = h.crm.notifications.deliveries.filter((d) => d.channelId === '7').at(-1);
    assert.match(String(outside?.error), /loopback/);

    rx.hang = true;
    await enable(channel());
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      const res = await h.request('POST', `${V8}/Leads`, { data: [{ Last_Name: `H${i}` }] });
      assert.equal(res.status, 201);
    }
    assert.ok(Date.now() - started < 2000, 'API answers do not wait for the receiver');
    await rx.next(5);
  });

  it('answers 304 to If-Modified-Since on lists and deleted records when nothing changed', async () => {
    const created = await h.request('POST', `${V8}/Leads`, { data: [{ Last_Name: 'Old' }] });
    await h.request('DELETE', `${V8}/Leads/${created.body.data[0].details.id}`);
    const future = new Date(Date.now() + 60e3).toUTCString();
    const ims = { 'If-Modified-Since': future };
    assert.equal((await h.get(`${V8}/Leads?fields=Last_Name`, ims)).status, 304);
    assert.equal((await h.get(`${V8}/Leads/deleted`, ims)).status, 304);
    const past = { 'If-Modified-Since': new Date(Date.now() - 60e3).toUTCString() };
    const deleted = await h.get(`${V8}/Leads/deleted`, past);
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.data.length, 1);
  });
});
