// `npm audit --omit=dev` as figures: high and critical advisories of the production
// dependencies (must be 0; the script fails otherwise). When the audit endpoint cannot be
// reached, that is printed as a figure (security.audit_reachable 0) and the reason: an audit
// that did not run is reported as not run, never as a pass.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (args) =>
  spawnSync(npm, args, { cwd: root, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });

const lines = [];
const figure = (name, value) => lines.push(`${name} ${value}`);

const tree = run(['ls', '--omit=dev', '--all', '--parseable']);
const packages = new Set(tree.stdout.split('\n').filter((l) => l.includes('node_modules')));
figure('security.prod_packages', packages.size);

const audit = run(['audit', '--omit=dev', '--json']);
let report;
try {
  report = JSON.parse(audit.stdout);
} catch {
  report = undefined;
}
const counts = report && report.metadata && report.metadata.vulnerabilities;
let failed = false;
if (counts) {
  const severe = (counts.high || 0) + (counts.critical || 0);
  figure('security.audit_reachable', 1);
  figure('security.audit_high_critical', severe);
  figure('security.audit_total', counts.total || 0);
  failed = severe > 0;
} else {
  figure('security.audit_reachable', 0);
  const why = (report && report.message) || audit.stderr.trim().split('\n').pop() || 'no answer';
  lines.push(`# npm audit could not run: ${why}`);
}

process.stdout.write(`${lines.join('\n')}\n`);
const file = path.join(root, 'reliability-figures.txt');
if (fs.existsSync(file))
  fs.appendFileSync(file, lines.filter((l) => !l.startsWith('#')).join('\n') + '\n');
process.exit(failed ? 1 : 0);
