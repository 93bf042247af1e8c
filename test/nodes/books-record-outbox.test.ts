/**
 * books-record's outbox in a real Node-RED against the sandbox's Books family: the sandbox
 * stops listening (every connection refused, as when the link is down) and starts again on the
 * same port; a reset after the request was sent stands for a link that fails mid-call.
 */
import assert from 'node:assert/strict';
import * as sinon from 'sinon';
import { accountsFamily } from '../../src/sandbox/accounts';
import { booksFamily, type BooksFamily } from '../../src/sandbox/books/index';
import { freshUserDir, helper, loadFlow, startRed, stopRed, unloadFlow } from '../helpers/red';
import { DEFAULT_CLIENT, issueTokens, useSandbox } from '../helpers/sandbox';
import { assertTranslated } from './texts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMsg = Record<string, any>;
const ORG = '10234695';

interface Watch {
  out: AnyMsg[];
  caught: AnyMsg[];
  statuses: AnyMsg[];
  dones: sinon.SinonSpy;
}

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('books-record outbox (sandbox, real Node-RED)', function () {
  this.timeout(120_000);
  let books: BooksFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    books = booksFamily();
    return [accountsFamily(), books];
  });

  before(() => startRed());
  beforeEach(() => {
    freshUserDir();
    books.store.clear();
  });
  afterEach(async () => {
    sinon.restore();
    await unloadFlow();
  });
  after(() => stopRed());

  const booksCalls = () => sb.sandbox.requests.filter((r) => r.path.startsWith('/books/'));

  /** `scope`: the connection's scopes and its grant (default: the sandbox's full grant). */
  async function load(node: AnyMsg, scope?: string): Promise<Watch> {
    const scopes = scope === undefined ? {} : { scopes: scope };
    await loadFlow(
      [
        { id: 'f1', type: 'tab' },
        { id: 'c1', type: 'zoho-config', region: 'custom', accountsUrl: sb.url, ...scopes },
        {
          id: 'n1',
          type: 'books-record',
          z: 'f1',
          config: 'c1',
          recordType: 'contacts',
          operation: 'msg',
          organizationId: ORG,
          outbox: 'queue',
          wires: [['out']],
          ...node,
        },
        { id: 'out', type: 'helper', z: 'f1' },
        { id: 'ct1', type: 'catch', z: 'f1', scope: ['n1'], wires: [['caught']] },
        { id: 'caught', type: 'helper', z: 'f1' },
      ],
      {
        c1: {
          clientId: DEFAULT_CLIENT.clientId,
          clientSecret: DEFAULT_CLIENT.clientSecret,
          refreshToken: issueTokens(sb.sandbox, scope).refreshToken,
        },
      },
    );
    // The token is had before the outage: the outage then hits the Books calls themselves.
    await (helper.getNode('c1') as unknown as { checkToken(): Promise<unknown> }).checkToken();
    sb.sandbox.clearRequests();
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

  const seedContact = (name: string) =>
    books.store.insert(ORG, 'contacts', [{ contact_name: name }])[0].contact_id as string;

  async function outage(w: Watch, msgs: AnyMsg[]): Promise<void> {
    const port = Number(new URL(sb.url).port);
    await sb.sandbox.stop();
    try {
      const n1 = helper.getNode('n1');
      n1.receive(msgs[0]);
      // The first finds the link down (after the connection's retries); the rest queue behind it.
      await until('the first queued', () => w.dones.callCount === 1);
      // One after another, as a flow's messages come: messages handled side by side reach
      // the outbox in the order their input reading ends.
      for (const [i, m] of msgs.slice(1).entries()) {
        n1.receive(m);
        await until(`${i + 2} done()`, () => w.dones.callCount === i + 2);
      }
    } finally {
      await sb.sandbox.start(port);
    }
  }

  it('queues creates, updates and deletes in an outage; delivers each once, updates merged', async () => {
    const kept = seedContact('Kept');
    const gone = seedContact('Gone');
    const w = await load({});
    await outage(w, [
      // First an update: the outage may reset a kept-alive socket after the request was
      // written ("maybe sent"), which an update survives and a create would not.
      { operation: 'update', recordId: kept, payload: { phone: '1' }, seq: 0 },
      { operation: 'create', payload: { contact_name: 'New' }, seq: 1 },
      { operation: 'update', recordId: kept, payload: { phone: '2', website: 'a.test' }, seq: 2 },
      { operation: 'update', recordId: kept, payload: { phone: '3' }, seq: 3 },
      { operation: 'delete', recordId: gone, seq: 4 },
    ]);
    assert.deepEqual(
      w.dones.getCalls().map((c) => c.args[1]),
      Array(5).fill(undefined),
      'every message ended in done() without an error',
    );
    assert.equal(w.out.length, 0, 'no output while queued');
    assert.equal(w.statuses[w.statuses.length - 1].text, 'offline · 3 waiting · 2 merged');
    helper.getNode('n1').receive({ topic: 'zoho/outbox/flush' });
    await until('3 outputs', () => w.out.length === 3);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      w.out.map((m) => m.seq),
      [3, 1, 4],
      'arrival order, the merged update in its first place as its latest message',
    );
    assert.equal(w.caught.length, 0, JSON.stringify(w.caught[0]?.error));
    for (const m of w.out) {
      assert.equal(typeof m.outbox.queuedAt, 'number');
      assert.ok(m.outbox.attempts >= 1);
      assert.equal(m.organizationId, ORG);
    }
    assert.equal(w.out[0].outbox.merged, 3);
    const names = [...books.store.table(ORG, 'contacts').values()].map((c) => c.contact_name);
    assert.deepEqual(names.sort(), ['Kept', 'New'], 'created once, deleted once');
    const k = books.store.get(ORG, 'contacts', kept)!;
    assert.deepEqual([k.phone, k.website], ['3', 'a.test'], 'field by field, latest wins');
    const puts = booksCalls().filter((r) => r.method === 'PUT');
    assert.equal(puts.length, 1, 'one call for three updates');
    await until('the status says so', () =>
      String(w.statuses[w.statuses.length - 1]?.text).startsWith('3 sent from the outbox'),
    );
    assertTranslated(w.statuses.map((s) => String(s.text ?? '')));
  });

  it('a create that may have reached Zoho fails now with NOT_REPLAYABLE, and is not queued', async () => {
    const w = await load({});
    sb.sandbox.faults.inject({
      kind: 'reset-after',
      match: { method: 'POST', path: '/books/v3/contacts' },
    });
    helper.getNode('n1').receive({ operation: 'create', payload: { contact_name: 'Maybe' } });
    await until('done', () => w.dones.callCount === 1);
    await until('caught', () => w.caught.length === 1);
    assert.equal(w.caught[0].error.code, 'NOT_REPLAYABLE');
    assert.match(w.caught[0].error.message, /could create the record twice/);
    const res = await helper.request().get('/zoho-config/c1/outbox');
    assert.equal(res.body.count, 0, 'nothing waits');
    assert.equal(w.out.length, 0);
  });

  it('an update that may have reached Zoho is queued (safe to repeat) and delivered', async () => {
    const id = seedContact('Before');
    const w = await load({});
    sb.sandbox.faults.inject({
      kind: 'reset-after',
      times: Infinity,
      match: { method: 'PUT', path: `/books/v3/contacts/${id}` },
    });
    helper.getNode('n1').receive({ operation: 'update', recordId: id, payload: { phone: '9' } });
    await until('done', () => w.dones.callCount === 1);
    assert.equal(w.dones.getCall(0).args[1], undefined);
    sb.sandbox.faults.clear();
    helper.getNode('n1').receive({ topic: 'zoho/outbox/flush' });
    await until('output', () => w.out.length === 1);
    assert.equal(w.out[0].payload.phone, '9');
    assert.equal(w.caught.length, 0);
  });

  it('Zoho’s refusal is never queued: it fails now', async () => {
    const w = await load({});
    helper.getNode('n1').receive({ operation: 'update', recordId: '999', payload: { phone: '1' } });
    await until('caught', () => w.caught.length === 1);
    assert.notEqual(w.caught[0].error.code, 'NOT_REPLAYABLE');
    assert.equal(w.dones.callCount, 1);
    const res = await helper.request().get('/zoho-config/c1/outbox');
    assert.equal(res.body.count, 0, 'nothing waits');
  });

  it('a Books-only grant: the outbox probes Books (GET /organizations), never CRM', async () => {
    const id = seedContact('Before');
    const w = await load({}, 'ZohoBooks.fullaccess.all');
    await outage(w, [{ operation: 'update', recordId: id, payload: { phone: '7' } }]);
    sb.sandbox.clearRequests();
    helper.getNode('n1').receive({ topic: 'zoho/outbox/flush' });
    await until('output', () => w.out.length === 1);
    assert.equal(w.caught.length, 0, JSON.stringify(w.caught[0]?.error));
    const calls = sb.sandbox.requests.map((r) => `${r.method} ${r.path}`);
    assert.equal(calls[0], 'GET /books/v3/organizations', calls.join(', '));
    assert.equal(sb.sandbox.requests[0].status, 200, 'a call the grant allows');
    assert.ok(!calls.some((c) => c.includes('/crm/')), calls.join(', '));
    assert.equal(books.store.get(ORG, 'contacts', id)!.phone, '7');
  });
});
