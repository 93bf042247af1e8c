/**
 * crm-watch-in in poll mode, end to end: a real Node-RED polling the sandbox, with the
 * checkpoint in Node-RED's file context store across a genuine restart (nodes closed, store
 * flushed and closed, flows and store loaded again from disk).
 */
import * as assert from 'node:assert/strict';
import { helper, persistentContext, shutdownRed } from '../helpers/red';
import { ORG_TIME_ZONES, crmApi, issueTokens } from '../helpers/sandbox';
import { pollProps } from '../helpers/watch';
import { sleep, until as untilWithin } from '../helpers/wait';
import { AnyMsg, crmHarness } from './crm-harness';

// Polls take whole intervals: wait longer than the helper's default.
const until = <T>(get: () => T | undefined | false, what: string, ms = 8000): Promise<T> =>
  untilWithin(get, what, ms);

for (const zone of ORG_TIME_ZONES) {
  describe(`crm-watch-in node: poll mode (org time zone ${zone.name})`, function () {
    this.timeout(120_000);
    const h = crmHarness('crm-watch-in', zone.offsetMinutes);
    let out: AnyMsg[] = [];
    let caught: AnyMsg[] = [];
    let statuses: AnyMsg[] = [];
    let token = '';

    const listen = () => {
      helper.getNode('out').on('input', (m: AnyMsg) => out.push(m));
      helper.getNode('caught').on('input', (m: AnyMsg) => caught.push(m));
      helper.getNode('n1').on('call:status', (c: { args: AnyMsg[] }) => statuses.push(c.args[0]));
    };
    const polled = () => statuses.filter((s) => /^polling ·/.test(String(s.text))).length;
    const api = (method: string, path: string, body?: unknown) =>
      crmApi(h.sb.url, token).api(method, path, body);
    const createLeads = (n: number, tag?: string) => crmApi(h.sb.url, token).createLeads(n, tag);
    const ids = (op?: string) =>
      out
        .filter((m) => !op || m.payload.operation === op)
        .flatMap((m) => m.payload.ids as string[]);
    const load = async (props: Record<string, unknown>) => {
      await h.load(props);
      listen();
    };

    beforeEach(() => {
      out = [];
      caught = [];
      statuses = [];
      token = issueTokens(h.sb.sandbox).accessToken;
    });
    afterEach(() => persistentContext(false));

    it('sends nothing for existing records on the first start, and one call per module when idle', async () => {
      h.crm.store.insert('Leads', [{ Last_Name: 'Old1' }, { Last_Name: 'Old2' }]);
      h.crm.store.insert('Contacts', [{ Last_Name: 'OldC' }]);
      await load(pollProps({ modules: 'Leads,Contacts' }));
      await until(() => polled() >= 2, 'two polls');
      h.sb.sandbox.clearRequests();
      const before = polled();
      await until(() => polled() >= before + 5, 'five more polls');
      await sleep(20);
      assert.deepEqual(out, []);
      const calls = h.crmRequests();
      const cycles = polled() - before;
      assert.ok(
        calls.every((r) => r.method === 'GET' && /^\/crm\/v8\/(Leads|Contacts)$/.test(r.path)),
      );
      for (const mod of ['Leads', 'Contacts']) {
        const n = calls.filter((r) => r.path === `/crm/v8/${mod}`).length;
        assert.ok(n >= cycles - 1 && n <= cycles + 1, `${mod}: ${n} calls in ${cycles} polls`);
      }
      assert.ok(
        calls.every((r) => r.headers['if-modified-since']),
        'If-Modified-Since on every poll',
      );
    });

    it('with emitExisting sends the existing records once', async () => {
      const existing = h.crm.store
        .insert('Leads', [{ Last_Name: 'A' }, { Last_Name: 'B' }, { Last_Name: 'C' }])
        .map((r) => r.id);
      await load(pollProps({ emitExisting: true, fetchRecords: true }));
      await until(() => ids().length >= 3, 'the existing records');
      const more = polled();
      await until(() => polled() >= more + 3, 'three more polls');
      assert.deepEqual(ids('create'), existing);
      assert.equal(out[0].payload.records[1].Last_Name, 'B');
      assert.equal(out[0].topic, 'Leads.create');
      assert.equal(out[0].payload.source, 'poll');
    });

    it('tells creates, edits and deletes apart, an edit right after the create included', async () => {
      await load(pollProps({ onDelete: true }));
      await until(() => polled() >= 1, 'the first poll');
      const [a, b] = await createLeads(2, 'N');
      await until(() => ids('create').length === 2, 'the creates');
      await api('PUT', `/Leads/${a}`, { data: [{ Email: 'a@x.example' }] });
      await api('DELETE', `/Leads/${b}`);
      await until(() => ids('edit').length === 1 && ids('delete').length === 1, 'edit and delete');
      assert.deepEqual(ids('edit'), [a]);
      assert.deepEqual(ids('delete'), [b]);
      const del = out.find((m) => m.payload.operation === 'delete');
      assert.equal(del?.payload.records[0].display_name, 'N1');
      await sleep(300);
      assert.equal(out.length, 3, 'nothing twice');
    });

    it('1,000 records created in bursts across 20 polls with a restart in the middle: exactly 1,000 creates', async () => {
      await persistentContext(true);
      await load(pollProps());
      await until(() => polled() >= 1, 'the first poll');
      const created: string[] = [];
      for (let burst = 0; burst < 20; burst++) {
        if (burst === 10) {
          await shutdownRed();
          // Records created while Node-RED is down must come after the restart.
          created.push(...(await createLeads(50, `B${burst}-`)));
          await load(pollProps());
          await until(() => ids().length >= created.length, 'the records made while down');
          continue;
        }
        const start = polled();
        created.push(...(await createLeads(50, `B${burst}-`)));
        await until(() => ids().length >= created.length, `burst ${burst}`);
        assert.ok(polled() > start, 'a poll of its own');
      }
      const final = polled();
      await until(() => polled() >= final + 3, 'three more polls');
      const got = ids();
      assert.equal(got.length, 1000, 'exactly 1,000 events');
      assert.equal(new Set(got).size, 1000, 'no duplicates');
      assert.deepEqual(new Set(got), new Set(created));
      assert.equal(ids('create').length, 1000, 'all of them creates');
      assert.equal(caught.length, 0);
    });

    it('raises a catchable error when a poll fails and recovers at the next one', async () => {
      await load(pollProps());
      await until(() => polled() >= 1, 'the first poll');
      h.sb.sandbox.faults.inject({
        match: { path: '/crm/v8/Leads', method: 'GET' },
        kind: 'status',
        status: 400,
      });
      await until(() => caught.length === 1, 'the error');
      assert.equal(caught[0].error.code, 'INVALID_DATA');
      assert.ok(statuses.some((s) => s.fill === 'red'));
      const [id] = await createLeads(1, 'R');
      await until(() => ids().includes(id), 'the record after recovery');
    });

    it('shows a revoked refresh token in its status the way every Zoho node does', async () => {
      await load(pollProps());
      await until(() => polled() >= 1, 'the first poll');
      h.sb.sandbox.accounts.revokeRefreshToken(h.refreshToken());
      // The access token expires: the next poll must refresh, and meets the revocation.
      h.sb.sandbox.faults.inject({
        match: { path: '/crm/v8/Leads', method: 'GET' },
        kind: 'expire-token',
      });
      await until(() => caught.length === 1, 'the error');
      assert.equal(caught[0].error.code, 'TOKEN_REVOKED');
      const shown = statuses.at(-1) ?? {};
      assert.deepEqual([shown.fill, shown.shape], ['red', 'ring']);
      // The connection's own words (where to fix it), not just a code.
      assert.match(String(shown.text), /revoked.*zoho-config/i);
    });
  });
}
