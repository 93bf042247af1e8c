#!/usr/bin/env bash
# The second column of the version matrix: the whole test suite (editor tests in Chromium
# included) on Node-RED 5 under Node 22, then the palette install: the tarball `npm pack`
# makes, uploaded to a fresh Node-RED through its palette API (scripts/palette-install.js: no
# engine error, no install-script warning). The first column, Node-RED 4 under the machine's
# Node 20, is the plain `npm test`.
#
# Node 22 comes from the npm package `node` (its binary is node_modules/node/bin/node) in a
# temporary prefix, and the pack is tested from a throwaway copy of this tree whose dev
# dependency on node-red is switched to 5.x, so the project's own install stays as it is.
#
#   scripts/test-matrix.sh              Node 22 + node-red@5
#   MATRIX_NODE=24 scripts/test-matrix.sh   Node 24 + node-red@5
#   MATRIX_NODE=22.9 MATRIX_NODE_RED=5.0.1 scripts/test-matrix.sh
#   MATRIX_KEEP=1 scripts/test-matrix.sh   keep the temporary directory (its path is printed)
#   MATRIX_SUITE=palette scripts/test-matrix.sh   only the palette install, not the suite
#   MATRIX_PALETTE=0 scripts/test-matrix.sh   only the suite, not the palette install
#   MATRIX_EDITOR=0 scripts/test-matrix.sh    the suite without the Chromium editor tests
#   MATRIX_SUITE=floor scripts/test-matrix.sh   the floor run: no editor, no long scenarios
#
# Mocha 12 needs Node 20.19+ or 22.12+ (require of ES modules); below that the copy runs mocha 11, the
# same runner and options, so the lowest Node that Node-RED 5 accepts (22.9) can be tested.
# npm is this machine's: under a Node below 20.17 npm 11 warns that it does not support it
# (npm 11 asks ^20.17 || >=22.9), then installs and runs as usual; it is the test tooling, not
# the pack, and a user on such a Node has the npm that came with it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
node_spec="${MATRIX_NODE:-22}"
red_spec="${MATRIX_NODE_RED:-5}"
work="$(mktemp -d "${TMPDIR:-/tmp}/zoho-matrix.XXXXXX")"
if [ -z "${MATRIX_KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT; fi
echo "== matrix: Node ${node_spec} + node-red@${red_spec} in ${work}"

npm install --prefix "$work/node" --no-audit --no-fund --no-save --loglevel=error "node@${node_spec}"
node_bin="$work/node/node_modules/node/bin"
if ! "$node_bin/node" --version >/dev/null 2>&1; then
  echo "the npm package node@${node_spec} gave no runnable binary at $node_bin/node" >&2
  exit 1
fi
# npm and every `node` the tests spawn (Node-RED's child process uses process.execPath) now
# resolve to Node 22.
export PATH="$node_bin:$PATH"

# The tree as it is on disk (uncommitted work included), without anything built or installed.
mkdir "$work/pack"
tar -C "$root" \
  --exclude=./node_modules --exclude=./dist --exclude=./.node-red-user --exclude=./.git \
  --exclude=./nodes/icons --exclude=./.test-tmp -cf - . | tar -C "$work/pack" -xf -
cd "$work/pack"
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
  pkg.devDependencies["node-red"] = process.argv[1];
  const [major, minor] = process.versions.node.split(".").map(Number);
  const mocha12 = major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
  if (!mocha12) pkg.devDependencies.mocha = "^11.7.0";
  fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2) + "\n");
' "$red_spec"
npm install --no-audit --no-fund --loglevel=error

red_version="$(node -p 'require("node-red/package.json").version')"
echo "== matrix: node $(node --version), node-red ${red_version}, $(npm ls --depth=0 node-red-node-test-helper mocha | grep -o '[a-z-]*@[0-9][^ ]*' | tr '\n' ' ')"
case "$red_version" in
  "${red_spec}".* | "${red_spec}") ;;
  *) echo "expected node-red ${red_spec}.x, got ${red_version}" >&2 && exit 1 ;;
esac
# The sandbox's OpenAPI files live beside the real checkout, not beside the copy.
export ZOHO_OAS_DIR="${ZOHO_OAS_DIR:-$root/../shared/zoho-crm-oas}"
# The editor tests' browser side is the same under every Node: a run may leave them to another.
# A floor run (MATRIX_SUITE=floor) asks whether the pack works on the lowest Node of a range:
# the client, the sandbox and every node in a real Node-RED, where the Node APIs the pack uses
# are met. It leaves out the editor and the long scenarios built from those same parts (real
# processes killed and restarted, thousands of changes across polls, bulk exports), which the
# full runs on the newest Node of each Node-RED already drive.
ignore=()
if [ "${MATRIX_EDITOR:-1}" = 0 ] || [ "${MATRIX_SUITE:-all}" = floor ]; then
  ignore+=(--ignore 'dist/test/editor/**')
fi
if [ "${MATRIX_SUITE:-all}" = floor ]; then
  for long in outage start fleet-processes fleet-poll-crash nodes/crm-watch-in-poll nodes/crm-bulk; do
    ignore+=(--ignore "dist/test/${long}.test.js")
  done
fi
if [ "${MATRIX_SUITE:-all}" != palette ]; then
  if [ ${#ignore[@]} -gt 0 ]; then npm test -- "${ignore[@]}"; else npm test; fi
fi

# The tarball a user downloads (prepack builds it), installed as the palette manager does.
if [ "${MATRIX_PALETTE:-1}" = 1 ]; then
  npm pack --silent --pack-destination "$work" >/dev/null
  node scripts/palette-install.js "$work"/node-red-contrib-zoho-*.tgz
fi
