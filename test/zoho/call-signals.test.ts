/**
 * A call's cancellations with no AbortController of its own until one is needed (issue 19): a
 * call that never waits makes none, and a cut still reaches an attempt on the wire at once (a
 * read) or only at the end of the close grace (a write), as before.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ZohoError } from '../../src/zoho/core/errors';
import { ZohoHttp } from '../../src/zoho/core/http';
import { echoHttp } from '../helpers/leaks';

/** A server that holds every request until `answerAll()`; `arrived` counts what it received. */
async function holdingServer() {
  const held: http.ServerResponse[] = [];
  const urls: string[] = [];
  const server = http.createServer((req, res) => {
    urls.push(req.url ?? '');
    held.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    urls,
    arrived: () => urls.length,
    answerAll() {
      for (const res of held.splice(0)) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"data":[{"id":"1"}]}');
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const until = async (test: () => boolean) => {
  for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(test(), 'condition not reached within a second');
};

const code = (e: unknown) => (e instanceof ZohoError ? e.code : String(e));

describe('call signals: made when needed, cutting as before', () => {
  let server: Awaited<ReturnType<typeof holdingServer>>;
  let client: ZohoHttp;
  beforeEach(async () => {
    server = await holdingServer();
    client = echoHttp(server.url, 10);
  });
  afterEach(async () => {
    server.answerAll();
    client.close();
    await server.close();
  });

  it('makes no AbortController for a call that neither waits nor is cut', async () => {
    const message = new AbortController();
    // The first call loads axios, which makes controllers of its own as it loads.
    const first = client.request({ method: 'GET', path: '/v8/Leads/1' });
    await until(() => server.arrived() === 1);
    server.answerAll();
    await first;
    const Original = globalThis.AbortController;
    let made = 0;
    globalThis.AbortController = class extends Original {
      constructor() {
        super();
        made++;
      }
    };
    try {
      const calls = Array.from({ length: 5 }, () =>
        client.request({ method: 'GET', path: '/v8/Leads/1', signal: message.signal }),
      );
      await until(() => server.arrived() === 6);
      server.answerAll();
      await Promise.all(calls);
    } finally {
      globalThis.AbortController = Original;
    }
    assert.equal(made, 0);
  });

  it("cuts a read on the wire at the caller's abort and at close", async () => {
    const message = new AbortController();
    const byCaller = client.request({ method: 'GET', path: '/v8/a', signal: message.signal });
    const byClose = client.request({ method: 'GET', path: '/v8/b' });
    await until(() => server.arrived() === 2);
    message.abort();
    assert.equal(await byCaller.then(() => 'answered', code), 'ABORTED');
    client.close();
    assert.equal(await byClose.then(() => 'answered', code), 'ABORTED');
  });

  it('lets a write on the wire finish after close, and cuts one still queued', async () => {
    const one = echoHttp(server.url, 1);
    try {
      const sent = one.request({ method: 'POST', path: '/v8/Leads', body: { data: [{}] } });
      const queued = one.request({ method: 'POST', path: '/v8/Leads', body: { data: [{}] } });
      await until(() => server.arrived() === 1);
      one.close();
      assert.equal(await queued.then(() => 'answered', code), 'ABORTED');
      await new Promise((r) => setTimeout(r, 50));
      server.answerAll();
      assert.equal((await sent).status, 200, 'the write sent before the close finished');
    } finally {
      one.close();
    }
  });

  it('sends the URL new URL would write, query included', async () => {
    const paths = ['/v8/Leads/1', "/v8/a b/ü/x|y/[z]/'q'/%41", '/v8/Leads'];
    for (const path of paths) {
      const query = { fields: 'Last_Name,Email', word: 'a b&c=d/é', n: 3, no: undefined };
      const call = client.request({ method: 'GET', path, query });
      await until(() => server.arrived() === paths.indexOf(path) + 1);
      server.answerAll();
      await call;
      const expected = new URL(`${server.url}/crm${path}`);
      expected.search = 'fields=Last_Name%2CEmail&word=a+b%26c%3Dd%2F%C3%A9&n=3';
      assert.equal(server.urls.at(-1), expected.pathname + expected.search);
    }
  });
});
