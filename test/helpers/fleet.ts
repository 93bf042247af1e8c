/**
 * Real Node-RED child processes for the fleet suites (issue 16): each in its own userDir with
 * the pack linked in, on a loopback port, its output kept for a failing test's message.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
const RED = require.resolve('node-red/red.js', { paths: [ROOT] });

export interface NodeRedProcess {
  name: string;
  child: ChildProcess;
  port: number;
  dir: string;
  log: string;
}

/**
 * Starts Node-RED with these flows and credentials. `extraSettings`: a JavaScript expression
 * for an object merged into settings.js (e.g. a functionGlobalContext with code in it);
 * `preload`: a module Node loads before Node-RED (`--require`), with `env` beside it.
 */
export function startNodeRed(
  name: string,
  port: number,
  flows: unknown[],
  creds: unknown,
  extraSettings = '{}',
  preload?: { module: string; env: Record<string, string> },
): NodeRedProcess {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `zoho-fleet-${name}-`));
  const settings = {
    uiPort: port,
    uiHost: '127.0.0.1',
    flowFile: 'flows.json',
    credentialSecret: false,
    diagnostics: { enabled: false },
    telemetry: { enabled: false },
    logging: { console: { level: 'warn', metrics: false, audit: false } },
  };
  fs.writeFileSync(
    path.join(dir, 'settings.js'),
    `module.exports = Object.assign(${JSON.stringify(settings)}, ${extraSettings});\n`,
  );
  fs.writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flows));
  fs.writeFileSync(path.join(dir, 'flows_cred.json'), JSON.stringify(creds));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'node-red-contrib-zoho'), 'dir');
  const child = spawn(
    process.execPath,
    [
      ...(preload ? ['--require', preload.module] : []),
      RED,
      '--userDir',
      dir,
      '--settings',
      path.join(dir, 'settings.js'),
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...preload?.env } },
  );
  const me: NodeRedProcess = { name, child, port, dir, log: '' };
  child.stdout?.on('data', (c: Buffer) => (me.log += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (me.log += c.toString()));
  return me;
}

/** Stops every process still running (SIGTERM) and removes their userDirs. */
export async function stopAll(fleet: NodeRedProcess[]): Promise<void> {
  await Promise.all(
    fleet.map(
      (i) =>
        new Promise<void>((resolve) => {
          if (i.child.exitCode !== null || i.child.signalCode) return resolve();
          i.child.once('exit', () => resolve());
          i.child.kill('SIGTERM');
        }),
    ),
  );
  fleet.forEach((i) => fs.rmSync(i.dir, { recursive: true, force: true }));
}
