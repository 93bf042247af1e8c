/**
 * Security, with the secrets as canaries: no client secret, refresh or access token in the
 * exported flow, any log line (debug level on), any output or caught error, any status, the
 * admin status answer or the files under the user directory; zoho-raw never sends the token to
 * another host, redirects included. Admin endpoints and the OAuth callback: security-admin.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { ApiFamily } from '../../src/sandbox/types';
import { helper, runtime, userDir } from '../helpers/red';
import { Gen } from './bad-input';
import { leaks } from './canaries';
import { figure } from './figures';
import { NODE_CASES } from './node-cases';
import { Rig } from './rig';

const CANARY_CLIENT = { clientId: '1000.CANARYCLIENT', clientSecret: 'canary-secret-5f0c9e2b' };

const textOf = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => {
    if (Buffer.isBuffer(x)) return x.toString('utf8');
    if (x && typeof x === 'object' && (x as { type?: string }).type === 'Buffer') {
      return Buffer.from((x as { data: number[] }).data).toString('utf8');
    }
    return typeof x === 'bigint' ? String(x) : x;
  }) ?? '';

/** A sandbox route that redirects to another host, as a hostile or broken proxy might. */
function redirectFamily(target: () => string): ApiFamily {
  return {
    name: 'redirects',
    register(r) {
      for (const status of [301, 302, 307, 308]) {
        r.route('GET', `/crm/v8/__redirect${status}`, () => ({
          status,
          headers: { Location: `${target()}/steal` },
          body: '',
        }));
      }
    },
  };
}

describe('reliability: security', function () {
  this.timeout(300_000);
  let evilUrl = '';
  const seenByEvil: http.IncomingHttpHeaders[] = [];
  const evil = http.createServer((req, res) => {
    seenByEvil.push(req.headers);
    res.end('{}');
  });
  before(async () => {
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
    evilUrl = `http://127.0.0.1:${(evil.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((r) => evil.close(() => r())));

  const rig = Rig.use({
    // Debug level on: the pack builds its per-request lines only when someone reads them.
    settings: { logging: { console: { level: 'debug' } } },
    families: () => [redirectFamily(() => evilUrl)],
  });

  it('no secret in the exported flow, logs, debug output, statuses, admin answers or files', async function () {
    rig.sandbox.accounts.addClient({ ...CANARY_CLIENT, name: 'Canary' });
    const cases = NODE_CASES.map((c) =>
      c.type === 'zoho-raw' ? { ...c, props: { ...c.props, debug: true } } : c,
    );
    await rig.load(cases, {}, CANARY_CLIENT);
    const canaries = new Set<string>([CANARY_CLIENT.clientSecret, rig.refreshToken]);
    const texts: [string, string][] = [];
    const g = new Gen(31337);
    const callbackTokens = new Set<string>();
    const note = () => {
      const token = rig.connection().auth.current()?.accessToken;
      if (token) canaries.add(token);
      // crm-bulk's callback token, which Zoho alone is given in the job's callback URL.
      for (const r of rig.sandbox.requests) {
        const url = (r.body as { callback?: { url?: string } } | undefined)?.callback?.url;
        const callbackToken = url && new URL(url).searchParams.get('token');
        if (callbackToken) callbackTokens.add(callbackToken);
      }
    };
    for (const nodeCase of cases) {
      for (const op of nodeCase.operations) {
        for (const fault of [undefined, 'expire-token', 'status'] as const) {
          if (fault === 'status')
            rig.sandbox.faults.inject({
              match: op.match,
              kind: 'status',
              status: 400,
              body: { code: 'INVALID_DATA', message: 'no', details: {} },
            });
          if (fault === 'expire-token')
            rig.sandbox.faults.inject({ match: op.match, kind: 'expire-token' });
          const o = await rig.exec(nodeCase.type, op.prepare(rig).msg);
          note();
          texts.push([
            `${nodeCase.type} ${op.name} ${fault ?? 'ok'}`,
            textOf([o.outs, o.errors, o.statuses]),
          ]);
        }
      }
      for (const input of nodeCase.badInputs(g, 40)) {
        const o = await rig.exec(nodeCase.type, input.msg, { settleMs: 2 });
        texts.push([`${nodeCase.type} bad ${input.label}`, textOf([o.outs, o.errors, o.statuses])]);
      }
    }
    // A revoked token and a wrong client: the errors that quote Zoho's token answers.
    rig.sandbox.accounts.revokeRefreshToken(rig.refreshToken);
    const revoked = await rig.exec('crm-record', { operation: 'get', recordId: '1' });
    texts.push(['revoked', textOf([revoked.outs, revoked.errors, revoked.statuses])]);

    const logs = (helper.log() as { args: unknown[][] }).args;
    texts.push(...logs.map((a, i): [string, string] => [`log ${i}`, textOf(a)]));
    texts.push(['exported flow', JSON.stringify(runtime().getFlows())]);
    const status = await helper.request().get('/zoho-config/c1/status?check=1');
    texts.push(['admin status', status.text]);
    for (const file of walk(userDir() ?? ''))
      texts.push([`file ${path.basename(file)}`, fs.readFileSync(file, 'latin1')]);

    const found = leaks(texts, [...canaries, ...callbackTokens]);
    figure('security.canaries', canaries.size + callbackTokens.size);
    figure('security.texts_checked', texts.length);
    figure('security.log_lines_checked', logs.length);
    figure('security.secret_leaks', found.length);
    assert.ok(
      logs.some((a) => /→ (GET|POST)/.test(textOf(a))),
      'debug lines were built',
    );
    assert.ok(canaries.size >= 4, 'the access tokens were collected too');
    assert.equal(callbackTokens.size, 1, "crm-bulk upsert's callback token was collected");
    assert.deepEqual(found, []);
  });

  it('the leak finder can fail: a canary planted in a text is found', function () {
    assert.deepEqual(
      leaks([['planted', 'x canary-secret-5f0c9e2b y']], [CANARY_CLIENT.clientSecret]),
      ['planted: canary-secre…'],
    );
  });

  it('zoho-raw never sends the token to another host, redirects included', async function () {
    const raw = NODE_CASES.find((c) => c.type === 'zoho-raw')!;
    await rig.load([raw]);
    seenByEvil.length = 0;
    const attempts = [
      { url: `${evilUrl}/x` },
      { url: `${evilUrl.replace('http:', 'https:')}/x` },
      { url: `http://127.0.0.1:${new URL(rig.sandbox.url).port}@${evilUrl.slice(7)}/x` },
      ...[301, 302, 307, 308].map((s) => ({ url: `/crm/v8/__redirect${s}` })),
      ...[301, 302, 307, 308].map((s) => ({
        url: `/crm/v8/__redirect${s}`,
        method: 'POST',
        payload: { a: 1 },
      })),
    ];
    let refusedOrAnswered = 0;
    for (const msg of attempts) {
      const o = await rig.exec('zoho-raw', msg);
      if (o.dones.length === 1) refusedOrAnswered++;
      const code = o.errors[0]?.error?.code;
      if (!msg.url.startsWith('/'))
        assert.ok(
          ['FORBIDDEN_HOST', 'INVALID_INPUT'].includes(code),
          JSON.stringify(o.errors[0]?.error),
        );
    }
    figure('security.foreign_host_requests', seenByEvil.length);
    figure('security.foreign_host_attempts', attempts.length);
    assert.equal(refusedOrAnswered, attempts.length);
    assert.equal(seenByEvil.length, 0, 'a request reached the other host');
  });
});

function walk(dir: string): string[] {
  if (!dir || !fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full) : [full];
  });
}
