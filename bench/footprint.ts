/** What the pack costs a small machine's disk: the installed size of production deps (its
 * start-up time and memory inside a real Node-RED are in startup.ts). */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Figure, figure } from './lib';

const ROOT = path.join(__dirname, '..', '..');

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
