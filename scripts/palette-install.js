/* global FormData, Blob -- Node 20+ has them; the lint config lists only the common globals */
// The palette-install check, as a Node-RED user installs the pack from a tarball: the packed
// .tgz goes into a fresh user directory through the palette manager's admin API (`POST /nodes`,
// the editor's "Upload module tgz file"), which runs npm with `--engine-strict`, so an engines
// range that refuses this Node fails the upload. npm's own output is checked by running the
// very command Node-RED runs in a second fresh directory: no EBADENGINE and no install-script
// warning. Run by scripts/test-matrix.sh under each Node of the matrix.
//
//   node scripts/palette-install.js <node-red-contrib-zoho-x.y.z.tgz>
//
// Node-RED is the one `require('node-red')` resolves from this tree (the matrix copy's dev
// dependency). Exits non-zero, saying why, on any failure.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./free-port');

const tarball = path.resolve(process.argv[2] || '');
const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
const types = Object.keys(pkg['node-red'].nodes);
// The arguments Node-RED's installer (@node-red/registry lib/installer.js) gives npm.
const NODE_RED_NPM_ARGS = ['--no-audit', '--no-update-notifier', '--no-fund', '--save'];
NODE_RED_NPM_ARGS.push('--save-prefix=~', '--omit=dev', '--engine-strict');

function fail(why) {
  console.error(`palette-install: ${why}`);
  process.exit(1);
}

function freshUserDir(label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `zoho-palette-${label}-`));
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"node-red-project","private":true}');
  return dir;
}

function npmInstallWarnings() {
  const dir = freshUserDir('npm');
  const run = spawnSync('npm', ['install', ...NODE_RED_NPM_ARGS, tarball], {
    cwd: dir,
    encoding: 'utf8',
  });
  fs.rmSync(dir, { recursive: true, force: true });
  const output = `${run.stdout}\n${run.stderr}`;
  if (run.status !== 0) fail(`npm install of the tarball failed:\n${output}`);
  const bad = output.split('\n').filter((l) => /EBADENGINE|install-scripts/.test(l));
  if (bad.length) fail(`npm warned while installing the tarball:\n${bad.join('\n')}`);
  return output.split('\n').filter((l) => /npm warn/i.test(l));
}

async function waitForEditor(base, red) {
  for (let i = 0; i < 120; i++) {
    if (red.exitCode !== null) fail('Node-RED exited before its editor answered');
    try {
      if ((await fetch(`${base}/settings`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  fail('the editor did not answer within 60 s');
}

/** POST /nodes with the tarball, as the palette manager's upload does; the module's node sets. */
async function uploadThroughPalette(base) {
  const form = new FormData();
  form.append('tarball', new Blob([fs.readFileSync(tarball)]), path.basename(tarball));
  const res = await fetch(`${base}/nodes`, { method: 'POST', body: form });
  const body = await res.text();
  if (!res.ok) fail(`the palette refused the tarball (HTTP ${res.status}): ${body}`);
  return JSON.parse(body);
}

async function main() {
  if (!fs.existsSync(tarball)) fail(`no tarball at ${tarball}`);
  const warnings = npmInstallWarnings();
  const userDir = freshUserDir('red');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const redJs = require.resolve('node-red/red.js');
  const red = spawn(process.execPath, [redJs, '--userDir', userDir, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  red.stdout.on('data', (d) => (log += d));
  red.stderr.on('data', (d) => (log += d));
  try {
    await waitForEditor(base, red);
    const module = await uploadThroughPalette(base);
    const sets = module.nodes ?? [];
    const installed = sets.flatMap((s) => s.types ?? []);
    const broken = sets.filter((s) => s.err || !s.enabled).map((s) => `${s.name}: ${s.err}`);
    if (broken.length) fail(`node sets failed to load:\n${broken.join('\n')}`);
    const missing = types.filter((t) => !installed.includes(t));
    if (missing.length) fail(`types not installed: ${missing.join(', ')}`);
    const redVersion = (await (await fetch(`${base}/settings`)).json()).version;
    console.log(
      `palette-install: ${module.name}@${module.version} installed through POST /nodes on ` +
        `Node-RED ${redVersion} under Node ${process.versions.node}: ${installed.length} ` +
        `types, no engine error, no install-script warning` +
        (warnings.length ? `; other npm warnings:\n${warnings.join('\n')}` : ''),
    );
  } catch (err) {
    fail(`${err.stack}\nNode-RED's log:\n${log}`);
  } finally {
    red.kill();
    fs.rmSync(userDir, { recursive: true, force: true });
  }
}

void main();
