/**
 * crm-watch-in and books-watch-in on the reliability rig. They are input nodes (changes in the
 * sandbox start their messages, no msg goes in), so they do not fit the message-driven
 * node-case table: this loads config c1 and any number of watch nodes, each wired to its own
 * output helper, with one Catch node for all of them, on the rig's sandbox and Node-RED runtime.
 */
import { freshUserDir, helper, loadFlow, unloadFlow } from '../helpers/red';
import type { FlowNode } from '../helpers/red';
import { DEFAULT_CLIENT, crmApi, issueTokens } from '../helpers/sandbox';
import { until as waitUntil } from '../helpers/wait';
import type { AnyMsg, Rig } from './rig';

export interface WatchNode {
  id: string;
  /** crm-watch-in unless set. */
  type?: 'crm-watch-in' | 'books-watch-in';
  props: Record<string, unknown>;
}

export interface WatchFlow {
  /** Messages sent by each watch node, by node id. */
  outs: Map<string, AnyMsg[]>;
  caught: AnyMsg[];
  statuses: Map<string, AnyMsg[]>;
}

export { booksWatchProps, pollProps, webhookProps } from '../helpers/watch';

export async function loadWatch(rig: Rig, nodes: WatchNode[]): Promise<WatchFlow> {
  await unloadFlow();
  freshUserDir();
  const refreshToken = rig.sandbox.accounts.issueRefreshToken({
    clientId: DEFAULT_CLIENT.clientId,
    scope:
      'ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.notifications.ALL,ZohoBooks.fullaccess.all',
  });
  rig.refreshToken = refreshToken;
  const flow: FlowNode[] = [
    { id: 'f1', type: 'tab' },
    {
      id: 'c1',
      type: 'zoho-config',
      region: 'custom',
      accountsUrl: rig.sandbox.url,
      maxConcurrency: '5',
    },
    ...nodes.flatMap((n): FlowNode[] => [
      {
        id: n.id,
        type: n.type ?? 'crm-watch-in',
        z: 'f1',
        config: 'c1',
        wires: [[`out_${n.id}`]],
        ...n.props,
      },
      { id: `out_${n.id}`, type: 'helper', z: 'f1' },
    ]),
    { id: 'ct1', type: 'catch', z: 'f1', scope: nodes.map((n) => n.id), wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'f1' },
  ];
  await loadFlow(flow, { c1: { ...DEFAULT_CLIENT, refreshToken } });
  const watch: WatchFlow = { outs: new Map(), caught: [], statuses: new Map() };
  for (const n of nodes) {
    const outs: AnyMsg[] = [];
    const statuses: AnyMsg[] = [];
    watch.outs.set(n.id, outs);
    watch.statuses.set(n.id, statuses);
    helper.getNode(`out_${n.id}`).on('input', (m: AnyMsg) => outs.push(m));
    helper
      .getNode(n.id)
      .on('call:status', (c: { args: unknown[] }) => statuses.push(c.args[0] as AnyMsg));
  }
  helper.getNode('caught').on('input', (m: AnyMsg) => watch.caught.push(m));
  return watch;
}

export { sleep } from '../helpers/wait';

/** Faults slow the watch flows down: wait up to 10 s by default. */
export const until = <T>(get: () => T | undefined | false, what: string, ms = 10_000): Promise<T> =>
  waitUntil(get, what, ms);

/** Record ids a node's messages carried, in order (a record twice = a duplicate). */
export const idsOf = (msgs: AnyMsg[]): string[] =>
  msgs.flatMap((m) => (m.payload?.ids ?? []) as string[]);

/** Creates Leads through the sandbox's API, so its Notifications API sees them. */
export function createLeads(rig: Rig, n: number, tag: string): Promise<string[]> {
  const { accessToken } = issueTokens(rig.sandbox, 'ZohoCRM.modules.ALL');
  return crmApi(rig.sandbox.url, accessToken).createLeads(n, tag);
}
