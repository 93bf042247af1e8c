/**
 * What the pack costs a small machine: time to load its node files into Node-RED against the
 * bare require of its two runtime dependencies, and the installed size of production deps.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Figure, figure, median, runNode } from './lib';

const ROOT = path.join(__dirname, '..', '..');

// Both scripts warm the module loader the same way before the clock starts.
const BARE = `
require('os'); require('./package.json');
const t = process.hrtime.bigint();
require('axios'); require('simple-oauth2');
console.log(Number(process.hrtime.bigint() - t) / 1e6);`;

// What Node-RED's loader does with each node file: require it and call it with RED.
const PACK = `
const noop = () => undefined;
const RED = {
  nodes: { registerType: noop, createNode: noop, getNode: noop, addCredentials: noop, getCredentials: noop, deleteCredentials: noop },
  httpAdmin: { get: noop, post: noop, put: noop, delete: noop, use: noop },
  httpNode: { get: noop, post: noop, put: noop, delete: noop, use: noop },
  auth: { needsPermission: () => (req, res, next) => next() },
  settings: { userDir: require('os').tmpdir(), httpAdminRoot: '/' },
  log: { info: noop, warn: noop, error: noop, debug: noop, trace: noop },
  util: {}, events: { on: noop, removeListener: noop },
  _: (k) => k,
};
const files = Object.values(require('./package.json')['node-red'].nodes);
const t = process.hrtime.bigint();
for (const file of files) require('./' + file)(RED);
console.log(Number(process.hrtime.bigint() - t) / 1e6);`;

export function loadTime(runs = 9): Figure[] {
  const bare: number[] = [];
  const pack: number[] = [];
  // Interleaved, so a noisy moment hits both sides alike.
  for (let i = 0; i < runs; i++) {
    bare.push(Number(runNode(BARE, ROOT)));
    pack.push(Number(runNode(PACK, ROOT)));
  }
  const ratio = median(pack) / median(bare);
  return [
    figure('load.bare_require_median', Number(median(bare).toFixed(1)), 'ms'),
    figure('load.pack_median', Number(median(pack).toFixed(1)), 'ms'),
    figure('load.ratio', Number(ratio.toFixed(2)), 'x', '<= 1.3'),
  ];
}

function dirSize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += dirSize(full);
    else if (entry.isFile()) total += fs.statSync(full).size;
  }
  return total;
}

export function installedSize(): Figure[] {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const dirs = out
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.includes(`${path.sep}node_modules${path.sep}`));
  // Nested packages live inside their parent's folder: count each file once.
  const roots = dirs.filter(
    (dir) => !dirs.some((other) => other !== dir && dir.startsWith(other + path.sep)),
  );
  const bytes = roots.reduce((sum, dir) => sum + dirSize(dir), 0);
  return [
    figure('size.prod_dependencies', Number((bytes / 1024 / 1024).toFixed(2)), 'MB', '<= 8'),
    figure('size.prod_packages', dirs.length, 'packages'),
  ];
}
