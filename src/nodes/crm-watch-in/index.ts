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
import { FlowError, errorShape, errorTexts } from '../runtime/errors';
import { Translate, translator } from '../runtime/i18n';
import { evaluate, flag, text } from '../runtime/props';
import { StatusReporter } from '../runtime/status';
import { WATCH_PARAMS, WatchSettings, makeContext } from './common';
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

function settingsOf(def: WatchDef, t: Translate): WatchSettings {
  const modules = [
    ...new Set(
      String(def.modules ?? '')
        .split(',')
        .map((m) => m.trim())
        .filter((m) => m !== ''),
    ),
  ];
  if (modules.length === 0) throw invalidInput(t('errors.noModules'), 'modules');
  modules.forEach((m) => checkModule(m));
  const events: ChangeOperation[] = [];
  if (flag(def.onCreate)) events.push('create');
  if (flag(def.onEdit)) events.push('edit');
  if (flag(def.onDelete)) events.push('delete');
  if (events.length === 0) throw invalidInput(t('errors.noEvents'), 'events');
  return {
    modules,
    events,
    fetchRecords: flag(def.fetchRecords),
    returnAffectedFieldValues: flag(def.returnAffectedFieldValues),
  };
}

function intervalMs(value: unknown, t: Translate): number {
  const seconds = Number(text(value) ?? 60);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw invalidInput(t('errors.badInterval', { value: String(value) }), 'interval');
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
  const t = translator(RED, 'crm-watch-in');
  const controller = new AbortController();
  let stop: (() => Promise<void>) | undefined;
  let closing = false;

  const found = def.config ? RED.nodes.getNode(def.config) : null;
  const config = isZohoConfigNode(found) ? found : undefined;
  const status = new StatusReporter(RED, node, config);
  const fail = (err: unknown): void => {
    const shape = errorShape(
      err,
      config?.secrets() ?? [],
      errorTexts(RED, 'crm-watch-in', WATCH_PARAMS),
    );
    status.failed(shape);
    node.error(new FlowError(shape), { error: shape } as never);
  };

  const start = async (): Promise<void> => {
    if (!config) throw invalidInput(t('errors.noConnection'), 'config');
    const settings = settingsOf(def, t);
    const ctx = makeContext(RED, node, config, settings, controller.signal, status, t);
    if (def.mode === 'poll') {
      stop = startPoll(ctx, {
        intervalMs: intervalMs(def.interval, t),
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
      throw invalidInput(t('errors.noPublicUrl'), 'publicUrl');
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
    status.close();
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
