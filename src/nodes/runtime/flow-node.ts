/**
 * The input plumbing every Zoho flow node shares: the connection per message, msg/editor
 * property resolution, a status that tells the truth, exactly one done() per message (done(err)
 * with msg.error set, so Catch nodes get it), no unhandled rejection, and in-flight requests
 * aborted on close — except a write's call in flight, which may finish within the close grace
 * so the write ends with a known outcome it reports (see `finishOnClose`).
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { ZohoConnection } from '../../zoho/core/connection';
import { ZohoError } from '../../zoho/core/errors';
import { CLOSE_GRACE_MS } from '../../zoho/core/http';
import { redactText } from '../../zoho/core/redact';
import { isZohoConfigNode, ZohoConfigNode } from './config-node';
import { FlowError, errorShape, errorTexts } from './errors';
import { NodeSet, Translate, sharedTranslator, translator } from './i18n';
import { TypedValue, resolveProp } from './props';
import { StatusReporter } from './status';

export type Msg = NodeMessage & Record<string, unknown>;

export interface InputContext {
  msg: Msg;
  send(msg: Msg | Msg[]): void;
  /** The config's connection for this message (never cached across messages). */
  conn: ZohoConnection;
  /** The zoho-config node (for its outbox). */
  config?: ZohoConfigNode;
  status: StatusReporter;
  /** Cancelled when the node closes (for a message that asked to finish: after the grace). */
  signal: AbortSignal;
  /**
   * For a write: a close no longer cuts this message's call in flight but lets it finish within
   * the close grace (then `signal` cuts it). The signal returned is aborted as the close begins:
   * start no new call after it, and report what was and was not written.
   */
  finishOnClose(): AbortSignal;
  /** msg[name] when set, else the editor's TypedInput value. */
  prop(name: string, typed: TypedValue): Promise<unknown>;
  debug(text: string): void;
  /** A warning in Node-RED's log (text already translated; secrets scrubbed). */
  warn(text: string): void;
  /** The node's own texts: `t('status.found')` → `<type>.status.found` of its catalog. */
  t: Translate;
  /** The texts every node shares (zoho-config's `runtime.*`). */
  shared: Translate;
}

export interface FlowNodeDef extends NodeDef {
  config?: string;
}

/**
 * One message being handled: `cut` ends its work; a message that asked to finish on close also
 * has `stop` (start nothing new) and `settled`, made only then (most messages never ask).
 */
interface InFlight {
  /** Aborted at close, or at the end of the grace for a message that finishes on close. */
  cut: AbortController;
  /** Aborted at close: start nothing new (only for a message that finishes on close). */
  stop?: AbortController;
  settled?: Promise<void>;
  settle?: () => void;
}

/** Marks a message as one that finishes on close; the signal says when to start nothing new. */
function finishesOnClose(flight: InFlight): AbortSignal {
  if (!flight.stop) {
    flight.stop = new AbortController();
    flight.settled = new Promise<void>((resolve) => (flight.settle = resolve));
    // Asked after the close began: the close has cut it already; start nothing new either.
    if (flight.cut.signal.aborted) flight.stop.abort();
  }
  return flight.stop.signal;
}

/** What every message of one node shares. */
/** What a node's own helpers may share with its input handling (e.g. a replay's status). */
export type FlowNodeParts = Pick<NodeParts, 'config' | 'status' | 't' | 'shared'>;

interface NodeParts {
  RED: NodeAPI;
  node: Node;
  config?: ZohoConfigNode;
  status: StatusReporter;
  t: Translate;
  shared: Translate;
  secrets: () => string[];
  /** Warns once per property that msg tried to set a property the node sets itself. */
  ignoredFromMsg: (name: string) => void;
}

/** One message's context; a node without a zoho-config refuses every message. */
function inputContext(
  parts: NodeParts,
  msg: Msg,
  send: (msg: NodeMessage) => void,
  flight: InFlight,
): InputContext {
  const { RED, node, config, secrets } = parts;
  if (!config) {
    throw new ZohoError({ code: 'NO_CONNECTION', kind: 'config', message: 'No Zoho connection' });
  }
  return {
    msg,
    send: (m) => send(m as NodeMessage),
    conn: config.getConnection(),
    status: parts.status,
    signal: flight.cut.signal,
    finishOnClose: () => finishesOnClose(flight),
    prop: (name, typed) => resolveProp(RED, node, msg, name, typed, parts.ignoredFromMsg),
    config,
    debug: (text) => node.debug(redactText(text, secrets())),
    warn: (text) => node.warn(redactText(text, secrets())),
    t: parts.t,
    shared: parts.shared,
  };
}

function nodeParts(RED: NodeAPI, node: Node, def: FlowNodeDef): NodeParts {
  const found = def.config ? RED.nodes.getNode(def.config) : null;
  const config: ZohoConfigNode | undefined = isZohoConfigNode(found) ? found : undefined;
  const set = node.type as NodeSet;
  const shared = sharedTranslator(RED);
  const warned = new Set<string>(); // at most one entry per target property
  return {
    RED,
    node,
    config,
    status: new StatusReporter(RED, node, config),
    t: translator(RED, set),
    shared,
    secrets: () => config?.secrets() ?? [],
    ignoredFromMsg: (name) => {
      if (warned.has(name)) return;
      warned.add(name);
      node.warn(shared('errors.msgIgnored', { name }));
    },
  };
}

/**
 * Wires a node's input handler. `params` are the options the node takes (from the editor or
 * msg), each with a `<type>.param.<name>` text saying where: an input error naming one of them
 * tells the user where to fix it.
 */
export function setupFlowNode(
  RED: NodeAPI,
  node: Node,
  def: FlowNodeDef,
  params: readonly string[],
  handle: (ctx: InputContext) => Promise<void>,
): FlowNodeParts {
  const parts = nodeParts(RED, node, def);
  const { status, secrets } = parts;
  const set = node.type as NodeSet;
  const texts = errorTexts(RED, set, params);
  const inFlight = new Set<InFlight>();
  let closing = false;

  node.on('input', (incoming: NodeMessageInFlow, send, done) => {
    const msg = incoming as Msg;
    const flight: InFlight = { cut: new AbortController() };
    inFlight.add(flight);
    const run = async (): Promise<void> => {
      const ctx = inputContext(parts, msg, send, flight);
      status.requesting();
      await handle(ctx);
    };
    run()
      .then(
        () => done(),
        (err: unknown) => {
          const shape = errorShape(err, secrets(), texts);
          // A read cut by the close is no loss; a write that was cut is reported (below).
          if (closing && shape.code === 'ABORTED' && !flight.stop) {
            done();
            return;
          }
          msg.error = shape;
          status.failed(shape);
          // The flow may be going away with its Catch nodes: the log keeps the record.
          if (closing) node.warn(shape.message);
          done(new FlowError(shape));
        },
      )
      .catch((err: unknown) => node.error(errorShape(err, secrets(), texts).message))
      .finally(() => {
        inFlight.delete(flight);
        flight.settle?.();
      });
  });

  node.on('close', (_removed: boolean, finished: () => void) => {
    closing = true;
    void closeGently(inFlight).then(() => {
      status.close();
      finished();
    });
  });
  return parts;
}

/**
 * Cuts every message in flight except writes that asked to finish: those are told to start
 * nothing new and get CLOSE_GRACE_MS to end their call, then are cut too.
 */
async function closeGently(inFlight: ReadonlySet<InFlight>): Promise<void> {
  const waiting: Promise<void>[] = [];
  for (const flight of inFlight) {
    if (flight.stop && flight.settled) {
      flight.stop.abort();
      waiting.push(flight.settled);
    } else flight.cut.abort();
  }
  const grace = setTimeout(() => {
    for (const flight of inFlight) flight.cut.abort();
  }, CLOSE_GRACE_MS);
  await Promise.all(waiting);
  clearTimeout(grace);
}
