// Compiles src/, test/ and bench/ with tsc into dist/, and copies the icons to nodes/icons/,
// the only place Node-RED looks for them (a top-level icons/ folder is never scanned).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const iconsFrom = path.join(root, 'icons');
const iconsTo = path.join(root, 'nodes', 'icons');
fs.mkdirSync(iconsTo, { recursive: true });
for (const name of fs.existsSync(iconsFrom) ? fs.readdirSync(iconsFrom) : []) {
  fs.copyFileSync(path.join(iconsFrom, name), path.join(iconsTo, name));
}

const tsc = require.resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], {
    stdio: 'inherit',
  });
} catch {
  console.error('TypeScript build failed');
  process.exit(1);
}
