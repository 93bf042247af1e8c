/**
 * What the change-trigger nodes (crm-watch-in, books-watch-in) share around their watch: the
 * connection looked up, a start once the whole flow runs (so a Catch node of this flow sees an
 * error on deploy), a failure shown in the status and raised as a catchable error, and a close
 * that stops the watch and waits for it before telling Node-RED it is done.
 */
import type { Node, NodeAPI } from 'node-red';
import { ZohoError } from '../../zoho/core/errors';
import { ZohoConfigNode, isZohoConfigNode } from './config-node';
import { FlowError, errorShape, errorTexts } from './errors';
import { onFlowsStarted } from './flows-started';
import { NodeSet, Translate, translator } from './i18n';
import { StatusReporter } from './status';

/** How long a watch waits for 'flows:started' (a node added by a partial deploy gets none). */
const START_FALLBACK_MS = 2000;

export interface WatchParts {
  config: ZohoConfigNode;
  status: StatusReporter;
  t: Translate;
  /** Aborted as the node closes. */
  signal: AbortSignal;
  /** True once the node began to close: after an await, start nothing if it is. */
  closing(): boolean;
}

/** A running watch's stop: resolves once nothing of it is left running. */
export type StopWatch = () => Promise<void>;

/** Starts the watch; resolves with its stop, or undefined when it did not start. */
export type StartWatch = (parts: WatchParts) => Promise<StopWatch | undefined>;

export function runWatchNode(
  RED: NodeAPI,
  node: Node,
  def: { config?: string },
  texts: { set: NodeSet; params: readonly string[] },
  start: StartWatch,
): void {
  const t = translator(RED, texts.set);
  const controller = new AbortController();
  let stop: StopWatch | undefined;
  let closing = false;

  const found = def.config ? RED.nodes.getNode(def.config) : null;
  const config = isZohoConfigNode(found) ? found : undefined;
  const status = new StatusReporter(RED, node, config);
  const fail = (err: unknown): void => {
    const shape = errorShape(
      err,
      config?.secrets() ?? [],
      errorTexts(RED, texts.set, texts.params),
    );
    status.failed(shape);
    node.error(new FlowError(shape), { error: shape });
  };
  const startWatch = async (): Promise<void> => {
    if (!config) {
      throw new ZohoError({ code: 'NO_CONNECTION', kind: 'config', message: 'No Zoho connection' });
    }
    const parts = { config, status, t, signal: controller.signal, closing: () => closing };
    stop = await start(parts);
  };

  let timer: NodeJS.Timeout | undefined;
  const begin = (): void => {
    unwait();
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!closing) startWatch().catch(fail);
  };
  const unwait = onFlowsStarted(RED, begin);
  timer = setTimeout(begin, START_FALLBACK_MS);

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
