/**
 * Zoho's Notifications API (actions/watch): channels with events, token, notify_url and an
 * expiry (default one hour, at most one week ahead: see expiryOf), and real
 * HTTP POSTs to notify_url in Zoho's callback shape on every create, edit and delete made
 * through the API. The sandbox is a test tool: it only ever POSTs to loopback URLs, with a
 * timeout, and it reads time from the sandbox's clock so tests can move it.
 */
import type http from 'node:http';
import type { SandboxContext, SandboxReply, SandboxRequest } from '../types';
import type { CrmStore } from './store';
import type { CrmChange } from './types';
import { Channel, Delivery, callbackBody, deliver, meetingCondition } from './notify-callbacks';
import { echoConditions, parseConditions } from './notify-conditions';

export type { Channel, Delivery } from './notify-callbacks';
import { error, isObject, parseDateTime, splitList } from './util';

export const DEFAULT_CHANNEL_LIFETIME_MS = 60 * 60 * 1000;
export const MAX_CHANNEL_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
export const MAX_TOKEN_LENGTH = 50;

const OPS = ['create', 'edit', 'delete', 'all'] as const;
const EVENT_OF: Record<CrmChange['operation'], string> = {
  insert: 'create',
  update: 'edit',
  delete: 'delete',
};

type Outcome = Record<string, unknown>;

const watchError = (code: string, message: string, details: Record<string, unknown>): Outcome => ({
  code,
  details,
  message,
  status: 'error',
});

export class NotificationHub {
  readonly channels = new Map<string, Channel>();
  readonly deliveries: Delivery[] = [];
  private readonly pending = new Set<http.ClientRequest>();
  private readonly onChange = (change: CrmChange): void => this.dispatch(change);
  private stopped = false;

  constructor(
    private readonly store: CrmStore,
    private readonly ctx: SandboxContext,
  ) {
    ctx.events.on('crm.change', this.onChange);
  }

  now(): number {
    return this.ctx.now();
  }

  /** Channels that have not expired (expired ones are dropped, as Zoho forgets them). */
  live(): Channel[] {
    const now = this.now();
    for (const [id, c] of this.channels) if (c.expiresAt <= now) this.channels.delete(id);
    return [...this.channels.values()];
  }

  stop(): void {
    this.stopped = true;
    this.ctx.events.off('crm.change', this.onChange);
    for (const req of this.pending) req.destroy();
    this.pending.clear();
  }

  // -------------------------------------------------------------------------------------------
  // routes

  enable(req: SandboxRequest): SandboxReply {
    return this.each(req, 201, (item, i) => {
      const parsed = this.parse(item, i, undefined);
      if (!parsed.ok) return parsed.error;
      const ch = parsed.channel;
      this.channels.set(ch.channelId, ch);
      return this.success(ch, 'Successfully subscribed for actions-watch of the given module');
    });
  }

  update(req: SandboxRequest): SandboxReply {
    return this.each(req, 200, (item, i) => {
      const id = channelIdOf(item);
      const existing = id ? this.live().find((c) => c.channelId === id) : undefined;
      if (id && !existing) return notSubscribed(id);
      const parsed = this.parse(item, i, existing);
      if (!parsed.ok) return parsed.error;
      const ch = parsed.channel;
      this.channels.set(ch.channelId, ch);
      return this.success(ch, 'Successfully updated the subscribe details');
    });
  }

  /**
   * PATCH. With `_delete_events: true` ("Disable Specific Notifications", v8): those events
   * leave the channel (the last one ends it). Without it ("Update Specific Information of a
   * Notification", zoho.com/crm/developer/docs/api/v8/notifications/update-info.html): "All the
   * provided details would be persisted and rest of the details will not be removed", so the
   * given keys change, the others stay and the given events join the channel's.
   */
  patch(req: SandboxRequest): SandboxReply {
    if (isObject(req.body) && Array.isArray(req.body.watch)) {
      const deleting = req.body.watch.some((w) => isObject(w) && w._delete_events !== undefined);
      if (!deleting) return this.patchDetails(req);
    }
    return this.disableEvents(req);
  }

  private patchDetails(req: SandboxRequest): SandboxReply {
    return this.each(req, 200, (item, i) => {
      const id = channelIdOf(item);
      if (!id) return mandatory('channel_id', i);
      const existing = this.live().find((c) => c.channelId === id);
      if (!existing) return notSubscribed(id);
      const events = Array.isArray(item.events)
        ? [...existing.events, ...(item.events as unknown[])]
        : existing.events;
      const channelExpiry = item.channel_expiry ?? this.store.formatTime(existing.expiresAt);
      const parsed = this.parse({ ...item, events, channel_expiry: channelExpiry }, i, existing);
      if (!parsed.ok) return parsed.error;
      this.channels.set(id, parsed.channel);
      return this.success(parsed.channel, 'Successfully updated the subscribe details');
    });
  }

  private disableEvents(req: SandboxRequest): SandboxReply {
    return this.each(req, 200, (item, i) => {
      const id = channelIdOf(item);
      if (!id) return mandatory('channel_id', i);
      if (item._delete_events !== true) return invalid('_delete_events', i);
      const existing = this.live().find((c) => c.channelId === id);
      if (!existing) return notSubscribed(id);
      const gone = Array.isArray(item.events) ? item.events.map(String) : [];
      existing.events = existing.events.filter((e) => !gone.includes(e));
      if (existing.events.length === 0) this.channels.delete(id);
      return this.success(existing, 'Successfully removed the subscribe details');
    });
  }

  remove(req: SandboxRequest): SandboxReply {
    const ids = splitList(req.query.get('channel_ids'));
    if (ids.length === 0) {
      return error(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
        param: 'channel_ids',
        param_name: 'channel_ids',
      });
    }
    const live = new Set(this.live().map((c) => c.channelId));
    const watch = ids.map((id) => {
      if (!live.has(id)) return notSubscribed(id);
      this.channels.delete(id);
      return {
        code: 'SUCCESS',
        details: { channel_id: id },
        message: 'Successfully un-subscribed from actions-watch',
        status: 'success',
      };
    });
    const ok = watch.every((w) => w.status === 'success');
    return { status: ok ? 200 : 202, body: { watch } };
  }

  list(req: SandboxRequest): SandboxReply {
    const channelId = req.query.get('channel_id');
    const module = req.query.get('module');
    const all = this.live().filter(
      (c) =>
        (!channelId || c.channelId === channelId) &&
        (!module || c.events.some((e) => e.split('.')[0] === module)),
    );
    if (all.length === 0) return { status: 204 };
    const perPage = Math.min(Number(req.query.get('per_page')) || 200, 200);
    const page = Math.max(Number(req.query.get('page')) || 1, 1);
    // One entry per channel and event, as Zoho lists them; pages and info.count are over these
    // entries, so count is what the page returns (OAS notifications.json, info).
    const entries = this.entriesOf(all);
    const watch = entries.slice((page - 1) * perPage, page * perPage);
    return {
      status: 200,
      body: {
        watch,
        info: {
          per_page: perPage,
          count: watch.length,
          page,
          more_records: page * perPage < entries.length,
        },
      },
    };
  }

  private entriesOf(channels: Channel[]): Record<string, unknown>[] {
    return channels.flatMap((c) =>
      c.events.map((e) => {
        const mod = e.split('.')[0];
        return {
          notify_on_related_action: c.notifyOnRelatedAction,
          channel_expiry: this.store.formatTime(c.expiresAt),
          resource_uri: this.resourceUri(mod),
          resource_id: this.store.modules.get(mod)?.id ?? '',
          notify_url: c.notifyUrl,
          resource_name: mod,
          fields: null,
          channel_id: c.channelId,
          events: [e],
          token: c.token,
          return_affected_field_values: c.returnAffectedFieldValues,
          notification_condition: echoConditions(c.conditions, this.store.modules),
        };
      }),
    );
  }

  // -------------------------------------------------------------------------------------------
  // request checks

  private each(
    req: SandboxRequest,
    ok: number,
    work: (item: Record<string, unknown>, index: number) => Outcome,
  ): SandboxReply {
    const body = req.body;
    if (!isObject(body) || !Array.isArray(body.watch) || body.watch.length === 0) {
      return error(400, 'MANDATORY_NOT_FOUND', 'required field not found', {
        api_name: 'watch',
        json_path: '$.watch',
      });
    }
    const watch = body.watch.map((item, i) =>
      isObject(item) ? work(item, i) : invalid('watch', i),
    );
    const good = watch.every((w) => w.status === 'success');
    return { status: good ? ok : 202, body: { watch } };
  }

  private parse(
    item: Record<string, unknown>,
    i: number,
    existing: Channel | undefined,
  ): { ok: true; channel: Channel } | { ok: false; error: Outcome } {
    const fail = (error: Outcome): { ok: false; error: Outcome } => ({ ok: false, error });
    const channelId = channelIdOf(item);
    if (!channelId) return fail(mandatory('channel_id', i));
    const notifyUrl = item.notify_url ?? existing?.notifyUrl;
    if (typeof notifyUrl !== 'string' || notifyUrl === '') return fail(mandatory('notify_url', i));
    try {
      new URL(notifyUrl);
    } catch {
      return fail(invalid('notify_url', i));
    }
    const events = item.events ?? existing?.events;
    if (!Array.isArray(events) || events.length === 0) return fail(mandatory('events', i));
    for (const e of events) {
      const [mod, op, extra] = typeof e === 'string' ? e.split('.') : [];
      if (extra !== undefined || !this.store.modules.get(mod ?? ''))
        return fail(invalid('events', i));
      if (!(OPS as readonly string[]).includes(op ?? '')) return fail(invalid('events', i));
    }
    const token = item.token === undefined ? (existing?.token ?? null) : item.token;
    if (token !== null && (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH)) {
      return fail(invalid('token', i));
    }
    const expiresAt = this.expiryOf(item.channel_expiry);
    if (expiresAt === undefined) return fail(invalid('channel_expiry', i));
    const related = item.notify_on_related_action ?? existing?.notifyOnRelatedAction ?? true;
    if (typeof related !== 'boolean') return fail(invalid('notify_on_related_action', i));
    const raf = item.return_affected_field_values ?? existing?.returnAffectedFieldValues;
    const given = item.notification_condition;
    const cond =
      given === undefined && existing
        ? { ok: true as const, conditions: existing.conditions }
        : parseConditions(given, events as string[], this.store.modules);
    if (!cond.ok) return fail(invalidAt(cond.path, i));
    const channel: Channel = {
      channelId,
      events: [...new Set(events as string[])],
      notifyUrl,
      token,
      expiresAt,
      returnAffectedFieldValues: raf === true,
      notifyOnRelatedAction: related,
      conditions: cond.conditions,
    };
    return { ok: true, channel };
  }

  /**
   * When a channel expires: one hour from now by default, at most one week ahead (Kaizen #170,
   * "FAQs on Notification APIs", help.zoho.com: default one hour, maximum one week from v4). A
   * later time falls back to the default, as issue 12's audit reports Zoho doing (no v8 page found
   * says so: unverified). Undefined for a time that cannot be read or is not in the future.
   */
  private expiryOf(value: unknown): number | undefined {
    const now = this.now();
    if (value === undefined || value === null) return now + DEFAULT_CHANNEL_LIFETIME_MS;
    const at = parseDateTime(value);
    if (at === undefined || at <= now) return undefined;
    return at > now + MAX_CHANNEL_LIFETIME_MS + 1000 ? now + DEFAULT_CHANNEL_LIFETIME_MS : at;
  }

  private success(c: Channel, message: string): Outcome {
    return {
      code: 'SUCCESS',
      details: {
        events: c.events.map((e) => {
          const mod = e.split('.')[0];
          return {
            channel_expiry: this.store.formatTime(c.expiresAt),
            resource_uri: this.resourceUri(mod),
            resource_id: this.store.modules.get(mod)?.id ?? '',
            resource_name: mod,
            channel_id: c.channelId,
            notification_condition: echoConditions(c.conditions, this.store.modules),
          };
        }),
      },
      message,
      status: 'success',
    };
  }

  private resourceUri(module: string): string {
    return `${this.ctx.baseUrl()}/crm/v8/${module}`;
  }

  // -------------------------------------------------------------------------------------------
  // callbacks

  private dispatch(change: CrmChange): void {
    if (this.stopped) return;
    const event = EVENT_OF[change.operation];
    for (const c of this.live()) {
      const wanted = c.events.some(
        (e) => e === `${change.module}.${event}` || e === `${change.module}.all`,
      );
      // A field condition narrows updates to the records whose written fields meet it.
      const seen = wanted ? meetingCondition(c, change) : undefined;
      if (seen) this.post(c, seen);
    }
  }

  private post(c: Channel, change: CrmChange): void {
    const body = callbackBody(c, change, this.store, this.resourceUri(change.module));
    deliver(c, body, this.deliveries, this.pending, this.now());
  }
}

function channelIdOf(item: Record<string, unknown>): string | undefined {
  const v = item.channel_id;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return String(v);
  if (typeof v === 'string' && /^\d{1,19}$/.test(v)) return v;
  return undefined;
}

function mandatory(field: string, i: number): Outcome {
  return watchError('MANDATORY_NOT_FOUND', 'required field not found', {
    api_name: field,
    json_path: `$.watch[${i}].${field}`,
  });
}

function invalid(field: string, i: number): Outcome {
  return watchError('INVALID_DATA', 'invalid data', {
    api_name: field,
    json_path: `$.watch[${i}].${field}`,
  });
}

function invalidAt(path: string, i: number): Outcome {
  return watchError('INVALID_DATA', 'invalid data', {
    api_name: 'notification_condition',
    json_path: `$.watch[${i}].${path}`,
  });
}

function notSubscribed(id: string): Outcome {
  return watchError('NOT_SUBSCRIBED', 'the channel is not subscribed', { channel_id: id });
}
