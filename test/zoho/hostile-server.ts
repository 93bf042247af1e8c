/**
 * A hostile "Zoho" on 127.0.0.1 for attack tests: a real HTTP server whose token endpoint and
 * API answers are whatever the test makes them (a foreign api_domain, an endless body, a
 * trickle, pages without end). It records what it was sent, so a test can prove what never left.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ConnectionOptions, ZohoConnection } from '../../src/zoho/core/connection';
import type { ZohoError } from '../../src/zoho/core/errors';

export type ApiHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface SeenRequest {
  method: string;
  path: string;
  authorization?: string;
}

export interface HostileServer {
  url: string;
  /** Every request but the token calls. */
  requests: SeenRequest[];
  tokenRequests: number;
  /** What the token endpoint names as api_domain (undefined: the key is left out). */
  apiDomain?: unknown;
  /** Answers every request that is not a token call; by default 200 `{}`. */
  api: ApiHandler;
  /** Answers token calls instead of the well-formed default, when set. */
  token?: ApiHandler;
  close(): Promise<void>;
}

let tokenSerial = 0;

function answerToken(server: HostileServer, res: http.ServerResponse): void {
  server.tokenRequests++;
  const body: Record<string, unknown> = {
    access_token: `1000.${(++tokenSerial).toString(16).padStart(32, 'a')}.${'b'.repeat(32)}`,
    expires_in: 3600,
    token_type: 'Bearer',
  };
  if (server.apiDomain !== undefined) body.api_domain = server.apiDomain;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}

export async function hostileServer(api?: ApiHandler): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const httpServer = http.createServer();
  const server: HostileServer = {
    url: '',
    requests: [],
    tokenRequests: 0,
    api: api ?? ((_req, res) => res.end('{}')),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        httpServer.close(() => resolve());
      }),
  };
  httpServer.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path.endsWith('/oauth/v2/token')) {
      req.resume();
      req.on('end', () => {
        if (!server.token) return answerToken(server, res);
        server.tokenRequests++;
        server.token(req, res);
      });
      return;
    }
    server.requests.push({
      method: req.method ?? '',
      path,
      authorization: req.headers.authorization,
    });
    server.api(req, res);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', () => resolve()));
  server.url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  return server;
}

/** api_domain values a token answer may carry that must never receive a token. */
export function hostileApiDomains(evilUrl: string): unknown[] {
  return [
    evilUrl,
    evilUrl.replace('http:', 'https:'),
    'http://www.zohoapis.com',
    'https://www.zohoapis.eu',
    'https://www.zohoapis.com.evil.example',
    'https://evil.example',
    'https://user:pw@www.zohoapis.com',
    'https://www.zohoapis.com:8443',
    'https://www.zohoapis.com/elsewhere',
    'javascript:alert(1)',
    'not a url',
    42,
    { host: 'evil.example' },
  ];
}

export function answer401(res: http.ServerResponse, body: unknown): void {
  res.statusCode = 401;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}

/** The CRM answer to a call outside the token's scopes (OAS error enum: OAUTH_SCOPE_MISMATCH). */
export const SCOPE_MISMATCH = {
  code: 'OAUTH_SCOPE_MISMATCH',
  details: { permissions: ['ZohoCRM.settings.ALL', 'ZohoCRM.settings.fields.READ'] },
  message: 'invalid oauth scope to access this URL',
  status: 'error',
};

/** Makes `calls` calls that each fail; returns the errors. */
export async function failingCalls(
  conn: ZohoConnection,
  calls: number,
  path = '/v8/settings/fields',
): Promise<ZohoError[]> {
  const errors: ZohoError[] = [];
  for (let i = 0; i < calls; i++) {
    await conn.request({ method: 'GET', path }).then(
      () => assert.fail('the call should fail'),
      (e: ZohoError) => errors.push(e),
    );
  }
  return errors;
}

/**
 * An answer that never ends: a JSON array opened and then 64 KiB chunks of records as fast as
 * the client reads them, chunked, until the client hangs up. Counts what it sent.
 */
export function endlessBody(sent: { bytes: number }): ApiHandler {
  const chunk = Buffer.from(`{"id":"1","Last_Name":"${'x'.repeat(65_000)}"},`);
  return (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"data":[');
    let open = true;
    res.on('close', () => (open = false));
    const pump = (): void => {
      while (open) {
        const more = res.write(chunk);
        sent.bytes += chunk.length;
        if (!more) break;
      }
      if (open) res.once('drain', pump);
    };
    pump();
  };
}

/** A valid CRM list of about `mb` MiB, sent in 64 KiB writes: a large answer under the limit. */
export function largeAnswer(mb: number): ApiHandler {
  const record = JSON.stringify({ id: '1', Last_Name: 'x'.repeat(65_000) });
  const count = Math.floor((mb * 1024 * 1024) / (record.length + 1));
  return (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"data":[');
    for (let i = 0; i < count; i++) res.write(i ? `,${record}` : record);
    res.end('],"info":{"more_records":false}}');
  };
}

/** An answer that trickles one byte every `everyMs`, for ever: never silent, never done. */
export function trickle(everyMs: number): ApiHandler {
  return (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{');
    const timer = setInterval(() => res.write(' '), everyMs);
    res.on('close', () => clearInterval(timer));
  };
}

/**
 * A CRM list that never ends: every page has `perPage` records and says more_records with a
 * fresh next_page_token (or always the same one, with `sameToken`).
 */
export function endlessPages(
  perPage: number,
  options: { sameToken?: boolean; pad?: number } = {},
): ApiHandler {
  let serial = 0;
  return (_req, res) => {
    serial++;
    const data = Array.from({ length: perPage }, (_, i) => ({
      id: String(serial * 1000 + i),
      Last_Name: 'x'.repeat(options.pad ?? 8),
    }));
    const token = options.sameToken ? 'same-token' : `token-${serial}`;
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify({
        data,
        info: { per_page: perPage, count: perPage, more_records: true, next_page_token: token },
      }),
    );
  };
}

export interface HostileRig {
  /** The hostile "Zoho": accounts server and API in one. */
  zoho: HostileServer;
  /** A second server that must never be reached. */
  evil: HostileServer;
  /** A custom-region connection to `zoho`, closed after the test. */
  connect(extra?: Partial<ConnectionOptions>): ZohoConnection;
}

/** Mocha hooks for a test suite against a hostile Zoho: fresh servers for every test. */
export function useHostileZoho(clientId = '1000.HOSTILECLIENT'): HostileRig {
  const open: ZohoConnection[] = [];
  const rig = {
    connect(extra: Partial<ConnectionOptions> = {}): ZohoConnection {
      const conn = new ZohoConnection({
        region: 'custom',
        accountsUrl: rig.zoho.url,
        clientId,
        clientSecret: 'hostile-secret',
        refreshToken: 'rt',
        ...extra,
      });
      open.push(conn);
      return conn;
    },
  } as HostileRig;
  beforeEach(async () => {
    rig.zoho = await hostileServer();
    rig.evil = await hostileServer();
  });
  afterEach(async () => {
    while (open.length) open.pop()?.close();
    await rig.zoho.close();
    await rig.evil.close();
  });
  return rig;
}
