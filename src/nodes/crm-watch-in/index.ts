/**
 * crm-watch-in: starts flows when CRM records change. Webhook mode keeps a Zoho notification
 * channel alive and serves its endpoint on Node-RED's HTTP node server; poll mode reads the
 * changes every interval for machines Zoho cannot reach. Both send one message per batch of
 * changed records; errors go to node.error so Catch nodes see them.
 */
import type { Node, NodeAPI } from 'node-red';
import { checkNotifyUrl } from '../../zoho/crm/notifications';
import { invalidInput } from '../../zoho/core/errors';
import { Translate } from '../runtime/i18n';
import { evaluate, flag } from '../runtime/props';
import { runWatchNode } from '../runtime/watch-node';
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
  runWatchNode(RED, node, def, { set: 'crm-watch-in', params: WATCH_PARAMS }, async (parts) => {
    const { config, status, t, signal } = parts;
    const settings = settingsOf(def, t);
    const ctx = makeContext(RED, node, config, settings, signal, status, t);
    if (def.mode === 'poll') {
      return startPoll(ctx, {
        intervalMs: intervalMs(def.interval, t),
        emitExisting: flag(def.emitExisting),
      });
    }
    const url = await webhookUrl(RED, node, def, t);
    return parts.closing() ? undefined : startWebhook(ctx, url);
  });
}

export = function (RED: NodeAPI): void {
  function CrmWatchIn(this: Node, def: WatchDef): void {
    RED.nodes.createNode(this, def);
    setup(RED, this, def);
  }

  RED.nodes.registerType('crm-watch-in', CrmWatchIn);
};
