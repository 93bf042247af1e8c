/**
 * Issue 16, tokens across an hour, with three real Node-RED processes (the `fleet` bench; the
 * in-process version is test/nodes/shared-tokens.test.ts): they share one connection through
 * Redis and call Zoho all the time while an hour of sandbox clock passes in seconds (wall time
 * 600 times faster in the processes and the sandbox: scaled-time.ts), with 10-minute tokens.
 */
import path from 'node:path';
import type { Sandbox } from '../../src/sandbox/server';
import { NodeRedProcess, startNodeRed, stopAll } from './fleet';
import { freePort } from './redis';
import { DEFAULT_CLIENT, issueTokens } from './sandbox';
import { ORIGIN_ENV, SCALE_ENV, scaledNow } from './scaled-time';
import { until } from './wait';

const SCALE = 600;
export const HOUR_MS = 3_600_000;
const LIFETIME_S = 600;

export interface HourRun {
  calls: number;
  /** Token requests during the hour. */
  refreshes: number;
  /**
   * Calls Zoho refused with 401: a token the pack still trusted lapsed in flight (a stall of
   * half a second on a loaded machine is 5 minutes here); the pack refreshes and calls again.
   */
  lapsed: number;
  /** Any other answer than 200 or 401. */
  failed: number;
}

export async function runFleetHour(sandbox: Sandbox, redisUrl: string): Promise<HourRun> {
  const origin = Date.now();
  const now = scaledNow(origin, SCALE);
  sandbox.configure({ now, tokenLifetimeSec: LIFETIME_S });
  const { refreshToken } = issueTokens(sandbox);
  const flows = [
    { id: 'f1', type: 'tab' },
    {
      id: 'c1',
      type: 'zoho-config',
      region: 'custom',
      accountsUrl: sandbox.url,
      sharedState: 'redis',
      redisUrl,
      redisPrefix: 'hour-test:',
    },
    // A call every 50 ms: every 30 s of sandbox clock.
    { id: 'i1', type: 'inject', z: 'f1', once: true, repeat: '0.05', wires: [['r1']] },
    { id: 'r1', type: 'zoho-raw', z: 'f1', config: 'c1', url: '/crm/v8/org', wires: [[]] },
  ];
  const { clientId, clientSecret } = DEFAULT_CLIENT;
  const creds = { c1: { clientId, clientSecret, refreshToken } };
  const preload = {
    module: path.join(__dirname, 'scaled-time.js'),
    env: { [ORIGIN_ENV]: String(origin), [SCALE_ENV]: String(SCALE) },
  };
  const fleet: NodeRedProcess[] = [];
  const launched = now();
  try {
    for (const name of ['A', 'B', 'C'])
      fleet.push(startNodeRed(name, await freePort(), flows, creds, '{}', preload));
    // The fleet's calls: by the sandbox's time, as its request log keeps only the latest ones.
    const calls = (from: number) =>
      sandbox.requests.filter((r) => r.path === '/crm/v8/org' && r.time >= from);
    // The hour starts once the fleet calls.
    await until(() => calls(launched).length >= 30, 'the fleet calling', 60_000);
    const start = now();
    const before = sandbox.stats.tokenRequests.total;
    await until(() => now() - start >= HOUR_MS, 'an hour of sandbox clock', 30_000);
    const made = calls(start).filter((r) => r.time < start + HOUR_MS);
    return {
      calls: made.length,
      refreshes: sandbox.stats.tokenRequests.total - before,
      lapsed: made.filter((r) => r.status === 401).length,
      failed: made.filter((r) => r.status !== 200 && r.status !== 401).length,
    };
  } finally {
    sandbox.configure({ now: undefined, tokenLifetimeSec: 3600 });
    await stopAll(fleet);
  }
}
