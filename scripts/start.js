// `npm start`: the Zoho sandbox plus a Node-RED with this pack, its example flows, and a
// zoho-config node connected to the sandbox, so a newcomer sees it work without a Zoho account.
// Node-RED gets its own user directory (.node-red-user/, ignored by git) and finds the pack
// through a link in that directory's node_modules, as if installed from the palette.
//
// It checks both ports before touching anything, and only sets up the connection while it is
// still the untouched demo one (scripts/start-checks.js): a connection the user changed stays.
// ZOHO_START_USER_DIR puts the user directory elsewhere (the tests use a temporary one).
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { busyPortsLine, isUntouchedDemo } = require('./start-checks');

const root = path.join(__dirname, '..');
const userDir = path.resolve(process.env.ZOHO_START_USER_DIR || path.join(root, '.node-red-user'));
const uiPort = Number(process.env.PORT || 1880);
// The sandbox's default port, as in src/sandbox/demo.ts (DEFAULT_SANDBOX_PORT; a test checks):
// read before the build, so written here too.
const DEFAULT_SANDBOX_PORT = 8800;
const sandboxPort = Number(process.env.ZOHO_SANDBOX_PORT || DEFAULT_SANDBOX_PORT);
const FIRST_TAB = 'crm-record.json';
const CLIENT = { clientId: '1000.SANDBOXCLIENT', clientSecret: 'sandbox-secret' };

const BUILT = path.join(root, 'dist', 'src', 'sandbox', 'server.js');

/** Newest modification time under dir (0 when it does not exist). */
function newest(dir) {
  if (!fs.existsSync(dir)) return 0;
  let t = 0;
  // Walked by hand: readdir's `recursive` and Dirent's `parentPath` need Node 20.1 and 20.12.
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) t = Math.max(t, newest(full));
    else if (entry.isFile()) t = Math.max(t, fs.statSync(full).mtimeMs);
  }
  return t;
}

/** Builds (scripts/build.js) when dist/ is missing or older than src/ or icons/. */
function buildIfNeeded() {
  const built = fs.existsSync(BUILT) ? fs.statSync(BUILT).mtimeMs : 0;
  const iconsCopied = fs.existsSync(path.join(root, 'nodes', 'icons'));
  const sources = Math.max(newest(path.join(root, 'src')), newest(path.join(root, 'icons')));
  if (built && iconsCopied && built >= sources) return;
  console.log('Building the pack (TypeScript)…');
  const { status } = spawnSync(process.execPath, [path.join(__dirname, 'build.js')], {
    stdio: 'inherit',
  });
  if (status !== 0) process.exit(status ?? 1);
}

function linkPack() {
  const modules = path.join(userDir, 'node_modules');
  fs.mkdirSync(modules, { recursive: true });
  const link = path.join(modules, 'node-red-contrib-zoho');
  if (!fs.existsSync(link)) fs.symlinkSync(root, link, 'dir');
  const settings = path.join(userDir, 'settings.js');
  if (!fs.existsSync(settings)) {
    fs.writeFileSync(
      settings,
      [
        'module.exports = {',
        "  flowFile: 'flows.json',",
        "  uiHost: '127.0.0.1',",
        '  // The demo runs offline: no update check, no palette catalogue, no tours.',
        '  telemetry: { enabled: false, updateNotification: false },',
        '  editorTheme: { projects: { enabled: false }, tours: false, palette: { catalogues: [] } },',
        '};',
        '',
      ].join('\n'),
    );
  }
}

function exampleFiles() {
  const examplesDir = path.join(root, 'examples');
  if (!fs.existsSync(examplesDir)) return [];
  return (
    fs
      .readdirSync(examplesDir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      // The tab the editor opens first: the README's first result is on it.
      .sort((a, b) => Number(b === FIRST_TAB) - Number(a === FIRST_TAB))
      .map((file) => ({ file, nodes: JSON.parse(fs.readFileSync(path.join(examplesDir, file))) }))
  );
}

/** The demo connection: the zoho-config every example shares, pointed at the sandbox. */
function demoConnection(sandboxUrl, examples = exampleFiles()) {
  for (const { nodes } of examples) {
    const config = nodes.find((n) => n.type === 'zoho-config');
    if (config) return { ...config, accountsUrl: sandboxUrl };
  }
  throw new Error('no example carries the zoho-config');
}

/** Every example flow on its own tab, all sharing the one demo connection. */
function exampleFlows(sandboxUrl) {
  const examples = exampleFiles();
  const flows = [demoConnection(sandboxUrl, examples)];
  for (const { file, nodes } of examples) {
    const tabId = `example-${file.replace(/\W+/g, '-')}`;
    flows.push({ id: tabId, type: 'tab', label: file.replace(/\.json$/, ''), info: '' });
    for (const node of nodes) {
      if (node.type !== 'zoho-config' && node.type !== 'tab') flows.push({ ...node, z: tabId });
    }
  }
  return flows;
}

/**
 * Writes the example flows the first time. Later, the user's flows stay as they are, except
 * that the untouched demo connection follows the sandbox to its port. Answers whether the demo
 * connection is there, untouched, to be connected.
 */
function writeFlows(sandboxUrl) {
  const flowFile = path.join(userDir, 'flows.json');
  if (!fs.existsSync(flowFile)) {
    fs.writeFileSync(flowFile, JSON.stringify(exampleFlows(sandboxUrl), null, 2));
    return true;
  }
  const demo = demoConnection(sandboxUrl);
  const flows = JSON.parse(fs.readFileSync(flowFile, 'utf8'));
  const node = flows.find((n) => n.id === demo.id);
  if (!isUntouchedDemo(node, demo)) {
    const which = node ? `"${node.name || node.id}" was changed` : 'was removed';
    console.log(`The demo connection ${which}: left as it is (the sandbox is at ${sandboxUrl}).`);
    return false;
  }
  if (node.accountsUrl !== sandboxUrl) {
    node.accountsUrl = sandboxUrl;
    fs.writeFileSync(flowFile, JSON.stringify(flows, null, 2));
  }
  return true;
}

async function waitFor(url, ms) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`Node-RED did not answer at ${url}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Connects the sandbox zoho-config the way a headless user would: a Self Client grant code. */
async function connect(editorUrl, sandbox) {
  const demo = demoConnection(sandbox.url);
  const code = sandbox.accounts.issueGrantCode({
    clientId: CLIENT.clientId,
    scope: demo.scopes,
    offline: true,
  });
  const res = await fetch(`${editorUrl}zoho-config/${demo.id}/auth/code`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code, region: 'custom', accountsUrl: sandbox.url, ...CLIENT }),
  });
  if (!res.ok) throw new Error(`connecting the sandbox failed: ${res.status} ${await res.text()}`);
}

async function main() {
  const busy = await busyPortsLine(uiPort, sandboxPort);
  if (busy) {
    console.error(busy);
    process.exit(1);
  }
  buildIfNeeded();
  const { Sandbox } = require(BUILT);
  const sandbox = new Sandbox();
  const demo = sandbox.seedDemo();
  await sandbox.start(sandboxPort);
  linkPack();
  const untouched = writeFlows(sandbox.url);
  const red = spawn(
    process.execPath,
    [require.resolve('node-red/red.js'), '--userDir', userDir, '--port', String(uiPort)],
    {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      // crm-watch-in's webhook example: the sandbox notifies this Node-RED directly.
      env: {
        ...process.env,
        NODE_RED_PUBLIC_URL: process.env.NODE_RED_PUBLIC_URL || `http://127.0.0.1:${uiPort}`,
      },
    },
  );
  const editorUrl = `http://127.0.0.1:${uiPort}/`;
  let stopping = false;
  // Ctrl-C reaches both processes (one process group); a plain `kill` reaches only this one.
  // Either way Node-RED gets SIGINT, is waited for (SIGKILL after 10 s), then the sandbox
  // closes, so nothing is left listening.
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    if (red.exitCode === null && red.signalCode === null) {
      const exited = new Promise((resolve) => red.once('exit', resolve));
      red.kill('SIGINT');
      const timer = setTimeout(() => red.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await sandbox.stop();
    console.log('Stopped Node-RED and the Zoho sandbox.');
    process.exit(code);
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  red.on('exit', (code) => stop(code ?? 0));
  try {
    await waitFor(`${editorUrl}settings`, 60_000);
    if (untouched) await connect(editorUrl, sandbox);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    await stop(1);
  }
  const { describeDemo } = require(path.join(root, 'dist', 'src', 'sandbox', 'demo.js'));
  console.log(`\n  Zoho sandbox:     ${sandbox.url}`);
  console.log(`    demo data: ${describeDemo(demo)}`);
  console.log(`  Node-RED editor:  ${editorUrl}`);
  // @node-red/runtime appends "-git" to its version when a .git sits four folders above its
  // lib/: this checkout's, when Node-RED runs from its node_modules. Say so, only then.
  const runtimeDir = path.dirname(require.resolve('@node-red/runtime/package.json'));
  if (fs.existsSync(path.join(runtimeDir, '..', '..', '..', '.git'))) {
    const redVersion = require('node-red/package.json').version;
    console.log(`    Node-RED ${redVersion} from npm (its log says v${redVersion}-git: it runs`);
    console.log('    from inside this git checkout)');
  }
  console.log('  (Ctrl-C stops both)\n');
}

if (require.main === module) {
  main().catch((err) => {
    // A port taken between the check and the listen: still one line, no stack.
    console.error(err && err.code === 'EADDRINUSE' ? `npm start: ${err.message}` : err);
    process.exit(1);
  });
}

module.exports = { exampleFlows, demoConnection, connect, CLIENT, DEFAULT_SANDBOX_PORT };
