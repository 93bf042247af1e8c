/**
 * The runtime texts of the nodes: every key the code under src/nodes uses exists in
 * nodes/locales/en-US, and errors, statuses and counts read as the catalogs word them.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NodeAPI } from 'node-red';
import { ZohoError, invalidInput } from '../../src/zoho/core/errors';
import type { Node, NodeStatus } from 'node-red';
import type { ZohoConfigNode } from '../../src/nodes/runtime/config-node';
import { connectionNodeStatus } from '../../src/nodes/runtime/connection-status';
import { PROGRESS_EVERY_MS, StatusReporter } from '../../src/nodes/runtime/status';
import type { ConnectionStatus } from '../../src/zoho/core/connection';
import {
  CODES_WITH_TEXT,
  errorShape,
  errorTexts,
  partialFailure,
} from '../../src/nodes/runtime/errors';
import { sharedTranslator } from '../../src/nodes/runtime/i18n';
import { recordsText } from '../../src/nodes/runtime/pages';
import { startRed, stopRed } from '../helpers/red';
import { RAW_KEY, assertTranslated } from './texts';

const root = path.resolve(__dirname, '..', '..', '..');
const localeDir = path.join(root, 'nodes', 'locales', 'en-US');
const nodesDir = path.join(root, 'src', 'nodes');
const SHARED = 'zoho-config';

type Catalog = Record<string, unknown>;
const catalogs = new Map<string, Catalog>();
function catalog(set: string): Catalog {
  if (!catalogs.has(set)) {
    const file = path.join(localeDir, `${set}.json`);
    catalogs.set(set, JSON.parse(fs.readFileSync(file, 'utf8')) as Catalog);
  }
  return catalogs.get(set)!;
}

/** Does `<set>.json` hold `key` (as a text, or as the `_one`/`_other` forms of a plural)? */
function hasKey(set: string, key: string): boolean {
  const parts = `${set}.${key}`.split('.');
  const leaf = parts.pop()!;
  let node: unknown = catalog(set);
  for (const p of parts) node = (node as Catalog | undefined)?.[p];
  const holder = node as Catalog | undefined;
  return (
    typeof holder?.[leaf] === 'string' ||
    (typeof holder?.[`${leaf}_one`] === 'string' && typeof holder?.[`${leaf}_other`] === 'string')
  );
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** A key literal: 'status.found', 'errors.noQuery', 'log.response', 'param.module', … */
const KEY_LITERAL = /'((?:status|errors|log|param|runtime)\.[A-Za-z][\w.]*)'/g;
/** A literal passed straight to the shared translator. */
const SHARED_CALL = /\bshared\(\s*'([^']+)'/g;
/** A node's declared options: `PARAMS = [ 'module', … ] as const`. */
const PARAMS_DECL = /PARAMS = \[([^\]]*)\] as const/g;

interface Use {
  set: string;
  key: string;
  where: string;
}

/** Every catalog key a file of src/nodes names, with the catalog it belongs to. */
function keysUsed(file: string): Use[] {
  // Comments show example keys; only code counts.
  const text = fs
    .readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const where = path.relative(root, file);
  const folder = path.relative(nodesDir, file).split(path.sep)[0];
  // runtime/ speaks only through the shared catalog; a node folder through its own.
  const own = folder === 'runtime' ? undefined : folder;
  const shared = new Set([...text.matchAll(SHARED_CALL)].map((m) => m[1]));
  const uses: Use[] = [...shared].map((key) => ({ set: SHARED, key: `runtime.${key}`, where }));
  for (const [, key] of text.matchAll(KEY_LITERAL)) {
    if (shared.has(key)) continue;
    uses.push(own ? { set: own, key, where } : { set: SHARED, key: `runtime.${key}`, where });
  }
  for (const [, list] of text.matchAll(PARAMS_DECL)) {
    for (const [, name] of list.matchAll(/'([^']+)'/g)) {
      uses.push({ set: own ?? SHARED, key: `param.${name}`, where });
    }
  }
  return uses;
}

describe('runtime texts', function () {
  describe('catalog keys', function () {
    const uses = sourceFiles(nodesDir).flatMap(keysUsed);

    it('finds the keys the nodes use (the scan is not empty)', function () {
      assert.ok(uses.length > 60, `only ${uses.length} keys found`);
      for (const set of ['crm-record', 'crm-coql', 'crm-attachment', 'books-record', 'zoho-raw']) {
        assert.ok(
          uses.some((u) => u.set === set && u.key.startsWith('param.')),
          `${set} declares PARAMS`,
        );
      }
    });

    it('every key used in src/nodes exists in nodes/locales/en-US', function () {
      const missing = uses.filter((u) => !hasKey(u.set, u.key));
      assert.deepEqual(
        missing.map((u) => `${u.where}: ${u.set}.${u.key}`),
        [],
        'keys missing from the catalogs',
      );
    });

    it('every code with advice has its text in the shared catalog', function () {
      for (const code of CODES_WITH_TEXT) {
        assert.ok(hasKey(SHARED, `runtime.errors.code.${code}`), code);
      }
    });

    it('a missing key is caught (the check can fail)', function () {
      assert.equal(hasKey('crm-record', 'status.noSuchText'), false);
      assert.equal(hasKey(SHARED, 'runtime.status.records'), true, 'plural forms count');
      assert.match('crm-record.status.noSuchText', RAW_KEY);
      assert.throws(() => assertTranslated(['zoho-config.runtime.status.nope']));
    });
  });

  describe('wording', function () {
    let RED: NodeAPI;
    before(async () => {
      await startRed();
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const util = require(
        require.resolve('@node-red/util', {
          paths: [path.dirname(require.resolve('node-red', { paths: [root] }))],
        }),
      ) as { i18n: { _: (key: string, params?: object) => string } };
      RED = { _: util.i18n._.bind(util.i18n) } as unknown as NodeAPI;
    });
    after(() => stopRed());

    const texts = () => errorTexts(RED, 'crm-record', ['module', 'recordId']);

    it('an auth code gets the advice of the shared catalog; code and kind stay', function () {
      const err = new ZohoError({
        code: 'TOKEN_REVOKED',
        message: 'The refresh token was revoked',
      });
      const shape = errorShape(err, [], texts());
      assert.equal(shape.code, 'TOKEN_REVOKED');
      assert.equal(shape.kind, 'auth');
      assert.match(shape.message, /^Zoho rejected the refresh token: .*zoho-config node.*Connect/);
    });

    it('network and timeout keep the client message and add advice, secrets scrubbed', function () {
      const err = new ZohoError({ code: 'NETWORK_ERROR', message: 'socket reset near s3cr3t' });
      const shape = errorShape(err, ['s3cr3t'], texts());
      assert.match(
        shape.message,
        /^socket reset near \S+ — check that this machine can reach Zoho/,
      );
      assert.ok(!shape.message.includes('s3cr3t'), shape.message);
      const timeout = new ZohoError({ code: 'TIMEOUT', message: 'No answer within 5 ms' });
      assert.match(errorShape(timeout, [], texts()).message, /^No answer within 5 ms — /);
    });

    it('an input error says where this node takes the option at fault', function () {
      const shape = errorShape(invalidInput('No module given', 'module'), [], texts());
      assert.equal(shape.message, "No module given — check the node's Module or msg.module");
      assert.equal(shape.kind, 'input');
      assert.equal(shape.param, 'module');
      const other = errorShape(invalidInput('Bad thing', 'somethingElse'), [], texts());
      assert.equal(other.message, 'Bad thing', 'an option the node does not take: no hint');
      assert.equal(other.param, 'somethingElse');
    });

    it('a thrown value that is not a ZohoError keeps its message, or says Unknown error', function () {
      assert.equal(errorShape(new Error('boom'), [], texts()).message, 'boom');
      assert.equal(errorShape(new Error(''), [], texts()).message, 'Unknown error');
    });

    it('counts with plurals: records, messages, partial failures', function () {
      const shared = sharedTranslator(RED);
      assert.equal(recordsText(shared, 1), '1 record');
      assert.equal(recordsText(shared, 30), '30 records');
      assert.equal(recordsText(shared, 32, 1), '32 records in 1 message');
      assert.equal(recordsText(shared, 1, 2, true), '1 record in 2 messages (truncated)');
      const one = partialFailure([{ index: 0, code: 'X', message: 'bad' }], 1, shared);
      assert.match(one.message, /^1 of 1 record failed \(record 0: X bad\)/);
    });

    it('connection states read as before, from the shared catalog', function () {
      const shared = sharedTranslator(RED);
      const revoked = { code: 'TOKEN_REVOKED', message: '' };
      assert.deepEqual(connectionNodeStatus({ state: 'not-connected', region: 'com' }, shared), {
        fill: 'red',
        shape: 'ring',
        text: 'not connected: connect in zoho-config',
      });
      assert.equal(
        connectionNodeStatus({ state: 'error', region: 'com', error: revoked }, shared).text,
        'token revoked: reconnect in zoho-config',
      );
      assert.equal(
        connectionNodeStatus(
          { state: 'error', region: 'com', error: { code: 'ODD', message: '' } },
          shared,
        ).text,
        'token refresh failed (ODD)',
      );
      assert.equal(
        connectionNodeStatus({ state: 'rate-limited', region: 'com' }, shared).text,
        'rate-limited',
      );
    });

    it('a changed issuer and a replaced api_domain read as such', function () {
      const shared = sharedTranslator(RED);
      const reconnect = { code: 'RECONNECT_NEEDED', message: '' };
      assert.deepEqual(
        connectionNodeStatus({ state: 'error', region: 'com', error: reconnect }, shared),
        { fill: 'red', shape: 'ring', text: 'settings changed: connect again in zoho-config' },
      );
      const warning = { code: 'UNTRUSTED_API_DOMAIN', message: '' };
      assert.deepEqual(
        connectionNodeStatus({ state: 'connected', region: 'com', warning }, shared),
        {
          fill: 'yellow',
          shape: 'ring',
          text: 'api_domain replaced: see the log',
        },
      );
      const credits = { code: 'CREDIT_ESTIMATE', message: '' };
      assert.deepEqual(
        connectionNodeStatus({ state: 'connected', region: 'com', warning: credits }, shared),
        { fill: 'yellow', shape: 'ring', text: "credit budget: pack's own estimate (see the log)" },
      );
      const formula = {
        code: 'CREDIT_ESTIMATE',
        message: '',
        details: { source: 'formula', credits: 5000, edition: 'Free', users: 1 },
      };
      assert.deepEqual(
        connectionNodeStatus({ state: 'connected', region: 'com', warning: formula }, shared),
        {
          fill: 'yellow',
          shape: 'ring',
          text: "credit budget: 5,000 a day from Free, 1 user (Zoho's formula; add-ons not counted)",
        },
      );
      assert.deepEqual(connectionNodeStatus({ state: 'connected', region: 'com' }, shared), {});
    });

    it('size limits are worded for the node user: what was reached and what to change', function () {
      const collected = errorShape(
        new ZohoError({
          code: 'RESULT_TOO_LARGE',
          kind: 'input',
          param: 'maxCollectBytes',
          message: 'client text: raise maxCollectBytes',
          details: { limit: 67108864, records: 2000, pages: 11 },
        }),
        [],
        texts(),
      );
      assert.match(collected.message, /passed 67108864 bytes \(2000 records in 11 pages\)/);
      assert.match(collected.message, /Output to one message per page/);
      assert.doesNotMatch(collected.message, /maxCollectBytes/, 'no option a node user cannot set');
      assert.deepEqual(collected.details, { limit: 67108864, records: 2000, pages: 11 });
      const answer = errorShape(
        new ZohoError({
          code: 'RESPONSE_TOO_LARGE',
          kind: 'http',
          message: "client text: raise the connection's limit",
          details: { limit: 33554432 },
        }),
        [],
        texts(),
      );
      assert.match(answer.message, /passed 33554432 bytes and was cut off/);
      assert.match(answer.message, /fewer records per page/);
      assertTranslated([collected.message, answer.message]);
    });

    it('a missing scope names the scope and the Scopes of the zoho-config node', function () {
      const missing = new ZohoError({
        code: 'OAUTH_SCOPE_MISMATCH',
        status: 401,
        message: 'client text',
        details: { requiredScope: 'ZohoCRM.coql.READ', scopes: ['ZohoCRM.modules.ALL'] },
      });
      const shape = errorShape(missing, [], texts());
      assert.equal(shape.kind, 'scope');
      assert.match(
        shape.message,
        /^This call needs the OAuth scope ZohoCRM\.coql\.READ, which is not in the Scopes of the zoho-config node \(ZohoCRM\.modules\.ALL\)/,
      );
      const granted = new ZohoError({
        code: '57',
        kind: 'scope',
        message: 'client text',
        details: {
          requiredScope: 'ZohoBooks.fullaccess.all',
          scopes: ['ZohoBooks.fullaccess.all'],
        },
      });
      assert.match(
        errorShape(granted, [], texts()).message,
        /list it, but the grant .* Connect again/,
      );
    });

    describe('the status reporter', function () {
      type Listener = (s: ConnectionStatus) => void;
      function rig(initial: ConnectionStatus) {
        const shown: NodeStatus[] = [];
        let current = initial;
        const listeners: Listener[] = [];
        const config = {
          connectionStatus: () => current,
          onStatus: (l: Listener) => {
            listeners.push(l);
            return () => undefined;
          },
        } as unknown as ZohoConfigNode;
        const node = { status: (s: NodeStatus) => shown.push(s) } as unknown as Node;
        const reporter = new StatusReporter(RED, node, config);
        const emit = (next: ConnectionStatus) => {
          current = next;
          for (const l of listeners) l(next);
        };
        return { reporter, shown, emit };
      }
      const scopeShape = {
        code: 'OAUTH_SCOPE_MISMATCH',
        kind: 'scope' as const,
        message: 'm',
        details: { requiredScope: 'ZohoCRM.coql.READ' },
      };

      it('a walk shows its first and last page, and pages between at most every PROGRESS_EVERY_MS', async function () {
        const { reporter, shown } = rig({ state: 'connected', region: 'com' });
        for (let page = 1; page <= 499; page++) reporter.progress(page, page * 200);
        reporter.progress(500, 100_000, 'records', true);
        assert.deepEqual(
          shown.map((s) => s.text),
          ['page 1 · 200 records', 'page 500 · 100000 records'],
        );
        await new Promise((r) => setTimeout(r, PROGRESS_EVERY_MS + 20));
        reporter.progress(2, 400, 'rows');
        reporter.progress(3, 600, 'rows');
        assert.equal(shown.at(-1)?.text, 'page 2 · 400 rows');
      });

      it('a missing scope is a yellow "missing scope", not the red auth ring', function () {
        const { reporter, shown } = rig({ state: 'connected', region: 'com' });
        reporter.failed(scopeShape);
        assert.deepEqual(shown.at(-1), {
          fill: 'yellow',
          shape: 'dot',
          text: 'missing scope: ZohoCRM.coql.READ',
        });
      });

      it("shows the connection's warning at start and beside a result, and the environment", function () {
        const warning = { code: 'UNTRUSTED_API_DOMAIN', message: '' };
        const { reporter, shown, emit } = rig({ state: 'connected', region: 'com', warning });
        assert.equal(shown.at(-1)?.text, 'api_domain replaced: see the log');
        reporter.done('3 records');
        assert.deepEqual(shown.at(-1), {
          fill: 'yellow',
          shape: 'dot',
          text: '3 records · api_domain replaced: see the log',
        });
        emit({ state: 'connected', region: 'com', environment: 'sandbox' });
        reporter.done('3 records');
        assert.deepEqual(shown.at(-1), {
          fill: 'green',
          shape: 'dot',
          text: '3 records · CRM sandbox',
        });
      });
    });
  });
});
