/**
 * The sandbox's notification callbacks: Zoho's callback body, and its POST to notify_url —
 * only to loopback http URLs (the sandbox is a test tool), with a timeout, logged.
 */
import http from 'node:http';
import type { CrmStore } from './store';
import type { CrmChange } from './types';

export const NOTIFY_TIMEOUT_MS = 5000;

export interface Channel {
  channelId: string;
  /** 'Leads.create', 'Deals.all', … */
  events: string[];
  notifyUrl: string;
  token: string | null;
  expiresAt: number;
  returnAffectedFieldValues: boolean;
  /** Zoho's default is true (Kaizen #170, "FAQs on Notification APIs"). */
  notifyOnRelatedAction: boolean;
  /** Per module, the notification_condition's fields (none: every update is notified). */
  conditions: Record<string, FieldCondition>;
}

/** A field_selection: notify when any ('or') or all ('and') of the fields are written. */
export interface FieldCondition {
  operator: 'and' | 'or';
  fields: string[];
}

/** The fields an update wrote to one record. */
export function fieldsOf(change: CrmChange, id: string): string[] {
  return change.fieldsById?.[id] ?? change.fields ?? [];
}

/**
 * The change as a channel with a condition on its module sees it: updates keep only the records
 * whose written fields meet it (none left: undefined). Creates and deletes pass.
 */
export function meetingCondition(c: Channel, change: CrmChange): CrmChange | undefined {
  const cond = c.conditions[change.module];
  if (!cond || change.operation !== 'update') return change;
  const meets = (written: string[]): boolean =>
    cond.operator === 'and'
      ? cond.fields.every((f) => written.includes(f))
      : cond.fields.some((f) => written.includes(f));
  const ids = change.ids.filter((id) => meets(fieldsOf(change, id)));
  return ids.length ? { ...change, ids } : undefined;
}

export interface Delivery {
  channelId: string;
  url: string;
  body: Record<string, unknown>;
  /** HTTP status of the receiver, 0 when it failed or was refused. */
  status: number;
  error?: string;
  time: number;
}

/** Zoho's callback body. */
export function callbackBody(
  c: Channel,
  change: CrmChange,
  store: CrmStore,
  resourceUri: string,
): Record<string, unknown> {
  const url = new URL(c.notifyUrl);
  const body: Record<string, unknown> = {
    server_time: change.time,
    query_params: Object.fromEntries(url.searchParams),
    module: change.module,
    resource_uri: resourceUri,
    ids: change.ids,
    affected_fields:
      change.operation === 'update' ? change.ids.map((id) => ({ [id]: fieldsOf(change, id) })) : [],
    operation: change.operation,
    channel_id: c.channelId,
    token: c.token,
  };
  if (c.returnAffectedFieldValues && change.operation !== 'delete') {
    body.affected_values = change.ids.map((id) => {
      const rec = store.get(change.module, id);
      const values: Record<string, unknown> = {};
      for (const f of fieldsOf(change, id)) values[f] = rec?.data[f] ?? null;
      return { record_id: id, values };
    });
  }
  return body;
}

export function isLoopback(host: string): boolean {
  return ['localhost', '[::1]', '::1'].includes(host) || host.startsWith('127.');
}

/** POSTs the callback; never throws and never waits: the API answer does not depend on it. */
export function deliver(
  c: Channel,
  body: Record<string, unknown>,
  log: Delivery[],
  pending: Set<http.ClientRequest>,
  now: number,
): void {
  const delivery: Delivery = {
    channelId: c.channelId,
    url: c.notifyUrl,
    body,
    status: 0,
    time: now,
  };
  log.push(delivery);
  if (log.length > 10000) log.splice(0, log.length - 10000);
  const url = new URL(c.notifyUrl);
  if (!isLoopback(url.hostname) || url.protocol !== 'http:') {
    delivery.error = 'the sandbox only notifies http URLs on this machine (loopback)';
    return;
  }
  const data = Buffer.from(JSON.stringify(body));
  const req = http.request(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Content-Length': data.length },
    timeout: NOTIFY_TIMEOUT_MS,
  });
  pending.add(req);
  req.on('response', (res) => {
    delivery.status = res.statusCode ?? 0;
    res.resume();
  });
  req.on('timeout', () => req.destroy(new Error('notify_url did not answer in time')));
  req.on('error', (err) => {
    delivery.error = err.message;
  });
  req.on('close', () => pending.delete(req));
  req.end(data);
}
