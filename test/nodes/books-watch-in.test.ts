/**
 * books-watch-in end to end: a real Node-RED polling the sandbox's Books family, with the
 * checkpoint in Node-RED's file context store across genuine restarts (nodes closed, store
 * flushed and closed, flows and store loaded again from disk). Intervals are 0.1 s.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { accountsFamily } from '../../src/sandbox/accounts';
import { booksFamily, type BooksFamily } from '../../src/sandbox/books/index';
import { ENTITY_BY_NAME } from '../../src/sandbox/books/defs';
import type { Entity } from '../../src/sandbox/books/store';
import {
  FlowNode,
  freshUserDir,
  helper,
  loadFlow,
  persistentContext,
  shutdownRed,
  startRed,
  stopRed,
  unloadFlow,
} from '../helpers/red';
import { DEFAULT_CLIENT, issueTokens, useSandbox } from '../helpers/sandbox';
import { sleep, until as untilWithin } from '../helpers/wait';
import { booksWatchProps } from '../helpers/watch';
import { assertTranslated, textsOf } from './texts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMsg = Record<string, any>;
const ORG = '10234695';
const until = <T>(get: () => T | undefined | false, what: string, ms = 8000): Promise<T> =>
  untilWithin(get, what, ms);

describe('books-watch-in node', function () {
  this.timeout(60_000);
  let books: BooksFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    books = booksFamily();
    return [accountsFamily(), books];
  });
  let out: AnyMsg[] = [];
  let caught: AnyMsg[] = [];
  let statuses: AnyMsg[] = [];
  let refreshToken = '';

  before(() => startRed());
  beforeEach(() => {
    freshUserDir();
    books.store.clear();
    books.resetStats();
    books.config.rateLimit = { limit: 100_000, windowMs: 60_000 };
    books.config.dailyLimit = 1_000_000;
    out = [];
    caught = [];
    statuses = [];
    refreshToken = issueTokens(sb.sandbox).refreshToken;
  });
  afterEach(async () => {
    await unloadFlow();
    await persistentContext(false);
  });
  after(() => stopRed());

  async function load(props: Record<string, unknown>): Promise<void> {
    await loadFlow(
      [
        { id: 'f1', type: 'tab' },
        { id: 'c1', type: 'zoho-config', region: 'custom', accountsUrl: sb.url },
        { id: 'n1', type: 'books-watch-in', z: 'f1', config: 'c1', wires: [['out']], ...props },
        { id: 'out', type: 'helper', z: 'f1' },
        { id: 'ct1', type: 'catch', z: 'f1', scope: ['n1'], wires: [['caught']] },
        { id: 'caught', type: 'helper', z: 'f1' },
      ],
      {
        c1: {
          clientId: DEFAULT_CLIENT.clientId,
          clientSecret: DEFAULT_CLIENT.clientSecret,
          refreshToken,
        },
      },
    );
    helper.getNode('out').on('input', (m: AnyMsg) => out.push(m));
    helper.getNode('caught').on('input', (m: AnyMsg) => caught.push(m));
    helper.getNode('n1').on('call:status', (c: { args: AnyMsg[] }) => statuses.push(c.args[0]));
  }
  const polled = () => statuses.filter((s) => /^polling ·/.test(String(s.text))).length;
  const booksCalls = () => sb.sandbox.requests.filter((r) => r.path.startsWith('/books/v3/'));
  const insert = (type: string, rows: Entity[]) => books.store.insert(ORG, type, rows);
  const update = (type: string, e: Entity, body: Entity) =>
    books.store.update(ORG, ENTITY_BY_NAME.get(type)!, e, body);

  it('sends nothing for existing records on the first start, and one call per entity when idle', async () => {
    insert('invoices', [{ customer_id: '1' }]);
    insert('contacts', [{ contact_name: 'Old' }]);
    await load(booksWatchProps());
    await until(() => polled() >= 2, 'two polls');
    sb.sandbox.clearRequests();
    const before = polled();
    await until(() => polled() >= before + 5, 'five more polls');
    await sleep(20);
    assert.deepEqual(out, []);
    const calls = booksCalls();
    const cycles = polled() - before;
    assert.ok(
      calls.every((r) => r.method === 'GET' && /^\/books\/v3\/(invoices|contacts)$/.test(r.path)),
    );
    for (const type of ['invoices', 'contacts']) {
      const n = calls.filter((r) => r.path === `/books/v3/${type}`).length;
      assert.ok(n >= cycles - 1 && n <= cycles + 1, `${type}: ${n} calls in ${cycles} polls`);
    }
    assertTranslated(textsOf({ statuses }));
  });

  it('1,000 changes across four entities with 3 restarts: none lost, none twice, status changes told', async () => {
    await persistentContext(true);
    const props = booksWatchProps({ entities: 'invoices,contacts,bills,expenses' });
    await load(props);
    await until(() => polled() >= 1, 'the first poll');
    const expected = new Set<string>();
    const delivered: Entity[][] = [];
    const key = (m: AnyMsg) => `${m.entity}:${m.id}:${m.event}`;
    const types: [string, string, Entity][] = [
      ['invoices', 'invoice_id', { customer_id: '1', status: 'draft' }],
      ['contacts', 'contact_id', { contact_name: 'C' }],
      ['bills', 'bill_id', { vendor_id: '2' }],
      ['expenses', 'expense_id', { amount: 5 }],
    ];
    /** `creates` new records of each type, and updates of records delivered before. */
    const change = (creates: number, updates: number) => {
      const made: Entity[] = [];
      for (const [type, idField, row] of types) {
        for (const e of insert(
          type,
          Array.from({ length: creates }, () => ({ ...row })),
        )) {
          expected.add(`${type}:${String(e[idField])}:created`);
          made.push(e);
        }
      }
      const old = delivered.shift() ?? [];
      for (const e of old.filter((_, i) => i % 2 === 0).slice(0, updates)) {
        const type = e.invoice_id
          ? 'invoices'
          : e.contact_id
            ? 'contacts'
            : e.bill_id
              ? 'bills'
              : 'expenses';
        const idField = types.find((t) => t[0] === type)![1];
        const event = type === 'invoices' ? 'status' : 'updated';
        update(type, e, type === 'invoices' ? { status: 'sent' } : { reference_number: 'R' });
        expected.add(`${type}:${String(e[idField])}:${event}`);
      }
      delivered.push(made);
    };
    const phases: { creates: number; updates: number; restart?: boolean }[] = [
      { creates: 50, updates: 0 },
      { creates: 40, updates: 100, restart: true },
      { creates: 40, updates: 80 },
      { creates: 30, updates: 80, restart: true },
      { creates: 15, updates: 40, restart: true },
    ];
    for (const phase of phases) {
      if (phase.restart) {
        await shutdownRed();
        change(phase.creates, phase.updates); // while Node-RED is down
        await load(props);
      } else change(phase.creates, phase.updates);
      await until(() => out.length >= expected.size, `${expected.size} changes`, 15_000);
    }
    const final = polled();
    await until(() => polled() >= final + 3, 'three more polls');
    const got = out.map(key);
    const lost = [...expected].filter((k) => !got.includes(k));
    assert.equal(expected.size, 1000, 'the test makes 1,000 changes');
    assert.deepEqual(lost, [], 'lost');
    assert.equal(got.length - new Set(got).size, 0, 'duplicated');
    assert.equal(got.length, 1000);
    const status = out.find((m) => m.event === 'status');
    assert.deepEqual(status?.changes, { status: { from: 'draft', to: 'sent' } });
    assert.equal(status?.payload.status, 'sent');
    assert.equal(status?.topic, 'invoices.status');
    assert.equal(caught.length, 0, JSON.stringify(caught[0]?.error));
  });

  it('runs the example flow (time-scaled): a new invoice, then its status change, reach their debug nodes', async () => {
    const file = path.join(__dirname, '..', '..', '..', 'examples', 'books-watch-in.json');
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as FlowNode[];
    const flow: FlowNode[] = [{ id: 'f1', type: 'tab' }];
    const credentials: Record<string, AnyMsg> = {};
    for (const n of raw) {
      if (n.type === 'comment') continue;
      if (n.type === 'zoho-config') {
        flow.push({ ...n, accountsUrl: sb.url });
        credentials[n.id] = { ...DEFAULT_CLIENT, refreshToken };
      } else if (n.type === 'debug') flow.push({ id: n.id, type: 'helper', z: 'f1' });
      else if (n.type === 'books-watch-in')
        flow.push({ ...n, z: 'f1', interval: '0.1', rateLimit: 10_000 });
      else flow.push({ ...n, z: 'f1' });
    }
    await loadFlow(flow, credentials);
    const got: Record<string, AnyMsg[]> = {};
    for (const id of ['d-bw-new', 'd-bw-upd', 'd-bw-status', 'd-bw-err']) {
      got[id] = [];
      helper.getNode(id).on('input', (m: AnyMsg) => got[id].push(m));
    }
    helper.getNode('w-bw').on('call:status', (c: { args: AnyMsg[] }) => statuses.push(c.args[0]));
    await until(() => polled() >= 1, 'the first poll');
    const [inv] = insert('invoices', [{ customer_id: '1', status: 'draft' }]);
    await until(() => got['d-bw-new'].length === 1, 'the created invoice');
    update('invoices', inv, { status: 'sent' });
    await until(() => got['d-bw-status'].length === 1, 'the status change');
    assert.equal(got['d-bw-status'][0].changes.status.to, 'sent');
    assert.deepEqual([got['d-bw-upd'], got['d-bw-err']], [[], []]);
  });

  for (const [what, props, text] of [
    [
      'an entity it cannot watch',
      { entities: 'invoices,taxes' },
      /"taxes" cannot be watched.*Entities/,
    ],
    ['no entity', { entities: '' }, /No Zoho Books entity.*Entities/],
    [
      'no event',
      { onCreated: false, onUpdated: false, onStatus: false },
      /at least one event.*Events/,
    ],
    ['a bad interval', { interval: 'soon' }, /"soon".*Every … seconds/],
    ['a bad organization id', { organizationId: 'acme' }, /organization id.*Organization/],
  ] as const) {
    it(`refuses ${what} on deploy, clearly and with no request`, async () => {
      await load(booksWatchProps(props));
      await until(() => caught.length === 1, 'the error');
      assert.equal(caught[0].error.code, 'INVALID_INPUT');
      // The message says what is wrong and where the user sets it (the param's text).
      assert.match(String(caught[0].error.message), text);
      assert.ok(statuses.some((s) => s.fill === 'red'));
      assertTranslated(textsOf({ statuses, caught }));
      await sleep(200);
      assert.equal(booksCalls().length, 0);
      assert.deepEqual(out, []);
    });
  }
});
