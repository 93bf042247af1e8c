/**
 * Webhook mode: a channel kept alive by ChannelKeeper, and the endpoint Zoho POSTs to. The
 * endpoint answers at once (Zoho wants a quick 2xx), refuses a forged or missing token with 403
 * and no message, ignores other channels, and emits one message per callback, in order, with
 * the full records when fetchRecords is on.
 */
import { fetchRecordsByIds } from '../../zoho/crm/read';
import {
  EVENT_OF_OPERATION,
  ZohoNotification,
  channelIdFor,
  newChannelToken,
  parseNotification,
  tokenMatches,
  watchEvents,
  ChannelSpec,
} from '../../zoho/crm/notifications';
import { ChannelKeeper } from '../../zoho/crm/channel-keeper';
import { FleetChannelKeeper, FleetKeeperState } from '../../zoho/crm/channel-fleet';
import { chosenAmong } from '../../zoho/crm/watch-fields';
import { ChangePayload, WatchContext, clockTime, dayTime, fieldNames } from './common';
import { CallbackInbox, RETRY_AFTER_S } from './inbox';
import { Req, Res, addRoute, readJson, removeRoute, watchPath } from './route';

/** One Zoho notification as a message: the ids, and the full records when asked. */
function notificationHandler(ctx: WatchContext): (n: ZohoNotification) => Promise<void> {
  const { settings } = ctx;
  return async (n) => {
    const operation = EVENT_OF_OPERATION[n.operation];
    if (!settings.events.includes(operation) || !settings.modules.includes(n.module)) return;
    const payload: ChangePayload = {
      module: n.module,
      operation,
      ids: n.ids,
      source: 'webhook',
      serverTime: n.serverTime,
      affectedFields: n.affectedFields,
      channelId: n.channelId,
    };
    if (n.affectedValues) payload.affectedValues = n.affectedValues;
    const chosen = settings.watchFields[n.module];
    if (chosen && operation === 'edit') {
      // Zoho filters by the channel's condition already; this keeps the message to the records
      // and fields chosen whatever Zoho's reading of the condition.
      const kept = chosenEdits(n, chosen);
      if (kept.ids.length === 0) return;
      payload.ids = kept.ids;
      payload.changed = kept.changed;
    }
    try {
      if (settings.fetchRecords && operation !== 'delete') {
        const conn = ctx.config.getConnection();
        const fields = await fieldNames(conn, n.module);
        payload.records = await fetchRecordsByIds(conn, n.module, payload.ids, fields, ctx.signal);
      }
      ctx.emit(payload);
    } catch (err) {
      if (!ctx.signal.aborted) ctx.raise(err, payload);
    }
  };
}

/**
 * The records of an edit callback that touched chosen fields, with those fields' new values. A
 * record Zoho lists no affected fields for passed Zoho's condition unseen: it is kept, with every
 * chosen field (an edit sent rather than lost).
 */
function chosenEdits(
  n: ZohoNotification,
  chosen: string[],
): { ids: string[]; changed: Record<string, Record<string, unknown>> } {
  const ids: string[] = [];
  const changed: Record<string, Record<string, unknown>> = {};
  for (const id of n.ids) {
    const affected = n.affectedFields[id];
    const fields = affected ? chosenAmong(chosen, affected) : chosen;
    if (fields.length === 0) continue;
    ids.push(id);
    changed[id] = Object.fromEntries(fields.map((f) => [f, n.affectedValues?.[id]?.[f] ?? null]));
  }
  return { ids, changed };
}

/**
 * The callback endpoint: Zoho is answered at once; a wrong token gets 403 and nothing else;
 * another channel's callback is ignored; an exact replay is answered 200 and dropped; a full
 * queue answers 503 so Zoho sends it again later; a malformed one is a catchable error.
 */
function callbackRoute(
  ctx: WatchContext,
  channel: { channelId: string; accepts: (token: unknown) => boolean },
  inbox: CallbackInbox,
  onNotification: (n: ZohoNotification) => void,
): (req: Req, res: Res) => void {
  return (req, res) => {
    readJson(req).then(
      (body) => {
        const token = (body as { token?: unknown } | null)?.token;
        if (!channel.accepts(token)) {
          res.status(403).end();
          return;
        }
        const channelId = (body as { channel_id?: unknown }).channel_id;
        if (String(channelId) !== channel.channelId) return void res.status(200).end();
        const admission = inbox.admit(body);
        if (admission === 'full') {
          if (inbox.refused === 1) ctx.node.warn(ctx.t('warn.queueFull'));
          return void res.status(503).set('Retry-After', String(RETRY_AFTER_S)).end();
        }
        res.status(200).end();
        if (admission === 'replay') return;
        let n: ZohoNotification;
        try {
          n = parseNotification(body);
        } catch (err) {
          // The body as Zoho sent it, less the channel token: a secret has no place in a msg.
          const shown = { ...(body as Record<string, unknown>) };
          delete shown.token;
          ctx.raise(err, shown);
          return;
        }
        onNotification(n);
      },
      () => res.status(400).end(),
    );
  };
}

export function startWebhook(ctx: WatchContext, notifyUrl: string): () => Promise<void> {
  const { RED, node, settings } = ctx;
  const path = watchPath(node.id);
  const spec = {
    channelId: channelIdFor(node.id),
    events: watchEvents(settings.modules, settings.events),
    notifyUrl,
    token: newChannelToken(),
    // A field filter promises the new values of the chosen fields: Zoho sends them along.
    returnAffectedFieldValues:
      settings.returnAffectedFieldValues || Object.keys(settings.watchFields).length > 0,
    watchFields: settings.watchFields,
  };
  // With shared state, one instance of the fleet keeps the channel and all know its token.
  const share = ctx.config.sharedChannel?.(node.id);
  const keeper = share
    ? new FleetChannelKeeper(() => ctx.config.getConnection(), spec, share)
    : new ChannelKeeper(() => ctx.config.getConnection(), spec);
  const accepts = (token: unknown): boolean =>
    keeper instanceof FleetChannelKeeper ? keeper.accepts(token) : tokenMatches(spec.token, token);
  // Callbacks are handled one after another, so messages leave in the order Zoho sent them.
  const inbox = new CallbackInbox();
  const handle = notificationHandler(ctx);
  const channel = { channelId: spec.channelId, accepts };
  addRoute(
    RED,
    path,
    callbackRoute(ctx, channel, inbox, (n) => inbox.push(() => handle(n))),
  );
  keeper.on('state', (s: FleetKeeperState) => showState(ctx, spec, s));
  keeper.start();

  return async () => {
    removeRoute(RED, path);
    await keeper.stop(4000);
    await inbox.drained();
  };
}

/** The keeper's state as the node's status; a failure is raised for Catch nodes too. */
function showState(ctx: WatchContext, spec: ChannelSpec, s: FleetKeeperState): void {
  if (s.state === 'registering') ctx.status.requesting(ctx.t('status.registering'));
  else if (s.state === 'active')
    ctx.status.done(ctx.t('status.active', { time: dayTime(s.nextRenewal) }));
  else if (s.state === 'standby')
    ctx.status.done(ctx.t('status.channelStandby', { time: clockTime(s.checkedAt) }));
  else if (s.state === 'alone' && !s.up) ctx.status.warn(ctx.t('status.channelAlone'));
  else if (s.state === 'retrying') {
    const time = dayTime(s.retryAt);
    ctx.fail(s.error, { channelId: spec.channelId, notifyUrl: spec.notifyUrl }, ({ code }) =>
      ctx.t('status.channelError', { code, time }),
    );
  }
}
