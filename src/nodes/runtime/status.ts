/**
 * A flow node's status that tells the truth: requesting, page N / records so far, rate-limited
 * (from the connection), auth trouble (red ring), done, failed. Texts callers pass in are
 * already translated; the reporter's own come from the shared catalog.
 */
import type { Node, NodeAPI, NodeStatus } from 'node-red';
import type { ConnectionStatus } from '../../zoho/core/connection';
import { connectionNodeStatus, connectionWarningText } from './connection-status';
import type { ZohoConfigNode } from './config-node';
import { AUTH_CODES, ErrorShape, requiredScopeOf } from './errors';
import { Translate, sharedTranslator } from './i18n';

/** What a progress count counts. */
export type ProgressUnit = 'records' | 'rows';

const PAGE_KEYS: Readonly<Record<ProgressUnit, string>> = {
  records: 'status.pageRecords',
  rows: 'status.pageRows',
};

/**
 * A walk's progress is shown at most this often (its first and last page always): each status is
 * a translation with parameters (about 100 µs) and a message to every open editor, and a walk of
 * 500 pages a second spent more on its statuses than on reading the pages (issue 19).
 */
export const PROGRESS_EVERY_MS = 250;

export class StatusReporter {
  private readonly off?: () => void;
  private readonly shared: Translate;
  /** The last status of our own work, restored when a rate limit ends. */
  private work: NodeStatus = {};
  private connectionShown = false;
  /** performance.now() when a progress status was last shown. */
  private progressShownAt = -Infinity;

  constructor(
    RED: NodeAPI,
    private readonly node: Node,
    private readonly config?: ZohoConfigNode,
  ) {
    this.shared = sharedTranslator(RED);
    if (!config) {
      this.show({ fill: 'red', shape: 'ring', text: this.shared('status.noConnection') });
      return;
    }
    this.off = config.onStatus((s) => this.onConnection(s));
    const now = config.connectionStatus();
    if (now.state !== 'connected' || now.warning) this.onConnection(now);
  }

  private show(status: NodeStatus): void {
    this.node.status(status);
  }

  private onConnection(s: ConnectionStatus): void {
    if (s.state === 'connected' && !s.warning) {
      if (this.connectionShown) {
        this.connectionShown = false;
        this.show(this.work);
      }
      return;
    }
    this.connectionShown = true;
    this.show(connectionNodeStatus(s, this.shared));
  }

  private setWork(status: NodeStatus): void {
    this.work = status;
    this.connectionShown = false;
    this.show(status);
  }

  /** Blue dot: a request is under way (`text`, translated, says which when there are several). */
  requesting(text?: string): void {
    this.setWork({ fill: 'blue', shape: 'dot', text: text ?? this.shared('status.requesting') });
  }

  /**
   * Blue dot: "page 3 · 600 records" while a long read walks its pages; a page between the
   * first and the last shows only when the last progress shown is PROGRESS_EVERY_MS old.
   */
  progress(page: number, count: number, unit: ProgressUnit = 'records', last = false): void {
    const now = performance.now();
    if (page > 1 && !last && now - this.progressShownAt < PROGRESS_EVERY_MS) return;
    this.progressShownAt = now;
    this.setWork({
      fill: 'blue',
      shape: 'dot',
      text: this.shared(PAGE_KEYS[unit], { page, count }),
    });
  }

  /**
   * Green dot, with the CRM environment when it is not production (so a flow against the sandbox
   * org says so) and the connection's warning, yellow, when it has one.
   */
  done(text: string): void {
    const conn = this.config?.connectionStatus();
    const env = conn?.environment;
    const warning = conn ? connectionWarningText(conn, this.shared) : '';
    const parts = [text];
    if (env && env !== 'production') parts.push(this.shared(`status.environment.${env}`));
    if (warning) parts.push(warning);
    this.setWork({ fill: warning ? 'yellow' : 'green', shape: 'dot', text: parts.join(' · ') });
  }

  /** Yellow ring: messages wait in the outbox for Zoho to be reachable ("offline · 12 waiting"). */
  queued(text: string): void {
    this.setWork({ fill: 'yellow', shape: 'ring', text });
  }

  warn(text: string): void {
    this.setWork({ fill: 'yellow', shape: 'dot', text });
  }

  /** `text` (translated) replaces the generic "error: CODE" when the node can say more. */
  failed(shape: ErrorShape, text?: string): void {
    const details = shape.details as { failed?: unknown[]; total?: number } | undefined;
    if (Array.isArray(details?.failed)) {
      const text = this.shared('status.partial', {
        failed: details.failed.length,
        total: details.total ?? '?',
        code: shape.code,
      });
      this.setWork({ fill: shape.status === 207 ? 'yellow' : 'red', shape: 'dot', text });
      return;
    }
    const scope = requiredScopeOf(shape);
    if (scope) {
      // One call lacks a scope; the connection itself is fine, so no red auth ring.
      this.setWork({
        fill: 'yellow',
        shape: 'dot',
        text: this.shared('status.missingScope', { scope }),
      });
      return;
    }
    const conn = this.config?.connectionStatus();
    if (conn && AUTH_CODES.has(shape.code) && conn.state !== 'connected') {
      this.work = {};
      this.connectionShown = true;
      this.show(connectionNodeStatus(conn, this.shared));
      return;
    }
    if (AUTH_CODES.has(shape.code)) {
      const shown = text ?? this.shared('status.authError', { code: shape.code });
      this.setWork({ fill: 'red', shape: 'ring', text: shown });
      return;
    }
    this.setWork({
      fill: 'red',
      shape: 'dot',
      text: text ?? this.shared('status.error', { code: shape.code }),
    });
  }

  close(): void {
    this.off?.();
  }
}
