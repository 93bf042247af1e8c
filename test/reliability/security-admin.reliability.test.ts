/**
 * Admin endpoints with adminAuth on: every route the pack registers on Node-RED's admin app,
 * found by walking the app (so a new node's routes are covered without a test change), refuses
 * a caller without a token and with a wrong one; the OAuth callback, the one route without a
 * permission, refuses a wrong state, a missing one and a replayed one.
 */
import assert from 'node:assert/strict';
import { helper, runtime } from '../helpers/red';
import { DEFAULT_CLIENT } from '../helpers/sandbox';
import { figure } from './figures';
import { NODE_CASES } from './node-cases';
import { Rig } from './rig';

const CALLBACK = '/zoho-config/auth/callback';
const REDIRECT_URI = `http://127.0.0.1:1880${CALLBACK}`;

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route on the admin app, as [METHOD, path]. */
function adminRoutes(): [string, string][] {
  const app = (helper as unknown as { _httpAdmin: { _router: { stack: Layer[] } } })._httpAdmin;
  const out: [string, string][] = [];
  for (const layer of app._router.stack) {
    if (!layer.route) continue;
    for (const method of Object.keys(layer.route.methods))
      out.push([method.toUpperCase(), layer.route.path]);
  }
  return out;
}

describe('reliability: admin endpoints and the OAuth callback (adminAuth on)', function () {
  this.timeout(120_000);
  const adminAuth = {
    type: 'credentials',
    users: [],
    tokens: (token: string) =>
      Promise.resolve(token === 'good-token' ? { username: 'admin', permissions: '*' } : null),
  };
  const rig = Rig.use({ settings: { adminAuth } });

  it('every admin route of the pack refuses a caller without permission', async function () {
    await rig.load(NODE_CASES);
    const routes = adminRoutes();
    const guarded = routes.filter(([, p]) => p !== CALLBACK);
    let accepted = 0;
    const seen: string[] = [];
    const calls = (method: string, p: string) => {
      const url = p.replace(/:configId|:id/g, 'c1').replace(/:\w+/g, 'x');
      const agent = helper.request();
      return method === 'GET'
        ? agent.get(url)
        : method === 'DELETE'
          ? agent.delete(url)
          : method === 'PUT'
            ? agent.put(url).send({})
            : agent.post(url).send({});
    };
    const before = JSON.stringify(runtime().getCredentials('c1'));
    for (const [method, p] of guarded) {
      for (const auth of [undefined, 'Bearer wrong', 'Bearer ']) {
        const req = calls(method, p);
        const res = await (auth ? req.set('Authorization', auth) : req);
        // Refused by the auth middleware: 401, or passport's bare 400 for an empty bearer
        // token. A 400 with the pack's JSON error would mean the handler ran.
        const refused = res.status === 401 || (res.status === 400 && !res.body?.error);
        if (!refused) {
          accepted++;
          seen.push(`${method} ${p} (${auth ?? 'no token'}): ${res.status}`);
        }
      }
    }
    // The same check lets a caller with permission through: it can fail.
    const allowed = await helper
      .request()
      .get('/zoho-config/c1/status')
      .set('Authorization', 'Bearer good-token');
    figure('security.admin_routes', guarded.length);
    figure('security.admin_unauthorised_accepted', accepted);
    assert.ok(guarded.length >= 7, `found ${guarded.length} routes: ${JSON.stringify(routes)}`);
    assert.ok(
      routes.some(([, p]) => p === CALLBACK),
      'the callback is registered',
    );
    assert.equal(accepted, 0, seen.join('\n'));
    assert.equal(allowed.status, 200);
    assert.equal(JSON.stringify(runtime().getCredentials('c1')), before, 'nothing changed');
  });

  it('the OAuth callback refuses a wrong, missing or replayed state', async function () {
    await rig.load(NODE_CASES);
    const start = () =>
      helper
        .request()
        .post('/zoho-config/c1/auth/start')
        .set('Authorization', 'Bearer good-token')
        .send({
          region: 'custom',
          accountsUrl: rig.sandbox.url,
          clientId: DEFAULT_CLIENT.clientId,
          clientSecret: DEFAULT_CLIENT.clientSecret,
          scopes: 'ZohoCRM.modules.ALL',
          redirectUri: REDIRECT_URI,
        });
    const started = await start();
    assert.equal(started.status, 200, started.text);
    const callback = await consent(String(started.body.url));
    const state = new URL(callback, 'http://x').searchParams.get('state') ?? '';
    const code = new URL(callback, 'http://x').searchParams.get('code') ?? '';
    const tokenCalls = () => rig.sandbox.stats.tokenRequests.authorization_code;
    const refused: number[] = [];
    for (const q of [
      `state=${encodeURIComponent(state.slice(0, -1) + (state.endsWith('A') ? 'B' : 'A'))}&code=${code}`,
      `code=${code}`,
      `state=&code=${code}`,
      `state=${encodeURIComponent(state + 'x')}&code=${code}`,
    ]) {
      refused.push((await helper.request().get(`${CALLBACK}?${q}`)).status);
    }
    assert.equal(tokenCalls(), 0, 'a wrong state reached the token endpoint');
    const ok = await helper.request().get(callback);
    assert.equal(ok.status, 200, 'the right state is accepted (the check can pass)');
    const replay = await helper.request().get(callback);
    const wrongAccepted = refused.filter((s) => s < 400).length;
    figure('security.callback_wrong_state_accepted', wrongAccepted);
    figure('security.callback_replay_accepted', replay.status < 400 ? 1 : 0);
    assert.equal(wrongAccepted, 0, JSON.stringify(refused));
    assert.equal(replay.status, 400);
    assert.equal(tokenCalls(), 1, 'only the first callback exchanged the code');
  });

  async function consent(url: string): Promise<string> {
    const html = await (await fetch(url)).text();
    const pending = /name="pending" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(pending, 'the consent page has a pending consent');
    const reply = await fetch(new URL('/oauth/v2/auth/approve', url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ pending, action: 'accept' }).toString(),
      redirect: 'manual',
    });
    const location = new URL(reply.headers.get('location') ?? '');
    return location.pathname + location.search;
  }
});
