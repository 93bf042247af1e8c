/**
 * `npm run bench`: every figure the issues ask for, one line each (`name value unit`), and
 * bench/results.json. Baselines are measured in the same run, so ratios survive noisy machines.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { installedSize } from './footprint';
import { nodeRedStartup } from './startup';
import { Figure } from './lib';
import { redeploysInsideTokenLifetime } from './redeploys';
import { concurrentExpiredToken } from './tokens';
import { booksReturnAll, booksThrottle } from './books';
import { booksPollExactness, booksPollIdleCalls } from './books-watch';
import {
  createBatching,
  latencyThroughput,
  parallelCoql,
  parallelCreate,
  perMessageOverhead,
  returnAllLarge,
} from './crm';
import { crmActionCalls } from './crm-actions';
import { connectionRetention, leaks } from './leaks';
import { fleetFigures } from './fleet';
import { bulkFigures } from './bulk';
import { outboxFootprint, outboxOutage } from './outbox';
import { outboxAckRate, outboxSensorCoalescing } from './outbox-flow';
import { pollExactness, pollIdleCalls, webhookLatency } from './watch';

type Suite = [string, () => Figure[] | Promise<Figure[]>];

const suites: Suite[] = [
  ['tokens', () => concurrentExpiredToken(500)],
  ['redeploys', () => redeploysInsideTokenLifetime(10)],
  ['startup', () => nodeRedStartup(5)],
  ['size', () => installedSize()],
  ['crm-batch', () => createBatching()],
  ['crm-overhead', () => perMessageOverhead(5000, 10)],
  ['crm-latency', () => latencyThroughput(1000)],
  ['crm-returnall', () => returnAllLarge(100_000)],
  ['crm-parallel-create', () => parallelCreate(10_000)],
  ['crm-parallel-coql', () => parallelCoql(100_000)],
  ['crm-actions', () => crmActionCalls()],
  // Zoho's minute / 10: a round trip is well under 1% of a 6 s window.
  ['books-throttle', () => booksThrottle(10, 500)],
  ['books-returnall', () => booksReturnAll()],
  [
    'books-watch',
    async () => [...(await booksPollIdleCalls(50)), ...(await booksPollExactness(1000, 3))],
  ],
  ['watch-webhook', () => webhookLatency(500)],
  ['watch-poll-idle', () => pollIdleCalls(50)],
  ['watch-poll-exact', () => pollExactness(10_000)],
  ['leaks', () => leaks()],
  ['outbox-footprint', () => outboxFootprint(100_000)],
  ['outbox-outage', () => outboxOutage(10_000, 60_000)],
  ['outbox-acks', () => outboxAckRate(1000)],
  ['outbox-sensors', () => outboxSensorCoalescing(10, 300)],
  ['fleet', () => fleetFigures()],
  // 200,000 here (a minute or two); `--suite bulk-1m` reads Zoho's full million.
  ['bulk', () => bulkFigures(200_000, 100_000)],
];

/** `npm run bench:long` (`--long`): what takes many minutes, at Zoho's real scale. */
const longSuites: Suite[] = [
  // Zoho's real minute: 300 creates are two full windows after the first burst.
  ['books-throttle-60s', () => booksThrottle(1, 300)],
  // Hours on a Pi in minutes: a million requests on one connection, stopped at 15 minutes.
  ['long-run', () => connectionRetention(1_000_000, 15 * 60_000, 20)],
  ['bulk-1m', () => bulkFigures(1_000_000, 100_000)],
];

function print(f: Figure): void {
  const verdict = f.goal ? `  (goal ${f.goal}: ${f.pass ? 'PASS' : 'FAIL'})` : '';
  console.log(`${f.name} ${f.value} ${f.unit}${verdict}`);
}

/**
 * Each suite runs in a fresh process (`--suite NAME`, figures as JSON on the last line), so one
 * suite's heap, timers and restarted runtimes never weigh on the next one's timings.
 */
function runIsolated(name: string): Figure[] {
  const out = execFileSync(process.execPath, ['--expose-gc', __filename, '--suite', name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = out.trim().split('\n').pop() ?? '[]';
  return JSON.parse(last) as Figure[];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--suite') {
    const suite = [...suites, ...longSuites].find(([name]) => name === args[1]);
    if (!suite) throw new Error(`no bench suite ${args[1]}`);
    console.log(JSON.stringify(await suite[1]()));
    return;
  }
  const long = args.includes('--long');
  const named = args.filter((a) => a !== '--long');
  const chosen = long ? [...suites, ...longSuites] : suites;
  const figures: Figure[] = [];
  for (const [name] of named.length ? [...suites, ...longSuites] : chosen) {
    if (named.length && !named.includes(name)) continue;
    for (const f of runIsolated(name)) {
      figures.push(f);
      print(f);
    }
  }
  const file = long ? 'results-long.json' : 'results.json';
  const out = path.join(__dirname, '..', '..', 'bench', file);
  fs.writeFileSync(
    out,
    JSON.stringify({ date: new Date().toISOString(), node: process.version, figures }, null, 2),
  );
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
