/**
 * The input plumbing every Zoho flow node shares: the connection per message, msg/editor
 * property resolution, a status that tells the truth, exactly one done() per message (done(err)
 * with msg.error set, so Catch nodes get it), no unhandled rejection, and in-flight requests
 * aborted on close.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { ZohoConnection } from '../../zoho/core/connection';
import { redactText } from '../../zoho/core/redact';
import { isZohoConfigNode, ZohoConfigNode } from './config-node';
import { FlowError, errorShape } from './errors';
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
}

export interface FlowNodeDef extends NodeDef {
  config?: string;
}

export function setupFlowNode(
  RED: NodeAPI,
  node: Node,
  def: FlowNodeDef,
  handle: (ctx: InputContext) => Promise<void>,
): void {
  const found = def.config ? RED.nodes.getNode(def.config) : null;
  const config: ZohoConfigNode | undefined = isZohoConfigNode(found) ? found : undefined;
  const status = new StatusReporter(node, config);
  const inFlight = new Set<AbortController>();
  let closing = false;
  const secrets = (): string[] => config?.secrets() ?? [];

  node.on('input', (incoming: NodeMessageInFlow, send, done) => {
    const msg = incoming as Msg;
    const controller = new AbortController();
    inFlight.add(controller);
    const run = async (): Promise<void> => {
      if (!config) {
        throw new FlowError({
          message: 'No Zoho connection: pick a zoho-config node in this node and deploy',
          code: 'NO_CONNECTION',
        });
      }
      const conn = config.getConnection();
      status.requesting();
      await handle({
        msg,
        send: (m) => send(m as NodeMessage),
        conn,
        status,
        signal: controller.signal,
        prop: (name, typed) => resolveProp(RED, node, msg, name, typed),
        debug: (t) => node.debug(redactText(t, secrets())),
      });
    };
    run()
      .then(
        () => done(),
        (err: unknown) => {
          const shape = errorShape(err, secrets());
          if (closing && shape.code === 'ABORTED') {
            done();
            return;
          }
          msg.error = shape;
          status.failed(shape);
          done(new FlowError(shape));
        },
      )
      .catch((err: unknown) => node.error(errorShape(err, secrets()).message))
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
