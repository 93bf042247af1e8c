/**
 * crm-watch-in's field filter (issue 17), end to end: a real Node-RED and the sandbox, a module
 * of 50 fields of which one (Stage) is watched. Webhook mode: the channel carries Zoho's
 * notification_condition and the sandbox calls back only for edits that touch Stage. Poll
 * mode: the node compares Stage with the last value it remembers, in the checkpoint, across a
 * genuine restart with a file context store.
 */
import * as assert from 'node:assert/strict';
import type { ModuleDef } from '../../src/sandbox/crm/types';
import { helper, httpNodeUrl, persistentContext, shutdownRed } from '../helpers/red';
import { crmApi, issueTokens } from '../helpers/sandbox';
import { pollProps, webhookProps } from '../helpers/watch';
import { sleep, until as untilWithin } from '../helpers/wait';
import { AnyMsg, crmHarness } from './crm-harness';

const until = <T>(get: () => T | undefined | false, what: string, ms = 15_000): Promise<T> =>
  untilWithin(get, what, ms);

/** A custom module of 50 fields: Name, Stage and 48 notes. */
const GAUGES: ModuleDef = {
  api_name: 'Gauges',
  display_field: 'Name',
  fields: [
    { api_name: 'Name', type: 'text', mandatory: true },
    { api_name: 'Stage', type: 'text' },
    ...Array.from({ length: 48 }, (_, i) => ({
      api_name: `Note_${String(i + 1).padStart(2, '0')}`,
      type: 'text' as const,
    })),
  ],
};

describe('crm-watch-in node: field filter', function () {
  this.timeout(180_000);
  const h = crmHarness('crm-watch-in', 0, { customModules: [GAUGES] });
  let out: AnyMsg[] = [];
  let caught: AnyMsg[] = [];
  let statuses: AnyMsg[] = [];
  let token = '';

  const listen = () => {
    helper.getNode('out').on('input', (m: AnyMsg) => out.push(m));
    helper.getNode('caught').on('input', (m: AnyMsg) => caught.push(m));
    helper.getNode('n1').on('call:status', (c: { args: AnyMsg[] }) => statuses.push(c.args[0]));
  };
  const load = async (props: Record<string, unknown>) => {
    await h.load(props);
    listen();
  };
  const api = (method: string, path: string, body?: unknown) =>
    crmApi(h.sb.url, token).api(method, path, body);
  const polled = () => statuses.filter((s) => /^polling ·/.test(String(s.text))).length;
  const edits = () => out.filter((m) => m.payload.operation === 'edit');
  const createGauges = async (n: number): Promise<string[]> => {
    const data = Array.from({ length: n }, (_, i) => ({ Name: `G${i}`, Stage: 'New' }));
    const res = await api('POST', '/Gauges', { data });
    return (res.data as AnyMsg[]).map((r) => String(r.details.id));
  };
  /** `rounds` updates of every record, each writing another note (never Stage). */
  const editNotes = async (ids: string[], rounds: number, between?: () => Promise<void>) => {
    for (let r = 0; r < rounds; r++) {
      const field = `Note_${String((r % 48) + 1).padStart(2, '0')}`;
      const res = await api('PUT', '/Gauges', {
        data: ids.map((id) => ({ id, [field]: `round ${r}` })),
      });
      assert.ok((res.data as AnyMsg[]).every((d) => d.status === 'success'));
      if (between) await between();
    }
  };

  beforeEach(() => {
    out = [];
    caught = [];
    statuses = [];
    h.sb.sandbox.configure({ tokenLifetimeSec: 30 * 86400 });
    token = issueTokens(h.sb.sandbox).accessToken;
    h.crm.notifications.channels.clear();
  });
  afterEach(() => persistentContext(false));

  describe('webhook mode', () => {
    const channels = () => h.crm.notifications.live();

    it('hands the filter to Zoho: 1,000 edits of other fields send nothing, a Stage edit one message naming it', async () => {
      await load(webhookProps({ modules: 'Gauges', watchFields: 'Stage', onDelete: false }));
      await until(() => channels().length === 1, 'the channel');
      const ch = channels()[0];
      assert.deepEqual(ch.conditions, { Gauges: { operator: 'or', fields: ['Stage'] } });
      assert.equal(ch.returnAffectedFieldValues, true, 'the new values come with the callback');

      const ids = await createGauges(100);
      await until(() => out.length === 1, 'the create');
      const calledBefore = h.crm.notifications.deliveries.length;
      await editNotes(ids, 10);
      // Then one batch touching Stage on one record and a note on another: only the first.
      await api('PUT', '/Gauges', {
        data: [
          { id: ids[7], Stage: 'Won' },
          { id: ids[8], Note_01: 'not watched' },
        ],
      });
      await until(() => edits().length === 1, 'the Stage edit');
      await sleep(300);
      const calls = h.crm.notifications.deliveries.slice(calledBefore);
      assert.equal(calls.length, 1, 'Zoho called back once for 1,001 edits');
      assert.equal(edits().length, 1);
      const msg = edits()[0];
      assert.deepEqual(msg.changedFields, ['Stage']);
      assert.deepEqual(msg.payload.ids, [ids[7]]);
      assert.deepEqual(msg.payload.changed, { [ids[7]]: { Stage: 'Won' } });
      assert.equal(caught.length, 0);
      console.log(
        `      webhook: 1,000 edits of other fields -> ${calls.length - 1} callbacks, ${edits().length - 1} messages`,
      );
    });

    it('keeps a record a callback names no affected fields for (sent, not lost), drops other fields', async () => {
      await load(webhookProps({ modules: 'Gauges', watchFields: 'Stage', onDelete: false }));
      await until(() => channels().length === 1, 'the channel');
      const ch = channels()[0];
      const [a, b, c] = ['4876876000000999991', '4876876000000999992', '4876876000000999993'];
      // A callback as Zoho could send one: c has no affected_fields entry at all.
      const res = await fetch(httpNodeUrl('/zoho-watch/n1'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          server_time: Date.now(),
          module: 'Gauges',
          ids: [a, b, c],
          operation: 'update',
          channel_id: ch.channelId,
          token: ch.token,
          affected_fields: [{ [a]: ['Note_01'] }, { [b]: ['Stage', 'Note_02'] }],
          affected_values: [{ record_id: b, values: { Stage: 'Won', Note_02: 'x' } }],
        }),
      });
      assert.equal(res.status, 200);
      await until(() => edits().length === 1, 'the message');
      assert.deepEqual(edits()[0].payload.ids, [b, c]);
      assert.deepEqual(edits()[0].payload.changed, { [b]: { Stage: 'Won' }, [c]: { Stage: null } });
      assert.deepEqual(edits()[0].changedFields, ['Stage']);
    });

    it('Zoho refuses a condition on a field the module does not have; the node raises it', async () => {
      await load(webhookProps({ modules: 'Gauges', watchFields: 'Nope', onDelete: false }));
      await until(() => caught.length >= 1, 'the refusal');
      assert.equal(caught[0].error.code, 'INVALID_DATA');
      assert.equal(channels().length, 0);
    });
  });

  describe('poll mode', () => {
    it('1,000 edits of other fields send nothing, a Stage edit one message; still one call per idle cycle', async () => {
      await load(pollProps({ modules: 'Gauges', watchFields: 'Stage' }));
      await until(() => polled() >= 1, 'the first poll');
      const ids = await createGauges(100);
      await until(() => out.length >= 1, 'the create');
      // Each round is read by a poll of its own, so the node sees all 1,000 edits.
      await editNotes(ids, 10, async () => {
        const seen = polled();
        await until(() => polled() >= seen + 2, 'a poll after the round');
      });
      await api('PUT', '/Gauges', { data: [{ id: ids[3], Stage: 'Won' }] });
      await until(() => edits().length >= 1, 'the Stage edit');
      const settled = polled();
      await until(() => polled() >= settled + 3, 'three more polls');
      assert.equal(edits().length, 1, 'only the Stage edit');
      const msg = edits()[0];
      assert.deepEqual(msg.changedFields, ['Stage']);
      assert.deepEqual(msg.payload.ids, [ids[3]]);
      assert.deepEqual(msg.payload.changed, { [ids[3]]: { Stage: 'Won' } });

      h.sb.sandbox.clearRequests();
      const before = polled();
      await until(() => polled() >= before + 5, 'five idle polls');
      await sleep(20);
      const cycles = polled() - before;
      const calls = h.crmRequests();
      assert.ok(calls.every((r) => r.method === 'GET' && r.path === '/crm/v8/Gauges'));
      assert.ok(
        calls.length >= cycles - 1 && calls.length <= cycles + 1,
        `${calls.length} calls in ${cycles} polls`,
      );
      assert.match(String(calls[0].query.fields), /\bStage\b/, 'Stage read by the poll itself');
      assert.equal(caught.length, 0);
      console.log(
        `      poll: 1,000 edits of other fields -> ${edits().length - 1} messages; ${calls.length} calls in ${cycles} idle polls`,
      );
    });

    it('keeps the last values across a restart with a persistent checkpoint', async () => {
      await persistentContext(true);
      await load(pollProps({ modules: 'Gauges', watchFields: 'Stage' }));
      await until(() => polled() >= 1, 'the first poll');
      const ids = await createGauges(3);
      await until(() => out.length >= 1, 'the create');
      const seen = polled();
      await until(() => polled() >= seen + 2, 'the values remembered');
      await shutdownRed();
      // While Node-RED is down: a note changes (not watched) and one Stage does.
      await api('PUT', '/Gauges', {
        data: [
          { id: ids[0], Note_05: 'while down' },
          { id: ids[1], Stage: 'Lost' },
        ],
      });
      out = [];
      statuses = [];
      await load(pollProps({ modules: 'Gauges', watchFields: 'Stage' }));
      await until(() => edits().length >= 1, 'the Stage edit made while down');
      const after = polled();
      await until(() => polled() >= after + 3, 'three more polls');
      assert.equal(edits().length, 1, 'the note edit is known to leave Stage as it was');
      assert.deepEqual(edits()[0].payload.changed, { [ids[1]]: { Stage: 'Lost' } });
    });
  });

  it('with several modules, a field not written Module.Field is refused on deploy', async () => {
    await load(pollProps({ modules: 'Gauges, Leads', watchFields: 'Stage' }));
    await until(() => caught.length >= 1, 'the error');
    assert.equal(caught[0].error.code, 'INVALID_INPUT');
    assert.match(caught[0].error.message, /Module\.Field/);
    assert.match(caught[0].error.message, /Only when/);
  });
});
