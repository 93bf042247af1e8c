/**
 * What long-lived objects hold on to: forced garbage collection, heap after it, active timers,
 * and a tiny HTTP server whose answers allocate nothing lasting (the sandbox logs every request,
 * which would hide a client's growth).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { ZohoAuth } from '../../src/zoho/core/auth';
import { ZohoHttp } from '../../src/zoho/core/http';

v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

/** Heap used after full collections, in bytes. */
export async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    collect();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

/** Timers (setTimeout/setInterval) alive in this process now. */
export function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

export interface EchoServer {
  url: string;
  close(): Promise<void>;
}

/** Answers every request with `{"data":[]}` at once. */
export async function echoServer(): Promise<EchoServer> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"data":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A request path to `url` with a fixed token: only the client's own bookkeeping remains. */
export function echoHttp(url: string, maxConcurrency = 5): ZohoHttp {
  const tokens = { accessToken: 'token', expiresAt: Date.now() + 3_600_000, apiDomain: url };
  const auth = {
    accessToken: () => Promise.resolve(tokens),
    current: () => tokens,
    replaceRejected: () => Promise.resolve(tokens),
  } as unknown as ZohoAuth;
  return new ZohoHttp({ auth, region: { region: 'custom', accountsUrl: url }, maxConcurrency });
}
