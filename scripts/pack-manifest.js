// npm pack / npm publish hooks: `prepack` builds, then takes `prepare` out of package.json so
// the tarball carries no script npm lists as an install script (npm 11 warns about `prepare`
// for every non-registry install: a tarball, the palette manager's upload); `postpack` puts
// the checkout's package.json back. `prepare` stays in the checkout, where `npm ci` and a git
// install (`npm install github:…`, which installs dev dependencies and runs `prepare`) build
// with it.
//
//   node scripts/pack-manifest.js prepack | postpack
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const manifest = path.join(root, 'package.json');
// The checkout's own package.json while the packed one is on disk; not in `files`.
const kept = path.join(root, '.package.json.unpacked');

/** Puts the checkout's package.json back, if a pack left it aside (also after a failed pack). */
function restore() {
  if (!fs.existsSync(kept)) return;
  fs.copyFileSync(kept, manifest);
  fs.rmSync(kept);
}

function prepack() {
  restore();
  const build = spawnSync(process.execPath, [path.join(__dirname, 'build.js')], {
    stdio: 'inherit',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
  const text = fs.readFileSync(manifest, 'utf8');
  const pkg = JSON.parse(text);
  if (!pkg.scripts?.prepare) return;
  fs.writeFileSync(kept, text);
  delete pkg.scripts.prepare;
  fs.writeFileSync(manifest, JSON.stringify(pkg, null, 2) + '\n');
}

const step = process.argv[2];
if (step === 'prepack') prepack();
else if (step === 'postpack') restore();
else {
  console.error('usage: node scripts/pack-manifest.js prepack|postpack');
  process.exit(2);
}
