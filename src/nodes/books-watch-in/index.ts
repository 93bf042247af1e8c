/**
 * books-watch-in: starts flows when Zoho Books records are created or updated, or change
 * status, by polling each chosen entity's list (books/change-poller.ts) with the checkpoint in
 * the node's context (a restart with a persistent context store neither repeats nor loses a
 * change) or, when the connection shares state through Redis, one poller per node across the
 * fleet. One message per change; errors go to node.error so Catch nodes see them.
 */
import type { Node, NodeAPI } from 'node-red';
import * as books from '../../zoho/books/index';
import { clockTime } from '../crm-watch-in/common';
import { ZohoConfigNode } from '../runtime/config-node';
import { FlowError, errorShape, errorTexts } from '../runtime/errors';
import { Translate } from '../runtime/i18n';
import { StatusReporter } from '../runtime/status';
import { runWatchNode } from '../runtime/watch-node';
import { BOOKS_WATCH_PARAMS, BooksWatchDef, BooksWatchSettings, settingsOf } from './settings';

const CHECKPOINT_KEY = 'zohoBooksWatchCheckpoint';

/** The checkpoint in the node's context (its default store: memory, or a file if configured). */
function contextCheckpoints(node: Node): books.BooksCheckpointStore {
  const context = node.context();
  return {
    load: () =>
      new Promise((resolve, reject) =>
        context.get(CHECKPOINT_KEY, (err: Error | undefined, value: unknown) =>
          err ? reject(err) : resolve(value as books.BooksCheckpoint | undefined),
        ),
      ),
    save: (checkpoint) =>
      new Promise((resolve, reject) =>
        context.set(CHECKPOINT_KEY, checkpoint, (err?: Error) => (err ? reject(err) : resolve())),
      ),
  };
}

function messageOf(change: books.BooksChange): Record<string, unknown> {
  return {
    topic: `${change.entity}.${change.event}`,
    payload: change.record,
    event: change.event,
    entity: change.entity,
    id: change.id,
    ...(change.changes && { changes: change.changes }),
  };
}

function startPoll(
  RED: NodeAPI,
  node: Node,
  config: ZohoConfigNode,
  settings: BooksWatchSettings,
  status: StatusReporter,
  t: Translate,
): () => Promise<void> {
  const texts = errorTexts(RED, 'books-watch-in', BOOKS_WATCH_PARAMS);
  const shapeOf = (err: unknown) => errorShape(err, config.secrets(), texts);
  const local = contextCheckpoints(node);
  // With shared state (Redis), one instance of the fleet polls and the checkpoint lives in
  // Redis (runtime/shared-state/poll.ts keeps any { version: 1, modules } checkpoint).
  const fleet = config.sharedPoll?.(node.id, settings.intervalMs, local);
  let skipped = false;
  const poller = new books.BooksChangePoller(
    {
      connection: () => config.getConnection(),
      entities: settings.entities,
      events: settings.events,
      intervalMs: settings.intervalMs,
      emitExisting: settings.emitExisting,
      organizationId: settings.organizationId,
      defaultOrganizationId: config.organizationId || undefined,
      rateLimit: settings.rateLimit,
      store: fleet ?? local,
      lease: fleet,
    },
    {
      change: (change) => node.send(messageOf(change)),
      state: (s) => {
        if (s.state === 'first-read') status.requesting(t('status.firstRead'));
        if (s.state === 'standby') status.done(t('status.standby', { time: clockTime(s.at) }));
        if (s.state !== 'polled') return;
        const time = clockTime(s.at);
        const count = s.changes;
        // A poll that skipped changes stays yellow until the next poll, which read everything.
        if (skipped) {
          skipped = false;
          return status.warn(t('status.skipped', { time, count }));
        }
        status.done(
          count ? t('status.polledChanges', { time, count }) : t('status.polled', { time }),
        );
      },
      error: (err) => {
        const shape = shapeOf(err);
        status.failed(shape);
        node.error(new FlowError(shape), {
          payload: { entities: settings.entities },
          error: shape,
        });
      },
      warning: (err) => {
        skipped = true;
        node.warn(shapeOf(err).message);
      },
    },
  );
  poller.start();
  return () => poller.stop();
}

function setup(RED: NodeAPI, node: Node, def: BooksWatchDef): void {
  const texts = { set: 'books-watch-in', params: BOOKS_WATCH_PARAMS } as const;
  runWatchNode(RED, node, def, texts, ({ config, status, t }) =>
    Promise.resolve(startPoll(RED, node, config, settingsOf(def, t), status, t)),
  );
}

export = function (RED: NodeAPI): void {
  function BooksWatchIn(this: Node, def: BooksWatchDef): void {
    RED.nodes.createNode(this, def);
    setup(RED, this, def);
  }

  RED.nodes.registerType('books-watch-in', BooksWatchIn);
};
