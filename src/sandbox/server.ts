/**
 * The sandbox server: a real HTTP server on 127.0.0.1 that runs the API families behind
 * Zoho's cross-cutting behaviour — auth, credits, concurrency limit, latency and faults — so
 * clients are tested against the same wire behaviour they will meet in production.
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { Socket } from 'node:net';
import { AccountsState } from './accounts';
import { BodyError, parseBody, readBody } from './body';
import { encodeBody, type EncodedBody } from './encode';
import { type DemoCounts, seedDemo } from './demo';
import { defaultFamilies } from './families';
import { AppConcurrency, isHeavy } from './editions';
import { FaultInjector, type FaultHandle } from './faults';
import * as R from './router';
import { allowed, requiredScopes } from './scopes';
import type {
  ApiFamily,
  Product,
  RecordedRequest,
  SandboxContext,
  SandboxOptions,
  SandboxReply,
  SandboxRequest,
  SandboxStats,
} from './types';

export const DEFAULT_OPTIONS: SandboxOptions = {
  latencyMs: 0,
  concurrencyLimit: 0,
  creditLimit: 50000,
  requestLog: 20_000,
  tokenLifetimeSec: 3600,
  tokenRateLimit: { max: 10, windowMs: 600000 },
  dc: 'us',
  accountsServer: '',
};

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The network between a client and the sandbox (sandbox-only, no Zoho counterpart; the outage
 * kinds of issue 15): 'up'; 'refused', nothing listens on the port, so connections are refused
 * and open ones cut, as when the link or the host is down; 'blackhole', connections are accepted
 * and requests never answered, as when packets are lost past the first hop.
 */
export type LinkState = 'up' | 'refused' | 'blackhole';

const emptyStats = (): SandboxStats => ({
  tokenRequests: { authorization_code: 0, refresh_token: 0, total: 0 },
  apiRequests: 0,
  throttled: 0,
  maxConcurrent: 0,
});

export class Sandbox {
  readonly options: SandboxOptions;
  readonly accounts: AccountsState;
  readonly faults = new FaultInjector();
  readonly events = new EventEmitter();
  requests: RecordedRequest[] = [];
  stats = emptyStats();
  url = '';
  private readonly router = new R.Router();
  private readonly ctx: SandboxContext;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Bodies encoded during their call's latency (see encode.ts); gone with their reply. */
  private readonly encoded = new WeakMap<SandboxReply, EncodedBody>();
  private server?: http.Server;
  private port = 0;
  private link: LinkState = 'up';
  /** Sockets of requests swallowed by the black hole, cut when the link changes or stops. */
  private readonly held = new Set<Socket>();
  private inFlight = 0;
  private readonly appCalls = new AppConcurrency();
  /** Credits spent in the rolling window, oldest first, and their sum: O(1) per request. */
  private spent: { time: number; cost: number }[] = [];
  private spentHead = 0;
  private spentSum = 0;

  constructor(
    options: Partial<SandboxOptions> = {},
    private readonly families: ApiFamily[] = defaultFamilies(),
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    this.options.tokenRateLimit = { ...this.options.tokenRateLimit };
    const now = (): number => this.now();
    this.accounts = new AccountsState(now, this.options, () => this.url);
    this.ctx = {
      now,
      baseUrl: () => this.url,
      options: this.options,
      events: this.events,
      accounts: this.accounts,
    };
    for (const family of families) family.register(this.router, this.ctx);
    // Sandbox-only (no Zoho counterpart): the counters, for a sandbox in another process.
    this.router.route('GET', '/sandbox/stats', () => ({ status: 200, body: this.stats }), {
      auth: false,
      product: 'other',
    });
  }

  /** Keeps the latest `requestLog` requests; trimmed in halves, so a push stays O(1). */
  private logRequest(record: RecordedRequest): void {
    const keep = this.options.requestLog;
    if (keep <= 0) return;
    this.requests.push(record);
    if (this.requests.length >= keep * 2) this.requests = this.requests.slice(-keep);
  }

  now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Changes options in place, so families holding ctx.options see them at once. */
  configure(partial: Partial<SandboxOptions>): void {
    Object.assign(this.options, partial);
  }

  /** Loads the believable demo data `npm start` shows (see demo.ts). */
  seedDemo(): DemoCounts {
    return seedDemo(this.families);
  }

  clearRequests(): void {
    this.requests = [];
  }

  resetStats(): void {
    this.stats = emptyStats();
    this.spent = [];
    this.spentHead = 0;
    this.spentSum = 0;
  }

  /** Credits left in the rolling 24 h window (Infinity when unlimited). */
  creditsRemaining(): number {
    if (this.options.creditLimit <= 0) return Infinity;
    const since = this.now() - DAY_MS;
    while (this.spentHead < this.spent.length && this.spent[this.spentHead].time <= since) {
      this.spentSum -= this.spent[this.spentHead++].cost;
    }
    if (this.spentHead > 1024 && this.spentHead * 2 > this.spent.length) {
      this.spent = this.spent.slice(this.spentHead);
      this.spentHead = 0;
    }
    return this.options.creditLimit - this.spentSum;
  }

  async start(port = 0): Promise<string> {
    if (this.server) return this.url;
    const server = http.createServer((req, res) => {
      if (this.link === 'blackhole') return this.hold(req.socket);
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          this.send(res, R.crmError(500, 'INTERNAL_ERROR', `sandbox failure: ${String(err)}`));
        }
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // Loopback only: the sandbox hands out tokens to anyone who asks.
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('sandbox has no TCP address');
    this.port = address.port;
    this.url = `http://127.0.0.1:${address.port}`;
    return this.url;
  }

  /** Changes the network to the sandbox (see LinkState); 'up' listens again on the same port. */
  async setLink(state: LinkState): Promise<void> {
    const server = this.server;
    if (!server) throw new Error('the sandbox is not running');
    const was = this.link;
    this.link = state;
    this.release();
    if (state === 'refused' && was !== 'refused') {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    } else if (state !== 'refused' && was === 'refused') {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    }
  }

  get linkState(): LinkState {
    return this.link;
  }

  /**
   * The accounts server out of reach while the API answers: each of its requests is cut
   * unanswered. One port serves both here, so its connections cannot be refused by host; the
   * client meets a network error on its token call either way. Undo with the handle's remove().
   */
  accountsDown(): FaultHandle {
    return this.faults.inject({
      match: { path: /^\/oauth\// },
      kind: 'reset-before',
      times: Infinity,
    });
  }

  private hold(socket: Socket): void {
    this.held.add(socket);
    socket.once('close', () => this.held.delete(socket));
  }

  private release(): void {
    for (const socket of this.held) socket.destroy();
    this.held.clear();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.events.emit('stop');
    for (const family of this.families) await family.stop?.();
    const server = this.server;
    this.server = undefined;
    this.release();
    const listening = this.link !== 'refused';
    this.link = 'up';
    if (!server || !listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private delay(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const time = this.now();
    // Latency counts from arrival: Zoho's own work is inside its round trip, so the emulator's
    // (parsing, storing, sorting, on one core for every call in flight) must not add to it.
    const arrived = performance.now();
    const latency = (extra = 0) =>
      this.delay(Math.max(0, this.options.latencyMs - (performance.now() - arrived)) + extra);
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const { path, parts } = R.decodePath(url.pathname);
    const record: RecordedRequest = {
      method,
      path,
      target: req.url ?? '/',
      query: queryObject(url.searchParams),
      headers: redact(req.headers),
      body: undefined,
      status: 0,
      time,
    };
    this.logRequest(record);
    let injected = false;
    const finish = (reply: SandboxReply | undefined): void => {
      record.status = reply?.status ?? 0;
      if (!reply) record.reset = true;
      record.durationMs = this.now() - time;
      // A test's injected fault is not the emulator's answer: onAnswer sees only the latter.
      if (reply && !injected) this.options.onAnswer?.({ method, path }, reply.status, reply.body);
      if (reply) this.send(res, reply);
      else req.socket.destroy();
    };

    const match = this.router.match(method, parts);
    const product: Product = match.kind === 'found' ? match.route.product : R.productOf(path);
    const sreq: SandboxRequest = {
      method,
      path,
      query: url.searchParams,
      headers: req.headers,
      params: {},
      body: undefined,
      rawBody: Buffer.alloc(0),
    };
    try {
      sreq.rawBody = await readBody(req);
      Object.assign(sreq, parseBody(req.headers['content-type'], sreq.rawBody));
      record.body = sreq.body;
    } catch (err) {
      if (!(err instanceof BodyError)) throw err;
      await latency();
      return finish(R.bodyError(product, err));
    }
    this.count(sreq, match);

    const faults = new Map(this.faults.take(method, path).map((f) => [f.kind, f]));
    if (faults.has('reset-before')) return finish(undefined);
    const presented = bearer(req.headers.authorization);
    if (presented && faults.has('expire-token')) this.accounts.expireAccessToken(presented);
    if (presented && faults.has('revoke-token')) {
      const rt = this.accounts.refreshTokenOf(presented);
      if (rt) this.accounts.revokeRefreshToken(rt);
      else this.accounts.revokeAccessToken(presented);
    }
    const statusFault = faults.get('status');
    injected = statusFault !== undefined;
    const wait = (answer: SandboxReply): Promise<void> => {
      this.encoded.set(answer, encodeBody(answer));
      return latency(faults.get('slow')?.delayMs ?? 0);
    };
    let reply: SandboxReply;
    if (!statusFault && match.kind === 'found') {
      sreq.params = match.params;
      // dispatch waits itself: the request must count as in flight during the latency.
      reply = await this.dispatch(sreq, match.route, presented, wait);
    } else {
      if (statusFault) reply = R.faultReply(statusFault, product);
      else if (match.kind === 'method') reply = R.methodNotAllowed(path, match.allowed);
      else reply = R.notFound(path);
      await wait(reply);
    }
    finish(faults.has('reset-after') ? undefined : reply);
  }

  /** Runs one matched route behind auth, concurrency and credit checks. */
  private async dispatch(
    req: SandboxRequest,
    route: R.Route,
    presented: string | undefined,
    beforeSend: (reply: SandboxReply) => Promise<void>,
  ): Promise<SandboxReply> {
    if (!route.auth) {
      const reply = await route.handler(req, this.ctx);
      await beforeSend(reply);
      return reply;
    }
    const token = presented ? this.accounts.validateAccessToken(presented) : undefined;
    if (!token) {
      const reply = R.authFailure(route.product, presented === undefined);
      await beforeSend(reply);
      return reply;
    }
    req.token = token;
    const needs = requiredScopes(route.product, route.pattern, req);
    if (needs && !allowed(token.scope, needs)) {
      const reply = R.scopeMismatch(route.product);
      await beforeSend(reply);
      return reply;
    }
    const admission = this.admit(route, req, token.clientId);
    if ('refused' in admission) {
      this.stats.throttled++;
      await beforeSend(admission.refused);
      return admission.refused;
    }
    this.inFlight++;
    this.stats.maxConcurrent = Math.max(this.stats.maxConcurrent, this.inFlight);
    try {
      let reply: SandboxReply;
      const cost = typeof route.credits === 'number' ? route.credits : route.credits(req);
      // A call that costs no credits (Books, the accounts server) is never refused for CRM's:
      // Books counts its own calls (docs/ZOHO-FACTS.md "Books: its own daily quota").
      if (cost > 0 && this.creditsRemaining() < cost) {
        this.stats.throttled++;
        reply = R.tooManyRequests(
          route.product,
          'The API credit limit for the last 24 hours is exhausted',
        );
      } else {
        if (cost > 0) {
          this.spent.push({ time: this.now(), cost });
          this.spentSum += cost;
        }
        reply = await route.handler(req, this.ctx);
      }
      if (route.product === 'crm') reply = this.withCreditHeader(reply);
      await beforeSend(reply);
      return reply;
    } finally {
      this.inFlight--;
      if (admission.heavy !== undefined) this.appCalls.leave(token.clientId, admission.heavy);
    }
  }

  /**
   * Refuses (429) a call over the sandbox's or the edition's concurrency cap; when the call
   * counts against its app's edition caps, says whether it is heavy (to release it after).
   */
  private admit(
    route: R.Route,
    req: SandboxRequest,
    app: string,
  ): { refused: SandboxReply } | { heavy?: boolean } {
    const limit = this.options.concurrencyLimit;
    const refuse = (message: string) => ({ refused: R.tooManyRequests(route.product, message) });
    if (limit > 0 && this.inFlight >= limit) {
      return refuse(`The concurrency limit of ${limit} requests in progress was exceeded`);
    }
    const edition = this.options.edition;
    if (edition === undefined || route.product !== 'crm') return {};
    const heavy = isHeavy(route.pattern, req);
    const verdict = this.appCalls.enter(app, edition, heavy);
    if (verdict === 'ok') return { heavy };
    return refuse(
      verdict === 'heavy'
        ? 'The concurrency limit of this API was exceeded'
        : `The concurrency limit of the ${edition} edition was exceeded`,
    );
  }

  /**
   * Zoho's one credit figure on an answer: `X-API-CREDITS-REMAINING`, sent once at least half of
   * the org's daily credits (add-ons aside) are used (v8 `api-limits.html` as quoted in
   * docs/ZOHO-FACTS.md "Limits: API credits"); Zoho names no limit and no reset on answers.
   */
  private withCreditHeader(reply: SandboxReply): SandboxReply {
    const limit = this.options.creditLimit;
    if (limit <= 0) return reply;
    const remaining = Math.max(0, this.creditsRemaining());
    if (remaining > limit / 2) return reply;
    return {
      ...reply,
      headers: { 'X-API-CREDITS-REMAINING': String(remaining), ...reply.headers },
    };
  }

  private count(req: SandboxRequest, match: R.RouteMatch): void {
    if (req.path === '/oauth/v2/token' && req.method === 'POST') {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const grant = body.grant_type ?? req.query.get('grant_type');
      this.stats.tokenRequests.total++;
      if (grant === 'authorization_code' || grant === 'refresh_token') {
        this.stats.tokenRequests[grant]++;
      }
    } else if (match.kind === 'found' ? match.route.auth : R.productOf(req.path) !== 'other') {
      this.stats.apiRequests++;
    }
  }

  private send(res: http.ServerResponse, reply: SandboxReply): void {
    // Zoho's clock is the sandbox's: clients may read the time from Date.
    const headers: Record<string, string | number | string[]> = {
      Date: new Date(this.now()).toUTCString(),
      ...reply.headers,
    };
    const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
    const { payload, bytes, type } = this.encoded.get(reply) ?? encodeBody(reply);
    if (payload !== undefined) {
      if (!hasType && type) headers['Content-Type'] = type;
      headers['Content-Length'] = bytes ?? 0;
    }
    res.writeHead(reply.status, headers);
    res.end(payload);
  }
}

function bearer(header: string | undefined): string | undefined {
  return /^Zoho-oauthtoken\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
}

function redact(headers: http.IncomingHttpHeaders): RecordedRequest['headers'] {
  const out: RecordedRequest['headers'] = { ...headers };
  if (typeof headers.authorization === 'string') {
    out.authorization = `${headers.authorization.slice(0, 6)}…`;
  }
  return out;
}

function queryObject(q: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(q.keys())) {
    const all = q.getAll(key);
    out[key] = all.length === 1 ? all[0] : all;
  }
  return out;
}
