/**
 * The client library (package.json `main`) stands alone: nothing compiled from src/zoho
 * requires Node-RED, the nodes or the sandbox, directly or through another file.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ZOHO = path.resolve(__dirname, '../../src/zoho');
const SRC = path.dirname(ZOHO);
const FORBIDDEN_DIRS = ['nodes', 'sandbox'].map((d) => path.join(SRC, d) + path.sep);

function requires(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
}

function resolveLocal(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.js`, path.join(base, 'index.js')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${from} requires ${spec}, which does not resolve`);
}

/** Every compiled file reachable from the entry, with what it requires. */
function walk(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (graph.has(file)) continue;
    const specs = requires(file);
    graph.set(file, specs);
    for (const spec of specs) if (spec.startsWith('.')) queue.push(resolveLocal(file, spec));
  }
  return graph;
}

function compiledFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return compiledFiles(full);
    return e.name.endsWith('.js') ? [full] : [];
  });
}

describe('src/zoho stands alone', function () {
  it('the package main and every client file require no Node-RED, node or sandbox code', function () {
    const main = path.join(ZOHO, 'index.js');
    const graph = walk(main);
    // Files outside the graph of main (not exported yet) are held to the same rule.
    for (const file of compiledFiles(ZOHO))
      if (!graph.has(file)) walk(file).forEach((v, k) => graph.set(k, v));
    assert.ok(graph.size > 20, `only ${graph.size} files reached`);
    for (const [file, specs] of graph) {
      const where = path.relative(SRC, file);
      assert.ok(file.startsWith(ZOHO + path.sep), `${where} is outside src/zoho`);
      for (const spec of specs) {
        assert.doesNotMatch(spec, /^(node-red|@node-red\/)/, `${where} requires ${spec}`);
        if (!spec.startsWith('.')) continue;
        const target = resolveLocal(file, spec);
        for (const dir of FORBIDDEN_DIRS)
          assert.ok(!target.startsWith(dir), `${where} requires ${path.relative(SRC, target)}`);
      }
    }
  });

  it('the check sees a forbidden require', function () {
    const dir = fs.mkdtempSync(path.join(ZOHO, '..', '.boundary-'));
    try {
      const file = path.join(dir, 'index.js');
      fs.writeFileSync(file, 'require(\'./nodes/x\');\nrequire("node-red");\n');
      assert.deepEqual(requires(file), ['./nodes/x', 'node-red']);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});
