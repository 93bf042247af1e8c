/**
 * Route table of the sandbox, plus Zoho's error envelopes, which the server needs for the
 * answers no family gives (unknown URL, auth failure, throttling).
 */
import type { BodyError } from './body';
import type { FaultRule } from './faults';
import type {
  Handler,
  Product,
  RouteOptions,
  RouteRegistrar,
  SandboxReply,
  SandboxRequest,
} from './types';

export interface Route {
  method: string;
  pattern: string;
  segments: string[];
  handler: Handler;
  auth: boolean;
  product: Product;
  credits: number | ((req: SandboxRequest) => number);
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method'; allowed: string[] }
  | { kind: 'none' };

export function productOf(path: string): Product {
  const first = path.split('/')[1] ?? '';
  return first === 'crm' ? 'crm' : first === 'books' ? 'books' : 'other';
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Decodes segment by segment so an encoded '/' (%2F) stays inside its segment. */
export function decodePath(rawPath: string): { path: string; parts: string[] } {
  const parts = split(rawPath).map(decode);
  return { path: '/' + parts.join('/'), parts };
}

export class Router implements RouteRegistrar {
  readonly routes: Route[] = [];

  route(method: string, pattern: string, handler: Handler, opts: RouteOptions = {}): void {
    const auth = opts.auth ?? true;
    this.routes.push({
      method: method.toUpperCase(),
      pattern,
      segments: split(pattern),
      handler,
      auth,
      product: opts.product ?? productOf(pattern),
      credits: opts.credits ?? (auth ? 1 : 0),
    });
  }

  /** `parts` are the decoded segments of the request path (see decodePath). */
  match(method: string, parts: string[]): RouteMatch {
    let best: { route: Route; params: Record<string, string>; score: string } | undefined;
    const allowed = new Set<string>();
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method !== method.toUpperCase()) {
        allowed.add(route.method);
        continue;
      }
      // Literal segments beat parameters, earlier ones first: '/x/search' wins over '/x/:id'.
      const score = route.segments.map((s) => (s.startsWith(':') ? '0' : '1')).join('');
      if (!best || score > best.score) best = { route, params, score };
    }
    if (best) return { kind: 'found', route: best.route, params: best.params };
    if (allowed.size > 0) return { kind: 'method', allowed: [...allowed] };
    return { kind: 'none' };
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith(':')) params[p.slice(1)] = parts[i];
    else if (p !== parts[i]) return undefined;
  }
  return params;
}

/** CRM's API_Exception shape (common.json): status, code, message and details are required. */
export function crmError(
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): SandboxReply {
  return { status, body: { code, details, message, status: 'error' } };
}

/** Books answers a numeric code and a message. */
export function booksError(status: number, code: number, message: string): SandboxReply {
  return { status, body: { code, message } };
}

export function notFound(path: string): SandboxReply {
  const product = productOf(path);
  if (product === 'crm') {
    return crmError(
      404,
      'INVALID_URL_PATTERN',
      'Please check if the URL trying to access is a correct one',
    );
  }
  if (product === 'books') return booksError(404, 5, 'Invalid URL Passed');
  const name = split(path)[0] ?? '/';
  return {
    status: 404,
    body: { code: 'NOT_EMULATED', message: `the sandbox does not emulate ${name}` },
  };
}

export function methodNotAllowed(path: string, allowed: string[]): SandboxReply {
  const reply =
    productOf(path) === 'books'
      ? booksError(405, 37, 'The HTTP method is not allowed for the requested resource')
      : crmError(405, 'METHOD_NOT_ALLOWED', 'The requested method is not allowed for this URL');
  return { ...reply, headers: { Allow: allowed.join(', ') } };
}

/**
 * A refused or absent token. Books (and Zoho Invoice, the same finance platform) answer 401
 * code 14 when no token came and 57 for a dead one, as third-party live probes record (see
 * docs/ZOHO-FACTS.md "Scopes"); CRM answers AUTHENTICATION_FAILURE / INVALID_TOKEN (record.json).
 */
export function authFailure(product: Product, missing: boolean): SandboxReply {
  if (product === 'books') {
    return missing
      ? booksError(
          401,
          14,
          'The request could not be authenticated as the authentication value you entered is invalid. Enter a valid authentication value and try again.',
        )
      : booksError(401, 57, 'You are not authorized to perform this operation');
  }
  return missing
    ? crmError(401, 'AUTHENTICATION_FAILURE', 'Authentication failed')
    : crmError(401, 'INVALID_TOKEN', 'invalid oauth token');
}

/**
 * A live token without the scope the route needs: CRM 401 OAUTH_SCOPE_MISMATCH "invalid oauth
 * scope to access this URL" (record.json error enum, v8 "Possible Errors" sections), Books 401
 * code 57 "You are not authorized to perform this operation" (see docs/ZOHO-FACTS.md "Scopes").
 */
export function scopeMismatch(product: Product): SandboxReply {
  return product === 'books'
    ? booksError(401, 57, 'You are not authorized to perform this operation')
    : crmError(401, 'OAUTH_SCOPE_MISMATCH', 'invalid oauth scope to access this URL');
}

export function tooManyRequests(product: Product, message: string): SandboxReply {
  return product === 'books'
    ? booksError(429, 44, message)
    : crmError(429, 'TOO_MANY_REQUESTS', message);
}

const FAULT_CODES: Record<number, string> = {
  400: 'INVALID_DATA',
  401: 'INVALID_TOKEN',
  403: 'NO_PERMISSION',
  404: 'INVALID_URL_PATTERN',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_ERROR',
};

/** Default answer of a 'status' fault: the envelope the product would use. */
export function faultReply(rule: FaultRule, product: Product): SandboxReply {
  const status = rule.status ?? 500;
  const headers =
    rule.retryAfter !== undefined ? { 'Retry-After': String(rule.retryAfter) } : undefined;
  if (rule.body !== undefined) return { status, body: rule.body, headers };
  const message = `sandbox fault: HTTP ${status}`;
  const reply =
    product === 'books'
      ? booksError(status, status === 429 ? 44 : status, message)
      : crmError(status, FAULT_CODES[status] ?? 'SANDBOX_FAULT', message);
  return { ...reply, headers };
}

export function bodyError(product: Product, err: BodyError): SandboxReply {
  return product === 'books'
    ? booksError(err.status, 4, err.message)
    : crmError(err.status, 'INVALID_DATA', err.message);
}
