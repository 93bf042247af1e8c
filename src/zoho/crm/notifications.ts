/**
 * Zoho CRM Notifications API (actions/watch): enable, renew and disable a channel, and read
 * the callbacks Zoho POSTs to notify_url. The channel's upkeep (renew before expiry, register
 * again when Zoho forgot it) lives in watch-keeper.ts.
 *
 * Zoho's facts assumed here: channel_expiry defaults to one hour and is capped at one week
 * ahead (API v4 and later); the token is at most 50 characters and comes back in every
 * callback; channel_id is a number (long) the caller chooses.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Requester } from './common';
import { ZohoError, invalidInput } from '../core/errors';
import { httpError } from '../core/response';
import { checkDateTime, checkRecordIds, textOf } from '../core/validate';
import { checkModule } from './validate';
import { WatchFields, notificationConditions } from './watch-fields';

export const MAX_CHANNEL_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
export const WATCH_EVENTS = ['create', 'edit', 'delete', 'all'] as const;
export type WatchEvent = (typeof WATCH_EVENTS)[number];
/** Zoho's operation names in callbacks -> the event names a user picks. */
export const EVENT_OF_OPERATION = { insert: 'create', update: 'edit', delete: 'delete' } as const;
export type ZohoOperation = keyof typeof EVENT_OF_OPERATION;
export type ChangeOperation = (typeof EVENT_OF_OPERATION)[ZohoOperation];

const WATCH_PATH = '/v8/actions/watch';

/** A stable channel id for a seed such as a node id: a positive 52-bit number (exact in JSON). */
export function channelIdFor(seed: string): string {
  const digest = createHash('sha256').update(`zoho-watch:${seed}`).digest();
  const n = digest.readBigUInt64BE(0) >> 12n;
  return String(n === 0n ? 1n : n);
}

/** A fresh random token for a channel (Zoho allows 50 characters). */
export function newChannelToken(): string {
  return randomBytes(24).toString('base64url');
}

/** `Module.event` names for Zoho, checked: modules × events (create, edit, delete, all). */
export function watchEvents(modules: string[], events: string[]): string[] {
  if (modules.length === 0) throw invalidInput('Name at least one module to watch', 'modules');
  if (events.length === 0)
    throw invalidInput('Name at least one event: create, edit or delete', 'events');
  for (const e of events) {
    if (!(WATCH_EVENTS as readonly string[]).includes(e))
      throw invalidInput(`"${e}" is not an event: use create, edit, delete or all`, 'events');
  }
  const ops = events.includes('all') ? ['all'] : [...new Set(events)];
  return [...new Set(modules.map((m) => checkModule(m, 'modules')))].flatMap((m) =>
    ops.map((op) => `${m}.${op}`),
  );
}

export interface ChannelSpec {
  channelId: string;
  /** `Leads.create`, `Deals.all`, … (see watchEvents). */
  events: string[];
  notifyUrl: string;
  token: string;
  returnAffectedFieldValues?: boolean;
  /** Per module, notify edits only when one of these fields changes (watch-fields.ts). */
  watchFields?: WatchFields;
}

export function checkNotifyUrl(value: unknown): string {
  let url: URL;
  try {
    url = new URL(textOf(value));
  } catch {
    throw invalidInput(
      `The notify URL "${textOf(value)}" is not an absolute URL: give the address at which Zoho can reach this server, e.g. https://example.com`,
      'notifyUrl',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalidInput('The notify URL must start with https:// (or http://)', 'notifyUrl');
  return url.toString();
}

interface ChannelAnswer {
  /** Epoch ms Zoho says the channel expires. */
  expiresAt: number;
}

function watchItem(body: unknown): Record<string, unknown> | undefined {
  const watch = (body as { watch?: unknown } | undefined)?.watch;
  const first = Array.isArray(watch) ? (watch[0] as unknown) : undefined;
  return first && typeof first === 'object' ? (first as Record<string, unknown>) : undefined;
}

/** Zoho answers per channel inside `watch: [...]`, errors included (with HTTP 202 or 400). */
function outcome(res: {
  status: number;
  data: unknown;
  headers: Record<string, string>;
}): Record<string, unknown> {
  const item = watchItem(res.data);
  if (item && item.status === 'success') return item;
  if (item && typeof item.code === 'string') {
    throw new ZohoError({
      code: item.code,
      status: res.status,
      message:
        item.code === 'NOT_SUBSCRIBED'
          ? 'Zoho has no such notification channel (it expired or was removed)'
          : `Zoho refused the notification channel: ${textOf(item.message ?? item.code)}`,
      details: item.details,
    });
  }
  if (res.status >= 300) throw httpError(res.status, res.data, res.headers);
  throw new ZohoError({
    code: 'UNEXPECTED_RESPONSE',
    status: res.status,
    message: 'Zoho answered the notification request without a result',
  });
}

function expiryOf(item: Record<string, unknown>, fallback: number): number {
  const events = (item.details as { events?: { channel_expiry?: unknown }[] } | undefined)?.events;
  const raw = events?.[0]?.channel_expiry;
  const at = typeof raw === 'string' ? Date.parse(raw) : NaN;
  return Number.isNaN(at) ? fallback : at;
}

async function send(
  conn: Requester,
  method: 'POST' | 'PUT',
  spec: ChannelSpec,
  expiresAt: number,
  signal?: AbortSignal,
): Promise<ChannelAnswer> {
  const res = await conn.request({
    product: 'crm',
    method,
    path: WATCH_PATH,
    body: {
      watch: [
        {
          channel_id: Number(spec.channelId),
          events: spec.events,
          channel_expiry: checkDateTime(expiresAt, 'expiresAt'),
          token: spec.token,
          notify_url: spec.notifyUrl,
          return_affected_field_values: spec.returnAffectedFieldValues === true,
          notify_on_related_action: false,
          ...(spec.watchFields &&
            Object.keys(spec.watchFields).length > 0 && {
              notification_condition: notificationConditions(spec.watchFields),
            }),
        },
      ],
    },
    // Enabling twice with the same channel id only replaces the subscription.
    idempotent: true,
    passThroughErrors: true,
    signal,
  });
  return { expiresAt: expiryOf(outcome(res), expiresAt) };
}

/** Registers (or replaces) the channel: POST actions/watch. */
export function enableChannel(
  conn: Requester,
  spec: ChannelSpec,
  expiresAt: number,
  signal?: AbortSignal,
): Promise<ChannelAnswer> {
  return send(conn, 'POST', spec, expiresAt, signal);
}

/** Moves the expiry of a live channel: PUT actions/watch; NOT_SUBSCRIBED when Zoho forgot it. */
export function renewChannel(
  conn: Requester,
  spec: ChannelSpec,
  expiresAt: number,
  signal?: AbortSignal,
): Promise<ChannelAnswer> {
  return send(conn, 'PUT', spec, expiresAt, signal);
}

/** Unsubscribes: DELETE actions/watch?channel_ids=…; false when Zoho had no such channel. */
export async function disableChannel(
  conn: Requester,
  channelId: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const res = await conn.request({
    product: 'crm',
    method: 'DELETE',
    path: WATCH_PATH,
    query: { channel_ids: channelId },
    passThroughErrors: true,
    signal,
  });
  try {
    outcome(res);
    return true;
  } catch (err) {
    if (err instanceof ZohoError && err.code === 'NOT_SUBSCRIBED') return false;
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// callbacks

export interface ZohoNotification {
  module: string;
  operation: ZohoOperation;
  ids: string[];
  /** Field API names per record id (updates). */
  affectedFields: Record<string, string[]>;
  /** New values per record id, when the channel asked for them. */
  affectedValues?: Record<string, Record<string, unknown>>;
  serverTime?: number;
  channelId: string;
  token?: string;
  resourceUri?: string;
  queryParams?: Record<string, unknown>;
}

/** The same length for any input, so the comparison's time says nothing about the token. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant-time check of a callback's token against the channel's. */
export function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || expected === '') return false;
  return timingSafeEqual(digest(expected), digest(given));
}

/** A callback body in Zoho's shape, or an INVALID_INPUT error saying what is wrong. */
export function parseNotification(body: unknown): ZohoNotification {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw invalidInput('A Zoho notification is a JSON object', 'body');
  const b = body as Record<string, unknown>;
  if (typeof b.module !== 'string' || b.module === '')
    throw invalidInput('The notification names no module', 'body');
  const op = b.operation;
  if (op !== 'insert' && op !== 'update' && op !== 'delete')
    throw invalidInput(`Unknown notification operation ${JSON.stringify(op)}`, 'body');
  if (!Array.isArray(b.ids)) throw invalidInput('The notification has no ids', 'body');
  const ids = checkRecordIds(b.ids.map(String), 'body');
  const channelId = b.channel_id;
  if (typeof channelId !== 'string' && typeof channelId !== 'number')
    throw invalidInput('The notification has no channel_id', 'body');
  const affectedFields: Record<string, string[]> = {};
  for (const entry of Array.isArray(b.affected_fields) ? b.affected_fields : []) {
    if (!entry || typeof entry !== 'object') continue;
    for (const [id, fields] of Object.entries(entry as Record<string, unknown>)) {
      if (Array.isArray(fields)) affectedFields[id] = fields.map(String);
    }
  }
  const out: ZohoNotification = {
    module: b.module,
    operation: op,
    ids,
    affectedFields,
    channelId: String(channelId),
  };
  if (Array.isArray(b.affected_values)) {
    out.affectedValues = {};
    for (const v of b.affected_values as { record_id?: unknown; values?: unknown }[]) {
      if (v && typeof v.record_id === 'string' && v.values && typeof v.values === 'object')
        out.affectedValues[v.record_id] = v.values as Record<string, unknown>;
    }
  }
  if (typeof b.server_time === 'number') out.serverTime = b.server_time;
  if (typeof b.token === 'string') out.token = b.token;
  if (typeof b.resource_uri === 'string') out.resourceUri = b.resource_uri;
  if (b.query_params && typeof b.query_params === 'object')
    out.queryParams = b.query_params as Record<string, unknown>;
  return out;
}
