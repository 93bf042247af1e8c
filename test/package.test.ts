/**
 * What the Node-RED flow library's scorecard checks (the `node-red-dev validate` command:
 * package checks P01-P07, node checks N01-N02, dependency check D01), offline and generically
 * over package.json's `node-red.nodes`, plus the pack's own bar: crisp SVG icons and every
 * label and help text in nodes/locales/en-US, so a translation is adding a folder.
 *
 * The node definitions are read the way the scorecard reads them: each `<script
 * type="text/javascript">` parsed with a JavaScript parser (TypeScript's here), looking for
 * `RED.nodes.registerType('<literal>', { ...inline object... })`.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import ts from 'typescript';
import { CRM_RECORD_OPERATIONS } from '../src/nodes/crm-record/operations';
import { BOOKS_OPERATIONS, BOOKS_TYPES, booksOperations } from '../src/zoho/books/catalog';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (...p: string[]): string => fs.readFileSync(path.join(ROOT, ...p), 'utf8');
interface Pkg {
  name: string;
  license?: string;
  repository?: { url?: string } | string;
  bugs?: unknown;
  keywords?: string[];
  files?: string[];
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  'node-red': { version?: string; nodes: Record<string, string> };
}
const PKG = JSON.parse(read('package.json')) as Pkg;
const NODES = Object.entries(PKG['node-red'].nodes);

// semver exactly as Node-RED resolves it (a dependency of node-red itself).
const redRequire = createRequire(require.resolve('node-red/package.json'));
const semver = redRequire('semver') as {
  satisfies(v: string, range: string): boolean;
  minVersion(range: string): { version: string } | null;
  validRange(range: string): string | null;
};
const RED_PKG = redRequire('./package.json') as { version: string; engines: { node: string } };

interface Def {
  type: string;
  /** Literal properties by name (value), or the property's source text when not a literal. */
  props: Map<string, { literal: boolean; value: unknown; text: string; node: ts.Expression }>;
}

/** registerType calls of every text/javascript script block in an .html file. */
function definitions(file: string): Def[] {
  const html = fs.readFileSync(file, 'utf8');
  const blocks = [
    ...html.matchAll(/<script[^>]*type=["']text\/javascript["'][^>]*>([\s\S]*?)<\/script>/gi),
  ];
  const defs: Def[] = [];
  for (const [, code] of blocks) {
    const sf = ts.createSourceFile('x.js', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    const visit = (n: ts.Node): void => {
      if (
        ts.isCallExpression(n) &&
        ts.isPropertyAccessExpression(n.expression) &&
        n.expression.name.text === 'registerType'
      ) {
        const [typeArg, defArg] = n.arguments;
        assert.ok(ts.isStringLiteral(typeArg), `${file}: registerType with a literal type`);
        assert.ok(
          defArg && ts.isObjectLiteralExpression(defArg),
          `${file}: ${typeArg.text} defined by an inline object`,
        );
        const props: Def['props'] = new Map();
        for (const p of defArg.properties) {
          if (!ts.isPropertyAssignment(p) && !ts.isMethodDeclaration(p)) continue;
          const name = p.name.getText(sf).replace(/^['"]|['"]$/g, '');
          const init = ts.isPropertyAssignment(p) ? p.initializer : (p as unknown as ts.Expression);
          const literal =
            ts.isStringLiteral(init) ||
            ts.isNumericLiteral(init) ||
            init.kind === ts.SyntaxKind.TrueKeyword ||
            init.kind === ts.SyntaxKind.FalseKeyword;
          const value = ts.isStringLiteral(init)
            ? init.text
            : ts.isNumericLiteral(init)
              ? Number(init.text)
              : init.kind === ts.SyntaxKind.TrueKeyword;
          props.set(name, { literal, value, text: init.getText(sf), node: init });
        }
        defs.push({ type: typeArg.text, props });
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return defs;
}

const DEFS = new Map<string, Def>();
for (const [, js] of NODES) {
  const html = path.join(ROOT, js.replace(/\.js$/, '.html'));
  if (!fs.existsSync(html)) continue;
  for (const d of definitions(html)) DEFS.set(d.type, d);
}
const isConfig = (type: string): boolean =>
  DEFS.get(type)?.props.get('category')?.value === 'config';

/** Node types of Node-RED's own core nodes, read from its editor files. */
function coreTypes(): Set<string> {
  const core = path.join(path.dirname(redRequire.resolve('@node-red/nodes/package.json')), 'core');
  const types = new Set<string>();
  // Walked by hand: readdir's `recursive` and Dirent's `parentPath` need Node 20.1 and 20.12.
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      if (!entry.isFile() || !entry.name.endsWith('.html')) continue;
      const html = fs.readFileSync(full, 'utf8');
      for (const m of html.matchAll(/registerType\(\s*['"]([^'"]+)['"]/g)) types.add(m[1]);
    }
  };
  walk(core);
  return types;
}

/** The `src` of every <script src> in an .html file. */
function scriptSources(html: string): string[] {
  return [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*>/gi)].map((m) => m[1]);
}

/** What resources/catalog.js gives the editor, run as the browser runs it. */
interface EditorCatalog {
  books: {
    operations: string[];
    types: Record<string, { parent?: string; actions: string[] }>;
  };
  crmRecordOperations: string[];
}
function editorCatalog(): EditorCatalog {
  const window: { ZohoPack?: EditorCatalog } = {};
  vm.runInNewContext(read('resources', 'catalog.js'), { window });
  assert.ok(window.ZohoPack, 'resources/catalog.js sets window.ZohoPack');
  // Out of the script's own realm, so deepStrictEqual compares values, not prototypes.
  return JSON.parse(JSON.stringify(window.ZohoPack)) as EditorCatalog;
}

function template(type: string, html: string): string {
  const re = new RegExp(
    `<script[^>]*data-template-name=["']${type}["'][^>]*>([\\s\\S]*?)<\\/script>`,
    'i',
  );
  return re.exec(html)?.[1] ?? '';
}

describe('package: the flow library scorecard and the pack’s own bar', function () {
  it('P01-P05: license (and its file), repository, a valid name, the node-red keyword, README', () => {
    assert.ok(PKG.license, 'license');
    assert.ok(fs.existsSync(path.join(ROOT, 'LICENSE')), 'LICENSE file');
    const repo = typeof PKG.repository === 'string' ? PKG.repository : PKG.repository?.url;
    assert.ok(repo || PKG.bugs, 'repository or bugs');
    assert.match(String(repo), /^(git\+)?(https?|git|ssh):\/\/.+/, 'repository is a git URL');
    assert.ok(
      /^@[a-z\d][\w.-]*\/[a-z\d][\w.-]*$/.test(PKG.name) ||
        /^node-red-contrib-[a-z\d][\w.-]*$/.test(PKG.name),
      `${PKG.name}: scoped, or node-red-contrib-*`,
    );
    assert.ok(PKG.keywords?.includes('node-red'), 'keywords include node-red');
    const readme = read('README.md');
    assert.ok(readme.length > 2000, 'a README that explains the pack');
    for (const [type] of NODES) assert.ok(readme.includes(`\`${type}\``), `README names ${type}`);
  });

  it('P06: node-red.version is a range that admits the Node-RED under test; peer range equal', () => {
    const range = PKG['node-red'].version;
    assert.ok(range && semver.validRange(range), `node-red.version ${range}`);
    assert.ok(
      semver.satisfies(RED_PKG.version, range),
      `node-red.version ${range} admits Node-RED ${RED_PKG.version}, which this suite runs on`,
    );
    assert.doesNotMatch(range, /^\^|^~/, 'a caret range would shut out the next major');
    assert.equal(PKG.peerDependencies?.['node-red'], range, 'peerDependencies.node-red');
  });

  it('P07: engines.node admits the Node under test and the lowest Node the Node-RED needs', () => {
    const range = PKG.engines?.node;
    assert.ok(range && semver.validRange(range), `engines.node ${range}`);
    assert.ok(semver.satisfies(process.version, range), `${range} admits ${process.version}`);
    // The scorecard compares against the newest Node-RED's minimum Node; in the Node-RED 5
    // column of the matrix that is the one installed here.
    if (Number(RED_PKG.version.split('.')[0]) >= 5) {
      const min = semver.minVersion(RED_PKG.engines.node)?.version;
      assert.ok(min && semver.satisfies(min, range), `${range} admits Node ${min}`);
    }
  });

  it('P07: .ci/run tests the lowest Node of every range engines.node declares', () => {
    // The declared range is only as wide as the matrix proves: each floor gets its own run.
    const runs = read('.ci', 'run')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#') && line.includes('test-matrix.sh'));
    const ranges = (PKG.engines?.node ?? '').split('||').map((r) => r.trim());
    assert.ok(ranges.length >= 3, `ranges: ${ranges.join(' | ')}`);
    for (const range of ranges) {
      const floor = semver.minVersion(range)?.version;
      assert.ok(
        runs.some((line) => line.split(/\s+/).includes(`MATRIX_NODE=${floor}`)),
        `.ci/run has a matrix run on Node ${floor}, the floor of ${range}`,
      );
    }
  });

  it('D01 and files: at most 6 dependencies; the npm package carries nodes, examples, README, LICENSE', () => {
    const deps = Object.keys(PKG.dependencies ?? {});
    assert.ok(deps.length <= 6, `dependencies: ${deps.join(', ')}`);
    for (const need of ['nodes/', 'resources/', 'examples/', 'README.md', 'LICENSE']) {
      assert.ok(PKG.files?.includes(need), `files lists ${need}`);
      assert.ok(fs.existsSync(path.join(ROOT, need)), `${need} exists`);
    }
  });

  it('node-red.nodes: every .js and .html exists and registers its own type with literal basics', () => {
    assert.ok(NODES.length >= 6, `nodes: ${NODES.map(([t]) => t).join(', ')}`);
    for (const [type, js] of NODES) {
      assert.ok(fs.existsSync(path.join(ROOT, js)), `${type}: ${js}`);
      assert.ok(fs.existsSync(path.join(ROOT, js.replace(/\.js$/, '.html'))), `${type}: .html`);
      const def = DEFS.get(type);
      assert.ok(def, `${type} is registered by its .html`);
      for (const p of ['category', 'color', 'icon', 'inputs', 'outputs']) {
        if (p !== 'category' && isConfig(type) && !def.props.has(p)) continue;
        const prop = def.props.get(p);
        assert.ok(prop?.literal, `${type}: ${p} is an inline literal (${prop?.text})`);
      }
      for (const p of ['defaults', 'credentials']) {
        const prop = def.props.get(p);
        if (prop) assert.ok(ts.isObjectLiteralExpression(prop.node), `${type}: ${p} inline`);
      }
      if (!isConfig(type)) assert.equal(def.props.get('category')?.value, 'Zoho', type);
    }
  });

  it('N01: no type name clashes with a Node-RED core node, and no type is listed twice', () => {
    const core = coreTypes();
    assert.ok(core.has('inject') && core.has('debug'), `core types read: ${core.size}`);
    const clash = NODES.map(([t]) => t).filter((t) => core.has(t));
    assert.deepEqual(clash, [], 'types that clash with core nodes');
    assert.equal(DEFS.size, NODES.length, 'one registerType per listed node');
  });

  it('every example uses the one shared connection (same zoho-config id and name)', () => {
    const files = fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.json'));
    const configs = files.flatMap((f) =>
      (JSON.parse(read('examples', f)) as { id: string; type: string; name?: string }[])
        .filter((n) => n.type === 'zoho-config')
        .map((n) => `${n.id} "${n.name ?? ''}"`),
    );
    assert.equal(configs.length, files.length, 'each example carries the connection');
    assert.deepEqual([...new Set(configs)], ['zoho-sandbox-connection "Zoho sandbox"']);
  });

  it('the shared connection carries every setting of the zoho-config dialog, literal defaults as such', () => {
    // So opening it and clicking Update adds nothing, and npm start still knows it as the
    // untouched demo (scripts/start-checks.js).
    const defaults = DEFS.get('zoho-config')?.props.get('defaults')?.node;
    assert.ok(defaults && ts.isObjectLiteralExpression(defaults), 'zoho-config defaults inline');
    const expected = new Map<string, unknown>();
    for (const p of defaults.properties) {
      if (!ts.isPropertyAssignment(p) || !ts.isObjectLiteralExpression(p.initializer)) continue;
      const value = p.initializer.properties.find(
        (q): q is ts.PropertyAssignment =>
          ts.isPropertyAssignment(q) && q.name.getText() === 'value',
      )?.initializer;
      const literal =
        value &&
        (ts.isStringLiteral(value) ||
          ts.isNumericLiteral(value) ||
          value.kind === ts.SyntaxKind.TrueKeyword ||
          value.kind === ts.SyntaxKind.FalseKeyword);
      const text = value?.getText() ?? '';
      expected.set(p.name.getText(), literal ? JSON.parse(text.replace(/^'(.*)'$/, '"$1"')) : null);
    }
    assert.ok(expected.size >= 10, `defaults read: ${[...expected.keys()].join(', ')}`);
    const own = new Set(['name', 'region', 'accountsUrl']); // what makes it the sandbox's
    for (const f of fs
      .readdirSync(path.join(ROOT, 'examples'))
      .filter((x) => x.endsWith('.json'))) {
      const config = (JSON.parse(read('examples', f)) as Record<string, unknown>[]).find(
        (n) => n.type === 'zoho-config',
      );
      assert.ok(config, f);
      for (const [key, value] of expected) {
        assert.ok(key in config, `${f}: the connection has no ${key}`);
        if (value !== null && !own.has(key)) assert.equal(config[key], value, `${f}: ${key}`);
      }
    }
  });

  it('N02: every non-config node is used by at least one example in examples/', () => {
    const files = fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.json'));
    const used = new Set<string>();
    for (const f of files) {
      const flow = JSON.parse(read('examples', f)) as { type: string }[];
      assert.ok(Array.isArray(flow), `${f} is a JSON array of nodes`);
      for (const n of flow) used.add(n.type);
    }
    const missing = NODES.map(([t]) => t).filter((t) => !isConfig(t) && !used.has(t));
    assert.deepEqual(missing, [], 'nodes without an example');
  });

  it('icons: every node’s icon is the pack’s own SVG with a viewBox (crisp at any size)', () => {
    for (const [type] of NODES) {
      const icon = DEFS.get(type)?.props.get('icon')?.value;
      assert.equal(typeof icon, 'string', `${type}: icon`);
      assert.match(
        String(icon),
        /^[\w.-]+\.svg$/,
        `${type}: ${String(icon)} is an SVG of the pack`,
      );
      const file = path.join(ROOT, 'icons', String(icon));
      assert.ok(fs.existsSync(file), `${type}: icons/${String(icon)}`);
      const svg = fs.readFileSync(file, 'utf8');
      assert.match(
        svg,
        /^\s*<svg\b[^>]*\bxmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
        `${String(icon)}`,
      );
      assert.match(svg, /<svg\b[^>]*\bviewBox="[\d.\s-]+"/, `${String(icon)}: viewBox`);
      assert.doesNotMatch(
        svg,
        /<image\b|data:image\/(png|jpe?g)/,
        `${String(icon)}: no bitmap inside`,
      );
    }
  });

  it('help: each node’s help is in nodes/locales/en-US/<type>.html, none in the node’s own .html', () => {
    for (const [type, js] of NODES) {
      const own = fs.readFileSync(path.join(ROOT, js.replace(/\.js$/, '.html')), 'utf8');
      assert.doesNotMatch(own, /data-help-name=/, `${type}: help moved to the locale`);
      const file = path.join(ROOT, 'nodes', 'locales', 'en-US', `${type}.html`);
      assert.ok(fs.existsSync(file), `${type}: ${file}`);
      const help = fs.readFileSync(file, 'utf8');
      const m = new RegExp(
        `<script type="text/html" data-help-name="${type}">([\\s\\S]*?)</script>`,
      ).exec(help);
      assert.ok(m, `${type}: a data-help-name="${type}" block`);
      const text = m[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
      assert.ok(text.length > 300, `${type}: help of substance (${text.length} chars)`);
    }
  });

  it('editor resources: each .html loads the shared editor code it uses from the pack’s resources', () => {
    const prefix = `resources/${PKG.name}/`;
    for (const [type, js] of NODES) {
      const html = fs.readFileSync(path.join(ROOT, js.replace(/\.js$/, '.html')), 'utf8');
      const sources = scriptSources(html);
      for (const src of sources) {
        // Node-RED 4 and 5 serve a module's resources/ folder at this path.
        assert.ok(src.startsWith(prefix), `${type}: ${src} under ${prefix}`);
        const file = src.slice(prefix.length);
        assert.ok(fs.existsSync(path.join(ROOT, 'resources', file)), `${type}: resources/${file}`);
      }
      for (const [global, file] of [
        ['ZohoEditor', 'zoho-editor.js'],
        ['ZohoPack', 'catalog.js'],
        ['ZohoScopes', 'zoho-scopes.js'],
      ]) {
        if (html.includes(`${global}.`)) {
          assert.ok(sources.includes(prefix + file), `${type} uses ${global}: loads ${file}`);
        }
      }
    }
  });

  it('catalogs: the editor’s copy (resources/catalog.js) is the runtime’s, and every entry has a label', () => {
    const catalog = editorCatalog();
    assert.deepEqual(catalog.crmRecordOperations, [...CRM_RECORD_OPERATIONS]);
    assert.deepEqual(catalog.books.operations, [...BOOKS_OPERATIONS]);
    assert.deepEqual(Object.keys(catalog.books.types), Object.keys(BOOKS_TYPES));
    for (const [name, info] of Object.entries(BOOKS_TYPES)) {
      const copy = catalog.books.types[name];
      assert.deepEqual([...catalog.books.operations, ...copy.actions], booksOperations(name), name);
      assert.equal(copy.parent, info.parent, `${name}: parent`);
    }
    const locale = (set: string): Record<string, Record<string, unknown>> =>
      (JSON.parse(read('nodes', 'locales', 'en-US', `${set}.json`)) as Record<string, never>)[set];
    const crm = locale('crm-record');
    for (const op of CRM_RECORD_OPERATIONS) {
      assert.equal(typeof crm.operation[op], 'string', `crm-record.operation.${op}`);
    }
    const books = locale('books-record');
    for (const op of BOOKS_OPERATIONS) {
      assert.equal(typeof books.operation[op], 'string', `books-record.operation.${op}`);
    }
    for (const [name, info] of Object.entries(BOOKS_TYPES)) {
      assert.equal(typeof books.type[name], 'string', `books-record.type.${name}`);
      for (const action of Object.keys(info.actions)) {
        assert.equal(typeof books.action[action], 'string', `books-record.action.${action}`);
      }
    }
  });

  it('labels: every text of the edit dialogs and palette labels come from nodes/locales/en-US', () => {
    for (const [type, js] of NODES) {
      const html = fs.readFileSync(path.join(ROOT, js.replace(/\.js$/, '.html')), 'utf8');
      const locale = JSON.parse(read('nodes', 'locales', 'en-US', `${type}.json`)) as Record<
        string,
        unknown
      >;
      assert.ok(locale[type], `${type}.json has a "${type}" section`);
      const tpl = template(type, html).replace(/<style[\s\S]*?<\/style>/gi, '');
      assert.ok(tpl.trim(), `${type}: an edit template`);
      for (const m of tpl.matchAll(/<label\b[^>]*>([\s\S]*?)<\/label>/gi)) {
        const inner = m[1]
          .replace(/&nbsp;/g, '')
          .replace(/<i\b[^>]*><\/i>/g, '')
          .trim();
        if (!inner) continue; // spacer or icon-only label
        assert.match(m[0], /data-i18n=/, `${type}: label without data-i18n: ${m[0]}`);
      }
      // Text between tags: nothing in a human language (HTTP verbs like GET are not).
      for (const m of tpl.matchAll(/>([^<>]+)</g)) {
        const text = m[1].replace(/&nbsp;/g, ' ').trim();
        assert.doesNotMatch(text, /[a-z]{2,}/, `${type}: hard-coded text "${text}"`);
      }
      // Every i18n key used resolves in the locale.
      const keys = [...html.matchAll(/data-i18n="([^"]+)"/g)].flatMap((k) =>
        k[1].split(';').map((part) => part.replace(/^\[[^\]]+\]/, '')),
      );
      for (const key of keys.filter((k) => k.startsWith(`${type}.`))) {
        const value = key
          .split('.')
          .reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], locale);
        assert.equal(typeof value, 'string', `${type}: i18n key ${key} in en-US/${type}.json`);
      }
      const palette = DEFS.get(type)?.props.get('paletteLabel');
      if (palette)
        assert.ok(!palette.literal, `${type}: paletteLabel from the locale, not ${palette.text}`);
    }
  });
});
