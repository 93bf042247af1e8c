/**
 * Poll mode: a ChangePoller (src/zoho/crm/change-poller.ts) with its checkpoint in the node's
 * context, so a redeploy or a restart (with a persistent context store) neither repeats nor
 * loses a change; one message per batch, the poll's state in the node's status.
 */
import type { Node } from 'node-red';
import {
  ChangePoller,
  Checkpoint,
  CheckpointStore,
  PollerState,
} from '../../zoho/crm/change-poller';
import { WatchContext, clockTime } from './common';

export const CHECKPOINT_KEY = 'zohoWatchCheckpoint';

export interface PollOptions {
  intervalMs: number;
  emitExisting: boolean;
}

/** The checkpoint in the node's context (its default store: memory, or a file if configured). */
export function contextCheckpoints(node: Node): CheckpointStore {
  const context = node.context();
  return {
    load: () =>
      new Promise((resolve, reject) =>
        context.get(CHECKPOINT_KEY, (err: Error | undefined, value: unknown) =>
          err ? reject(err) : resolve(value as Checkpoint | undefined),
        ),
      ),
    save: (checkpoint) =>
      new Promise((resolve, reject) =>
        context.set(CHECKPOINT_KEY, checkpoint, (err?: Error) => (err ? reject(err) : resolve())),
      ),
  };
}

export function startPoll(ctx: WatchContext, options: PollOptions): () => Promise<void> {
  const { settings, t } = ctx;
  const local = contextCheckpoints(ctx.node);
  // With shared state, one instance of the fleet polls and the checkpoint lives in Redis.
  const fleet = ctx.config.sharedPoll?.(ctx.node.id, options.intervalMs, local);
  const poller = new ChangePoller(
    {
      connection: () => ctx.config.getConnection(),
      modules: settings.modules,
      events: settings.events,
      intervalMs: options.intervalMs,
      emitExisting: options.emitExisting,
      fetchRecords: settings.fetchRecords,
      watchFields: settings.watchFields,
      store: fleet ?? local,
      lease: fleet,
    },
    {
      changes: ({ module, operation, ids, serverTime, records, changed }) =>
        ctx.emit({
          module,
          operation,
          ids,
          source: 'poll',
          serverTime,
          ...(records && { records }),
          ...(changed && { changed }),
        }),
      state: (s: PollerState) => {
        if (s.state === 'first-read') ctx.status.requesting(t('status.firstRead'));
        if (s.state === 'standby') ctx.status.done(t('status.standby', { time: clockTime(s.at) }));
        if (s.state !== 'polled') return;
        const time = clockTime(s.at);
        const count = s.changes;
        ctx.status.done(
          count ? t('status.polledChanges', { time, count }) : t('status.polled', { time }),
        );
      },
      error: (err) => ctx.fail(err, { modules: settings.modules }),
    },
  );
  poller.start();
  return () => poller.stop();
}
