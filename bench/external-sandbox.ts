/**
 * The sandbox in a process of its own, for figures of memory: in-process, the sandbox's own
 * allocations (it builds every page it serves) would count as the pack's.
 */
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { processCpuMs } from '../test/helpers/process-cpu';
import { ALL_SCOPES } from '../test/helpers/sandbox';
import { exchangeAuthorizationCode } from '../src/zoho/core/auth';

export interface ExternalSandbox {
  url: string;
  /** The sandbox's counters (`GET /sandbox/stats`). */
  stats(): Promise<{ apiRequests: number; throttled: number; maxConcurrent: number }>;
  /**
   * CPU the sandbox process has used so far (user + system, ms), read from /proc: undefined
   * where there is none. Apart from the wall times, this moves only when the emulator's own cost
   * per call does, whatever else the machine is running.
   */
  cpuMs(): number | undefined;
  refreshToken: string;
  accessToken: string;
  seed(counts: Record<string, number>): Promise<void>;
  close(): Promise<void>;
}

const CLIENT = { clientId: '1000.SANDBOXCLIENT', clientSecret: 'sandbox-secret' };

/** `args`: more CLI options, e.g. `['--latency', '50', '--concurrency', '10']`. */
export async function externalSandbox(args: string[] = []): Promise<ExternalSandbox> {
  const cli = path.join(__dirname, '..', 'src', 'sandbox', 'cli.js');
  // e.g. BENCH_SANDBOX_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the emulator.
  const nodeOptions = (process.env.BENCH_SANDBOX_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const argv = [...nodeOptions, cli, '--port', '0', '--credits', '0', ...args];
  const child: ChildProcess = spawn(process.execPath, argv, {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('sandbox did not start')), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
  const codeRes = await fetch(`${url}/sandbox/self-client`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_id: CLIENT.clientId, scope: ALL_SCOPES }),
  });
  const { code } = (await codeRes.json()) as { code: string };
  const exchanged = await exchangeAuthorizationCode({ accountsUrl: url, ...CLIENT, code });
  return {
    url,
    refreshToken: exchanged.refreshToken,
    accessToken: exchanged.tokens.accessToken,
    cpuMs: () => processCpuMs(child.pid),
    async stats() {
      const res = await fetch(`${url}/sandbox/stats`);
      return (await res.json()) as Awaited<ReturnType<ExternalSandbox['stats']>>;
    },
    async seed(counts) {
      const res = await fetch(`${url}/sandbox/crm/seed`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ counts }),
      });
      if (!res.ok) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
