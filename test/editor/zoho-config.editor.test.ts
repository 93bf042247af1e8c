/**
 * The zoho-config editor in a real Chromium against a real Node-RED and the sandbox: the
 * palette, the dialog, Connect (consent popup, accept and deny), the Self Client exchange, and
 * that nothing secret reaches a flow export after Deploy.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import {
  EditorPage,
  EditorRed,
  deploy,
  openConfigDialog,
  screenshot,
  useEditor,
} from '../helpers/editor';

const CLIENT = { clientId: '1000.SANDBOXCLIENT', clientSecret: 'sandbox-secret' };
const CANARY = {
  clientId: '1000.CANARYCLIENT',
  clientSecret: `canary-secret-${Math.random().toString(36).slice(2)}`,
};
const IDS = {
  dialog: 'zc-dialog',
  connect: 'zc-connect',
  selfClient: 'zc-self-client',
  deploy: 'zc-deploy',
  environment: 'zc-environment',
  headless: 'zc-headless',
};

interface Status {
  connected?: boolean;
  hasRefreshToken?: boolean;
  deployed?: boolean;
  state?: string;
  environment?: string;
  lastAttempt?: { ok: boolean; error?: { code: string; message: string } };
}

describe('zoho-config editor (Chromium)', function () {
  this.timeout(60_000);
  const ed = useEditor({
    flows: (sandboxUrl) =>
      Object.values(IDS).map((id) => ({
        id,
        type: 'zoho-config',
        // Not the id itself: Node-RED reads a config node property equal to a config node's
        // id as a dependency, and its own id as a circular one (the flow then fails to start).
        name: `Sandbox ${id}`,
        region: 'custom',
        accountsUrl: sandboxUrl,
        maxConcurrency: 5,
      })),
  });

  async function status(id: string): Promise<Status> {
    const res = await ed.editor.admin(`zoho-config/${encodeURIComponent(id)}/status`);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Status;
  }

  async function statusLine(page: Page, pattern: RegExp): Promise<string> {
    const line = page.locator('#node-config-zoho-status');
    await page
      .waitForFunction(
        ([source, flags]) => {
          const doc = (
            globalThis as unknown as {
              document: { getElementById(id: string): { textContent: string | null } | null };
            }
          ).document;
          const text = doc.getElementById('node-config-zoho-status')?.textContent ?? '';
          return new RegExp(source, flags).test(text);
        },
        [pattern.source, pattern.flags] as const,
        { timeout: 15_000 },
      )
      .catch(async (err: unknown) => {
        throw new Error(
          `status line never matched ${pattern}: "${await line.textContent()}" (${String(err)})`,
        );
      });
    return (await line.textContent()) ?? '';
  }

  async function typeClient(page: Page, client: { clientId: string; clientSecret: string }) {
    await page.fill('#node-config-input-clientId', client.clientId);
    await page.fill('#node-config-input-clientSecret', client.clientSecret);
  }

  function noErrors(ep: EditorPage, when: string): void {
    assert.deepEqual(ep.errors(), [], `browser errors ${when}`);
  }

  it('registers zoho-config and shows the pack in a Zoho palette category, error-free', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    const res = await ed.editor.admin('nodes', { headers: { Accept: 'application/json' } });
    const sets = (await res.json()) as {
      module: string;
      name: string;
      types: string[];
      enabled: boolean;
      err?: string;
    }[];
    const ours = sets.filter((s) => s.module === 'node-red-contrib-zoho');
    assert.ok(ours.length > 0, 'Node-RED did not find the pack through the userDir link');
    const broken = ours.filter((s) => !s.enabled || s.err).map((s) => `${s.name}: ${s.err}`);
    assert.deepEqual(broken, [], 'node sets of the pack that failed to load');

    const palette = await page.evaluate(
      (types) => {
        const r = (globalThis as unknown as { RED: EditorRed }).RED;
        const doc = (
          globalThis as unknown as {
            document: {
              querySelector(s: string): { closest(s: string): { id: string } | null } | null;
            };
          }
        ).document;
        return types.map((type) => {
          const def = r.nodes.getType(type);
          const el = doc.querySelector(`.red-ui-palette-node[data-palette-type="${type}"]`);
          return {
            type,
            registered: Boolean(def),
            category: def?.category,
            container: el?.closest('.red-ui-palette-category')?.id ?? null,
          };
        });
      },
      ours.flatMap((s) => s.types),
    );

    const config = palette.find((p) => p.type === 'zoho-config');
    assert.ok(config?.registered, 'RED.nodes.getType("zoho-config") is not registered');
    assert.equal(config.category, 'config');
    for (const p of palette.filter((x) => x.type !== 'zoho-config')) {
      assert.ok(p.registered, `${p.type} is not registered in the editor`);
      assert.match(p.category ?? '', /^zoho$/i, `${p.type} category`);
      assert.match(p.container ?? '', /red-ui-palette-container-zoho$/i, `${p.type} palette entry`);
    }
    const zoho = palette.find((p) => p.container)?.container;
    if (zoho) await page.locator(`#${zoho}`).scrollIntoViewIfNeeded();
    await screenshot(page, 'palette');
    noErrors(ep, 'on load');
  });

  it('opens the dialog: data centre toggles the Accounts URL row, Redirect URI is ours', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    await openConfigDialog(page, IDS.dialog);
    await statusLine(page, /Not connected/);
    const row = page.locator('.zoho-config-row-accounts-url');
    assert.equal(await page.inputValue('#node-config-input-region'), 'custom');
    assert.equal(await row.isVisible(), true, 'custom shows the Accounts URL row');
    assert.equal(await page.inputValue('#node-config-input-accountsUrl'), ed.editor.sandbox.url);

    for (const dc of ['com', 'eu', 'in', 'com.au', 'jp', 'uk', 'ca', 'sa', 'com.cn']) {
      await page.selectOption('#node-config-input-region', dc);
      assert.equal(await row.isVisible(), false, `${dc} hides the Accounts URL row`);
    }
    await screenshot(page, 'zoho-config-dialog-eu');
    await page.selectOption('#node-config-input-region', 'custom');
    assert.equal(await row.isVisible(), true, 'custom shows the Accounts URL row again');

    const origin = new URL(ed.editor.editorUrl).origin;
    assert.equal(
      await page.inputValue('#node-config-zoho-redirect-uri'),
      `${origin}/zoho-config/auth/callback`,
    );
    await screenshot(page, 'zoho-config-dialog');
    noErrors(ep, 'opening the dialog');
  });

  it('environment: production for an old flow, the Books note, saved; "insecure" only for plain http beyond loopback', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    await openConfigDialog(page, IDS.environment);
    const select = '#node-config-input-environment';
    assert.equal(await page.inputValue(select), 'production', 'a flow without the field');
    const options = await page
      .locator(`${select} option`)
      .evaluateAll((els) => els.map((o) => o.getAttribute('value')));
    assert.deepEqual(options, ['production', 'sandbox', 'developer']);
    const tip = page.locator('#node-config-zoho-environment-tip');
    assert.match((await tip.textContent()) ?? '', /Zoho Books has no sandbox or developer host/);
    assert.equal(await tip.evaluate((el) => el.classList.contains('zoho-config-warning')), false);
    await page.selectOption(select, 'sandbox');
    assert.equal(await tip.evaluate((el) => el.classList.contains('zoho-config-warning')), true);

    const insecure = page.locator('.zoho-config-row-insecure');
    assert.equal(await insecure.isVisible(), false, 'loopback needs no tick');
    await page.fill('#node-config-input-accountsUrl', 'http://192.0.2.1:8800');
    assert.equal(await insecure.isVisible(), true, 'plain http to another machine');
    assert.match((await insecure.textContent()) ?? '', /unencrypted across the network/);
    await page.fill('#node-config-input-accountsUrl', 'https://zoho.test');
    assert.equal(await insecure.isVisible(), false, 'https needs no tick');
    await page.fill('#node-config-input-accountsUrl', ed.editor.sandbox.url);
    await screenshot(page, 'zoho-config-environment');

    await page.click('#node-config-dialog-ok');
    await page.locator('#node-config-dialog-ok').waitFor({ state: 'detached' });
    const saved = await page.evaluate((id) => {
      const node = (globalThis as unknown as { RED: EditorRed }).RED.nodes.node(id) as unknown as {
        environment?: string;
        insecureHttp?: boolean;
      };
      return { environment: node.environment, insecureHttp: node.insecureHttp };
    }, IDS.environment);
    assert.deepEqual(saved, { environment: 'sandbox', insecureHttp: false });
    await deploy(page);
    // The runtime rebuilds the connection as the deploy ends; a loaded machine may answer the
    // status route a moment before it has.
    let environment: string | undefined;
    const deadline = Date.now() + 10_000;
    while ((environment = (await status(IDS.environment)).environment) !== 'sandbox') {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(environment, 'sandbox', 'the runtime has it');
    noErrors(ep, 'choosing an environment');
  });

  it('the API console links follow the data centre; the Self Client tip; scopes copy button', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    await openConfigDialog(page, IDS.dialog);
    const links = page.locator('.zoho-config-console-link');
    // The tips are filled in by the editor's i18n after the dialog opens: wait for the second.
    await links
      .nth(1)
      .waitFor({ state: 'attached', timeout: 10_000 })
      .catch(() => undefined);
    assert.equal(await links.count(), 2, 'a console link in each tip');
    const seen = async (): Promise<string[]> =>
      links.evaluateAll((els) =>
        els.map((a) => `${a.textContent ?? ''} ${a.getAttribute('href') ?? '(no link)'}`),
      );
    const domains: Record<string, string> = {
      com: 'zoho.com',
      eu: 'zoho.eu',
      'com.au': 'zoho.com.au',
      ca: 'zohocloud.ca',
      'com.cn': 'zoho.com.cn',
    };
    for (const [dc, domain] of Object.entries(domains)) {
      await page.selectOption('#node-config-input-region', dc);
      const host = `api-console.${domain}`;
      assert.deepEqual(await seen(), [`${host} https://${host}/`, `${host} https://${host}/`], dc);
    }
    await page.selectOption('#node-config-input-region', 'custom');
    for (const link of await seen()) assert.match(link, /accounts server \(no link\)$/);

    const tips = (await page.locator('.form-tips').allTextContents()).join('\n');
    assert.match(tips, /Scopes below/);
    assert.doesNotMatch(tips, /scopes above|No browser can reach this Node-RED/);
    assert.match(tips, /its own Client ID and Client Secret/);
    const label = await page.locator('label[for="node-config-zoho-grant-code"]').textContent();
    assert.equal(label?.trim(), 'Self Client grant code');

    // The copy button hands the scopes, comma-separated, to Node-RED's clipboard helper.
    await page.fill('#node-config-input-scopes', 'ZohoCRM.modules.ALL, ZohoBooks.fullaccess.all');
    const copied = await page.evaluate(() => {
      const red = (
        globalThis as unknown as { RED: { clipboard: { copyText(t: string): boolean } } }
      ).RED;
      const texts: string[] = [];
      red.clipboard.copyText = (text: string) => (texts.push(text), true);
      (globalThis as unknown as { $: (s: string) => { trigger(e: string): void } })
        .$('#node-config-zoho-copy-scopes')
        .trigger('click');
      return texts;
    });
    assert.deepEqual(copied, ['ZohoCRM.modules.ALL,ZohoBooks.fullaccess.all']);
    await page.selectOption('#node-config-input-region', 'eu');
    await screenshot(page, 'zoho-config-dialog-eu-console-link');
    noErrors(ep, 'switching data centres');
  });

  it('Connect: consent popup, Accept, popup closes, dialog says Connected', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    const sandbox = ed.editor.sandbox;
    await openConfigDialog(page, IDS.connect);
    await statusLine(page, /Not connected/);
    await typeClient(page, CLIENT);

    const popupOpened = page.waitForEvent('popup');
    await page.click('#node-config-zoho-connect');
    const popup = await popupOpened;
    await popup.waitForURL((u) => u.href.startsWith(`${sandbox.url}/oauth/v2/auth`));
    await popup.locator('button.accept').waitFor();
    await screenshot(popup, 'zoho-config-consent');
    const closed = popup.waitForEvent('close', { timeout: 15_000 });
    await popup.click('button.accept');
    await closed;

    const text = await statusLine(page, /Connected/);
    assert.doesNotMatch(text, /deploy to keep it/, `the node is deployed already: ${text}`);
    await screenshot(page, 'zoho-config-connected');
    const s = await status(IDS.connect);
    assert.equal(s.connected, true);
    assert.equal(s.hasRefreshToken, true);
    assert.equal(s.lastAttempt?.ok, true);
    assert.equal(sandbox.stats.tokenRequests.authorization_code, 1);
    assert.equal(sandbox.stats.tokenRequests.total, 1);
    noErrors(ep, 'connecting');
  });

  it('Connect: Deny in the popup shows the denial and stores nothing (new node)', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    const sandbox = ed.editor.sandbox;
    // A brand-new connection, never deployed: the editor's "add new zoho-config" dialog.
    await page.evaluate(() => {
      (globalThis as unknown as { RED: EditorRed }).RED.editor.editConfig(
        '',
        'zoho-config',
        '_ADD_',
      );
    });
    await page.locator('#node-config-dialog-ok').waitFor({ state: 'visible' });
    await page.selectOption('#node-config-input-region', 'custom');
    await page.fill('#node-config-input-accountsUrl', sandbox.url);
    await typeClient(page, CLIENT);

    const started = page.waitForRequest((r) => /\/zoho-config\/[^/]+\/auth\/start$/.test(r.url()));
    const popupOpened = page.waitForEvent('popup');
    await page.click('#node-config-zoho-connect');
    const id = decodeURIComponent((await started).url().split('/').slice(-3)[0]);
    const popup = await popupOpened;
    await popup.locator('button.deny').click();
    await popup.waitForURL((u) => u.pathname.endsWith('/zoho-config/auth/callback'));
    assert.match((await popup.locator('h1').textContent()) ?? '', /denied/i);

    const text = await statusLine(page, /denied/i);
    assert.match(text, /Consent was denied/);
    await screenshot(page, 'zoho-config-denied');
    const s = await status(id);
    assert.equal(s.deployed, false);
    assert.equal(s.connected, false);
    assert.equal(s.hasRefreshToken, false);
    assert.equal(s.lastAttempt?.error?.code, 'ACCESS_DENIED');
    assert.equal(sandbox.stats.tokenRequests.total, 0, 'no token request after a denial');
    assert.equal(ed.editor.storedCredentials()[id], undefined);
    noErrors(ep, 'denying');
  });

  it('Self Client: pasting a grant code and clicking Exchange connects', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    const sandbox = ed.editor.sandbox;
    await openConfigDialog(page, IDS.selfClient);
    await statusLine(page, /Not connected/);
    await typeClient(page, CLIENT);
    const code = sandbox.accounts.issueGrantCode({
      clientId: CLIENT.clientId,
      scope: 'ZohoCRM.modules.ALL',
      offline: true,
    });
    await page.fill('#node-config-zoho-grant-code', code);
    await page.click('#node-config-zoho-exchange');
    await statusLine(page, /Connected/);
    assert.equal(await page.inputValue('#node-config-zoho-grant-code'), '', 'code field cleared');
    const s = await status(IDS.selfClient);
    assert.equal(s.connected, true);
    assert.equal(s.hasRefreshToken, true);
    assert.equal(sandbox.stats.tokenRequests.authorization_code, 1);
    noErrors(ep, 'exchanging a grant code');
  });

  it('headless, as the help and README say: the admin endpoint takes the code, a redeploy saves it', async () => {
    // No browser: the code goes to the admin endpoint (README's first curl line) ...
    const { status: code, body } = await ed.editor.connectSelfClient(
      IDS.headless,
      'ZohoCRM.modules.ALL',
    );
    assert.equal(code, 200, JSON.stringify(body));
    assert.equal(body.connected, true, JSON.stringify(body));
    // ... then GET /flows piped into a full POST /flows (its second curl line).
    const flows = await (await ed.editor.admin('flows')).text();
    const res = await ed.editor.admin('flows', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: flows,
    });
    assert.ok(res.ok, `redeploy: ${res.status} ${await res.text()}`);
    // What a restart reads: the tokens and the client in flows_cred.json.
    const stored = ed.editor.storedCredentials()[IDS.headless] ?? {};
    assert.equal(typeof stored.refreshToken, 'string', 'refresh token saved by the redeploy');
    assert.equal(stored.clientId, '1000.SANDBOXCLIENT');
    assert.equal(stored.clientSecret, 'sandbox-secret');
    assert.equal((await status(IDS.headless)).connected, true, 'still connected after it');
  });

  it('after Deploy no secret or token is in GET /flows or the editor node set', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    const sandbox = ed.editor.sandbox;
    sandbox.accounts.addClient({ ...CANARY, name: 'Canary' });
    await openConfigDialog(page, IDS.deploy);
    await statusLine(page, /Not connected/);
    await typeClient(page, CANARY);
    const code = sandbox.accounts.issueGrantCode({
      clientId: CANARY.clientId,
      scope: 'ZohoCRM.modules.ALL',
      offline: true,
    });
    await page.fill('#node-config-zoho-grant-code', code);
    await page.click('#node-config-zoho-exchange');
    await statusLine(page, /Connected/);
    await page.click('#node-config-dialog-ok');
    await page.locator('#node-config-dialog-ok').waitFor({ state: 'detached' });
    const changed = await page.evaluate(
      (id) => Boolean((globalThis as unknown as { RED: EditorRed }).RED.nodes.node(id)?.changed),
      IDS.deploy,
    );
    assert.equal(changed, true, 'a connect marks the node changed so Deploy saves it');
    await deploy(page);
    await screenshot(page, 'deployed');

    // What the runtime keeps: the real values to look for.
    const stored = ed.editor.storedCredentials()[IDS.deploy] ?? {};
    const text = (v: unknown): string => (typeof v === 'string' ? v : '');
    const refreshToken = text(stored.refreshToken);
    const accessToken = text(stored.accessToken);
    assert.ok(refreshToken, 'Deploy kept the refresh token in flows_cred.json');
    assert.equal(stored.clientSecret, CANARY.clientSecret);
    const after = await status(IDS.deploy);
    assert.equal(after.connected, true, 'still connected after Deploy');
    const secrets = [CANARY.clientSecret, refreshToken, ...(accessToken ? [accessToken] : [])];

    const flows = await (
      await ed.editor.admin('flows', { headers: { 'Node-RED-API-Version': 'v2' } })
    ).text();
    const creds = await (await ed.editor.admin(`credentials/zoho-config/${IDS.deploy}`)).text();
    const nodeSet = await page.evaluate(() =>
      JSON.stringify(
        (globalThis as unknown as { RED: EditorRed }).RED.nodes.createCompleteNodeSet(),
      ),
    );
    const exportSet = await page.evaluate(() =>
      JSON.stringify(
        (globalThis as unknown as { RED: EditorRed }).RED.nodes.createCompleteNodeSet({
          credentials: false,
        }),
      ),
    );
    assert.ok(flows.includes(IDS.deploy) && nodeSet.includes(IDS.deploy));
    for (const [where, text] of Object.entries({ flows, creds, nodeSet, exportSet })) {
      for (const secret of secrets) {
        assert.ok(!text.includes(secret), `${where} leaks ${secret.slice(0, 12)}…`);
      }
    }
    noErrors(ep, 'deploying');
  });

  it('a new connection made before its first Deploy survives Add + Deploy', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    const sandbox = ed.editor.sandbox;
    await page.evaluate(() => {
      (globalThis as unknown as { RED: EditorRed }).RED.editor.editConfig(
        '',
        'zoho-config',
        '_ADD_',
      );
    });
    await page.locator('#node-config-dialog-ok').waitFor({ state: 'visible' });
    await page.fill('#node-config-input-name', 'New connection');
    await page.selectOption('#node-config-input-region', 'custom');
    await page.fill('#node-config-input-accountsUrl', sandbox.url);
    await typeClient(page, CLIENT);
    const code = sandbox.accounts.issueGrantCode({
      clientId: CLIENT.clientId,
      scope: 'ZohoCRM.modules.ALL',
      offline: true,
    });
    await page.fill('#node-config-zoho-grant-code', code);
    const exchanged = page.waitForRequest((r) => /\/zoho-config\/[^/]+\/auth\/code$/.test(r.url()));
    await page.click('#node-config-zoho-exchange');
    const id = decodeURIComponent((await exchanged).url().split('/').slice(-3)[0]);
    const text = await statusLine(page, /Connected/);
    assert.match(text, /deploy to keep it/, 'an undeployed node asks for a Deploy');
    await page.click('#node-config-dialog-ok');
    await page.locator('#node-config-dialog-ok').waitFor({ state: 'detached' });
    await deploy(page);

    const s = await status(id);
    assert.equal(s.deployed, true, 'the new node is running after Deploy');
    assert.equal(s.hasRefreshToken, true, 'Deploy kept the refresh token of the new node');
    assert.equal(s.connected, true);
    assert.ok(ed.editor.storedCredentials()[id]?.refreshToken, 'refresh token in flows_cred.json');
    noErrors(ep, 'adding and deploying a new connection');
  });
});
