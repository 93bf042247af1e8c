/**
 * Issue 15's outage, time-scaled: a real Node-RED process (its own user directory, the pack
 * linked in) takes crm-record creates over HTTP with "keep in the outbox", while the sandbox (in
 * this process) refuses every connection; the Node-RED process is killed with SIGKILL three
 * times while writes stream in (so journal writes are cut), and started again; then the link
 * returns and the outbox drains. The sender retries what was not acknowledged (as any client
 * of a web endpoint does); a create is an upsert on Email, so a retried message is one record.
 *
 * Acknowledged = the HTTP answer came back, which the flow sends from a complete node (done()
 * after the journal's fsync) or a catch node. Outputs and caught errors are appended to a file
 * by the flow (a sync write), one line per message attempt.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { crmFamily, type CrmFamily } from '../../src/sandbox/crm/index';
import { accountsFamily } from '../../src/sandbox/accounts';
import { processCpuMs } from './process-cpu';
import { DEFAULT_CLIENT, Sandbox, issueTokens } from './sandbox';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const RED = require.resolve('node-red/red.js', { paths: [ROOT] });

export interface OutageOptions {
  messages: number;
  /** Kills of the Node-RED process while messages stream in. */
  kills: number;
  /** How long the link stays down at least (the scaled "10 minutes"). */
  outageMs: number;
  /** Requests in flight from the sender. */
  senders?: number;
  /** Added to every sandbox answer: Zoho's own time per call (0: the local CPU sets the pace). */
  latencyMs?: number;
}

export interface OutageResult {
  messages: number;
  /** Records in the sandbox per message: missing (lost) and more than one (duplicated). */
  lost: number;
  duplicated: number;
  /** Attempts acknowledged (HTTP answer received) and how they ended. */
  acknowledged: number;
  /** Acknowledged attempts without exactly one output or caught error. */
  unended: number;
  /** Attempts with more than one line in the record (any attempt). */
  endedTwice: number;
  caught: number;
  kills: number;
  /** Upsert calls of the drain and the records they carried. */
  drainCalls: number;
  drainRecords: number;
  drainMs: number;
  /** From the first replayed call's start to the last one's end. */
  replayMs: number;
  /** From the link's return to the first replayed call (the probe's back-off). */
  firstCallMs: number;
  /**
   * The ideal replay time (100 records a call, 5 calls at once, each as long as the mean
   * replayed call took) over the measured one.
   */
  replayFraction: number;
  /** Upsert calls at the sandbox at once, on average over the replay (the ideal: 5). */
  meanInFlight: number;
  /**
   * CPU the Node-RED process used from the link's return until every message had ended (ms,
   * steps of 10; undefined without /proc): the replay's own cost, whatever the machine's load.
   */
  replayCpuMs?: number;
  truncatedLogs: string[];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function userDir(sandboxUrl: string, refreshToken: string, port: number, log: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-outage-'));
  fs.writeFileSync(
    path.join(dir, 'settings.js'),
    `module.exports = ${JSON.stringify({
      uiPort: port,
      uiHost: '127.0.0.1',
      flowFile: 'flows.json',
      credentialSecret: false,
      diagnostics: { enabled: false },
      telemetry: { enabled: false },
      logging: { console: { level: 'info', metrics: false, audit: false } },
    }).replace(/}$/, ", functionGlobalContext: { fs: require('fs') } }")};\n`,
  );
  const record = (kind: string) =>
    `global.get('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify({ k: '${kind}', i: msg.i, a: msg.a, q: !!msg.outbox, code: msg.error && msg.error.code }) + '\\n'); return msg.res ? msg : null;`;
  const flows = [
    { id: 'f1', type: 'tab' },
    {
      id: 'c1',
      type: 'zoho-config',
      region: 'custom',
      accountsUrl: sandboxUrl,
      maxConcurrency: '5',
      outboxMaxMessages: '100000',
    },
    { id: 'in', type: 'http in', z: 'f1', url: '/w', method: 'post', wires: [['tag']] },
    {
      id: 'tag',
      type: 'change',
      z: 'f1',
      rules: [
        { t: 'set', p: 'i', pt: 'msg', to: 'req.query.i', tot: 'msg' },
        { t: 'set', p: 'a', pt: 'msg', to: 'req.query.a', tot: 'msg' },
        { t: 'set', p: 'topic', pt: 'msg', to: 'req.query.topic', tot: 'msg' },
      ],
      wires: [['n1']],
    },
    {
      id: 'n1',
      type: 'crm-record',
      z: 'f1',
      config: 'c1',
      operation: 'create',
      module: 'Leads',
      duplicateCheckFields: 'Email',
      outbox: 'queue',
      wires: [['out']],
    },
    { id: 'out', type: 'function', z: 'f1', func: `${record('out')}`, wires: [[]] },
    { id: 'done', type: 'complete', z: 'f1', scope: ['n1'], wires: [['ok']] },
    { id: 'ok', type: 'http response', z: 'f1', statusCode: '200' },
    { id: 'ct', type: 'catch', z: 'f1', scope: ['n1'], wires: [['err']] },
    { id: 'err', type: 'function', z: 'f1', func: record('err'), wires: [['bad']] },
    { id: 'bad', type: 'http response', z: 'f1', statusCode: '500' },
  ];
  fs.writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flows));
  fs.writeFileSync(
    path.join(dir, 'flows_cred.json'),
    JSON.stringify({
      c1: {
        clientId: DEFAULT_CLIENT.clientId,
        clientSecret: DEFAULT_CLIENT.clientSecret,
        refreshToken,
      },
    }),
  );
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'node-red-contrib-zoho'), 'dir');
  return dir;
}

/** e.g. BENCH_RED_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile Node-RED. */
const RED_OPTIONS = (process.env.BENCH_RED_NODE_OPTIONS ?? '').split(' ').filter(Boolean);

class Red {
  log = '';
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  constructor(dir: string) {
    this.child = spawn(
      process.execPath,
      [...RED_OPTIONS, RED, '--userDir', dir, '--settings', path.join(dir, 'settings.js')],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
    );
    const read = (d: Buffer) => (this.log = (this.log + d.toString()).slice(-20_000));
    this.child.stdout?.on('data', read);
    this.child.stderr?.on('data', read);
    this.exited = new Promise((r) => this.child.once('exit', () => r()));
  }
  async ready(ms = 90_000): Promise<void> {
    const until = Date.now() + ms;
    while (!this.log.includes('Started flows')) {
      if (this.child.exitCode !== null || Date.now() > until)
        throw new Error(`Node-RED did not start:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
  /** The end of a run: a profiled process is stopped gently, so it writes its profile. */
  async stop(): Promise<void> {
    if (!RED_OPTIONS.length || this.child.exitCode !== null) return this.kill();
    this.child.kill('SIGINT');
    const gone = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
    ]);
    if (!gone) await this.kill();
  }
}

/** Runs the outage; the sandbox and every process it started are stopped before it returns. */
export async function runOutage(options: OutageOptions): Promise<OutageResult> {
  const crm: CrmFamily = crmFamily({});
  const sandbox = new Sandbox(
    { latencyMs: options.latencyMs ?? 0, tokenRateLimit: { max: 1000, windowMs: 600_000 } },
    [accountsFamily(), crm],
  );
  await sandbox.start();
  const { refreshToken } = issueTokens(sandbox);
  const uiPort = await freePort();
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-outage-log-')), 'ends.jsonl');
  const dir = userDir(sandbox.url, refreshToken, uiPort, log);
  let red = new Red(dir);
  const logs: string[] = [];
  try {
    await red.ready();
    const outageStart = Date.now();
    await sandbox.setLink('refused');
    const acked = new Set<string>();
    const pending = Array.from({ length: options.messages }, (_, i) => i);
    let attempt = 0;
    let sent = 0;
    let restarting: Promise<void> | undefined;
    const killAt = Array.from({ length: options.kills }, (_, k) =>
      Math.floor(((k + 1) * options.messages) / (options.kills + 1)),
    );
    let kills = 0;
    const restart = async (): Promise<void> => {
      kills++;
      await red.kill();
      logs.push(red.log);
      red = new Red(dir);
      await red.ready();
    };
    const sendOne = async (i: number): Promise<boolean> => {
      const a = `${i}.${attempt++}`;
      try {
        const res = await fetch(`http://127.0.0.1:${uiPort}/w?i=${i}&a=${a}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ Last_Name: `L${i}`, Email: `l${i}@outage.example` }),
        });
        await res.text();
        acked.add(a);
        return true;
      } catch {
        return false;
      }
    };
    const worker = async (): Promise<void> => {
      for (;;) {
        if (restarting) await restarting;
        const i = pending.shift();
        if (i === undefined) return;
        if (killAt.length && sent >= killAt[0]) {
          killAt.shift();
          // Killed while the other senders' writes are on their way into the journal.
          restarting = restart().finally(() => (restarting = undefined));
        }
        sent++;
        if (!(await sendOne(i))) {
          if (restarting) await restarting;
          else await new Promise((r) => setTimeout(r, 100));
          pending.push(i);
        }
      }
    };
    await Promise.all(Array.from({ length: options.senders ?? 20 }, () => worker()));
    const left = options.outageMs - (Date.now() - outageStart);
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    sandbox.clearRequests();
    const cpuBefore = processCpuMs(red.child.pid);
    await sandbox.setLink('up');
    const drainStart = Date.now();
    // Ask for the retry now rather than wait out the probe's back-off (topic zoho/outbox/flush).
    await fetch(`http://127.0.0.1:${uiPort}/w?i=-1&a=flush&topic=zoho%2Foutbox%2Fflush`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({}),
    }).catch(() => undefined);
    const lines = (): Array<{ k: string; i: string; a: string; code?: string }> =>
      fs.existsSync(log)
        ? fs
            .readFileSync(log, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as { k: string; i: string; a: string; code?: string })
        : [];
    const deadline = Date.now() + 120_000;
    let ended = lines();
    while (Date.now() < deadline) {
      ended = lines();
      const endedAcked = new Set(ended.map((e) => e.a).filter((a) => acked.has(a)));
      if (endedAcked.size >= acked.size) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const drainMs = Date.now() - drainStart;
    const cpuAfter = processCpuMs(red.child.pid);
    await new Promise((r) => setTimeout(r, 500));
    ended = lines().filter((e) => e.a !== 'flush');
    const perAttempt = new Map<string, number>();
    for (const e of ended) perAttempt.set(e.a, (perAttempt.get(e.a) ?? 0) + 1);
    const perEmail = new Map<string, number>();
    for (const r of crm.store.all('Leads'))
      perEmail.set(String(r.data.Email), (perEmail.get(String(r.data.Email)) ?? 0) + 1);
    let lost = 0;
    let duplicated = 0;
    for (let i = 0; i < options.messages; i++) {
      const n = perEmail.get(`l${i}@outage.example`) ?? 0;
      if (n === 0) lost++;
      if (n > 1) duplicated++;
    }
    const calls = sandbox.requests.filter(
      (r) => r.method === 'POST' && r.path === '/crm/v8/Leads/upsert',
    );
    // The ideal counts the calls that carried records (a refused one, e.g. 429, is waste).
    const upserts = calls.filter((r) => r.status >= 200 && r.status < 300);
    const starts = upserts.map((r) => r.time);
    const ends = upserts.map((r) => r.time + (r.durationMs ?? 0));
    const replayMs = upserts.length ? Math.max(...ends) - Math.min(...starts) : 0;
    const busyMs = calls.reduce((n, r) => n + (r.durationMs ?? 0), 0);
    const meanCall = upserts.reduce((n, r) => n + (r.durationMs ?? 0), 0) / (upserts.length || 1);
    const carried = upserts.reduce(
      (n, r) => n + ((r.body as { data?: unknown[] } | undefined)?.data?.length ?? 0),
      0,
    );
    const idealMs = (Math.ceil(carried / 100) / 5) * meanCall;
    return {
      replayMs,
      firstCallMs: upserts.length ? Math.min(...starts) - drainStart : 0,
      replayFraction: replayMs > 0 ? idealMs / replayMs : 0,
      meanInFlight: replayMs > 0 ? busyMs / replayMs : 0,
      replayCpuMs:
        cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
      messages: options.messages,
      lost,
      duplicated,
      acknowledged: acked.size,
      unended: [...acked].filter((a) => perAttempt.get(a) !== 1).length,
      endedTwice: [...perAttempt.values()].filter((n) => n > 1).length,
      caught: ended.filter((e) => e.k === 'err').length,
      kills,
      drainCalls: calls.length,
      drainRecords: carried,
      drainMs,
      truncatedLogs: [...logs, red.log].filter((l) => /error/i.test(l)).map((l) => l.slice(-2000)),
    };
  } finally {
    await red.stop().catch(() => undefined);
    await sandbox.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(path.dirname(log), { recursive: true, force: true });
  }
}
