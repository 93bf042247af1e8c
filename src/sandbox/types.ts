/**
 * Shared types of the Zoho sandbox. API families (CRM, Books, accounts) only see these, so a
 * family can be written without reading the server.
 */
import type { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import type { AccountsState, TokenInfo, TokenPolicy } from './accounts-state';
import type { Edition } from './editions';

export type { TokenInfo };

export type Product = 'crm' | 'books' | 'other';

export interface SandboxOptions extends TokenPolicy {
  /**
   * Every response leaves at least this long after its request arrived (the emulator's own work
   * counted in), so clients meet real round-trip times.
   */
  latencyMs: number;
  /** In-flight API requests beyond this answer 429; 0 = unlimited. */
  concurrencyLimit: number;
  /**
   * The CRM edition whose per-app concurrency caps apply (editions.ts), on top of
   * concurrencyLimit; undefined = no edition caps.
   */
  edition?: Edition;
  /**
   * GET /org `license_details.paid_type` when it should not follow `edition` (e.g. a value the
   * pack does not know); undefined = the edition's own value (editions.ts licenseDetails).
   */
  paidType?: string;
  /** GET /org `license_details.users_license_purchased`; 10 when not given. */
  licensedUsers?: number;
  /** API credits per rolling 24 h; 0 = unlimited (and no X-API-CREDITS-REMAINING header). */
  creditLimit: number;
  /**
   * How many of the latest requests `Sandbox.requests` keeps for tests to read (0 = none): a
   * sandbox left running for days, or a bench of a million calls, must not grow without bound.
   */
  requestLog: number;
  /**
   * Zoho's data-centre location of the emulated account ("us", "eu", "in", …): the consent
   * redirect carries it as `location`, as Zoho's multi-DC redirect does.
   */
  dc: string;
  /**
   * The `accounts-server` the consent redirect names (Zoho: that data centre's accounts host,
   * e.g. https://accounts.zoho.eu); empty = this sandbox, which is the accounts server.
   */
  accountsServer: string;
  /** Clock for tests; Date.now by default. */
  now?: () => number;
  /**
   * Sees every answer the sandbox sends (tests validate them against Zoho's OpenAPI files);
   * a sandbox-only hook with no Zoho counterpart.
   */
  onAnswer?: (request: AnsweredRequest, status: number, body: unknown) => void;
}

/** What onAnswer is told of the request an answer is for. */
export interface AnsweredRequest {
  method: string;
  /** The decoded path, e.g. `/crm/v8/Leads/123`. */
  path: string;
}

/** One part of a multipart/form-data body. */
export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export interface SandboxRequest {
  method: string;
  /** Decoded path, without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Values of the route's `:name` segments, decoded. */
  params: Record<string, string>;
  /** JSON value, form fields as an object, or undefined when there was no body. */
  body: unknown;
  rawBody: Buffer;
  /** File parts of a multipart body (text fields land in `body`). */
  files?: MultipartPart[];
  /** Set by the server on routes with auth. */
  token?: TokenInfo;
}

export interface SandboxReply {
  status: number;
  headers?: Record<string, string | number | string[]>;
  /** Objects are JSON-serialised; 204 and 304 send no body. */
  body?: unknown;
  contentType?: string;
}

export type Handler = (
  req: SandboxRequest,
  ctx: SandboxContext,
) => SandboxReply | Promise<SandboxReply>;

export interface RouteOptions {
  /** Require `Authorization: Zoho-oauthtoken …`; default true. */
  auth?: boolean;
  /** Picks the error envelope and rate-limit headers; default guessed from the path. */
  product?: Product;
  /** API credits this call costs, or how to weigh it; default 1 (0 for routes without auth). */
  credits?: number | ((req: SandboxRequest) => number);
}

export interface RouteRegistrar {
  route(method: string, pattern: string, handler: Handler, opts?: RouteOptions): void;
}

export interface SandboxContext {
  now(): number;
  /** The sandbox's base URL, e.g. http://127.0.0.1:PORT (empty before start). */
  baseUrl(): string;
  /** Live options: configure() changes them in place. */
  options: SandboxOptions;
  /** Families publish changes here, e.g. 'crm.change'; 'stop' fires when the server stops. */
  events: EventEmitter;
  /** Token and client state, for families that need the caller's identity. */
  accounts: AccountsState;
}

export interface ApiFamily {
  name: string;
  register(r: RouteRegistrar, ctx: SandboxContext): void;
  /** Called by Sandbox.stop(): cancel timers and outbound calls the family started. */
  stop?(): void | Promise<void>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The request-target as sent, before any decoding or dot-segment removal. */
  target: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** 0 while in flight or when no response was sent (socket reset). */
  status: number;
  /** Epoch ms when the request arrived. */
  time: number;
  durationMs?: number;
  /** True when a fault destroyed the socket. */
  reset?: boolean;
}

export interface SandboxStats {
  tokenRequests: { authorization_code: number; refresh_token: number; total: number };
  /** Requests that reached an authenticated API route (including rejected ones). */
  apiRequests: number;
  /** API calls answered 429 by the concurrency or credit limit. */
  throttled: number;
  /** Highest number of API requests in flight at once. */
  maxConcurrent: number;
}
