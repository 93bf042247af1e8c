/**
 * Test helpers around the sandbox. Each suite gets its own server on a free loopback port, so
 * suites never share state and can run in any order.
 */
import { DEFAULT_CLIENT } from '../../src/sandbox/accounts';
import { defaultFamilies } from '../../src/sandbox/families';
import { DEFAULT_OPTIONS, Sandbox } from '../../src/sandbox/server';
import type { ApiFamily, SandboxOptions, SandboxRequest } from '../../src/sandbox/types';
import { ConnectionOptions, ZohoConnection } from '../../src/zoho/core/connection';
import { DEFAULT_SCOPES } from '../../src/zoho/core/consent';

export { Sandbox, DEFAULT_CLIENT };

/** Every scope the pack asks for by default: what a test token gets unless it says otherwise. */
export const ALL_SCOPES = DEFAULT_SCOPES.join(',');

/** `families` defaults to everything the real sandbox serves. */
export async function startSandbox(
  opts: Partial<SandboxOptions> = {},
  families: ApiFamily[] = defaultFamilies(),
): Promise<Sandbox> {
  const sandbox = new Sandbox(opts, families);
  await sandbox.start();
  return sandbox;
}

export interface SandboxFixture {
  /** The running sandbox; valid inside tests and hooks of the suite. */
  readonly sandbox: Sandbox;
  readonly url: string;
}

/**
 * Call inside a `describe`: starts a sandbox before the suite, stops it after, and resets
 * faults, the request log, stats and options between tests.
 *   const sb = useSandbox();  it('…', async () => fetch(sb.url + '/…'));
 */
export function useSandbox(
  opts: Partial<SandboxOptions> = {},
  families?: () => ApiFamily[],
): SandboxFixture {
  let current: Sandbox | undefined;
  const fixture: SandboxFixture = {
    get sandbox(): Sandbox {
      if (!current) throw new Error('useSandbox: the sandbox is only available inside tests');
      return current;
    },
    get url(): string {
      return fixture.sandbox.url;
    },
  };
  before(async () => {
    current = await startSandbox(opts, families?.());
  });
  afterEach(() => {
    if (!current) return;
    current.faults.clear();
    current.clearRequests();
    current.resetStats();
    current.configure({
      ...DEFAULT_OPTIONS,
      now: undefined,
      edition: undefined,
      ...opts,
      tokenRateLimit: { ...(opts.tokenRateLimit ?? DEFAULT_OPTIONS.tokenRateLimit) },
    });
  });
  after(async () => {
    await current?.stop();
    current = undefined;
  });
  return fixture;
}

/**
 * Org time zones the date and poll-checkpoint suites run under: UTC, India (+05:30, a half-hour
 * offset) and US Pacific standard time (−08:00, behind UTC, so a local date can be a day early).
 */
export const ORG_TIME_ZONES = [
  { name: 'UTC', offsetMinutes: 0 },
  { name: '+05:30', offsetMinutes: 330 },
  { name: '-08:00', offsetMinutes: -480 },
] as const;

/** The offset a time zone name has at `at` by the platform's tz data, in minutes east of UTC. */
export function zoneOffsetMinutes(timeZone: string, at: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')!.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

/** A ready-to-use token pair for the default client, without going through HTTP. */
export function issueTokens(
  sandbox: Sandbox,
  scope = ALL_SCOPES,
): { accessToken: string; refreshToken: string } {
  const clientId = DEFAULT_CLIENT.clientId;
  const refreshToken = sandbox.accounts.issueRefreshToken({ clientId, scope });
  const accessToken = sandbox.accounts.issueAccessToken({ clientId, scope, refreshToken });
  return { accessToken, refreshToken };
}

/** Authorization header for an access token. */
export function authHeader(accessToken: string): Record<string, string> {
  return { Authorization: `Zoho-oauthtoken ${accessToken}` };
}

/**
 * Calls the sandbox's CRM v8 API over HTTP as an outside client would (the changes a watch node
 * must notice): `api(method, path, body)` answers the parsed JSON ({} for a 204), and
 * `createLeads(n, tag)` inserts n leads 100 per call and answers their ids in order.
 */
export function crmApi(sandboxUrl: string, accessToken: string) {
  // Tests read Zoho's JSON answers freely, as the other test messages (AnyMsg) are read.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const api = async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${sandboxUrl}/crm/v8${path}`, {
      method,
      headers: { ...authHeader(accessToken), 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res.status === 204 ? {} : await res.json();
  };
  const createLeads = async (n: number, tag = 'L'): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 100) {
      const data = Array.from({ length: Math.min(100, n - i) }, (_, k) => ({
        Last_Name: `${tag}${i + k}`,
      }));
      const res = await api('POST', '/Leads', { data });
      ids.push(...res.data.map((d: { details: { id: unknown } }) => String(d.details.id)));
    }
    return ids;
  };
  return { api, createLeads };
}

export interface ProbeFamily extends ApiFamily {
  /** Handler runs so far: tells a test whether a request had an effect. */
  calls: number;
}

/**
 * A minimal authenticated family for tests of the server itself (and of clients before the
 * CRM family exists): /crm/v8/__probe[...] and /books/v3/__probe.
 */
export function probeFamily(): ProbeFamily {
  const family: ProbeFamily = {
    name: 'probe',
    calls: 0,
    register(r) {
      const summary = (req: SandboxRequest) => {
        family.calls++;
        return {
          status: 200,
          body: {
            method: req.method,
            params: req.params,
            query: Object.fromEntries(req.query),
            body: req.body,
            files: req.files?.map((f) => ({ ...f, data: f.data.toString('utf8') })),
            token: req.token,
          },
        };
      };
      r.route('GET', '/crm/v8/__probe', summary);
      r.route('POST', '/crm/v8/__probe', summary);
      r.route('GET', '/crm/v8/__probe/:id', summary);
      r.route('GET', '/crm/v8/__probe/search', (req) => ({
        ...summary(req),
        body: { search: true },
      }));
      r.route('GET', '/crm/v8/__probe_costly', summary, { credits: 2 });
      // A call the client's credit table weighs at 500 (Bulk Write Initialize).
      r.route('POST', '/crm/bulk/v8/write', summary, { credits: 500 });
      r.route('GET', '/books/v3/__probe', summary);
      r.route('GET', '/crm/v8/__probe_empty', () => ({ status: 204, body: { ignored: true } }));
      r.route('GET', '/crm/v8/__probe_throw', () => {
        throw new Error('boom');
      });
    },
  };
  return family;
}

/** The default families plus the probe, as useSandbox's `families` argument wants. */
export function withProbe(probe: ProbeFamily): () => ApiFamily[] {
  return () => [...defaultFamilies(), probe];
}

/**
 * A client connection to `sandbox` as the default Self Client, holding a refresh token freshly
 * issued for `scope` (every scope the pack asks for by default); `extra` sets any other
 * connection option (clock, concurrency, …).
 */
export function sandboxConnection(
  sandbox: Sandbox,
  scope = ALL_SCOPES,
  extra: Partial<ConnectionOptions> = {},
): ZohoConnection {
  const refreshToken = sandbox.accounts.issueRefreshToken({
    clientId: DEFAULT_CLIENT.clientId,
    scope,
  });
  return new ZohoConnection({
    region: 'custom',
    accountsUrl: sandbox.url,
    clientId: DEFAULT_CLIENT.clientId,
    clientSecret: DEFAULT_CLIENT.clientSecret,
    refreshToken,
    ...extra,
  });
}
