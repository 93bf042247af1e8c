/**
 * What a Pi user notices of the pack: Node-RED's own start, as a real child process of
 * node_modules/node-red, from spawn to its "Started flows" log line, and its resident memory once
 * idle — without the pack, with it installed (in the user directory's node_modules, as
 * `npm install` in ~/.node-red puts it), and with it and every example flow deployed. Runs are
 * interleaved so a busy moment of the machine hits all three alike.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Figure, figure, median } from './lib';

const ROOT = path.join(__dirname, '..', '..');
const RED = require.resolve('node-red/red.js', { paths: [ROOT] });
/** How long Node-RED is left idle after "Started flows" before its RSS is read. */
const SETTLE_MS = 2000;

type Setup = 'bare' | 'pack' | 'examples';

/** The example flows as one flows file (they share one sandbox connection node: kept once). */
function exampleFlows(): unknown[] {
  const dir = path.join(ROOT, 'examples');
  const byId = new Map<string, unknown>();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const nodes = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Array<{
      id: string;
    }>;
    for (const node of nodes) byId.set(node.id, node);
  }
  return [...byId.values()];
}

/** A fresh user directory: settings on a free port, no telemetry, the pack linked in or not. */
function userDir(setup: Setup): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-start-'));
  const settings = {
    uiPort: 0,
    uiHost: '127.0.0.1',
    flowFile: 'flows.json',
    credentialSecret: 'bench-only',
    diagnostics: { enabled: false },
    telemetry: { enabled: false },
    logging: { console: { level: 'info', metrics: false, audit: false } },
  };
  fs.writeFileSync(
    path.join(dir, 'settings.js'),
    `module.exports = ${JSON.stringify(settings)};\n`,
  );
  fs.writeFileSync(
    path.join(dir, 'flows.json'),
    JSON.stringify(setup === 'examples' ? exampleFlows() : []),
  );
  // Every setup has the node_modules an `npm install` makes: without one, Node-RED's start
  // takes another path, and the bare start measured a second slower than with the pack.
  fs.mkdirSync(path.join(dir, 'node_modules'));
  if (setup !== 'bare') {
    fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'node-red-contrib-zoho'), 'dir');
  }
  return dir;
}

/** Resident set size of a Linux process, from /proc (what `top` shows the user). */
function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
  return kb / 1024;
}

/** Whether the started Node-RED lists the pack's node set, and logged no error. */
async function packInstalled(log: string): Promise<boolean> {
  const port = /Server now running at http:\/\/127\.0\.0\.1:(\d+)\//.exec(log)?.[1];
  if (!port || /\[error\]/.test(log)) return false;
  const res = await fetch(`http://127.0.0.1:${port}/nodes`, {
    headers: { Accept: 'application/json' },
  });
  const sets = (await res.json()) as Array<{ module: string; enabled: boolean }>;
  return sets.some((set) => set.module === 'node-red-contrib-zoho' && set.enabled);
}

interface Start {
  ms: number;
  rssMb: number;
  /** Whether Node-RED logged the pack's node types as loaded (a check on the setup). */
  packLoaded: boolean;
}

/** One start of Node-RED: spawn to "Started flows", then idle RSS; the process is stopped. */
function startOnce(setup: Setup): Promise<Start> {
  const dir = userDir(setup);
  const t = process.hrtime.bigint();
  const settings = path.join(dir, 'settings.js');
  const child = spawn(process.execPath, [RED, '--userDir', dir, '--settings', settings], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  return new Promise<Start>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`Node-RED did not start:\n${log}`)), 60_000);
    const finish = (error?: Error, start?: Start) => {
      clearTimeout(timer);
      child.once('exit', () => {
        fs.rmSync(dir, { recursive: true, force: true });
        if (error) reject(error);
        else resolve(start as Start);
      });
      child.kill('SIGTERM');
    };
    const read = (chunk: Buffer) => {
      const before = log.includes('Started flows');
      log += chunk.toString();
      if (before || !log.includes('Started flows')) return;
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      setTimeout(() => {
        const rss = rssMb(child.pid as number);
        packInstalled(log).then(
          (packLoaded) => finish(undefined, { ms, rssMb: rss, packLoaded }),
          (err: Error) => finish(err),
        );
      }, SETTLE_MS);
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('error', (err) => finish(err));
  });
}

export async function nodeRedStartup(runs = 5): Promise<Figure[]> {
  const starts: Record<Setup, Start[]> = { bare: [], pack: [], examples: [] };
  // One start of each first: the disk cache warmed alike for all three.
  for (const setup of ['bare', 'pack', 'examples'] as const) await startOnce(setup);
  for (let i = 0; i < runs; i++) {
    for (const setup of ['bare', 'pack', 'examples'] as const) {
      starts[setup].push(await startOnce(setup));
    }
  }
  const ms = (s: Setup) => median(starts[s].map((x) => x.ms));
  const rss = (s: Setup) => median(starts[s].map((x) => x.rssMb));
  const loaded = [...starts.pack, ...starts.examples].filter((x) => x.packLoaded).length;
  const bareWithPack = starts.bare.filter((x) => x.packLoaded).length;
  const fixed = (n: number, digits = 2) => Number(n.toFixed(digits));
  return [
    figure('startup.node_red_bare_median', Math.round(ms('bare')), 'ms'),
    figure('startup.node_red_with_pack_median', Math.round(ms('pack')), 'ms'),
    figure('startup.node_red_with_examples_median', Math.round(ms('examples')), 'ms'),
    figure('startup.pack_loaded_runs', loaded, 'runs', `= ${2 * runs}`),
    figure('startup.pack_loaded_in_bare_runs', bareWithPack, 'runs', '= 0'),
    figure('startup.with_pack_ratio', fixed(ms('pack') / ms('bare')), 'x', '<= 1.05'),
    figure('startup.with_examples_ratio', fixed(ms('examples') / ms('bare')), 'x'),
    figure('startup.idle_rss_bare_median', fixed(rss('bare'), 1), 'MB'),
    figure('startup.idle_rss_added_by_pack', fixed(rss('pack') - rss('bare'), 1), 'MB', '<= 10'),
    figure('startup.idle_rss_added_with_examples', fixed(rss('examples') - rss('bare'), 1), 'MB'),
  ];
}
