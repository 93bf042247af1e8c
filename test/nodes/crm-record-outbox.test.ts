/**
 * crm-record's outbox in a real Node-RED against the sandbox: the sandbox is stopped (every
 * connection refused, as when the link is down) and started again on the same port.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as sinon from 'sinon';
import { outboxFile } from '../../src/nodes/zoho-config/outbox';
import type { Outbox } from '../../src/zoho/core/outbox/outbox';
import { FlowNode, freshUserDir, helper, loadFlow, unloadFlow } from '../helpers/red';
import { DEFAULT_CLIENT, issueTokens } from '../helpers/sandbox';
import { AnyMsg, crmHarness } from './crm-harness';
import { assertTranslated } from './texts';

const h = crmHarness('crm-record');

interface Watch {
  out: AnyMsg[];
  caught: AnyMsg[];
  statuses: AnyMsg[];
  dones: sinon.SinonSpy;
}

let userDir = '';

async function load(
  node: Record<string, unknown>,
  config: Record<string, unknown> = {},
  keepUserDir = false,
) {
  if (!keepUserDir) userDir = freshUserDir();
  const refresh = issueTokens(h.sb.sandbox).refreshToken;
  const flow: FlowNode[] = [
    { id: 'f1', type: 'tab' },
    {
      id: 'c1',
      type: 'zoho-config',
      region: 'custom',
      accountsUrl: h.sb.url,
      maxConcurrency: '5',
      ...config,
    },
    {
      id: 'n1',
      type: 'crm-record',
      z: 'f1',
      config: 'c1',
      wires: [['out']],
      outbox: 'queue',
      ...node,
    },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'ct1', type: 'catch', z: 'f1', scope: ['n1'], wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'f1' },
  ];
  const creds = {
    c1: {
      clientId: DEFAULT_CLIENT.clientId,
      clientSecret: DEFAULT_CLIENT.clientSecret,
      refreshToken: refresh,
    },
  };
  await loadFlow(flow, creds);
  // The token is had before the outage: the outage then hits the CRM calls themselves.
  await (helper.getNode('c1') as unknown as { checkToken(): Promise<unknown> }).checkToken();
  h.sb.sandbox.clearRequests();
}

function watch(): Watch {
  const w: Watch = {
    out: [],
    caught: [],
    statuses: [],
    dones: sinon.spy(helper.getNode('n1'), '_complete'),
  };
  helper.getNode('out').on('input', (m: AnyMsg) => w.out.push(m));
  helper.getNode('caught').on('input', (m: AnyMsg) => w.caught.push(m));
  helper
    .getNode('n1')
    .on('call:status', (c: { args: unknown[] }) => w.statuses.push(c.args[0] as AnyMsg));
  return w;
}

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The link goes down: the sandbox stops listening (connections refused). */
async function linkDown(): Promise<number> {
  const port = Number(new URL(h.sb.url).port);
  await h.sb.sandbox.stop();
  return port;
}

async function linkUp(port: number): Promise<void> {
  await h.sb.sandbox.start(port);
}

function leads(): Array<Record<string, unknown>> {
  return h.crm.store.all('Leads').map((r) => r.data);
}

describe('crm-record outbox (sandbox, real Node-RED)', function () {
  this.timeout(120_000);

  it('queues writes during an outage and delivers each once when Zoho returns', async () => {
    await load({ operation: 'create', module: 'Leads', duplicateCheckFields: 'Email' });
    const w = watch();
    const port = await linkDown();
    const n1 = helper.getNode('n1');
    const send = (i: number) =>
      n1.receive({ payload: { Last_Name: `L${i}`, Email: `l${i}@example.com` }, seq: i });
    // The first finds the link down (after the connection's retries); the rest queue behind it.
    send(0);
    await until('the first queued', () => w.dones.callCount === 1);
    for (let i = 1; i < 20; i++) send(i);
    await until('20 done()', () => w.dones.callCount === 20);
    assert.deepEqual(
      w.dones.getCalls().map((c) => c.args[1]),
      Array(20).fill(undefined),
    );
    assert.equal(w.out.length, 0, 'no output while queued');
    assert.equal(w.caught.length, 0);
    assert.ok(fs.statSync(outboxFile(userDir, 'c1')).size > 0, 'journal on disk');
    const last = w.statuses[w.statuses.length - 1];
    assert.equal(last.text, 'offline · 20 waiting');
    await linkUp(port);
    n1.receive({ topic: 'zoho/outbox/flush' });
    await until('20 outputs', () => w.out.length === 20);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(w.out.length, 20);
    assert.deepEqual(
      w.out.map((m) => m.seq),
      [...Array(20).keys()],
      'arrival order',
    );
    for (const m of w.out) {
      assert.equal(typeof m.outbox.queuedAt, 'number');
      assert.ok(m.outbox.attempts >= 1);
      assert.equal(m.payload[0].status, 'success');
      assert.equal(m.payload[0].action, 'insert');
    }
    const emails = leads().map((r) => r.Email);
    assert.equal(emails.length, 20);
    assert.equal(new Set(emails).size, 20, 'each record exactly once');
    const upserts = h
      .crmRequests()
      .filter((r) => r.method === 'POST' && r.path === '/crm/v8/Leads/upsert');
    assert.equal(upserts.length, 1, 'one call of 20 records');
    assert.equal(w.caught.length, 0);
    assertTranslated(w.statuses.map((s) => String(s.text ?? '')));
  });

  it('coalesces 1,000 updates of 10 records into at most 10 calls, latest value winning', async () => {
    const seeded = h.crm.store.insert(
      'Leads',
      Array.from({ length: 10 }, (_, i) => ({ Last_Name: `R${i}` })),
    );
    await load({ operation: 'update', module: 'Leads' });
    const w = watch();
    const port = await linkDown();
    const n1 = helper.getNode('n1');
    for (let k = 0; k < 1000; k++) {
      const rec = seeded[k % 10];
      n1.receive({ payload: { id: rec.id, Description: `v${k}`, [`Field${k % 3}`]: k } });
    }
    await until('1000 done()', () => w.dones.callCount === 1000, 110_000);
    assert.equal(w.out.length, 0);
    await linkUp(port);
    n1.receive({ topic: 'zoho/outbox/flush' });
    await until('outputs', () => w.out.reduce((n, m) => n + (m.outbox.merged ?? 1), 0) >= 1000);
    await new Promise((r) => setTimeout(r, 300));
    const calls = h.crmRequests().filter((r) => r.method === 'PUT');
    assert.ok(calls.length >= 1 && calls.length <= 10, `${calls.length} update calls`);
    const merged = w.out.reduce((n, m) => n + (m.outbox.merged ?? 1), 0);
    assert.equal(merged, 1000, 'every update accounted for');
    for (let i = 0; i < 10; i++) {
      const rec = h.crm.store.get('Leads', seeded[i].id)!.data;
      assert.equal(rec.Description, `v${990 + i}`);
    }
    assert.equal(w.caught.length, 0);
  });

  it('a full outbox refuses with OUTBOX_FULL, a catchable error', async () => {
    await load(
      { operation: 'update', module: 'Leads', outboxCoalesce: false },
      { outboxMaxMessages: 3 },
    );
    const w = watch();
    const port = await linkDown();
    const n1 = helper.getNode('n1');
    try {
      for (let k = 0; k < 4; k++) {
        n1.receive({ payload: { id: String(1000 + k), Description: 'x' } });
        await until(`done ${k + 1}`, () => w.dones.callCount === k + 1);
      }
    } finally {
      await linkUp(port);
    }
    assert.equal(w.caught.length, 1);
    assert.equal(w.caught[0].error.code, 'OUTBOX_FULL');
    assert.equal(w.caught[0].payload.id, '1003');
    assert.match(w.caught[0].error.message, /outbox is full/);
    // Worded for the editor: the settings the user can change, by their labels.
    assert.match(w.caught[0].error.message, /holds 3 messages/);
    assert.match(w.caught[0].error.message, /"Outbox holds" in the zoho-config node/);
  });

  it('a create that may have reached Zoho fails now when nothing makes it safe to repeat', async () => {
    await load({ operation: 'create', module: 'Leads' });
    const w = watch();
    h.sb.sandbox.faults.inject({
      kind: 'reset-after',
      match: { method: 'POST', path: '/crm/v8/Leads' },
    });
    helper.getNode('n1').receive({ payload: { Last_Name: 'Maybe' } });
    await until('done', () => w.dones.callCount === 1);
    const err = w.dones.getCall(0).args[1] as { shape?: { code?: string } } | undefined;
    assert.equal(err?.shape?.code, 'NOT_REPLAYABLE', JSON.stringify(err));
    await until('caught', () => w.caught.length === 1);
    assert.equal(w.caught[0].error.code, 'NOT_REPLAYABLE');
    assert.match(w.caught[0].error.message, /Match on/);
    assert.equal(w.out.length, 0);
  });

  it('messages queued before a redeploy are delivered by the node deployed again', async () => {
    await load({ operation: 'create', module: 'Leads', duplicateCheckFields: 'Email' });
    let w = watch();
    const port = await linkDown();
    for (let i = 0; i < 5; i++)
      helper.getNode('n1').receive({ payload: { Last_Name: `D${i}`, Email: `d${i}@x.io` } });
    await until('5 done()', () => w.dones.callCount === 5);
    w.dones.restore();
    await unloadFlow();
    await linkUp(port);
    const journal = outboxFile(userDir, 'c1');
    assert.ok(fs.existsSync(journal));
    // The same userDir: load again (a restart of the flows reopens the journal from disk).
    await load({ operation: 'create', module: 'Leads', duplicateCheckFields: 'Email' }, {}, true);
    assert.equal(path.dirname(outboxFile(userDir, 'c1')), path.dirname(journal));
    w = watch();
    await until('5 outputs', () => w.out.length === 5);
    assert.equal(leads().length, 5);
  });

  it('the IoT example: readings during an outage wait, merge into one update and reach Zoho in one call', async () => {
    await h.loadExample('iot-outbox');
    // The example's 5-second reading timer would add readings of its own: the test sends them.
    await (helper.getNode('iot-tick') as unknown as { close(): Promise<void> }).close();
    const sent: AnyMsg[] = [];
    const errors: AnyMsg[] = [];
    helper.getNode('iot-debug').on('input', (m: AnyMsg) => sent.push(m));
    helper.getNode('iot-errors').on('input', (m: AnyMsg) => errors.push(m));
    helper.getNode('iot-setup').receive({});
    await until('the sensor record', () => sent.length === 1);
    const id = String(sent[0].payload[0].id);
    const outbox = await (
      helper.getNode('zoho-sandbox-connection') as unknown as { outbox(): Promise<Outbox> }
    ).outbox();
    const port = await linkDown();
    const reading = helper.getNode('iot-reading');
    reading.receive({ temperature: 20.1 });
    await until('the first reading queued', () => outbox.waiting('iot-update') === 1);
    for (const temperature of [20.2, 20.3, 20.4, 20.5]) reading.receive({ temperature });
    await until('4 merged', () => outbox.mergedOf('iot-update') === 4);
    assert.equal(outbox.waiting('iot-update'), 1);
    await linkUp(port);
    h.sb.sandbox.clearRequests();
    helper.getNode('iot-flush').receive({});
    await until('sent', () => sent.length === 2);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(errors, []);
    assert.equal(sent.length, 2);
    assert.equal(sent[1].outbox.merged, 5, 'five readings, one message');
    assert.equal(sent[1].temperature, 20.5, 'the latest reading');
    const puts = h.crmRequests().filter((r) => r.method === 'PUT' && r.path === '/crm/v8/Accounts');
    assert.equal(puts.length, 1, 'one call for five readings');
    assert.match(String(h.crm.store.get('Accounts', id)?.data.Description), /^Temperature 20.5 °C/);
  });
});
