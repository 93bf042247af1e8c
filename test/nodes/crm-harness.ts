/**
 * Shared harness of the CRM flow-node tests: a sandbox with a CRM family whose store the test
 * can seed, a flow (config + node under test + output/catch/complete helpers), and `exec`,
 * which injects a message and waits until the node has called done() and checks that every
 * status and error text it showed is translated.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as sinon from 'sinon';
import { accountsFamily } from '../../src/sandbox/accounts';
import { crmFamily, type CrmFamily, type CrmFamilyOptions } from '../../src/sandbox/crm/index';
import type { RecordedRequest } from '../../src/sandbox/types';
import {
  FlowNode,
  freshUserDir,
  helper,
  loadFlow,
  startRed,
  stopRed,
  unloadFlow,
} from '../helpers/red';
import { DEFAULT_CLIENT, SandboxFixture, issueTokens, useSandbox } from '../helpers/sandbox';
import { assertTranslated, textsOf } from './texts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMsg = Record<string, any>;

export interface Harness {
  readonly sb: SandboxFixture;
  readonly crm: CrmFamily;
  /** Requests to the CRM API (token requests left out). */
  crmRequests(): RecordedRequest[];
  /** Loads config + node n1 (+ extra nodes); n1's first output goes to `out` unless wired. */
  load(
    node: Record<string, unknown>,
    extra?: FlowNode[],
    creds?: Record<string, unknown>,
    /** More settings of the zoho-config node c1. */
    config?: Record<string, unknown>,
  ): Promise<void>;
  exec(msg: AnyMsg, options?: { settleMs?: number; timeoutMs?: number }): Promise<Outcome>;
  refreshToken(): string;
  /** Loads examples/<name>.json as Node-RED imports it: comments dropped, debug -> helper. */
  loadExample(name: string): Promise<FlowNode[]>;
}

export interface Outcome {
  out: AnyMsg[];
  caught: AnyMsg[];
  completed: AnyMsg[];
  /** Calls of done() for this message: [error or undefined]. */
  dones: unknown[];
  statuses: AnyMsg[];
}

/** `timeZoneOffsetMinutes`: the emulated org's time zone (UTC by default); `options`: more. */
export function crmHarness(
  type: string,
  timeZoneOffsetMinutes = 0,
  options: CrmFamilyOptions = {},
): Harness {
  let crm: CrmFamily | undefined;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    crm = crmFamily({ ...options, timeZoneOffsetMinutes });
    return [accountsFamily(), crm];
  });
  let refresh = '';

  before(() => startRed());
  beforeEach(() => {
    freshUserDir();
    crm?.store.clear();
  });
  afterEach(async () => {
    sinon.restore();
    await unloadFlow();
  });
  after(() => stopRed());

  const harness: Harness = {
    sb,
    get crm(): CrmFamily {
      if (!crm) throw new Error('no CRM family yet');
      return crm;
    },
    crmRequests: () => sb.sandbox.requests.filter((r) => r.path.startsWith('/crm/')),
    refreshToken: () => refresh,
    async load(node, extra = [], creds, config = {}) {
      refresh = issueTokens(sb.sandbox).refreshToken;
      const flow: FlowNode[] = [
        { id: 'f1', type: 'tab' },
        {
          id: 'c1',
          type: 'zoho-config',
          region: 'custom',
          accountsUrl: sb.url,
          maxConcurrency: '5',
          ...config,
        },
        { id: 'n1', type, z: 'f1', config: 'c1', wires: [['out']], ...node },
        { id: 'out', type: 'helper', z: 'f1' },
        { id: 'ct1', type: 'catch', z: 'f1', scope: ['n1'], wires: [['caught']] },
        { id: 'caught', type: 'helper', z: 'f1' },
        { id: 'cp1', type: 'complete', z: 'f1', scope: ['n1'], wires: [['completed']] },
        { id: 'completed', type: 'helper', z: 'f1' },
        ...extra,
      ];
      await loadFlow(flow, {
        c1: creds ?? {
          clientId: DEFAULT_CLIENT.clientId,
          clientSecret: DEFAULT_CLIENT.clientSecret,
          refreshToken: refresh,
        },
      });
      sb.sandbox.clearRequests();
    },
    async loadExample(name) {
      refresh = issueTokens(sb.sandbox).refreshToken;
      const file = path.join(__dirname, '..', '..', '..', 'examples', `${name}.json`);
      const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as FlowNode[];
      const creds: Record<string, Record<string, unknown>> = {};
      const flow: FlowNode[] = [{ id: 'f1', type: 'tab' }];
      for (const n of raw) {
        if (n.type === 'comment') continue;
        if (n.type === 'zoho-config') {
          flow.push({ ...n, accountsUrl: sb.url });
          creds[n.id] = {
            clientId: DEFAULT_CLIENT.clientId,
            clientSecret: DEFAULT_CLIENT.clientSecret,
            refreshToken: refresh,
          };
        } else if (n.type === 'debug') flow.push({ id: n.id, type: 'helper', z: 'f1' });
        else flow.push({ ...n, z: 'f1' });
      }
      await loadFlow(flow, creds);
      return raw;
    },
    async exec(msg, options = {}) {
      const outcome: Outcome = { out: [], caught: [], completed: [], dones: [], statuses: [] };
      const n1 = helper.getNode('n1');
      helper.getNode('out').on('input', (m: AnyMsg) => outcome.out.push(m));
      helper.getNode('caught').on('input', (m: AnyMsg) => outcome.caught.push(m));
      helper.getNode('completed').on('input', (m: AnyMsg) => outcome.completed.push(m));
      const complete = sinon.spy(n1, '_complete');
      const onStatus = (call: { args: unknown[] }) => outcome.statuses.push(call.args[0] as AnyMsg);
      n1.on('call:status', onStatus);
      n1.receive(msg);
      const deadline = Date.now() + (options.timeoutMs ?? 15000);
      while (complete.callCount === 0) {
        if (Date.now() > deadline) throw new Error('the node never called done()');
        await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setTimeout(r, options.settleMs ?? 60));
      outcome.dones = complete.getCalls().map((c) => c.args[1]);
      helper.getNode('out').removeAllListeners('input');
      helper.getNode('caught').removeAllListeners('input');
      helper.getNode('completed').removeAllListeners('input');
      complete.restore();
      n1.removeListener('call:status', onStatus);
      assertTranslated(textsOf(outcome));
      return outcome;
    },
  };
  return harness;
}

/** A create of `count` records under way, each call slowed by `delayMs`: what the node reports. */
export interface SlowCreate {
  complete: sinon.SinonSpy;
  warnings: unknown[];
}

/** Loads a create node and sends it `count` records, each call of 100 taking `delayMs`. */
export async function startSlowCreate(
  h: Harness,
  count: number,
  delayMs: number,
): Promise<SlowCreate> {
  await h.load({ operation: 'create', module: 'Leads' });
  h.sb.sandbox.faults.inject({
    kind: 'slow',
    delayMs,
    times: Infinity,
    match: { method: 'POST', path: '/crm/v8/Leads' },
  });
  const n1 = helper.getNode('n1');
  const complete = sinon.spy(n1, '_complete');
  // The helper's spies are restored before the flow stops: keep this node's warnings here.
  const warnings: unknown[] = [];
  n1.warn = (text: unknown) => warnings.push(text);
  n1.receive({ payload: Array.from({ length: count }, (_, i) => ({ Last_Name: `R${i}` })) });
  return { complete, warnings };
}
