/**
 * Node-RED in the tests: node-red-node-test-helper with our node modules, the core nodes a flow
 * wires in, a temporary user directory per test, and (optionally) the real admin auth.
 *
 *   describe('crm-record', () => {
 *     before(() => startRed());
 *     beforeEach(() => freshUserDir());
 *     afterEach(() => unloadFlow());
 *     after(() => stopRed());
 *     it('…', async () => {
 *       await loadFlow([{ id: 'c1', type: 'zoho-config', region: 'custom', accountsUrl: sb.url }, …],
 *                      { c1: { clientId, clientSecret, refreshToken } });
 *       const n = helper.getNode('n1');
 *     });
 *   });
 *
 * Pack nodes are loaded from nodes/<type>.js (as Node-RED does, so run the build first) for the
 * types the flow uses, plus zoho-config. catch, status and complete are loaded by the helper
 * itself; inject, debug, function, change, switch, split, join, delay, link, http in/response
 * come from Node-RED's own core nodes. httpNode routes (http in, webhooks) are served on
 * `httpNodeUrl()`; admin routes through `helper.request()`.
 */
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import helper from 'node-red-node-test-helper';

type NodeModule = (RED: unknown) => unknown;
export interface FlowNode {
  id: string;
  type: string;
  [key: string]: unknown;
}
export type Credentials = Record<string, Record<string, unknown>>;

const root = path.resolve(__dirname, '..', '..', '..');
const nodeRedDir = path.dirname(require.resolve('node-red/package.json', { paths: [root] }));
const coreNodesDir = path.join(
  path.dirname(require.resolve('@node-red/nodes/package.json', { paths: [nodeRedDir, root] })),
  'core',
);

helper.init(require.resolve('node-red', { paths: [root] }));

/** Core node types -> file under @node-red/nodes/core (catch/status/complete: the helper). */
export const CORE_NODE_FILES: Record<string, string> = {
  inject: 'common/20-inject.js',
  debug: 'common/21-debug.js',
  'link in': 'common/60-link.js',
  'link out': 'common/60-link.js',
  'link call': 'common/60-link.js',
  function: 'function/10-function.js',
  switch: 'function/10-switch.js',
  change: 'function/15-change.js',
  delay: 'function/89-delay.js',
  split: 'sequence/17-split.js',
  join: 'sequence/17-split.js',
  'http in': 'network/21-httpin.js',
  'http response': 'network/21-httpin.js',
};
const HELPER_CORE_TYPES = new Set(['catch', 'status', 'complete', 'helper', 'tab']);

function packNodeFiles(): Record<string, string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    'node-red'?: { nodes?: Record<string, string> };
  };
  const out: Record<string, string> = {};
  for (const [type, file] of Object.entries(pkg['node-red']?.nodes ?? {})) {
    out[type] = path.join(root, file);
  }
  return out;
}

/** The module files a flow needs (deduplicated, so split+join load once). */
export function modulesFor(flow: FlowNode[], extraTypes: string[] = []): string[] {
  const pack = packNodeFiles();
  const files = new Set<string>();
  if (pack['zoho-config']) files.add(pack['zoho-config']);
  for (const type of [...flow.map((n) => n.type), ...extraTypes]) {
    if (pack[type]) files.add(pack[type]);
    else if (CORE_NODE_FILES[type]) files.add(path.join(coreNodesDir, CORE_NODE_FILES[type]));
    else if (!HELPER_CORE_TYPES.has(type) && !type.startsWith('subflow:')) {
      throw new Error(`red helper: no module known for node type "${type}"`);
    }
  }
  return [...files];
}

interface State {
  started: boolean;
  settings: Record<string, unknown>;
  userDir?: string;
  tempDirs: string[];
  /** The RED API object the last load handed to our nodes. */
  api?: Record<string, unknown>;
  httpNode?: (req: unknown, res: unknown) => void;
}

const state: State = { started: false, settings: {}, tempDirs: [] };

function makeUserDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-red-'));
  state.tempDirs.push(dir);
  return dir;
}

function applySettings(): void {
  const settings: Record<string, unknown> = { ...state.settings };
  if (state.userDir) settings.userDir = state.userDir;
  else delete settings.userDir;
  helper.settings(settings);
  // helper.settings() merges with RED.settings, which may carry a userDir of its own.
  if (!state.userDir) delete helper.settings().userDir;
}

/**
 * Starts the helper's HTTP server (once per suite). `settings` are Node-RED settings for every
 * load (e.g. adminAuth); a fresh temporary userDir is set unless `userDir: null` is given.
 */
/**
 * The helper hands nodes a RED._ without the catalogs Node-RED's loader registers for each node
 * set; register ours under the same namespaces (`<module>/<set>`) so statuses and errors read as
 * they do in a real Node-RED (and a missing key shows up as the key in a test).
 */
let i18n: I18n | undefined;
interface I18n {
  registerMessageCatalog(ns: string, dir: string, file: string): Promise<void>;
  _(key: string, params?: Record<string, unknown>): string;
}

/** Node-RED's messaging hooks (onSend, onComplete, …) of the runtime the helper loads. */
export interface MessageHooks {
  add(name: string, handler: (event: never) => void): void;
  remove(name: string): void;
}

export function messageHooks(): MessageHooks {
  const util = createRequire(require.resolve('node-red', { paths: [root] }))('@node-red/util') as {
    hooks: MessageHooks;
  };
  return util.hooks;
}

async function registerCatalogs(): Promise<void> {
  const util = createRequire(require.resolve('node-red', { paths: [root] }))('@node-red/util') as {
    i18n: I18n;
  };
  i18n = util.i18n;
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    name: string;
    'node-red': { nodes: Record<string, string> };
  };
  const dir = path.join(root, 'nodes', 'locales');
  for (const set of Object.keys(pkg['node-red'].nodes)) {
    await i18n.registerMessageCatalog(`${pkg.name}/${set}`, dir, `${set}.json`);
  }
}

export async function startRed(settings: Record<string, unknown> = {}): Promise<void> {
  state.settings = { ...settings };
  const wantsUserDir = settings.userDir !== null;
  delete state.settings.userDir;
  state.userDir = wantsUserDir
    ? typeof settings.userDir === 'string'
      ? settings.userDir
      : makeUserDir()
    : undefined;
  applySettings();
  if (!state.started) {
    await helper.startServer();
    // startServer resets the helper's settings to Node-RED's own: put ours (the userDir) back.
    applySettings();
    await registerCatalogs();
    state.started = true;
    // Serve the flows' httpNode routes (http in, webhooks) on the helper's real port.
    (helper as unknown as { _app: (req: unknown, res: unknown) => void })._app = (req, res) => {
      if (state.httpNode) {
        state.httpNode(req, res);
        return;
      }
      const reply = res as { statusCode: number; end(): void };
      reply.statusCode = 404;
      reply.end();
    };
  }
}

/** A new, empty temporary user directory for the next load (call in beforeEach). */
export function freshUserDir(): string {
  state.userDir = makeUserDir();
  applySettings();
  return state.userDir;
}

/** Runs the next loads without a userDir (tokens then live in memory and credentials only). */
export function noUserDir(): void {
  state.userDir = undefined;
  applySettings();
}

export function userDir(): string | undefined {
  return state.userDir;
}

/** Replaces the settings of the next loads (keeps the current userDir). */
export function redSettings(settings: Record<string, unknown>): void {
  state.settings = { ...settings };
  delete state.settings.userDir;
  applySettings();
}

/** The real admin-auth middleware, so needsPermission refuses callers as Node-RED does. */
function realAuth(settings: Record<string, unknown>): unknown {
  const editorApi = path.dirname(
    require.resolve('@node-red/editor-api/package.json', { paths: [nodeRedDir, root] }),
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const auth = require(path.join(editorApi, 'lib', 'auth')) as {
    init(settings: unknown, storage: unknown): void;
    needsPermission(permission: string): unknown;
  };
  let sessions: unknown = {};
  auth.init(settings, {
    getSessions: () => Promise.resolve(sessions),
    saveSessions: (s: unknown) => {
      sessions = s;
      return Promise.resolve();
    },
  });
  return auth;
}

export interface LoadOptions {
  /** More node types to load even if the flow does not use them. */
  extraTypes?: string[];
}

/**
 * Loads a flow (credentials by node id). Each load runs every node module's function afresh,
 * like a Node-RED start: state a module keeps in that function's closure starts empty.
 */
export async function loadFlow(
  flow: FlowNode[],
  credentials: Credentials = {},
  options: LoadOptions = {},
): Promise<void> {
  // A lazy start keeps the user directory a test chose (freshUserDir) before it.
  if (!state.started) await startRed({ ...state.settings, userDir: state.userDir });
  const settings = helper.settings();
  const adminAuth = settings.adminAuth ? realAuth(settings) : undefined;
  const modules = modulesFor(flow, options.extraTypes).map((file) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fn = require(file) as NodeModule;
    const wrapped: NodeModule = (RED) => {
      const api = RED as Record<string, unknown>;
      if (adminAuth) api.auth = adminAuth;
      // The helper's RED._ returns the key; a real Node-RED translates.
      if (i18n) api._ = i18n._.bind(i18n);
      state.api = api;
      state.httpNode = api.httpNode as State['httpNode'];
      return fn(RED);
    };
    return wrapped;
  });
  // A deep copy: the helper compares the flow it was given with what the runtime holds.
  await helper.load(
    modules,
    JSON.parse(JSON.stringify(flow)),
    JSON.parse(JSON.stringify(credentials)),
  );
}

/** Stops the flows and clears the registry (afterEach). */
export async function unloadFlow(): Promise<void> {
  await helper.unload();
  state.httpNode = undefined;
}

/** Stops the server and removes the temporary user directories (after). */
export async function stopRed(): Promise<void> {
  await helper.unload().catch(() => undefined);
  if (state.started) await helper.stopServer();
  state.started = false;
  for (const dir of state.tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  state.userDir = undefined;
}

interface ContextModule {
  init(settings: unknown): void;
  load(): Promise<void>;
  close(): Promise<void>;
  // Properties, not methods: shutdownRed swaps it out and back.
  clean: (config: unknown) => Promise<unknown>;
}
interface HelperInternals {
  _context: ContextModule;
  // A property, not a method: persistentContext wraps it and puts it back.
  _redNodes: { loadFlows: (this: unknown, ...args: unknown[]) => Promise<unknown> };
}
const internals = (): HelperInternals => helper as unknown as HelperInternals;
let persistent: { loadFlows: HelperInternals['_redNodes']['loadFlows'] } | undefined;

/**
 * Node contexts in Node-RED's localfilesystem store under the userDir (as a user configures
 * `contextStorage`), opened on every load like a Node-RED start does. Undo with `false` (after
 * the flows are unloaded): the file store is closed, so nothing writes once the userDir goes.
 */
export async function persistentContext(on: boolean): Promise<void> {
  const redNodes = internals()._redNodes;
  if (on && !persistent) {
    persistent = { loadFlows: redNodes.loadFlows };
    const original = redNodes.loadFlows;
    redNodes.loadFlows = async function (this: unknown, ...args: unknown[]) {
      await internals()._context.load();
      return original.apply(this, args);
    };
    redSettings({ ...state.settings, contextStorage: { default: { module: 'localfilesystem' } } });
  } else if (!on && persistent) {
    redNodes.loadFlows = persistent.loadFlows;
    persistent = undefined;
    const rest = { ...state.settings };
    delete rest.contextStorage;
    redSettings(rest);
    await internals()._context.close();
    internals()._context.init(helper.settings());
  }
}

/**
 * Stops the flows as a Node-RED shutdown does: nodes close, the context stores flush to disk
 * and close, and nothing is cleaned. The next loadFlow reads the contexts back from disk.
 */
export async function shutdownRed(): Promise<void> {
  const ctx = internals()._context;
  const clean = ctx.clean;
  ctx.clean = () => Promise.resolve();
  try {
    await helper.unload();
  } finally {
    ctx.clean = clean;
  }
  await ctx.close();
  // As after a process exit: no store of the old run is left to touch the files.
  ctx.init(helper.settings());
  state.httpNode = undefined;
}

/** The RED API object our nodes received in the last load (RED.nodes, RED.settings, …). */
export function nodeApi(): Record<string, unknown> {
  if (!state.api) throw new Error('red helper: nothing loaded yet');
  return state.api;
}

/** URL of an httpNode path (http in, webhooks) on the helper's server. */
export function httpNodeUrl(pathname = '/'): string {
  return helper.url() + pathname;
}

/** The runtime's internals the helper exposes: flows and credentials as Node-RED holds them. */
export function runtime(): {
  getFlows(): { flows: FlowNode[] };
  getCredentials(id: string): Record<string, unknown> | undefined;
  setFlows(config: unknown[], credentials: unknown, type: string): Promise<unknown>;
} {
  return (helper as unknown as { _redNodes: ReturnType<typeof runtime> })._redNodes;
}

export { helper };
