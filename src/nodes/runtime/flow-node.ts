/**
 * The input plumbing every Zoho flow node shares: the connection per message, msg/editor
 * property resolution, a status that tells the truth, exactly one done() per message (done(err)
 * with msg.error set, so Catch nodes get it), no unhandled rejection, and in-flight requests
 * aborted on close.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { ZohoConnection } from '../../zoho/core/connection';
import { ZohoError } from '../../zoho/core/errors';
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
  status: StatusReporter;
  /** Cancelled when the node closes. */
  signal: AbortSignal;
  /** msg[name] when set, else the editor's TypedInput value. */
  prop(name: string, typed: TypedValue): Promise<unknown>;
  debug(text: string): void;
  /** The node's own texts: `t('status.found')` → `<type>.status.found` of its catalog. */
  t: Translate;
  /** The texts every node shares (zoho-config's `runtime.*`). */
  shared: Translate;
}

export interface FlowNodeDef extends NodeDef {
  config?: string;
}

/** What every message of one node shares. */
interface NodeParts {
  RED: NodeAPI;
  node: Node;
  config?: ZohoConfigNode;
  status: StatusReporter;
  t: Translate;
  shared: Translate;
  secrets: () => string[];
}

/** One message's context; a node without a zoho-config refuses every message. */
function inputContext(
  parts: NodeParts,
  msg: Msg,
  send: (msg: NodeMessage) => void,
  signal: AbortSignal,
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
    signal,
    prop: (name, typed) => resolveProp(RED, node, msg, name, typed),
    debug: (text) => node.debug(redactText(text, secrets())),
    t: parts.t,
    shared: parts.shared,
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
): void {
  const found = def.config ? RED.nodes.getNode(def.config) : null;
  const config: ZohoConfigNode | undefined = isZohoConfigNode(found) ? found : undefined;
  const set = node.type as NodeSet;
  const status = new StatusReporter(RED, node, config);
  const secrets = (): string[] => config?.secrets() ?? [];
  const parts: NodeParts = {
    RED,
    node,
    config,
    status,
    t: translator(RED, set),
    shared: sharedTranslator(RED),
    secrets,
  };
  const texts = errorTexts(RED, set, params);
  const inFlight = new Set<AbortController>();
  let closing = false;

  node.on('input', (incoming: NodeMessageInFlow, send, done) => {
    const msg = incoming as Msg;
    const controller = new AbortController();
    inFlight.add(controller);
    const run = async (): Promise<void> => {
      const ctx = inputContext(parts, msg, send, controller.signal);
      status.requesting();
      await handle(ctx);
    };
    run()
      .then(
        () => done(),
        (err: unknown) => {
          const shape = errorShape(err, secrets(), texts);
          if (closing && shape.code === 'ABORTED') {
            done();
            return;
          }
          msg.error = shape;
          status.failed(shape);
          done(new FlowError(shape));
        },
      )
      .catch((err: unknown) => node.error(errorShape(err, secrets(), texts).message))
      .finally(() => inFlight.delete(controller));
  });

  node.on('close', (_removed: boolean, finished: () => void) => {
    closing = true;
    for (const c of inFlight) c.abort();
    inFlight.clear();
    status.close();
    finished();
  });
}
