/**
 * The figures of the reliability suite: each test records what it counted with `figure()`, and
 * the root hook prints every figure as a `name value` line once all suites have run (and writes
 * them to reliability-figures.txt beside package.json), so CI logs and the closing note quote
 * the same numbers. Loaded by .mocharc.reliability.json as a root-hook plugin.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const figures = new Map<string, number | string>();

/** Records (or replaces) one figure. */
export function figure(name: string, value: number | string): void {
  figures.set(name, value);
}

/** Adds to a counting figure. */
export function count(name: string, by = 1): void {
  const now = figures.get(name);
  figures.set(name, (typeof now === 'number' ? now : 0) + by);
}

export function figureValue(name: string): number | string | undefined {
  return figures.get(name);
}

function format(value: number | string): string {
  if (typeof value !== 'number' || Number.isInteger(value)) return String(value);
  return value.toFixed(2);
}

export const mochaHooks = {
  afterAll(): void {
    if (figures.size === 0) return;
    const lines = [...figures.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => `${name} ${format(value)}`);
    const root = path.resolve(__dirname, '..', '..', '..');
    fs.writeFileSync(path.join(root, 'reliability-figures.txt'), lines.join('\n') + '\n');
    process.stdout.write(`\n== reliability figures\n${lines.join('\n')}\n`);
  },
};
