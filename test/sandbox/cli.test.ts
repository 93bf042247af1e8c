/**
 * `zoho-sandbox` (src/sandbox/cli.ts) as a palette user runs it: one default port that the
 * examples, `npm start` and the connection dialog all name, and `--demo` for the demo data.
 */
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { DEFAULT_SANDBOX_PORT } from '../../src/sandbox/demo';
import { freePort } from '../helpers/editor';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'sandbox', 'cli.js');
const read = (...p: string[]): string => fs.readFileSync(path.join(ROOT, ...p), 'utf8');

/** Starts the CLI and waits for its banner; the caller kills it. */
async function runCli(args: string[]): Promise<{ child: ChildProcess; banner: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const until = Date.now() + 15_000;
  while (!/Press Ctrl\+C to stop/.test(out)) {
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`zoho-sandbox never started:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, banner: out };
}

async function stopCli(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

describe('zoho-sandbox CLI', function () {
  this.timeout(30_000);

  it('one default sandbox port: --help, npm start, the examples and the connection dialog', () => {
    const port = DEFAULT_SANDBOX_PORT;
    const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout;
    assert.match(help, new RegExp(`--port <n> .*\\(default ${port},`));
    assert.match(help, /--demo\s+load the demo data/);
    const start = createRequire(__filename)(path.join(ROOT, 'scripts', 'start.js')) as {
      DEFAULT_SANDBOX_PORT: number;
    };
    assert.equal(start.DEFAULT_SANDBOX_PORT, port, 'npm start');
    const url = `http://127.0.0.1:${port}`;
    for (const file of fs.readdirSync(path.join(ROOT, 'examples'))) {
      const nodes = JSON.parse(read('examples', file)) as Record<string, unknown>[];
      for (const n of nodes.filter((x) => x.type === 'zoho-config')) {
        assert.equal(n.accountsUrl, url, `${file}: the connection's URL`);
      }
      const comment = nodes.find((x) => x.type === 'comment');
      assert.match(String(comment?.info), /`npx zoho-sandbox --demo`/, `${file}: how to try it`);
    }
    // Where the dialog and its help name the Accounts URL (the help's curl lines name Node-RED).
    const placeholder = /id="node-config-input-accountsUrl" placeholder="([^"]*)"/.exec(
      read('nodes', 'zoho-config.html'),
    );
    assert.equal(placeholder?.[1], url, 'the Accounts URL placeholder');
    const accountsHelp = /<dt>Accounts URL[\s\S]*?<\/dd>/.exec(
      read('nodes', 'locales', 'en-US', 'zoho-config.html'),
    );
    const ports = [...(accountsHelp?.[0] ?? '').matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) =>
      Number(m[1]),
    );
    assert.deepEqual(ports, [port], 'the Accounts URL help');
  });

  it('--edition, --dc and --time-zone take only what Zoho has; anything else exits 2 and says so', () => {
    for (const [flag, value, listed] of [
      ['--edition', 'gold', /free, standard, professional, enterprise, ultimate/],
      ['--dc', 'mars', /us, eu, in/],
      ['--time-zone', '+05:75', /offset such as \+05:30, -08:00 or UTC/],
      ['--time-zone', '+00:17', /no time zone has the fixed offset \+00:17/],
    ] as const) {
      const run = spawnSync(process.execPath, [CLI, flag, value, '--port', '0'], {
        encoding: 'utf8',
      });
      assert.equal(run.status, 2, flag);
      assert.match(run.stderr, listed);
    }
  });

  it('--demo loads the demo data; without it the sandbox starts empty', async () => {
    const counts = async (args: string[]): Promise<{ leads: number; banner: string }> => {
      const port = await freePort();
      const { child, banner } = await runCli(['--port', String(port), ...args]);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/sandbox/crm/counts`);
        const body = (await res.json()) as { Leads?: number };
        return { leads: body.Leads ?? -1, banner };
      } finally {
        await stopCli(child);
      }
    };
    const demo = await counts(['--demo']);
    assert.equal(demo.leads, 30, 'demo leads');
    assert.match(demo.banner, /demo data: CRM .*30 Leads/);
    assert.match(demo.banner, /Client ID\s+1000\.SANDBOXCLIENT/);
    const empty = await counts([]);
    assert.equal(empty.leads, 0, 'no demo data without --demo');
  });
});
