/**
 * What both modes of crm-watch-in share: the node's settings, sending one message per change,
 * errors a Catch node sees (node.error with a message carrying msg.error), its status (through
 * the StatusReporter every node uses, so connection trouble shows the same way), its texts,
 * field names for fetchRecords, and the time format of the status.
 */
import type { Node, NodeAPI } from 'node-red';
import type { ChangeOperation } from '../../zoho/crm/notifications';
import type { WatchFields } from '../../zoho/crm/watch-fields';
import type { ZohoConnection } from '../../zoho/core/connection';
import type { ZohoConfigNode } from '../runtime/config-node';
import { cachedFields } from '../../zoho/crm/metadata-cache';
import { ErrorShape, FlowError, errorShape, errorTexts } from '../runtime/errors';
import type { Translate } from '../runtime/i18n';
import type { StatusReporter } from '../runtime/status';

/** Options the user sets in the node, each with a `crm-watch-in.param.<name>` text. */
export const WATCH_PARAMS = ['modules', 'events', 'notifyUrl', 'module', 'watchFields'] as const;

export interface WatchSettings {
  modules: string[];
  events: ChangeOperation[];
  fetchRecords: boolean;
  returnAffectedFieldValues: boolean;
  /** Per module, the fields whose change makes an edit count; {} watches every edit. */
  watchFields: WatchFields;
}

export interface ChangePayload {
  module: string;
  operation: ChangeOperation;
  ids: string[];
  source: 'webhook' | 'poll';
  /** Epoch ms Zoho stamped the change (webhook) or its newest Modified_Time (poll). */
  serverTime?: number;
  affectedFields?: Record<string, string[]>;
  affectedValues?: Record<string, Record<string, unknown>>;
  records?: Record<string, unknown>[];
  channelId?: string;
  /** Edits under the field filter: per record id, the watched fields that changed, new values. */
  changed?: Record<string, Record<string, unknown>>;
}

/** The message of a change; under a field filter msg.changedFields names what changed. */
function messageOf(payload: ChangePayload): Record<string, unknown> {
  const msg: Record<string, unknown> = { topic: `${payload.module}.${payload.operation}`, payload };
  if (payload.changed)
    msg.changedFields = [...new Set(Object.values(payload.changed).flatMap((v) => Object.keys(v)))];
  return msg;
}

export interface WatchContext {
  RED: NodeAPI;
  node: Node;
  config: ZohoConfigNode;
  settings: WatchSettings;
  /** Cancelled when the node closes. */
  signal: AbortSignal;
  status: StatusReporter;
  t: Translate;
  emit(payload: ChangePayload): void;
  /** Raises an error for Catch nodes (one change that could not be sent); the status stays. */
  raise(err: unknown, payload?: unknown): void;
  /** The watch itself failed: shows it (red, or the connection's trouble), then raises it. */
  fail(err: unknown, payload?: unknown, text?: (shape: ErrorShape) => string): void;
}

export function makeContext(
  RED: NodeAPI,
  node: Node,
  config: ZohoConfigNode,
  settings: WatchSettings,
  signal: AbortSignal,
  status: StatusReporter,
  t: Translate,
): WatchContext {
  // node.error with a message: Catch nodes get it, with the pack's shape in msg.error.
  const texts = errorTexts(RED, 'crm-watch-in', WATCH_PARAMS);
  const raise = (shape: ErrorShape, payload: unknown): void =>
    node.error(new FlowError(shape), { payload, error: shape });
  return {
    RED,
    node,
    config,
    settings,
    signal,
    status,
    t,
    emit: (payload) => node.send(messageOf(payload)),
    raise: (err, payload) => raise(errorShape(err, config.secrets(), texts), payload),
    fail: (err, payload, text) => {
      const shape = errorShape(err, config.secrets(), texts);
      status.failed(shape, text?.(shape));
      raise(shape, payload);
    },
  };
}

/** Every field API name of a module (cached per connection), for fetchRecords. */
export async function fieldNames(conn: ZohoConnection, module: string): Promise<string[]> {
  return (await cachedFields(conn, module)).map((f) => f.api_name);
}

const pad = (n: number): string => String(n).padStart(2, '0');

export function clockTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function dayTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
