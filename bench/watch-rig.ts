/**
 * The rig both watch benches share: the sandbox with one API family, a real Node-RED (test
 * helper) with a watch node wired to a helper node, the messages it sent and the statuses it
 * showed, and a close that shuts Node-RED down as a restart would.
 */
import { accountsFamily } from '../src/sandbox/accounts';
import { Sandbox } from '../src/sandbox/server';
import type { ApiFamily } from '../src/sandbox/types';
import {
  FlowNode,
  freshUserDir,
  helper,
  loadFlow,
  persistentContext,
  shutdownRed,
  startRed,
  stopRed,
} from '../test/helpers/red';
import { DEFAULT_CLIENT, issueTokens } from '../test/helpers/sandbox';

export type Msg = Record<string, unknown>;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `ok()` holds, checking every `stepMs`; false when `ms` passed first. */
export async function until(ok: () => boolean, ms: number, stepMs = 2): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) return false;
    await sleep(stepMs);
  }
  return true;
}

export interface WatchRig<M = Msg> {
  sb: Sandbox;
  /** What the watch node sent, in order. */
  out: M[];
  /** The statuses the watch node showed, in order. */
  statuses: Msg[];
  /** Deploys connection c1 + the watch node n1 (its properties) wired to a helper, + extra. */
  load(node: Record<string, unknown>, extra?: FlowNode[]): Promise<void>;
  close(): Promise<void>;
}

export async function watchRig<M = Msg>(
  type: 'crm-watch-in' | 'books-watch-in',
  family: ApiFamily,
): Promise<WatchRig<M>> {
  const sb = new Sandbox({ creditLimit: 0, tokenLifetimeSec: 86400 }, [accountsFamily(), family]);
  await sb.start();
  await startRed();
  freshUserDir();
  const r: WatchRig<M> = {
    sb,
    out: [],
    statuses: [],
    async load(node, extra = []) {
      const refreshToken = issueTokens(sb).refreshToken;
      const flow: FlowNode[] = [
        { id: 'f1', type: 'tab' },
        { id: 'c1', type: 'zoho-config', region: 'custom', accountsUrl: sb.url },
        { id: 'n1', type, z: 'f1', config: 'c1', wires: [['out']], ...node },
        { id: 'out', type: 'helper', z: 'f1' },
        ...extra,
      ];
      await loadFlow(flow, {
        c1: {
          clientId: DEFAULT_CLIENT.clientId,
          clientSecret: DEFAULT_CLIENT.clientSecret,
          refreshToken,
        },
      });
      helper.getNode('out').on('input', (m: M) => r.out.push(m));
      helper.getNode('n1').on('call:status', (c: { args: Msg[] }) => r.statuses.push(c.args[0]));
    },
    async close() {
      await shutdownRed().catch(() => undefined);
      await persistentContext(false);
      await stopRed();
      await sb.stop();
    },
  };
  return r;
}
