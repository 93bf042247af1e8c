/**
 * `npm start` as a user runs it (scripts/start.js), in a temporary user directory on ports the
 * OS gives: a second `npm start` on a busy port refuses in one line before touching anything
 * and the first keeps working; a connection the user changed survives the next `npm start`.
 */
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './helpers/editor';

const ROOT = path.resolve(__dirname, '..', '..');
const CONFIG_ID = 'zoho-sandbox-connection';
const READY = /Ctrl-C stops both/;

interface FlowNode {
  id: string;
  type: string;
  [key: string]: unknown;
}

/** One `npm start` in its own process group (so Ctrl-C's SIGINT reaches all of it). */
class NpmStart {
  out = '';
  readonly child: ChildProcess;
  readonly exited: Promise<number | string>;
  readonly editorUrl: string;

  constructor(userDir: string, uiPort: number, sandboxPort: number) {
    this.editorUrl = `http://127.0.0.1:${uiPort}/`;
    this.child = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        PORT: String(uiPort),
        ZOHO_SANDBOX_PORT: String(sandboxPort),
        ZOHO_START_USER_DIR: userDir,
      },
    });
    this.child.stdout?.on('data', (d: Buffer) => (this.out += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.out += d.toString()));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve(signal ?? code ?? -1)),
    );
  }

  /** Waits for the banner npm start prints once Node-RED answers and the demo is connected. */
  async ready(ms = 90_000): Promise<void> {
    const until = Date.now() + ms;
    while (!READY.test(this.out)) {
      if (this.child.exitCode !== null || Date.now() > until) {
        throw new Error(`npm start never got ready:\n${this.out}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Ctrl-C (SIGINT to the group), SIGKILL after 15 s; resolves when npm has exited. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const pid = this.child.pid;
    if (pid === undefined) return;
    process.kill(-pid, 'SIGINT');
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  assert.equal(res.status, 200, `${url}: ${await res.clone().text()}`);
  return (await res.json()) as T;
}

describe('npm start: which connection is still the untouched demo (scripts/start-checks.js)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { isUntouchedDemo } = require(path.join(ROOT, 'scripts', 'start-checks.js')) as {
    isUntouchedDemo(this: void, node: FlowNode | undefined, demo: FlowNode): boolean;
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { demoConnection } = require(path.join(ROOT, 'scripts', 'start.js')) as {
    demoConnection(this: void, url: string): FlowNode;
  };
  const demo = demoConnection('http://127.0.0.1:8800');

  it('the demo as written, on another sandbox port, or as an older flows.json without the newer settings', () => {
    assert.equal(isUntouchedDemo({ ...demo }, demo), true);
    assert.equal(isUntouchedDemo({ ...demo, accountsUrl: 'http://127.0.0.1:9911' }, demo), true);
    // The dialog's Update saves numbers typed in a box as text.
    assert.equal(isUntouchedDemo({ ...demo, maxConcurrency: '5' }, demo), true);
    const older: FlowNode = { ...demo };
    for (const k of ['environment', 'insecureHttp', 'outboxMaxMessages', 'sharedState']) {
      assert.ok(k in older, `the demo carries ${k}`);
      delete older[k];
    }
    assert.equal(isUntouchedDemo(older, demo), true);
  });

  it('not once the user changed any setting, or pointed it away from a loopback sandbox', () => {
    for (const change of [
      { region: 'eu' },
      { accountsUrl: 'https://accounts.zoho.eu' },
      { accountsUrl: 'http://192.168.1.5:8800' },
      { environment: 'sandbox' },
      { scopes: 'ZohoCRM.modules.ALL' },
      { name: 'My Zoho' },
      { sharedState: 'redis' },
      { outboxMaxMessages: 50 },
    ]) {
      assert.equal(isUntouchedDemo({ ...demo, ...change }, demo), false, JSON.stringify(change));
    }
    assert.equal(isUntouchedDemo(undefined, demo), false, 'removed');
  });
});

describe('npm start (scripts/start.js)', function () {
  this.timeout(180_000);
  let userDir = '';
  const runs: NpmStart[] = [];

  function start(uiPort: number, sandboxPort: number): NpmStart {
    const run = new NpmStart(userDir, uiPort, sandboxPort);
    runs.push(run);
    return run;
  }

  function flows(): FlowNode[] {
    return JSON.parse(fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8')) as FlowNode[];
  }

  beforeEach(() => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-start-'));
  });
  afterEach(async () => {
    for (const run of runs.splice(0)) await run.stop();
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('a second npm start on busy ports refuses in one line, changes nothing; the first keeps working', async () => {
    const [ui, sandbox, otherUi, otherSandbox] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const first = start(ui, sandbox);
    await first.ready();
    const flowsBefore = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');

    for (const [uiPort, sandboxPort, busy] of [
      [ui, otherSandbox, new RegExp(`port ${ui} \\(Node-RED\\) is in use by a Node-RED`)],
      [otherUi, sandbox, new RegExp(`port ${sandbox} \\(sandbox\\) is in use by a Zoho sandbox`)],
    ] as const) {
      const second = start(uiPort, sandboxPort);
      const code = await second.exited;
      const lines = second.out.trim().split('\n');
      assert.equal(code, 1, `the second npm start fails: ${second.out}`);
      assert.equal(lines.length, 1, `one line: ${second.out}`);
      assert.match(lines[0], busy);
      assert.doesNotMatch(second.out, /EADDRINUSE|\n\s+at /, 'no stack');
      const now = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
      assert.equal(now, flowsBefore, 'flows.json untouched');
    }

    // The first still runs its flows against its sandbox: a picker call goes through the
    // connection to the sandbox and back.
    const status = await getJson<{ connected?: boolean }>(
      `${first.editorUrl}zoho-config/${CONFIG_ID}/status`,
    );
    assert.equal(status.connected, true, JSON.stringify(status));
    const modules = await getJson<unknown>(`${first.editorUrl}zoho-crm/${CONFIG_ID}/modules`);
    assert.match(JSON.stringify(modules), /Leads/);
  });

  it('a connection the user changed survives the next npm start', async () => {
    const first = start(await freePort(), await freePort());
    await first.ready();
    // The user points the connection at Europe and deploys, as the dialog does.
    const deployed = await getJson<FlowNode[]>(`${first.editorUrl}flows`);
    const changed = deployed.map((n) =>
      n.id === CONFIG_ID ? { ...n, region: 'eu', accountsUrl: '', name: 'My Zoho' } : n,
    );
    const res = await fetch(`${first.editorUrl}flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify(changed),
    });
    assert.ok(res.ok, `deploy: ${res.status} ${await res.text()}`);
    await first.stop();

    const again = start(await freePort(), await freePort());
    await again.ready();
    assert.match(again.out, /The demo connection "My Zoho" was changed: left as it is/);
    const stored = flows().find((n) => n.id === CONFIG_ID);
    assert.deepEqual(
      { region: stored?.region, accountsUrl: stored?.accountsUrl, name: stored?.name },
      { region: 'eu', accountsUrl: '', name: 'My Zoho' },
    );
    const running = (await getJson<FlowNode[]>(`${again.editorUrl}flows`)).find(
      (n) => n.id === CONFIG_ID,
    );
    assert.equal(running?.region, 'eu', 'the running Node-RED has the user’s connection');
  });

  it('the untouched demo connection follows the sandbox to a new port', async () => {
    const first = start(await freePort(), await freePort());
    await first.ready();
    await first.stop();
    const sandboxPort = await freePort();
    const again = start(await freePort(), sandboxPort);
    await again.ready();
    const stored = flows().find((n) => n.id === CONFIG_ID);
    assert.equal(stored?.accountsUrl, `http://127.0.0.1:${sandboxPort}`);
    // Inside a git checkout Node-RED's log names a -git version; the banner says why, then only.
    const logged = /Node-RED version: v(\S+?)(-git)?\n/.exec(again.out);
    assert.ok(logged, `Node-RED's log line: ${again.out}`);
    assert.equal(
      again.out.includes(`Node-RED ${logged[1]} from npm (its log says v${logged[1]}-git`),
      logged[2] === '-git',
      `the banner explains -git when the log says it: ${again.out}`,
    );
    const status = await getJson<{ connected?: boolean }>(
      `${again.editorUrl}zoho-config/${CONFIG_ID}/status`,
    );
    assert.equal(status.connected, true, JSON.stringify(status));
  });
});
