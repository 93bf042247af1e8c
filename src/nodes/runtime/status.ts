/**
 * A flow node's status that tells the truth: requesting, page N / records so far, rate-limited
 * (from the connection), auth trouble (red ring), done, failed.
 */
import type { Node, NodeStatus } from 'node-red';
import type { ConnectionStatus } from '../../zoho/core/connection';
import { connectionNodeStatus } from './connection-status';
import type { ZohoConfigNode } from './config-node';
import { AUTH_CODES, ErrorShape } from './errors';

export class StatusReporter {
  private readonly off?: () => void;
  /** The last status of our own work, restored when a rate limit ends. */
  private work: NodeStatus = {};
  private connectionShown = false;

  constructor(
    private readonly node: Node,
    private readonly config?: ZohoConfigNode,
  ) {
    if (!config) {
      this.show({ fill: 'red', shape: 'ring', text: 'no connection: pick a zoho-config' });
      return;
    }
    this.off = config.onStatus((s) => this.onConnection(s));
    const now = config.connectionStatus();
    if (now.state === 'not-connected' || now.state === 'error') this.onConnection(now);
  }

  private show(status: NodeStatus): void {
    this.node.status(status);
  }

  private onConnection(s: ConnectionStatus): void {
    if (s.state === 'connected') {
      if (this.connectionShown) {
        this.connectionShown = false;
        this.show(this.work);
      }
      return;
    }
    this.connectionShown = true;
    this.show(connectionNodeStatus(s));
  }

  private setWork(status: NodeStatus): void {
    this.work = status;
    this.connectionShown = false;
    this.show(status);
  }

  requesting(text = 'requesting'): void {
    this.setWork({ fill: 'blue', shape: 'dot', text });
  }

  progress(page: number, records: number, what = 'records'): void {
    this.setWork({ fill: 'blue', shape: 'dot', text: `page ${page} · ${records} ${what}` });
  }

  done(text: string): void {
    this.setWork({ fill: 'green', shape: 'dot', text });
  }

  warn(text: string): void {
    this.setWork({ fill: 'yellow', shape: 'dot', text });
  }

  /** `text` (translated) replaces the generic "error: CODE" when the node can say more. */
  failed(shape: ErrorShape, text?: string): void {
    const details = shape.details as { failed?: unknown[]; total?: number } | undefined;
    if (Array.isArray(details?.failed)) {
      const text = `${details.failed.length} of ${details.total ?? '?'} failed: ${shape.code}`;
      this.setWork({ fill: shape.status === 207 ? 'yellow' : 'red', shape: 'dot', text });
      return;
    }
    const conn = this.config?.connectionStatus();
    if (conn && AUTH_CODES.has(shape.code) && conn.state !== 'connected') {
      this.work = {};
      this.connectionShown = true;
      this.show(connectionNodeStatus(conn));
      return;
    }
    if (AUTH_CODES.has(shape.code)) {
      this.setWork({ fill: 'red', shape: 'ring', text: text ?? `auth error: ${shape.code}` });
      return;
    }
    this.setWork({ fill: 'red', shape: 'dot', text: text ?? `error: ${shape.code}` });
  }

  close(): void {
    this.off?.();
  }
}
