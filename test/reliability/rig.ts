/**
 * The reliability rig: one sandbox (accounts, CRM, Books) and one Node-RED flow holding a
 * zoho-config and one node of every type in the node-case table, each wired to one output
 * helper and one Catch node. A ledger keyed by msg._msgid counts, for every message, its
 * outputs, its caught errors and its done() calls, so a test can prove "exactly one output or
 * exactly one catchable error, done once" for one message or for twenty thousand.
 */
import { accountsFamily } from '../../src/sandbox/accounts';
import { booksFamily, type BooksFamily } from '../../src/sandbox/books/index';
import { crmFamily, type CrmFamily } from '../../src/sandbox/crm/index';
import type { Sandbox } from '../../src/sandbox/server';
import type { ZohoConnection } from '../../src/zoho/core/connection';
import type { FlowNode } from '../helpers/red';
import { freshUserDir, helper, loadFlow, startRed, stopRed, unloadFlow } from '../helpers/red';
import type { ApiFamily } from '../../src/sandbox/types';
import { DEFAULT_CLIENT, startSandbox } from '../helpers/sandbox';
import type { FaultRule } from '../../src/sandbox/faults';
import { DEFAULT_POLL } from '../../src/zoho/crm/bulk';
import type { BadInput, Gen } from './bad-input';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMsg = Record<string, any>;

/** Books' default organization in the sandbox. */
export const ORG = '10234695';

export interface Entry {
  type: string;
  outs: AnyMsg[];
  errors: AnyMsg[];
  /** One element per done() call: the error, or undefined. */
  dones: unknown[];
  /** Statuses the node showed while this message was its latest. */
  statuses: AnyMsg[];
}

export interface Outcome extends Entry {
  /** Requests the sandbox saw while the message ran. */
  requests: Sandbox['requests'];
}

// What the rig runs: one entry per flow node, filled in by node-cases.ts.
export interface Prepared {
  msg: AnyMsg;
  /** What a write changes, read from the sandbox's store (e.g. records in a module). */
  effect?: () => number;
  /** The change of `effect` when the write is applied once. */
  delta?: number;
}

export interface OperationCase {
  name: string;
  /** The API request of this operation, where faults are aimed. */
  match: NonNullable<FaultRule['match']>;
  /** Seeds the store and builds a valid message. */
  prepare(rig: Rig): Prepared;
}

export interface NodeCase {
  /** The node's type, or the case's own name when several cases share one type (nodeType). */
  type: string;
  /**
   * The node's type when it differs from `type`: one node per case, for settings only the
   * editor holds (crm-bulk's operation), so each case gets a node of its own.
   */
  nodeType?: string;
  /** Editor properties of the node under test. */
  props: Record<string, unknown>;
  /**
   * What every message of this node carries unless it sets its own: the targets (module,
   * record type, organization) the node leaves to msg, so the generated inputs can vary them.
   */
  msgDefaults?: Record<string, unknown>;
  operations: OperationCase[];
  /** At least `n` generated bad inputs. */
  badInputs(g: Gen, n: number): BadInput[];
}

export const nodeId = (type: string): string => `n_${type.replace(/[^a-z0-9]/gi, '_')}`;

let sequence = 0;

export class Rig {
  sandbox!: Sandbox;
  crm!: CrmFamily;
  books!: BooksFamily;
  readonly ledger = new Map<string, Entry>();
  /** Outputs and errors whose _msgid no message of ours had (a stray node.error, …). */
  orphans: AnyMsg[] = [];
  unhandled: unknown[] = [];
  /** The refresh token of the loaded zoho-config. */
  refreshToken = '';
  private cases: NodeCase[] = [];
  private waiters = new Map<string, () => void>();
  private latest = new Map<string, Entry>();
  private readonly onUnhandled = (reason: unknown): void => {
    this.unhandled.push(reason);
  };

  /**
   * Call inside a describe: sandbox and Node-RED for the suite. `settings` are Node-RED's
   * (adminAuth, logging); `families` are more sandbox API families.
   */
  static use(
    options: { settings?: Record<string, unknown>; families?: () => ApiFamily[] } = {},
  ): Rig {
    const rig = new Rig();
    const zohoPoll = { ...DEFAULT_POLL };
    before(async () => {
      // Zoho's bulk jobs take minutes, so the pack first looks at one after 5 s; the sandbox's
      // take 10 ms. The editor has no poll box: the rig shortens the waits the library takes,
      // so a bulk message costs milliseconds, not seconds, in every suite.
      Object.assign(DEFAULT_POLL, { firstMs: 20, maxMs: 200 });
      rig.crm = crmFamily({ bulkRead: { delayMs: 10 }, bulkWrite: { delayMs: 10 } });
      // No per-minute or daily Books limit: long runs would meet them; tests that want one set it.
      rig.books = booksFamily({ rateLimit: { limit: 0, windowMs: 60_000 }, dailyLimit: 0 });
      rig.sandbox = await startSandbox(
        { creditLimit: 0, tokenRateLimit: { max: 1_000_000, windowMs: 600_000 } },
        [accountsFamily(), rig.crm, rig.books, ...(options.families?.() ?? [])],
      );
      process.on('unhandledRejection', rig.onUnhandled);
      await startRed(options.settings);
    });
    after(async () => {
      process.off('unhandledRejection', rig.onUnhandled);
      await stopRed();
      await rig.sandbox?.stop();
      Object.assign(DEFAULT_POLL, zohoPoll);
    });
    return rig;
  }

  /** Loads config c1 (extra properties from `config`) and one node per case. */
  async load(
    cases: NodeCase[],
    config: Record<string, unknown> = {},
    client: { clientId: string; clientSecret: string } = DEFAULT_CLIENT,
  ): Promise<void> {
    await unloadFlow();
    freshUserDir();
    this.cases = cases;
    const refreshToken = this.sandbox.accounts.issueRefreshToken({
      clientId: client.clientId,
      scope:
        'ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.coql.READ,ZohoCRM.bulk.ALL,ZohoCRM.org.READ,ZohoFiles.files.ALL,ZohoBooks.fullaccess.all',
    });
    this.refreshToken = refreshToken;
    const ids = cases.map((c) => nodeId(c.type));
    const flow: FlowNode[] = [
      { id: 'f1', type: 'tab' },
      {
        id: 'c1',
        type: 'zoho-config',
        region: 'custom',
        accountsUrl: this.sandbox.url,
        maxConcurrency: '5',
        ...config,
      },
      ...cases.map((c) => ({
        id: nodeId(c.type),
        type: c.nodeType ?? c.type,
        z: 'f1',
        config: 'c1',
        wires: [['out']],
        ...c.props,
      })),
      { id: 'out', type: 'helper', z: 'f1' },
      { id: 'ct1', type: 'catch', z: 'f1', scope: ids, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' },
    ];
    await loadFlow(flow, {
      c1: { clientId: client.clientId, clientSecret: client.clientSecret, refreshToken },
    });
    this.track();
    this.sandbox.clearRequests();
  }

  async unload(): Promise<void> {
    await unloadFlow();
  }

  private track(): void {
    const entryOf = (m: AnyMsg): Entry | undefined => this.ledger.get(String(m?._msgid));
    helper.getNode('out').on('input', (m: AnyMsg) => {
      const e = entryOf(m);
      if (e) e.outs.push(m);
      else this.orphans.push(m);
    });
    helper.getNode('caught').on('input', (m: AnyMsg) => {
      const e = entryOf(m);
      if (e) e.errors.push(m);
      else this.orphans.push(m);
    });
    for (const c of this.cases) {
      const node = helper.getNode(nodeId(c.type));
      const original = node._complete.bind(node);
      node._complete = (msg: AnyMsg, error: unknown) => {
        const id = String(msg?._msgid);
        const e = this.ledger.get(id);
        if (e) e.dones.push(error);
        // Let the error reach the Catch node before anyone looks.
        original(msg, error);
        const wake = this.waiters.get(id);
        if (wake) setImmediate(wake);
      };
      node.on('call:status', (call: { args: unknown[] }) => {
        this.latest.get(c.type)?.statuses.push(call.args[0] as AnyMsg);
      });
    }
  }

  /** Hands a message to the node of `type` without waiting; returns its ledger entry. */
  send(type: string, msg: AnyMsg): Entry {
    const id = `r${++sequence}`;
    const entry: Entry = { type, outs: [], errors: [], dones: [], statuses: [] };
    this.ledger.set(id, entry);
    this.latest.set(type, entry);
    const defaults = this.cases.find((c) => c.type === type)?.msgDefaults;
    helper.getNode(nodeId(type)).receive({ ...defaults, ...msg, _msgid: id });
    return entry;
  }

  /** One message: waits for its done() (then `settleMs` for anything late). */
  async exec(
    type: string,
    msg: AnyMsg,
    options: { settleMs?: number; timeoutMs?: number } = {},
  ): Promise<Outcome> {
    const from = this.sandbox.requests.length;
    const id = `r${sequence + 1}`;
    const finished = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new Error(`${type}: no done() within ${options.timeoutMs ?? 20_000} ms`));
      }, options.timeoutMs ?? 20_000);
      this.waiters.set(id, () => {
        clearTimeout(timer);
        this.waiters.delete(id);
        resolve();
      });
    });
    const entry = this.send(type, msg);
    await finished;
    await new Promise((r) => setTimeout(r, options.settleMs ?? 20));
    this.ledger.delete(id);
    return { ...entry, requests: this.sandbox.requests.slice(from) };
  }

  /**
   * Forgets what the test helper's spies on every Node method recorded (each call and its
   * message): in a long run that record, not the pack, would be the memory that grows.
   */
  forgetSpyHistory(): void {
    (helper as unknown as { _sandbox: { resetHistory(): void } })._sandbox.resetHistory();
  }

  /** The zoho-config's connection (created on first use). */
  connection(): ZohoConnection {
    return (helper.getNode('c1') as unknown as { getConnection(): ZohoConnection }).getConnection();
  }

  /**
   * Gives the connection a short timeout. The editor has no timeout box (zoho-raw has one per
   * call), so the test sets the one the library takes, to meet "slow past the timeout" in
   * milliseconds instead of the 30 s default.
   */
  setTimeoutMs(ms: number): void {
    const http = this.connection().http as unknown as { options: { timeoutMs?: number } };
    http.options.timeoutMs = ms;
  }

  caseOf(type: string): NodeCase {
    const found = this.cases.find((c) => c.type === type);
    if (!found) throw new Error(`no case for ${type}`);
    return found;
  }
}

/** "Exactly one output or exactly one catchable error, done once", as a reason or undefined. */
export function contractBreach(e: Entry): string | undefined {
  if (e.dones.length !== 1) return `done() called ${e.dones.length} times`;
  const failed = e.dones[0] !== undefined;
  // A write with some failed records sends its per-record results and raises the error too.
  const partial = failed && e.outs.length === 1 && e.outs[0]?.error?.details?.failed;
  if (failed && e.errors.length !== 1) return `done(err) but ${e.errors.length} caught errors`;
  if (failed && e.outs.length !== 0 && !partial) return `done(err) but ${e.outs.length} outputs`;
  if (!failed && e.outs.length !== 1) return `done() but ${e.outs.length} outputs`;
  if (!failed && e.errors.length !== 0) return `done() but ${e.errors.length} caught errors`;
  return undefined;
}

/** Codes that say nothing a user can act on. */
const VAGUE_CODES = new Set(['ERROR', 'UNKNOWN', 'UNKNOWN_ERROR', '']);

/** Whether a failed message carries a clear error: a specific code and a message. */
export function clearError(e: Entry): boolean {
  const caught = e.errors[0];
  const shape = caught?._error ?? caught?.error;
  if (!shape) return false;
  const code = String(caught.error?.code ?? shape.code ?? '');
  const message = String(caught.error?.message ?? '');
  return !VAGUE_CODES.has(code) && message.length >= 10;
}
