/**
 * crm-watch-in end to end: a real Node-RED (test helper) serving the webhook on its HTTP node
 * server, the sandbox POSTing real callbacks to it, and poll mode across a genuine restart with
 * a file context store.
 */
import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import { helper, httpNodeUrl, runtime } from '../helpers/red';
import { crmApi, issueTokens } from '../helpers/sandbox';
import { webhookProps } from '../helpers/watch';
import { sleep, until } from '../helpers/wait';
import { AnyMsg, crmHarness } from './crm-harness';

describe('crm-watch-in node', function () {
  this.timeout(120_000);
  const h = crmHarness('crm-watch-in');
  let out: AnyMsg[];
  let caught: AnyMsg[];
  let token = '';

  const listen = () => {
    out = [];
    caught = [];
    helper.getNode('out').on('input', (m: AnyMsg) => out.push(m));
    helper.getNode('caught').on('input', (m: AnyMsg) => caught.push(m));
  };
  const api = (method: string, path: string, body?: unknown) =>
    crmApi(h.sb.url, token).api(method, path, body);
  const createLeads = (n: number, tag?: string) => crmApi(h.sb.url, token).createLeads(n, tag);
  const channels = () => h.crm.notifications.live();

  beforeEach(() => {
    h.sb.sandbox.configure({ tokenLifetimeSec: 30 * 86400 });
    token = issueTokens(h.sb.sandbox).accessToken;
    h.crm.notifications.channels.clear();
  });

  describe('webhook mode', () => {
    it('registers a channel and a record created through the API reaches the flow within a second', async () => {
      await h.load(webhookProps({ returnAffectedFieldValues: true }));
      listen();
      await until(() => channels().length === 1, 'the channel');
      const ch = channels()[0];
      assert.equal(ch.notifyUrl, httpNodeUrl('/zoho-watch/n1'));
      assert.deepEqual(ch.events, ['Leads.create', 'Leads.edit', 'Leads.delete']);
      assert.ok(ch.expiresAt - Date.now() > 6.9 * 86400e3, "Zoho's one-week maximum");
      assert.equal(ch.returnAffectedFieldValues, true);

      const t0 = Date.now();
      const [id] = await createLeads(1);
      await until(() => out.length === 1, 'the message', 1000);
      assert.ok(Date.now() - t0 < 1000);
      const p = out[0].payload;
      assert.equal(out[0].topic, 'Leads.create');
      assert.deepEqual(
        [p.module, p.operation, p.ids, p.source, p.channelId],
        ['Leads', 'create', [id], 'webhook', ch.channelId],
      );
      assert.equal(typeof p.serverTime, 'number');

      await api('PUT', `/Leads/${id}`, { data: [{ Email: 'x@y.example' }] });
      await api('DELETE', `/Leads/${id}`);
      await until(() => out.length === 3, 'edit and delete');
      assert.deepEqual(out[1].payload.affectedFields, { [id]: ['Email'] });
      assert.deepEqual(out[1].payload.affectedValues, { [id]: { Email: 'x@y.example' } });
      assert.equal(out[2].payload.operation, 'delete');
      assert.equal(caught.length, 0);
    });

    it('adds the full records when fetchRecords is on', async () => {
      await h.load(webhookProps({ onEdit: false, onDelete: false, fetchRecords: true }));
      listen();
      await until(() => channels().length === 1, 'the channel');
      const ids = await createLeads(120);
      await until(() => out.length === 2, 'two batches');
      const records = out.flatMap((m) => m.payload.records);
      assert.deepEqual(
        records.map((r: AnyMsg) => r.id),
        ids,
      );
      assert.equal(records[0].Last_Name, 'L0');
      assert.ok('Email' in records[0], 'every field of the module');
    });

    it('answers 403 and sends nothing for a forged or missing token; ignores other channels', async () => {
      await h.load(webhookProps());
      listen();
      await until(() => channels().length === 1, 'the channel');
      const ch = channels()[0];
      const post = (body: unknown) =>
        fetch(httpNodeUrl('/zoho-watch/n1'), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
      const forged = {
        server_time: Date.now(),
        module: 'Leads',
        ids: ['4876876000000999999'],
        operation: 'insert',
        channel_id: ch.channelId,
        token: 'forged',
      };
      assert.equal((await post(forged)).status, 403);
      const missing: Record<string, unknown> = { ...forged };
      delete missing.token;
      assert.equal((await post(missing)).status, 403);
      assert.equal((await post({ ...forged, token: `${ch.token}x` })).status, 403);
      assert.equal((await post({ ...forged, token: ch.token, channel_id: '12345' })).status, 200);
      await sleep(100);
      assert.equal(out.length, 0);
      assert.equal(caught.length, 0);
      assert.equal((await post({ ...forged, token: ch.token })).status, 200);
      await until(() => out.length === 1, 'the genuine callback');
      // A genuine but malformed callback: a catchable error that does not carry the token.
      assert.equal((await post({ ...forged, token: ch.token, operation: 'bogus' })).status, 200);
      await until(() => caught.length === 1, 'the malformed callback caught');
      assert.equal(caught[0].error.code, 'INVALID_INPUT');
      assert.equal(caught[0].payload.channel_id, ch.channelId);
      assert.ok(!JSON.stringify(caught[0]).includes(String(ch.token)), 'the token left the node');
    });

    it('unregisters on close and keeps one channel across 5 redeploys', async () => {
      for (let i = 0; i < 5; i++) {
        await h.load(webhookProps({ modules: i % 2 ? 'Leads' : 'Leads,Deals' }));
        await until(() => channels().length === 1 && channels()[0], 'the channel');
        assert.equal(channels().length, 1);
        await helper.unload();
        assert.equal(channels().length, 0, `redeploy ${i + 1}: the channel is gone on close`);
      }
      const deletes = h.sb.sandbox.requests.filter(
        (r) => r.method === 'DELETE' && r.path === '/crm/v8/actions/watch',
      );
      assert.ok(deletes.length >= 1);
    });

    it('renews the channel before expiry with a fake clock, and re-registers a forgotten one', async () => {
      const clock = sinon.useFakeTimers({
        now: Date.now(),
        toFake: ['setTimeout', 'clearTimeout', 'Date'],
        shouldAdvanceTime: true,
      });
      await h.load(webhookProps());
      await until(() => channels().length === 1, 'the channel');
      const first = channels()[0].expiresAt;
      const calls = () =>
        h.sb.sandbox.requests
          .filter((r) => r.path === '/crm/v8/actions/watch')
          .map((r) => r.method);
      await clock.tickAsync(first - Date.now() - 3600e3 + 1000);
      await until(() => calls().includes('PUT'), 'the renewal');
      await until(() => channels()[0]?.expiresAt > first + 86400e3 || undefined, 'a later expiry');

      h.crm.notifications.channels.clear();
      await clock.tickAsync(7 * 86400e3);
      await until(() => channels().length === 1, 'the channel registered again');
      assert.deepEqual(calls().slice(-2), ['PUT', 'POST']);
      clock.restore();
    });

    it('raises a catchable error when webhook mode has no public URL', async () => {
      await h.load(webhookProps());
      await until(() => channels().length === 1, 'the channel');
      listen();
      // Redeploy only the watch node, so the Catch path (already listened to) stays.
      const flows = runtime()
        .getFlows()
        .flows.map((n) => (n.id === 'n1' ? { ...n, publicUrl: '' } : n));
      await runtime().setFlows(flows, undefined, 'nodes');
      await until(() => caught.length === 1, 'the error');
      assert.equal(caught[0].error.code, 'INVALID_INPUT');
      assert.match(caught[0].error.message, /public URL/);
      assert.equal(channels().length, 0);
    });

    it('raises one catchable NO_CONNECTION error when no zoho-config is picked', async () => {
      await h.load(webhookProps());
      await until(() => channels().length === 1, 'the channel');
      listen();
      const flows = runtime()
        .getFlows()
        .flows.map((n) => (n.id === 'n1' ? { ...n, config: '' } : n));
      await runtime().setFlows(flows, undefined, 'nodes');
      await until(() => caught.length === 1, 'the error');
      assert.equal(caught[0].error.code, 'NO_CONNECTION');
      assert.match(caught[0].error.message, /pick a zoho-config node/);
    });
  });

  describe('editor routes', () => {
    it('answers the module picker in a runtime with only zoho-config and crm-watch-in loaded', async () => {
      await h.load(webhookProps());
      const res = await helper.request().get('/zoho-crm/c1/modules');
      assert.equal(res.status, 200, res.text);
      const names = (res.body.modules as AnyMsg[]).map((m) => m.api_name);
      assert.ok(names.includes('Leads'), names.join());
    });
  });

  describe('examples', () => {
    it('the webhook example: a lead made by its inject reaches its debug node with the record', async () => {
      const before = process.env.NODE_RED_PUBLIC_URL;
      process.env.NODE_RED_PUBLIC_URL = httpNodeUrl('');
      try {
        await h.loadExample('crm-watch-in-webhook');
        const got: AnyMsg[] = [];
        const errors: AnyMsg[] = [];
        helper.getNode('d-watch-1').on('input', (m: AnyMsg) => got.push(m));
        helper.getNode('d-watch-2').on('input', (m: AnyMsg) => errors.push(m));
        await until(() => channels().length === 1, 'the channel');
        helper.getNode('i-watch-1').receive({ payload: { Last_Name: 'Webhook demo' } });
        await until(() => got.length === 1, 'the change');
        assert.equal(got[0].payload.operation, 'create');
        assert.equal(got[0].payload.records[0].Last_Name, 'Webhook demo');
        assert.deepEqual(errors, []);
      } finally {
        if (before === undefined) delete process.env.NODE_RED_PUBLIC_URL;
        else process.env.NODE_RED_PUBLIC_URL = before;
      }
    });

    it('the polling example deploys and takes its first reading without errors', async () => {
      await h.loadExample('crm-watch-in-poll');
      const errors: AnyMsg[] = [];
      helper.getNode('d-poll-err').on('input', (m: AnyMsg) => errors.push(m));
      const n = helper.getNode('w-poll');
      const statuses: AnyMsg[] = [];
      n.on('call:status', (c: { args: AnyMsg[] }) => statuses.push(c.args[0]));
      await until(() => statuses.some((st) => /^polling ·/.test(String(st.text))), 'a poll');
      assert.deepEqual(errors, []);
    });
  });
});
