/**
 * Issue 16 with real processes: three Node-RED child processes on loopback ports running the
 * same flows, sharing one redis-server, the sandbox in this process, and a round-robin balancer
 * (node:http) in front of their HTTP ports for Zoho's callbacks.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { accountsFamily } from '../src/sandbox/accounts';
import { crmFamily, type CrmFamily } from '../src/sandbox/crm/index';
import { NodeRedProcess, startNodeRed, stopAll } from './helpers/fleet';
import { freePort, useRedis } from './helpers/redis';
import { crmApi, issueTokens, DEFAULT_CLIENT, useSandbox } from './helpers/sandbox';
import { until } from './helpers/wait';

type Instance = NodeRedProcess;

/** A round-robin proxy to `ports`: each request goes to the next instance. */
function balancer(ports: number[]): Promise<{ url: string; close: () => Promise<void> }> {
  let next = 0;
  const server = http.createServer((req, res) => {
    const port = ports[next++ % ports.length];
    const upstream = http.request(
      { host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    }),
  );
}

/** `n` leads, one API call each (one callback each), 10 at a time. */
async function createEach(api: ReturnType<typeof crmApi>, n: number): Promise<string[]> {
  const made: string[] = [];
  for (let batch = 0; batch < n / 10; batch++) {
    const ids = await Promise.all(Array.from({ length: 10 }, () => api.createLeads(1)));
    made.push(...ids.flat());
  }
  return made;
}

/** Collects what the instances' flows post back: one body per message, tagged by instance. */
function collector(): Promise<{
  url: string;
  got: Array<{ from: string; payload: { ids: string[] } }>;
  close: () => Promise<void>;
}> {
  const got: Array<{ from: string; payload: { ids: string[] } }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const from = new URL(req.url ?? '/', 'http://x').searchParams.get('from') ?? '?';
      got.push({
        from,
        payload: JSON.parse(Buffer.concat(chunks).toString('utf8')) as { ids: string[] },
      });
      res.end('ok');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        got,
        close: () => new Promise((done) => server.close(() => done())),
      });
    }),
  );
}

describe('a fleet of three Node-RED processes sharing Redis', function () {
  this.timeout(180_000);
  let crm: CrmFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    crm = crmFamily({});
    return [accountsFamily(), crm];
  });
  const redis = useRedis();
  let fleet: Instance[] = [];
  let closers: Array<() => Promise<void>> = [];

  afterEach(async () => {
    await stopAll(fleet);
    for (const close of closers) await close();
    fleet = [];
    closers = [];
  });

  function start(name: string, port: number, flows: unknown[], creds: unknown): Instance {
    const me = startNodeRed(name, port, flows, creds);
    fleet.push(me);
    return me;
  }

  it('cold start: 3 instances × 200 calls make 1 token request; 1,000 changes through the balancer each arrive once; forged callbacks are refused; a Redis restart loses and repeats nothing', async () => {
    const { refreshToken, accessToken } = issueTokens(sb.sandbox);
    sb.sandbox.resetStats();
    const ports = [await freePort(), await freePort(), await freePort()];
    const lb = await balancer(ports);
    const sink = await collector();
    closers.push(lb.close, sink.close);
    const flows = (name: string) => [
      { id: 'f1', type: 'tab' },
      {
        id: 'c1',
        type: 'zoho-config',
        region: 'custom',
        accountsUrl: sb.url,
        maxConcurrency: '5',
        sharedState: 'redis',
        redisUrl: redis.server.url,
        redisPrefix: 'fleet-test:',
      },
      {
        id: 'i1',
        type: 'inject',
        z: 'f1',
        once: true,
        onceDelay: 0.5,
        repeat: '',
        wires: [['fn1']],
      },
      {
        id: 'fn1',
        type: 'function',
        z: 'f1',
        func: 'for (let i = 0; i < 200; i++) node.send({ topic: String(i) });\nreturn null;',
        outputs: 1,
        wires: [['r1']],
      },
      { id: 'r1', type: 'zoho-raw', z: 'f1', config: 'c1', url: '/crm/v8/org', wires: [[]] },
      {
        id: 'w1',
        type: 'crm-watch-in',
        z: 'f1',
        config: 'c1',
        mode: 'webhook',
        modules: 'Leads',
        onCreate: true,
        onEdit: false,
        onDelete: false,
        publicUrl: lb.url,
        publicUrlType: 'str',
        wires: [['post']],
      },
      {
        id: 'post',
        type: 'http request',
        z: 'f1',
        method: 'POST',
        ret: 'txt',
        url: `${sink.url}/?from=${name}`,
        wires: [[]],
      },
    ];
    const creds = {
      c1: {
        clientId: DEFAULT_CLIENT.clientId,
        clientSecret: DEFAULT_CLIENT.clientSecret,
        refreshToken,
      },
    };
    ['A', 'B', 'C'].forEach((name, i) => start(name, ports[i], flows(name), creds));
    const orgCalls = () => sb.sandbox.requests.filter((r) => r.path === '/crm/v8/org').length;
    await until(() => orgCalls() >= 600, '3 × 200 calls', 90_000);
    assert.equal(sb.sandbox.stats.tokenRequests.total, 1, 'one token request for the fleet');

    await until(() => crmChannels().length === 1, 'the channel', 30_000);
    const api = crmApi(sb.url, accessToken);
    const made = await createEach(api, 1000);
    await until(() => sink.got.length >= 1000, '1,000 messages', 60_000);
    const ids = sink.got.flatMap((g) => g.payload.ids);
    assert.equal(ids.length, 1000);
    assert.deepEqual([...ids].sort(), [...made].sort(), 'each change exactly once');
    const by = new Set(sink.got.map((g) => g.from));
    assert.equal(by.size, 3, 'the balancer spread them over the three instances');

    for (let n = 0; n < 30; n++) {
      const res = await fetch(`${lb.url}/zoho-watch/w1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          module: 'Leads',
          operation: 'insert',
          ids: ['1'],
          channel_id: crmChannels()[0].channelId,
          token: `forged-${n}`,
        }),
      });
      assert.equal(res.status, 403);
    }
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(sink.got.length, 1000, 'no forged callback accepted');

    // Redis goes away and comes back empty: each instance keeps the channel alone with the
    // fleet's token meanwhile, so every change still arrives once, whichever instance gets it.
    await redis.server.stop();
    const during = await createEach(api, 100);
    await redis.server.start();
    const after = await createEach(api, 100);
    await until(() => sink.got.length >= 1200, '200 more messages', 60_000);
    await new Promise((r) => setTimeout(r, 500));
    const all = sink.got.flatMap((g) => g.payload.ids);
    assert.deepEqual(
      [...all].sort(),
      [...made, ...during, ...after].sort(),
      'each once, across the outage',
    );
    assert.equal(sb.sandbox.stats.tokenRequests.total, 1, 'still one token request');
  });

  const crmChannels = () => crm.notifications.live();
});
