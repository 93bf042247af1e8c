/**
 * `npm run bench`: every figure the issues ask for, one line each (`name value unit`), and
 * bench/results.json. Baselines are measured in the same run, so ratios survive noisy machines.
 */
import fs from 'node:fs';
import path from 'node:path';
import { installedSize, loadTime } from './footprint';
import { Figure } from './lib';
import { redeploysInsideTokenLifetime } from './redeploys';
import { concurrentExpiredToken } from './tokens';
import { booksReturnAll, booksThrottle } from './books';
import { createBatching, latencyThroughput, perMessageOverhead, returnAllLarge } from './crm';

const suites: Array<[string, () => Figure[] | Promise<Figure[]>]> = [
  ['tokens', () => concurrentExpiredToken(500)],
  ['redeploys', () => redeploysInsideTokenLifetime(10)],
  ['load', () => loadTime(15)],
  ['size', () => installedSize()],
  ['crm-batch', () => createBatching()],
  ['crm-overhead', () => perMessageOverhead(5000, 10)],
  ['crm-latency', () => latencyThroughput(1000)],
  ['crm-returnall', () => returnAllLarge(100_000)],
  ['books-throttle', () => booksThrottle()],
  ['books-returnall', () => booksReturnAll()],
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const figures: Figure[] = [];
  for (const [name, run] of suites) {
    if (only.length && !only.includes(name)) continue;
    for (const f of await run()) {
      figures.push(f);
      const verdict = f.goal ? `  (goal ${f.goal}: ${f.pass ? 'met' : 'MISSED'})` : '';
      console.log(`${f.name} ${f.value} ${f.unit}${verdict}`);
    }
  }
  const out = path.join(__dirname, '..', '..', 'bench', 'results.json');
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
