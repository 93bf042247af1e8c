/**
 * crm-watch-in: starts flows when CRM records change. Webhook mode keeps a Zoho notification
 * channel alive and serves its endpoint on Node-RED's HTTP node server; poll mode reads the
 * changes every interval for machines Zoho cannot reach. Both send one message per batch of
 * changed records; errors go to node.error so Catch nodes see them.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import type { ChangeOperation } from '../../zoho/crm/notifications';
import { checkNotifyUrl } from '../../zoho/crm/notifications';
import { invalidInput } from '../../zoho/core/errors';
import { checkModule } from '../../zoho/crm/validate';
import { isZohoConfigNode } from '../runtime/config-node';
import { FlowError, errorShape } from '../runtime/errors';
import { evaluate, flag, text } from '../runtime/props';
import { WatchSettings, makeContext } from './common';
import { startPoll } from './poll';
import { notifyUrl } from './route';
import { startWebhook } from './webhook';

interface WatchDef extends NodeDef {
  config?: string;
  mode?: string;
  modules?: string;
  onCreate?: boolean;
  onEdit?: boolean;
  onDelete?: boolean;
  publicUrl?: string;
  publicUrlType?: string;
  returnAffectedFieldValues?: boolean;
  fetchRecords?: boolean;
  interval?: string | number;
  emitExisting?: boolean;
}

function settingsOf(def: WatchDef): WatchSettings {
  const modules = [
    ...new Set(
      String(def.modules ?? '')
        .split(',')
        .map((m) => m.trim())
        .filter((m) => m !== ''),
    ),
  ];
  if (modules.length === 0) throw invalidInput('Pick at least one module to watch');
  modules.forEach((m) => checkModule(m));
  const events: ChangeOperation[] = [];
  if (flag(def.onCreate)) events.push('create');
  if (flag(def.onEdit)) events.push('edit');
  if (flag(def.onDelete)) events.push('delete');
  if (events.length === 0) throw invalidInput('Pick at least one event: create, edit or delete');
  return {
    modules,
    events,
    fetchRecords: flag(def.fetchRecords),
    returnAffectedFieldValues: flag(def.returnAffectedFieldValues),
  };
}

function intervalMs(value: unknown): number {
  const seconds = Number(text(value) ?? 60);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw invalidInput(
      `The poll interval must be a number of seconds above 0, not "${String(value)}"`,
    );
  return Math.round(seconds * 1000);
}

/** One 'flows:started' listener per runtime, however many watch nodes wait on it. */
const waiting = new WeakMap<object, Set<() => void>>();
function onFlowsStarted(RED: NodeAPI, fn: () => void): () => void {
  let set = waiting.get(RED.events);
  if (!set) {
    const fresh = new Set<() => void>();
    set = fresh;
    waiting.set(RED.events, fresh);
    RED.events.on('flows:started', () => [...fresh].forEach((f) => f()));
  }
  set.add(fn);
  const own = set;
  return () => own.delete(fn);
}

function setup(RED: NodeAPI, node: Node, def: WatchDef): void {
  const controller = new AbortController();
  let stop: (() => Promise<void>) | undefined;
  let closing = false;

  const found = def.config ? RED.nodes.getNode(def.config) : null;
  const fail = (err: unknown): void => {
    const shape = errorShape(err, isZohoConfigNode(found) ? found.secrets() : []);
    node.status({ fill: 'red', shape: 'ring', text: shape.message.slice(0, 60) });
    node.error(new FlowError(shape), { error: shape } as never);
  };

  const start = async (): Promise<void> => {
    if (!isZohoConfigNode(found)) {
      throw invalidInput('No Zoho connection: pick a zoho-config node in this node and deploy');
    }
    const ctx = makeContext(RED, node, found, settingsOf(def), controller.signal);
    if (def.mode === 'poll') {
      stop = startPoll(ctx, {
        intervalMs: intervalMs(def.interval),
        emitExisting: flag(def.emitExisting),
      });
      return;
    }
    const base = await evaluate(
      RED,
      node,
      { value: def.publicUrl, type: def.publicUrlType || 'str' },
      {},
      'publicUrl',
    );
    if (base === undefined || base === '') {
      throw invalidInput(
        'Webhook mode needs the public URL Zoho can reach this Node-RED at (or use poll mode)',
      );
    }
    const url = notifyUrl(checkNotifyUrl(base), RED.settings.httpNodeRoot, node.id);
    if (closing) return;
    stop = startWebhook(ctx, url);
  };
  // Start once the whole flow runs, so a Catch node of this flow sees an error on deploy.
  let timer: NodeJS.Timeout | undefined;
  const begin = (): void => {
    unwait();
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!closing) start().catch(fail);
  };
  const unwait = onFlowsStarted(RED, begin);
  timer = setTimeout(begin, 2000);

  node.on('close', (_removed: boolean, done: () => void) => {
    closing = true;
    unwait();
    if (timer) clearTimeout(timer);
    controller.abort();
    const finished = stop ? stop() : Promise.resolve();
    finished.catch(() => undefined).finally(() => done());
  });
}

export = function (RED: NodeAPI): void {
  function CrmWatchIn(this: Node, def: WatchDef): void {
    RED.nodes.createNode(this, def);
    setup(RED, this, def);
  }

  RED.nodes.registerType('crm-watch-in', CrmWatchIn);
};
