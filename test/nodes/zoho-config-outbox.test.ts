/**
 * zoho-config's outbox routes (GET outbox, retry, discard) and the writing node's status
 * around them, in a real Node-RED against the sandbox: the sandbox stops listening (every
 * connection refused, as when the link is down) and starts again on the same port.
 */
import assert from 'node:assert/strict';
import * as sinon from 'sinon';
import type { OutboxView } from '../../src/nodes/zoho-config/outbox-routes';
import { freshUserDir, helper, loadFlow, startRed, stopRed, unloadFlow } from '../helpers/red';
import { DEFAULT_CLIENT, issueTokens, useSandbox } from '../helpers/sandbox';
import { AnyMsg, crmHarness } from './crm-harness';
import { assertTranslated } from './texts';

const h = crmHarness('crm-record');

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Watch {
  out: AnyMsg[];
  statuses: AnyMsg[];
  dones: sinon.SinonSpy;
}

/** An update node that queues; the token is had before the outage. */
async function loadQueued(): Promise<Watch> {
  await h.load({ operation: 'update', module: 'Leads', outbox: 'queue', name: 'Sensor writes' });
  await (helper.getNode('c1') as unknown as { checkToken(): Promise<unknown> }).checkToken();
  h.sb.sandbox.clearRequests();
  const w: Watch = { out: [], statuses: [], dones: sinon.spy(helper.getNode('n1'), '_complete') };
  helper.getNode('out').on('input', (m: AnyMsg) => w.out.push(m));
  helper
    .getNode('n1')
    .on('call:status', (c: { args: unknown[] }) => w.statuses.push(c.args[0] as AnyMsg));
  return w;
}

async function linkDown(): Promise<number> {
  const port = Number(new URL(h.sb.url).port);
  await h.sb.sandbox.stop();
  return port;
}

/** Queues `count` updates of two records (so some merge) while the link is down. */
async function queueUpdates(w: Watch, count: number): Promise<string[]> {
  const ids = h.crm.store
    .insert('Leads', [{ Last_Name: 'A' }, { Last_Name: 'B' }])
    .map((r) => r.id);
  const n1 = helper.getNode('n1');
  n1.receive({ payload: { id: ids[0], Description: 'first' } });
  await until('the first queued', () => w.dones.callCount === 1);
  for (let k = 1; k < count; k++) n1.receive({ payload: { id: ids[k % 2], Description: `v${k}` } });
  await until(`${count} done()`, () => w.dones.callCount === count);
  return ids;
}

async function view(): Promise<OutboxView> {
  const res = await helper.request().get('/zoho-config/c1/outbox');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as OutboxView;
}

function lastStatus(w: Watch): string {
  return String(w.statuses[w.statuses.length - 1]?.text ?? '');
}

describe('zoho-config outbox routes (sandbox, real Node-RED)', function () {
  this.timeout(120_000);

  it('shows each node’s waiting messages without a secret, and discard empties them', async () => {
    const w = await loadQueued();
    const empty = await view();
    assert.equal(empty.count, 0, 'nothing queued yet');
    const port = await linkDown();
    try {
      await queueUpdates(w, 5);
      assert.equal(lastStatus(w), 'offline · 2 waiting · 3 merged');
      // The outbox's probe runs a second after the first entry: its failure is the last error.
      let v = await view();
      for (const deadline = Date.now() + 20_000; !v.lastError && Date.now() < deadline;) {
        await new Promise((r) => setTimeout(r, 200));
        v = await view();
      }
      assert.ok(v.lastError, 'the failed probe is the last error');
      assert.equal(v.count, 2);
      assert.ok(v.bytes > 0);
      assert.equal(v.nodes.length, 1);
      const row = v.nodes[0];
      assert.deepEqual(
        [row.id, row.name, row.type, row.orphan, row.count, row.merged],
        ['n1', 'Sensor writes', 'crm-record', false, 2, 3],
      );
      assert.ok(row.bytes > 0 && row.bytes <= v.bytes);
      assert.ok(typeof row.ageMs === 'number' && row.ageMs >= 0 && row.ageMs < 60_000);
      assert.deepEqual(v.limits, {
        maxMessages: 10_000,
        maxBytes: 50 * 1024 * 1024,
        whenFull: 'refuse',
      });
      const creds = [DEFAULT_CLIENT.clientSecret, h.refreshToken()];
      const access = (helper.getNode('c1') as unknown as { secrets(): string[] }).secrets();
      for (const secret of [...creds, ...access].filter((s) => s.length > 6))
        assert.ok(!JSON.stringify(v).includes(secret), 'no secret in the outbox view');

      const bad = await helper
        .request()
        .post('/zoho-config/c1/outbox/discard')
        .send({ node: '../x' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'INVALID_INPUT');
      assert.equal((await view()).count, 2, 'a refused discard drops nothing');

      const res = await helper
        .request()
        .post('/zoho-config/c1/outbox/discard')
        .send({ node: 'n1' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.discarded, 2);
      assert.equal(res.body.count, 0);
      assert.deepEqual(res.body.nodes, []);
      await until('the status says so', () => lastStatus(w) === 'outbox discarded');
    } finally {
      await h.sb.sandbox.start(port);
    }
    // Nothing discarded is sent when the link returns.
    await helper.request().post('/zoho-config/c1/outbox/retry').send({});
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(h.crmRequests().filter((r) => r.method === 'PUT').length, 0);
    assert.equal(w.out.length, 0);
    assertTranslated(w.statuses.map((s) => String(s.text ?? '')));
  });

  it('retry replays now, and the status says how many were sent', async () => {
    const w = await loadQueued();
    const port = await linkDown();
    let ids: string[];
    try {
      ids = await queueUpdates(w, 4);
    } finally {
      await h.sb.sandbox.start(port);
    }
    assert.equal(lastStatus(w), 'offline · 2 waiting · 2 merged');
    const res = await helper.request().post('/zoho-config/c1/outbox/retry').send({});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await until('2 outputs', () => w.out.length === 2);
    await until('the status says so', () => lastStatus(w).startsWith('2 sent from the outbox'));
    assert.equal((await view()).count, 0);
    assert.equal(h.crm.store.get('Leads', ids[0])!.data.Description, 'v2');
    assert.equal(h.crm.store.get('Leads', ids[1])!.data.Description, 'v3');
    assert.deepEqual(
      w.out.map((m) => m.outbox.merged as number),
      [2, 2],
    );
  });

  it('an undeployed connection reads as such; retry and discard on it are refused with 404', async () => {
    await loadQueued();
    const missing = await helper.request().get('/zoho-config/nope/outbox');
    assert.equal(missing.status, 200);
    assert.deepEqual(missing.body, { deployed: false });
    const gone = await helper.request().post('/zoho-config/nope/outbox/discard').send({});
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, 'NOT_DEPLOYED');
    const notConfig = await helper.request().post('/zoho-config/n1/outbox/retry').send({});
    assert.equal(notConfig.status, 404);
  });
});

describe('zoho-config outbox routes with adminAuth', function () {
  this.timeout(60_000);
  const sb = useSandbox();
  const adminAuth = {
    type: 'credentials',
    users: [],
    tokens: (token: string) =>
      Promise.resolve(
        token === 'good-token'
          ? { username: 'admin', permissions: '*' }
          : token === 'reader'
            ? { username: 'reader', permissions: 'read' }
            : null,
      ),
  };
  before(() => startRed({ adminAuth }));
  afterEach(() => unloadFlow());
  after(() => stopRed());

  it('reading needs zoho-config.read, retry and discard need zoho-config.write', async () => {
    freshUserDir();
    await loadFlow(
      [{ id: 'c1', type: 'zoho-config', region: 'custom', accountsUrl: sb.url, maxConcurrency: 5 }],
      {
        c1: {
          ...DEFAULT_CLIENT,
          refreshToken: issueTokens(sb.sandbox).refreshToken,
        },
      },
    );
    const get = () => helper.request().get('/zoho-config/c1/outbox');
    const retry = () => helper.request().post('/zoho-config/c1/outbox/retry').send({});
    const discard = () => helper.request().post('/zoho-config/c1/outbox/discard').send({});
    for (const call of [get, retry, discard]) {
      assert.equal((await call()).status, 401);
      assert.equal((await call().set('Authorization', 'Bearer wrong')).status, 401);
    }
    for (const call of [retry, discard]) {
      assert.equal((await call().set('Authorization', 'Bearer reader')).status, 401);
    }
    const read = await get().set('Authorization', 'Bearer reader');
    assert.equal(read.status, 200);
    assert.equal(read.body.count, 0);
    const done = await discard().set('Authorization', 'Bearer good-token');
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.discarded, 0);
  });
});
