/**
 * Real-browser editor tests: a Zoho sandbox, a real Node-RED child process with its own user
 * directory (the pack linked into its node_modules, as `npm start` does) and Debian's Chromium
 * driven by playwright-core.
 *
 *   const ed = useEditor({ flows: (sandboxUrl) => [...] });
 *   it('…', async () => {
 *     const { page } = await ed.editor.openPage();
 *     await openConfigDialog(page, id);
 *   });
 *
 * Chromium missing is a failure, never a skip: the suite's `before` hook throws with the
 * command that installs it. EDITOR_SCREENSHOTS=<dir> keeps screenshots for the README.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Browser, BrowserContext, Page, chromium } from 'playwright-core';
import { Sandbox } from '../../src/sandbox/server';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '..', '..', '..');
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The slice of the editor's global RED the tests touch (evaluated inside the page). */
export interface EditorNode {
  id: string;
  type: string;
  changed?: boolean;
  credentials?: Record<string, unknown>;
  [key: string]: unknown;
}
export interface EditorRed {
  nodes: {
    node(id: string): EditorNode | null;
    getType(type: string): { category?: string; credentials?: object } | null;
    createCompleteNodeSet(opts?: { credentials?: boolean }): EditorNode[];
    version(): string | undefined;
    dirty(): boolean;
  };
  editor: {
    edit(node: EditorNode): void;
    editConfig(name: string, type: string, id: string): void;
  };
  settings: Record<string, unknown>;
}

/** Errors a page reported: console.error lines and uncaught exceptions. */
export interface EditorPage {
  page: Page;
  context: BrowserContext;
  consoleErrors: string[];
  pageErrors: string[];
  /** Windows this page opened (closed with it). */
  popups: Page[];
  /** Both lists, for one assertion. */
  errors(): string[];
}

export interface EditorOptions {
  /** The flows.json to start with; gets the sandbox's base URL. */
  flows?: (sandboxUrl: string) => unknown[];
  /** Extra lines inside settings.js's module.exports object. */
  settings?: string[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Throws (so the suite fails, never skips) when Debian's Chromium is not installed. */
export function requireChromium(): void {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the editor tests need it. ` +
        'Install it with: apt-get install -y chromium',
    );
  }
}

async function waitForHttp(url: string, ms: number, alive: () => string | undefined) {
  const until = Date.now() + ms;
  for (;;) {
    const dead = alive();
    if (dead) throw new Error(dead);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`Node-RED did not answer at ${url} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export class EditorHarness {
  sandbox!: Sandbox;
  browser?: Browser;
  context?: BrowserContext;
  editorUrl = '';
  userDir = '';
  /** Node-RED's stdout + stderr so far, for failure messages. */
  log = '';
  private red?: ChildProcess;
  private exited?: string;
  /** Pages opened since the last closePages(). */
  readonly pages: EditorPage[] = [];

  constructor(private readonly opts: EditorOptions = {}) {}

  async start(): Promise<void> {
    requireChromium();
    this.sandbox = new Sandbox();
    await this.sandbox.start(await freePort());
    this.userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-editor-'));
    const modules = path.join(this.userDir, 'node_modules');
    fs.mkdirSync(modules);
    fs.symlinkSync(ROOT, path.join(modules, 'node-red-contrib-zoho'), 'dir');
    fs.writeFileSync(
      path.join(this.userDir, 'settings.js'),
      [
        'module.exports = {',
        "  flowFile: 'flows.json',",
        "  uiHost: '127.0.0.1',",
        '  // Plain flows_cred.json, so a test can read what the runtime stored.',
        '  credentialSecret: false,',
        '  telemetry: { enabled: false, updateNotification: false },',
        '  editorTheme: { projects: { enabled: false }, tours: false, palette: { catalogues: [] } },',
        ...(this.opts.settings ?? []),
        '};',
        '',
      ].join('\n'),
    );
    const flows = this.opts.flows?.(this.sandbox.url) ?? [];
    fs.writeFileSync(path.join(this.userDir, 'flows.json'), JSON.stringify(flows, null, 2));

    const port = await freePort();
    this.editorUrl = `http://127.0.0.1:${port}/`;
    const red = spawn(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'node-red', 'red.js'),
        '--userDir',
        this.userDir,
        '--port',
        String(port),
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        // crm-watch-in's webhook example reads its public URL from here: this Node-RED.
        env: { ...process.env, NODE_OPTIONS: '', NODE_RED_PUBLIC_URL: `http://127.0.0.1:${port}` },
      },
    );
    this.red = red;
    red.stdout?.on('data', (d: Buffer) => (this.log += d.toString()));
    red.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    red.on('exit', (code, signal) => {
      this.exited = `Node-RED exited (${signal ?? code}):\n${this.log}`;
    });
    await waitForHttp(`${this.editorUrl}settings`, 30_000, () => this.exited);
    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }

  /**
   * A new tab with the editor loaded and its flows in place. Tabs of a suite share one browser
   * context (its HTTP cache makes each editor load ~1 s faster); each tab collects its own errors.
   */
  async openPage(): Promise<EditorPage> {
    if (!this.browser) throw new Error('EditorHarness: start() first');
    this.context ??= await this.browser.newContext({ viewport: { width: 1400, height: 900 } });
    const context = this.context;
    const page = await context.newPage();
    const ep = watch(page, context);
    this.pages.push(ep);
    // A popup (the Zoho consent window) reports into the opener's lists.
    page.on('popup', (popup) => {
      watch(popup, context, ep);
      ep.popups.push(popup);
    });
    await page.goto(this.editorUrl);
    await page.waitForFunction(
      () => {
        const red = (globalThis as unknown as { RED?: EditorRed }).RED;
        return Boolean(red?.nodes?.version?.());
      },
      undefined,
      { timeout: 30_000 },
    );
    await page.locator('#red-ui-palette').waitFor({ state: 'visible' });
    return ep;
  }

  /** Admin API call against the running Node-RED. */
  async admin(pathname: string, init?: RequestInit): Promise<Response> {
    return fetch(this.editorUrl + pathname.replace(/^\//, ''), init);
  }

  /**
   * Connects a deployed zoho-config to the sandbox with a Self Client grant code for `scope`,
   * as the dialog's Exchange button does; answers the status the route returned.
   */
  async connectSelfClient(
    configId: string,
    scope: string,
  ): Promise<{ status: number; body: { connected?: boolean; deployed?: boolean } }> {
    const clientId = '1000.SANDBOXCLIENT';
    const code = this.sandbox.accounts.issueGrantCode({ clientId, scope, offline: true });
    const res = await this.admin(`zoho-config/${configId}/auth/code`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        code,
        region: 'custom',
        accountsUrl: this.sandbox.url,
        clientId,
        clientSecret: 'sandbox-secret',
      }),
    });
    return {
      status: res.status,
      body: (await res.json()) as { connected?: boolean; deployed?: boolean },
    };
  }

  /** flows_cred.json as the runtime wrote it (plain: credentialSecret is false). */
  storedCredentials(): Record<string, Record<string, unknown>> {
    const file = path.join(this.userDir, 'flows_cred.json');
    if (!fs.existsSync(file)) return {};
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
  }

  async closePages(): Promise<void> {
    for (const ep of this.pages.splice(0)) {
      for (const p of [...ep.popups, ep.page]) await p.close().catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    await this.closePages();
    await this.context?.close().catch(() => undefined);
    this.context = undefined;
    await this.browser?.close().catch(() => undefined);
    this.browser = undefined;
    const red = this.red;
    this.red = undefined;
    if (red && red.exitCode === null && red.signalCode === null) {
      const exited = new Promise<void>((resolve) => red.once('exit', () => resolve()));
      red.kill('SIGINT');
      const timer = setTimeout(() => red.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await this.sandbox?.stop();
    if (this.userDir) fs.rmSync(this.userDir, { recursive: true, force: true });
    this.userDir = '';
  }
}

function watch(page: Page, context: BrowserContext, into?: EditorPage): EditorPage {
  const ep: EditorPage = into ?? {
    page,
    context,
    consoleErrors: [],
    pageErrors: [],
    popups: [],
    errors() {
      return [...this.consoleErrors, ...this.pageErrors];
    },
  };
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const where = msg.location().url;
      // The browser's own favicon probe of the sandbox's consent page: not the editor's doing.
      if (/\/favicon\.ico$/.test(where) && /404/.test(msg.text())) return;
      ep.consoleErrors.push(`${msg.text()}${where ? ` (${where})` : ''}`);
    }
  });
  page.on('pageerror', (err) => ep.pageErrors.push(err.stack ?? err.message));
  return ep;
}

export interface EditorFixture {
  readonly editor: EditorHarness;
}

/** Call inside a `describe`: one sandbox + Node-RED + Chromium for the suite, pages per test. */
export function useEditor(opts: EditorOptions = {}): EditorFixture {
  let current: EditorHarness | undefined;
  const fixture: EditorFixture = {
    get editor(): EditorHarness {
      if (!current) throw new Error('useEditor: the editor is only available inside tests');
      return current;
    },
  };
  before(async function () {
    this.timeout(60_000);
    current = new EditorHarness(opts);
    try {
      await current.start();
    } catch (err) {
      await current.stop();
      current = undefined;
      throw err;
    }
  });
  afterEach(async function () {
    if (!current) return;
    if (this.currentTest?.state === 'failed') {
      for (const [i, ep] of current.pages.entries()) {
        await screenshot(ep.page, `FAILED-${slug(this.currentTest.fullTitle())}-${i}`);
      }
    }
    await current.closePages();
    current.sandbox.faults.clear();
    current.sandbox.clearRequests();
    current.sandbox.resetStats();
  });
  after(async function () {
    this.timeout(30_000);
    await current?.stop();
    current = undefined;
  });
  return fixture;
}

function slug(text: string): string {
  return text
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}

/** Saves a PNG under $EDITOR_SCREENSHOTS (when set); returns its path. */
export async function screenshot(page: Page, name: string): Promise<string | undefined> {
  const dir = process.env.EDITOR_SCREENSHOTS;
  if (!dir || page.isClosed()) return undefined;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.resolve(dir, `${slug(name)}.png`);
  await page.screenshot({ path: file }).catch(() => undefined);
  return file;
}

async function waitForNode(page: Page, id: string): Promise<void> {
  await page.waitForFunction(
    (nodeId) => {
      const red = (globalThis as unknown as { RED?: EditorRed }).RED;
      return Boolean(red?.nodes?.node(nodeId));
    },
    id,
    { timeout: 10_000 },
  );
}

/** Opens a config node's edit dialog (the tray) and waits for its form. */
export async function openConfigDialog(page: Page, id: string, type = 'zoho-config') {
  await waitForNode(page, id);
  await page.evaluate(
    ([nodeId, nodeType]) => {
      const red = (globalThis as unknown as { RED: EditorRed }).RED;
      red.editor.editConfig('', nodeType, nodeId);
    },
    [id, type] as const,
  );
  await page.locator('#node-config-dialog-ok').waitFor({ state: 'visible' });
}

/** Opens a (flow) node's edit dialog. */
export async function openNodeDialog(page: Page, id: string) {
  await waitForNode(page, id);
  await page.evaluate((nodeId) => {
    const red = (globalThis as unknown as { RED: EditorRed }).RED;
    const node = red.nodes.node(nodeId);
    if (node) red.editor.edit(node);
  }, id);
  await page.locator('#node-dialog-ok').waitFor({ state: 'visible' });
}

/** Clicks Deploy and waits for the runtime to accept the flows. */
export async function deploy(page: Page): Promise<void> {
  const done = page.waitForResponse(
    (res) => res.url().endsWith('/flows') && res.request().method() === 'POST',
    { timeout: 15_000 },
  );
  await page.locator('#red-ui-header-button-deploy').click();
  const res = await done;
  if (!res.ok()) throw new Error(`deploy failed: HTTP ${res.status()} ${await res.text()}`);
  await page.waitForFunction(
    () => !(globalThis as unknown as { RED: EditorRed }).RED.nodes.dirty(),
    undefined,
    { timeout: 10_000 },
  );
}

/**
 * The text box a user types into for a typedInput field. Node-RED 4 turns the original
 * `<input id=…>` into a hidden input and adds its own `.red-ui-typedInput-input` next to it.
 */
export function typedInputBox(page: Page, id: string) {
  return page.locator(`#${id} + .red-ui-typedInput-container .red-ui-typedInput-input`);
}
