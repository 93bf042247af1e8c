/**
 * The one way the pack serves the editor's admin endpoints (RED.httpAdmin): a route is declared
 * as data (method, path, permission, handler) and registered here, once per runtime, behind
 * `RED.auth.needsPermission`. Path parameters are node ids and checked as such before the
 * handler runs; a handler returns the JSON body (or writes the reply itself), and every failure
 * becomes one JSON error with one status mapping. No rejection ever reaches Express.
 */
import type { NodeAPI } from 'node-red';
import { isZohoError } from '../../zoho/core/errors';
import { redactText } from '../../zoho/core/redact';
import { AdminMeter, callerOf, type Caller } from './admin-meter';
import { isZohoConfigNode, type ZohoConfigNode } from './config-node';
import { translator } from './i18n';

export interface AdminRequest extends Caller {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body?: unknown;
}

export interface AdminResponse {
  readonly headersSent: boolean;
  status(code: number): AdminResponse;
  set(field: string | Record<string, string>, value?: string): AdminResponse;
  json(body: unknown): void;
  send(body: string): void;
}

/**
 * `read` / `write`: zoho-config.read / zoho-config.write. `public`: no permission, for the
 * OAuth callback only (Zoho's redirect carries no admin token; it is guarded by its `state`).
 */
export type AdminPermission = 'read' | 'write' | 'public';

export interface AdminRoute {
  method: 'get' | 'post';
  path: string;
  permission: AdminPermission;
  /** The JSON reply, or undefined when the handler wrote the reply itself. */
  handle(req: AdminRequest, res: AdminResponse): Promise<unknown>;
  /** Secrets to scrub from an error's message (a connection's tokens, say). */
  secrets?(req: AdminRequest): string[];
  /** The route calls Zoho: its failures are remembered briefly and each user is rate-limited. */
  metered?: boolean;
}

export class RouteError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A Node-RED node id (what a path parameter must be; a body field naming a node too). */
export function isNodeId(value: unknown): value is string {
  return typeof value === 'string' && NODE_ID.test(value);
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** The request body as an object ({} for none). */
export function bodyOf(req: AdminRequest): Record<string, unknown> {
  const body = req.body;
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
}

/**
 * The HTTP status of a failure: the route's own, 400 for what the caller can fix (input,
 * configuration, credentials, Zoho refusing the request), 429 for limits, 502 when Zoho could
 * not be reached or failed.
 */
export function httpStatusOf(err: unknown): number {
  if (err instanceof RouteError) return err.status;
  if (!isZohoError(err)) return 500;
  if (err.kind === 'network' || err.kind === 'timeout' || err.kind === 'aborted') return 502;
  if (err.kind === 'limit') return 429;
  if ((err.kind === 'zoho' || err.kind === 'http') && (err.status ?? 0) >= 500) return 502;
  return 400;
}

export function errorBody(
  err: unknown,
  unexpected: string,
  secrets: readonly string[] = [],
): { error: { message: string; code: string } } {
  if (err instanceof RouteError || isZohoError(err)) {
    return { error: { message: redactText(err.message, secrets), code: err.code } };
  }
  return { error: { message: unexpected, code: 'INTERNAL_ERROR' } };
}

/** The deployed zoho-config node `id`, or a 404 the editor shows ("deploy it first"). */
export function deployedConfig(RED: NodeAPI, id: string): ZohoConfigNode {
  const node = RED.nodes.getNode(id);
  if (isZohoConfigNode(node)) return node;
  throw new RouteError(404, 'NOT_DEPLOYED', translator(RED, 'zoho-config')('admin.notDeployed'));
}

type Handler = (req: AdminRequest, res: AdminResponse) => void;
type App = Record<AdminRoute['method'], (path: string, ...handlers: unknown[]) => void>;

const registered = new WeakSet<object>();

/**
 * Registers `routes` on RED.httpAdmin. Node-RED calls a node module's function once per
 * start; the guard keeps a second call on the same admin app from adding them twice.
 */
export function registerAdminRoutes(RED: NodeAPI, routes: AdminRoute[]): void {
  const app = RED.httpAdmin as unknown as App | undefined;
  if (!app || registered.has(app)) return;
  registered.add(app);
  const t = translator(RED, 'zoho-config');
  const meter = new AdminMeter();
  for (const route of routes) {
    const guard =
      route.permission === 'public'
        ? []
        : [RED.auth.needsPermission(`zoho-config.${route.permission}`)];
    const handler: Handler = (req, res) => {
      const fail = (err: unknown): void => {
        if (res.headersSent) return;
        const secrets = safely(() => route.secrets?.(req)) ?? [];
        res.status(httpStatusOf(err)).json(errorBody(err, t('admin.unexpected'), secrets));
      };
      const badId = Object.values(req.params ?? {}).some((id) => !NODE_ID.test(String(id)));
      if (badId) return fail(new RouteError(400, 'INVALID_INPUT', t('admin.notNodeId')));
      const run = () => route.handle(req, res);
      Promise.resolve()
        .then(route.metered ? () => metered(meter, route, req, res, run, t) : run)
        .then((body) => {
          if (body !== undefined && !res.headersSent) res.json(body);
        })
        .catch(fail);
    };
    app[route.method](route.path, ...guard, handler);
  }
}

/**
 * A metered route's run: a fresh remembered failure is answered again without calling Zoho;
 * else a caller over their failure limit gets 429 with Retry-After, and a new failure is
 * remembered and charged to the caller.
 */
async function metered(
  meter: AdminMeter,
  route: AdminRoute,
  req: AdminRequest,
  res: AdminResponse,
  run: () => Promise<unknown>,
  t: (key: string) => string,
): Promise<unknown> {
  const key = `${route.method} ${route.path} ${JSON.stringify([req.params, req.query])}`;
  const remembered = meter.recentFailure(key);
  if (remembered !== undefined) throw remembered;
  const caller = callerOf(req);
  const waitMs = meter.admit(caller);
  if (waitMs > 0) {
    res.set('Retry-After', String(Math.ceil(waitMs / 1000)));
    throw new RouteError(429, 'RATE_LIMITED', t('admin.rateLimited'));
  }
  try {
    return await run();
  } catch (error) {
    meter.noteFailure(key, caller, error);
    throw error;
  }
}

function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
