/**
 * crm-watch-in: starts flows when CRM records change. Webhook mode keeps a Zoho notification
 * channel alive and serves its endpoint on Node-RED's HTTP node server; poll mode reads the
 * changes every interval for machines Zoho cannot reach. Both send one message per batch of
 * changed records; errors go to node.error so Catch nodes see them.
 */
import type { Node, NodeAPI } from 'node-red';
import { checkNotifyUrl } from '../../zoho/crm/notifications';
import { invalidInput } from '../../zoho/core/errors';
import { isZohoConfigNode } from '../runtime/config-node';
import { FlowError, errorShape, errorTexts } from '../runtime/errors';
import { Translate, translator } from '../runtime/i18n';
import { onFlowsStarted } from '../runtime/flows-started';
import { evaluate, flag } from '../runtime/props';
import { StatusReporter } from '../runtime/status';
import { WATCH_PARAMS, makeContext } from './common';
import { WatchDef, intervalMs, settingsOf } from './settings';
import { startPoll } from './poll';
import { notifyUrl } from './route';
import { startWebhook } from './webhook';

/** Where Zoho is to call: the public URL (a TypedInput) + httpNodeRoot + this node's path. */
async function webhookUrl(RED: NodeAPI, node: Node, def: WatchDef, t: Translate): Promise<string> {
  const typed = { value: def.publicUrl, type: def.publicUrlType || 'str' };
  const base = await evaluate(RED, node, typed, {}, 'publicUrl');
  if (base === undefined || base === '') throw invalidInput(t('errors.noPublicUrl'), 'publicUrl');
  return notifyUrl(checkNotifyUrl(base), RED.settings.httpNodeRoot, node.id);
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
    node.error(new FlowError(shape), { error: shape });
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
    const url = await webhookUrl(RED, node, def, t);
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
