/**
 * What both modes of crm-watch-in share: the node's settings, sending one message per change,
 * errors a Catch node sees (node.error with a message carrying msg.error), field names for
 * fetchRecords, and the time format of the status.
 */
import type { Node, NodeAPI, NodeStatus } from 'node-red';
import type { ChangeOperation } from '../../zoho/crm/notifications';
import type { ZohoConnection } from '../../zoho/core/connection';
import type { ZohoConfigNode } from '../runtime/config-node';
import { cachedFields } from '../../zoho/crm/metadata-cache';
import { FlowError, errorShape } from '../runtime/errors';

export interface WatchSettings {
  modules: string[];
  events: ChangeOperation[];
  fetchRecords: boolean;
  returnAffectedFieldValues: boolean;
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
}

export interface WatchContext {
  RED: NodeAPI;
  node: Node;
  config: ZohoConfigNode;
  settings: WatchSettings;
  /** Cancelled when the node closes. */
  signal: AbortSignal;
  emit(payload: ChangePayload): void;
  fail(err: unknown, payload?: unknown): void;
  status(status: NodeStatus): void;
}

export function makeContext(
  RED: NodeAPI,
  node: Node,
  config: ZohoConfigNode,
  settings: WatchSettings,
  signal: AbortSignal,
): WatchContext {
  return {
    RED,
    node,
    config,
    settings,
    signal,
    emit: (payload) => node.send({ topic: `${payload.module}.${payload.operation}`, payload }),
    fail: (err, payload) => {
      const shape = errorShape(err, config.secrets());
      // node.error with a message: Catch nodes get it, with the pack's shape in msg.error.
      node.error(new FlowError(shape), { payload, error: shape } as never);
    },
    status: (s) => node.status(s),
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
