/**
 * The ways Zoho cannot be reached (issue 15), each against crm-record's outbox in a real
 * Node-RED: connections refused, a black hole (accepted, never answered), a host name that does
 * not resolve (DNS), and the accounts server down (no token to be had). Each puts the write into
 * the outbox (not sent, or maybe sent where the request may have left and the write may be
 * repeated), and the write reaches Zoho once when the link returns.
 */
import assert from 'node:assert/strict';
import * as sinon from 'sinon';
import { Outbox } from '../../src/zoho/core/outbox/outbox';
import { FlowNode, freshUserDir, helper, loadFlow, unloadFlow } from '../helpers/red';
import { DEFAULT_CLIENT, issueTokens } from '../helpers/sandbox';
import { AnyMsg, crmHarness } from './crm-harness';

const h = crmHarness('crm-record');

interface Run {
  out: AnyMsg[];
  caught: AnyMsg[];
  dones: sinon.SinonSpy;
}

/** Loads c1 + n1 (crm-record, keep in the outbox); `token` gets the access token first. */
async function load(
  node: Record<string, unknown>,
  opts: { accountsUrl?: string; token?: boolean } = {},
): Promise<Run> {
  freshUserDir();
  const flow: FlowNode[] = [
    { id: 'f1', type: 'tab' },
    {
      id: 'c1',
      type: 'zoho-config',
      region: 'custom',
      accountsUrl: opts.accountsUrl ?? h.sb.url,
      insecureHttp: true,
      maxConcurrency: '5',
    },
    { id: 'n1', type: 'crm-record', z: 'f1', config: 'c1', wires: [['out']], outbox: 'queue' },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'ct1', type: 'catch', z: 'f1', scope: ['n1'], wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'f1' },
  ];
  Object.assign(flow[2], node);
  const refreshToken = issueTokens(h.sb.sandbox).refreshToken;
  await loadFlow(flow, {
    c1: {
      clientId: DEFAULT_CLIENT.clientId,
      clientSecret: DEFAULT_CLIENT.clientSecret,
      refreshToken,
    },
  });
  if (opts.token) await config().checkToken();
  h.sb.sandbox.clearRequests();
  const run: Run = { out: [], caught: [], dones: sinon.spy(helper.getNode('n1'), '_complete') };
  helper.getNode('out').on('input', (m: AnyMsg) => run.out.push(m));
  helper.getNode('caught').on('input', (m: AnyMsg) => run.caught.push(m));
  return run;
}

function config() {
  return helper.getNode('c1') as unknown as {
    checkToken(): Promise<unknown>;
    outbox(): Promise<Outbox>;
    getConnection(): { http: unknown };
  };
}

/** A short request timeout, so a black hole is met in half a second instead of 30. */
function shortTimeout(ms: number): void {
  (config().getConnection().http as { options: { timeoutMs?: number } }).options.timeoutMs = ms;
}

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The message was acknowledged (done() without an error), held in the outbox, nothing sent on. */
async function assertQueued(run: Run, waiting: number): Promise<void> {
  await until('done()', () => run.dones.callCount === waiting);
  for (const call of run.dones.getCalls()) assert.equal(call.args[1], undefined);
  assert.equal(run.out.length, 0, 'no output while queued');
  assert.equal(run.caught.length, 0, 'no error while queued');
  assert.equal((await config().outbox()).waiting('n1'), waiting);
}

async function flushAndDeliver(run: Run, outputs: number): Promise<void> {
  helper.getNode('n1').receive({ topic: 'zoho/outbox/flush' });
  await until(`${outputs} outputs`, () => run.out.length === outputs);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(run.out.length, outputs);
  assert.equal(run.caught.length, 0);
  for (const m of run.out) assert.equal(typeof m.outbox.queuedAt, 'number');
}

const CREATE = { operation: 'create', module: 'Leads', duplicateCheckFields: 'Email' };
const lead = (n: string) => ({ payload: { Last_Name: n, Email: `${n}@example.com` } });
const emails = (n: string) =>
  h.crm.store.all('Leads').filter((r) => r.data.Email === `${n}@example.com`).length;

describe('crm-record outbox: the ways Zoho cannot be reached (sandbox, real Node-RED)', function () {
  this.timeout(120_000);
  afterEach(async () => {
    await h.sb.sandbox.setLink('up');
  });

  it('connections refused: queued as not sent, delivered once when the link returns', async () => {
    const run = await load(CREATE, { token: true });
    await h.sb.sandbox.setLink('refused');
    helper.getNode('n1').receive(lead('refused'));
    await assertQueued(run, 1);
    await h.sb.sandbox.setLink('up');
    assert.equal(h.crmRequests().length, 0, 'nothing reached Zoho');
    await flushAndDeliver(run, 1);
    assert.equal(emails('refused'), 1);
  });

  it('a black hole: a create that may have left is queued only when it may be repeated', async () => {
    const run = await load(CREATE, { token: true });
    shortTimeout(400);
    await h.sb.sandbox.setLink('blackhole');
    helper.getNode('n1').receive(lead('hole'));
    await assertQueued(run, 1);
    await h.sb.sandbox.setLink('up');
    await flushAndDeliver(run, 1);
    assert.equal(emails('hole'), 1);
    assert.equal(run.out[0].payload[0].status, 'success');

    // Without a duplicate-check field the same create cannot be repeated: it fails now.
    run.dones.restore();
    await unloadFlow();
    const bare = await load({ operation: 'create', module: 'Leads' }, { token: true });
    shortTimeout(400);
    await h.sb.sandbox.setLink('blackhole');
    helper.getNode('n1').receive(lead('bare'));
    await until('caught', () => bare.caught.length === 1);
    assert.equal(bare.caught[0].error.code, 'NOT_REPLAYABLE');
    assert.equal((await config().outbox()).waiting('n1'), 0);
    assert.equal(bare.dones.callCount, 1);
  });

  it('a queued create without Match on whose replay may have reached Zoho: NOT_REPLAYABLE, sent once', async () => {
    const run = await load({ operation: 'create', module: 'Leads' });
    const down = h.sb.sandbox.accountsDown();
    // No token to be had: it cannot have reached Zoho, so even a create without Match on waits.
    helper.getNode('n1').receive({ ...lead('once'), seq: 1 });
    await assertQueued(run, 1);
    down.remove();
    // The replay is answered, then the connection reset: Zoho has the record, we cannot know.
    h.sb.sandbox.faults.inject({
      kind: 'reset-after',
      match: { method: 'POST', path: '/crm/v8/Leads' },
    });
    helper.getNode('n1').receive({ topic: 'zoho/outbox/flush' });
    await until('caught', () => run.caught.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(run.caught[0].error.code, 'NOT_REPLAYABLE');
    assert.match(run.caught[0].error.message, /Match on/);
    assert.equal(run.caught[0].seq, 1);
    assert.equal(run.out.length, 0);
    assert.equal((await config().outbox()).waiting('n1'), 0, 'not kept for another try');
    const creates = h
      .crmRequests()
      .filter((r) => r.method === 'POST' && r.path === '/crm/v8/Leads');
    assert.equal(creates.length, 1, 'sent once');
    assert.equal(emails('once'), 1);
  });

  it('a queued create of 150 records without Match on, one of its two calls cut on replay: NOT_REPLAYABLE with the per-record results, sent once', async () => {
    const run = await load({ operation: 'create', module: 'Leads' });
    const down = h.sb.sandbox.accountsDown();
    const leads = Array.from({ length: 150 }, (_, i) => ({
      Last_Name: `cut${i}`,
      Email: `cut${i}@example.com`,
    }));
    helper.getNode('n1').receive({ payload: leads, seq: 2 });
    await assertQueued(run, 1);
    down.remove();
    // One call of the two is answered, then reset: Zoho has its records, the node cannot know.
    h.sb.sandbox.faults.inject({
      kind: 'reset-after',
      match: { method: 'POST', path: '/crm/v8/Leads' },
    });
    helper.getNode('n1').receive({ topic: 'zoho/outbox/flush' });
    await until('caught', () => run.caught.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    const caught = run.caught[0];
    assert.equal(caught.error.code, 'NOT_REPLAYABLE');
    assert.match(caught.error.message, /Match on/);
    assert.equal(caught.seq, 2);
    const results = caught.payload as { status: string }[];
    assert.equal(results.length, 150, 'each record says what became of it');
    // The two calls go side by side: the one cut is either the 100 or the 50.
    const succeeded = results.filter((r) => r.status === 'success').length;
    assert.ok(succeeded === 100 || succeeded === 50, `${succeeded} succeeded`);
    assert.equal(caught._error.details.succeeded, succeeded);
    assert.equal(run.out.length, 0);
    assert.equal((await config().outbox()).waiting('n1'), 0, 'not kept for another try');
    const creates = h
      .crmRequests()
      .filter((r) => r.method === 'POST' && r.path === '/crm/v8/Leads');
    assert.equal(creates.length, 2, 'each call sent once');
    for (let i = 0; i < 150; i++) assert.equal(emails(`cut${i}`), 1);
  });

  it('DNS failure (a host that does not resolve): queued as not sent', async () => {
    // .invalid never resolves (RFC 6761 §6.4): the resolver's own failure, not a stub. The name
    // cannot be made to resolve later, so delivery after the outage is the refused case's.
    const port = new URL(h.sb.url).port;
    const run = await load(CREATE, { accountsUrl: `http://zoho-sandbox.invalid:${port}` });
    helper.getNode('n1').receive(lead('dns'));
    await assertQueued(run, 1);
    assert.equal(h.sb.sandbox.requests.length, 0, 'nothing reached the sandbox');
    const outbox = await config().outbox();
    await until('a probe', () => outbox.state().lastError !== undefined);
    assert.match(outbox.state().lastError!, /ENOTFOUND|EAI_AGAIN/);
    assert.equal(emails('dns'), 0);
  });

  it('the accounts server down (no token to be had): queued as not sent', async () => {
    const run = await load(CREATE);
    const down = h.sb.sandbox.accountsDown();
    helper.getNode('n1').receive(lead('accounts'));
    await assertQueued(run, 1);
    assert.equal(h.crmRequests().length, 0, 'no API call without a token');
    assert.ok(down.hits >= 1, 'the token call was tried');
    down.remove();
    await flushAndDeliver(run, 1);
    assert.equal(emails('accounts'), 1);
  });

  it('the accounts server down when Zoho refuses the access token (401): queued as not sent', async () => {
    const run = await load(CREATE, { token: true });
    h.sb.sandbox.faults.inject({ kind: 'expire-token', match: { path: '/crm/v8/Leads' } });
    const down = h.sb.sandbox.accountsDown();
    helper.getNode('n1').receive(lead('expired'));
    await assertQueued(run, 1);
    const answered = h.crmRequests().map((r) => r.status);
    assert.deepEqual(answered, [401], 'the API refused the token; no write was applied');
    down.remove();
    await flushAndDeliver(run, 1);
    assert.equal(emails('expired'), 1);
  });
});
