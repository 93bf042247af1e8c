/**
 * The shipped examples (examples/*.json) in a real Chromium against a real Node-RED and the
 * sandbox: each imports into the editor with no warning and no unknown node type; pointed at the
 * sandbox and connected through the zoho-config dialog they deploy cleanly; and an
 * inject → crm-record → debug flow shows a sandbox record in the debug sidebar.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { CrmFamily } from '../../src/sandbox/crm/index';
import { EditorRed, deploy, openConfigDialog, screenshot, useEditor } from '../helpers/editor';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const EXAMPLES = fs
  .readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.json'))
  .sort();
const CLIENT = { clientId: '1000.SANDBOXCLIENT', clientSecret: 'sandbox-secret' };

interface FlowNode {
  id: string;
  type: string;
  [key: string]: unknown;
}
interface Notice {
  type: string;
  text: string;
}
type Win = {
  RED: EditorRed & {
    notify(msg: unknown, opts?: unknown): unknown;
    nodes: EditorRed['nodes'] & {
      filterNodes(f: { type?: string }): FlowNode[];
      eachConfig(cb: (n: FlowNode) => void): void;
    };
    view: { importNodes(nodes: unknown, opts?: Record<string, unknown>): void };
    actions: { invoke(name: string): void };
    sidebar: { show(id: string): void };
    workspaces: { active(): string; show(id: string): void };
  };
  __notices?: Notice[];
  $: (s: unknown) => { text(): string };
};

function readExample(file: string): FlowNode[] {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8')) as FlowNode[];
}

describe('examples (Chromium)', function () {
  this.timeout(60_000);
  const ed = useEditor({ flows: () => [] });

  /** Records every RED.notify of the page (type and text) into window.__notices. */
  async function recordNotices(page: Page): Promise<void> {
    await page.evaluate(() => {
      const w = globalThis as unknown as Win;
      w.__notices = [];
      const orig = w.RED.notify.bind(w.RED);
      w.RED.notify = (msg: unknown, opts?: unknown) => {
        const type =
          typeof opts === 'string'
            ? opts
            : String((opts as { type?: string } | undefined)?.type ?? '');
        const text =
          typeof msg === 'string' ? msg : String((msg as { textContent?: string })?.textContent);
        w.__notices?.push({ type, text: w.$(`<div>${text}</div>`).text() });
        return orig(msg, opts);
      };
    });
  }

  /** Drops nodes attached to the mouse after an import with a click on the canvas. */
  async function dropOnCanvas(page: Page): Promise<void> {
    const box = await page.locator('#red-ui-workspace-chart').boundingBox();
    assert.ok(box, 'the workspace canvas is visible');
    await page.mouse.move(box.x + 120, box.y + 60);
    await page.mouse.move(box.x + 125, box.y + 65);
    await page.mouse.down();
    await page.mouse.up();
  }

  /**
   * Imports nodes as the Import dialog does: onto a new flow tab, attached to the mouse, then
   * dropped with a click on the canvas (which marks the workspace changed).
   */
  async function importFlow(page: Page, nodes: unknown[]): Promise<void> {
    await page.evaluate((n) => {
      (globalThis as unknown as Win).RED.view.importNodes(n, { addFlow: true, notify: true });
    }, nodes);
    await dropOnCanvas(page);
  }

  /**
   * Imports an example the way a user does: Import (menu), the flow pasted, "new flow",
   * Import. When nodes of it already exist (the shared connection), Node-RED asks: `view`
   * answers View nodes… then Import selected (an existing config node is unticked by default),
   * `copy` answers Import copy (new ids, an existing config node of the same id reused).
   */
  async function importThroughDialog(
    page: Page,
    nodes: unknown[],
    onConflict: 'view' | 'copy',
  ): Promise<boolean> {
    await page.evaluate(() =>
      (globalThis as unknown as Win).RED.actions.invoke('core:show-import-dialog'),
    );
    const text = page.locator('#red-ui-clipboard-dialog-import-text');
    await text.waitFor({ state: 'visible' });
    await text.fill(JSON.stringify(nodes));
    await text.press('End'); // the dialog checks the JSON on keyup
    await page.click('#red-ui-clipboard-dialog-import-opt-new');
    await page.click('#red-ui-clipboard-dialog-ok');
    const conflict = page.locator('.red-ui-notification', { hasText: 'already exist' });
    const asked = await conflict
      .waitFor({ state: 'visible', timeout: 1500 })
      .then(() => true)
      .catch(() => false);
    if (asked && onConflict === 'view') {
      await conflict.locator('button', { hasText: 'View nodes' }).click();
      await page.click('#red-ui-clipboard-dialog-import-conflict');
    } else if (asked) {
      await conflict.locator('button', { hasText: 'Import copy' }).click();
    }
    await dropOnCanvas(page);
    return asked;
  }

  async function notices(page: Page): Promise<Notice[]> {
    return page.evaluate(() => (globalThis as unknown as Win).__notices ?? []);
  }

  async function statusLine(page: Page, pattern: RegExp): Promise<string> {
    const line = page.locator('#node-config-zoho-status');
    const until = Date.now() + 15_000;
    let text = '';
    while (Date.now() < until) {
      text = (await line.textContent()) ?? '';
      if (pattern.test(text)) return text;
      await page.waitForTimeout(100);
    }
    throw new Error(`status line never matched ${pattern}: "${text}"`);
  }

  function crm(): CrmFamily {
    const families = (ed.editor.sandbox as unknown as { families: { name: string }[] }).families;
    const family = families.find((f) => f.name === 'crm');
    assert.ok(family, 'the sandbox serves the CRM family');
    return family as CrmFamily;
  }

  // First, before anything is deployed: the editor starts with no connection.
  it('three examples imported one after another bring one connection', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    const first = readExample('crm-record.json');
    assert.equal(await importThroughDialog(page, first, 'view'), false, 'no conflict at first');
    assert.equal(await importThroughDialog(page, readExample('crm-coql.json'), 'view'), true);
    assert.equal(await importThroughDialog(page, readExample('books-record.json'), 'copy'), true);
    const seen = await page.evaluate(() => {
      const red = (globalThis as unknown as Win).RED;
      const configs: string[] = [];
      red.nodes.eachConfig((n) => {
        if (n.type === 'zoho-config') configs.push(n.id);
      });
      const users = red.nodes.filterNodes({}).filter((n) => typeof n.config === 'string');
      return {
        configs,
        uses: [...new Set(users.map((n) => String(n.config)))],
        types: users.map((n) => n.type),
        invalid: users.filter((n) => n.valid === false).map((n) => n.id),
      };
    });
    const shared = first.find((n) => n.type === 'zoho-config');
    assert.ok(shared);
    assert.deepEqual(seen.configs, [shared.id], 'one zoho-config in the editor');
    assert.deepEqual(seen.uses, [shared.id], 'every Zoho node uses it');
    for (const type of ['crm-record', 'crm-coql', 'books-record']) {
      assert.ok(seen.types.includes(type), `${type} nodes imported: ${seen.types.join()}`);
    }
    assert.deepEqual(seen.invalid, [], 'nodes marked invalid');
    await screenshot(page, 'examples-one-connection');
    assert.deepEqual(ep.errors(), [], 'browser errors importing three examples');
  });

  it('every example imports, connects through the dialog and deploys without errors', async function () {
    this.timeout(80_000);
    const ep = await ed.editor.openPage();
    const { page } = ep;
    const sandbox = ed.editor.sandbox;
    await recordNotices(page);
    assert.ok(EXAMPLES.length >= 4, `examples found: ${EXAMPLES.join(', ')}`);

    const configs: { id: string; scopes: string; file: string }[] = [];
    const seen = new Set<string>();
    const expectedIds = new Set<string>();
    for (const file of EXAMPLES) {
      const flow = readExample(file);
      for (const n of flow) if (n.type !== 'tab') expectedIds.add(n.id);
      for (const n of flow) {
        if (n.type === 'zoho-config' && !seen.has(n.id)) {
          seen.add(n.id);
          configs.push({ id: n.id, scopes: typeof n.scopes === 'string' ? n.scopes : '', file });
        }
      }
      const before = (await notices(page)).length;
      await importThroughDialog(page, flow, 'view');
      const fresh = (await notices(page)).slice(before);
      const bad = fresh.filter((n) => n.type === 'warning' || n.type === 'error');
      assert.deepEqual(bad, [], `${file}: import notifications`);
      const missing = await page.evaluate(
        (ids) => ids.filter((id) => !(globalThis as unknown as Win).RED.nodes.node(id)),
        flow.filter((n) => n.type !== 'tab').map((n) => n.id),
      );
      assert.deepEqual(missing, [], `${file}: nodes not in the editor after import`);
      await screenshot(page, `example-${file.replace(/\.json$/, '')}`);
    }
    const unknown = await page.evaluate(() =>
      (globalThis as unknown as Win).RED.nodes
        .filterNodes({ type: 'unknown' })
        .map((n) => `${n.id} (${typeof n.name === 'string' ? n.name : ''})`),
    );
    assert.deepEqual(unknown, [], 'nodes of an unknown type');
    const invalid = await page.evaluate(() => {
      const out: string[] = [];
      const red = (globalThis as unknown as Win).RED;
      red.nodes.filterNodes({}).forEach((n) => {
        if (n.valid === false) out.push(`${n.type} ${n.id}`);
      });
      red.nodes.eachConfig((n) => {
        if (n.valid === false) out.push(`${n.type} ${n.id}`);
      });
      return out;
    });
    assert.deepEqual(invalid, [], 'imported nodes the editor marks invalid');
    const count = await page.evaluate(() => {
      const red = (globalThis as unknown as Win).RED;
      let configs = 0;
      red.nodes.eachConfig(() => configs++);
      return red.nodes.filterNodes({}).length + configs;
    });
    assert.ok(count >= expectedIds.size, `imported ${count} of ${expectedIds.size} nodes`);
    assert.equal(configs.length, 1, 'the examples share one zoho-config');

    // Point each connection at this sandbox and connect it with a Self Client code.
    for (const c of configs) {
      await openConfigDialog(page, c.id);
      await page.selectOption('#node-config-input-region', 'custom');
      await page.fill('#node-config-input-accountsUrl', sandbox.url);
      await page.fill('#node-config-input-clientId', CLIENT.clientId);
      await page.fill('#node-config-input-clientSecret', CLIENT.clientSecret);
      const code = sandbox.accounts.issueGrantCode({
        clientId: CLIENT.clientId,
        scope: c.scopes || 'ZohoCRM.modules.ALL,ZohoCRM.settings.ALL',
        offline: true,
      });
      await page.fill('#node-config-zoho-grant-code', code);
      await page.click('#node-config-zoho-exchange');
      await statusLine(page, /Connected/);
      await page.click('#node-config-dialog-ok');
      await page.locator('#node-config-dialog-ok').waitFor({ state: 'detached' });
    }

    const logFrom = ed.editor.log.length;
    await deploy(page);
    await screenshot(page, 'examples-deployed');
    await page.waitForTimeout(500);
    const deployNotices = (await notices(page)).filter(
      (n) => n.type === 'warning' || n.type === 'error',
    );
    assert.deepEqual(deployNotices, [], 'deploy notifications');
    for (const c of configs) {
      const res = await ed.editor.admin(`zoho-config/${c.id}/status`);
      const s = (await res.json()) as { deployed?: boolean; connected?: boolean };
      assert.equal(s.deployed, true, `${c.file}: ${c.id} running`);
      assert.equal(s.connected, true, `${c.file}: ${c.id} connected after Deploy`);
      const stored = ed.editor.storedCredentials()[c.id] ?? {};
      assert.ok(stored.refreshToken, `${c.file}: refresh token kept`);
    }
    const runtimeLog = ed.editor.log.slice(logFrom);
    const errors = runtimeLog.split('\n').filter((l) => /\[(error|warn)\]/.test(l));
    assert.deepEqual(errors, [], 'Node-RED log after Deploy');
    assert.deepEqual(ep.errors(), [], 'browser errors importing and deploying the examples');
  });

  // The examples deployed by the previous test: the leads one click deep, counted in the status.
  it('the crm-record example’s debug node shows msg.payload and the record count', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    const seeded = await fetch(`${ed.editor.sandbox.url}/sandbox/crm/seed`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ counts: { Leads: 3 } }),
    });
    assert.equal(seeded.status, 200, await seeded.text());
    const leads = crm().store.all('Leads').length;
    assert.ok(leads > 1, `sandbox leads: ${leads}`);
    // The example was imported onto a flow tab of its own: show that tab.
    await page.evaluate(() => {
      const red = (globalThis as unknown as Win).RED;
      red.workspaces.show(String(red.nodes.node('i-rec-3')?.z));
      red.sidebar.show('debug');
    });
    // What the inject node's button does (Node-RED 5's left sidebar can cover the button).
    await page.locator('[id="i-rec-3"] .red-ui-flow-node-button').waitFor({ state: 'visible' });
    const injected = await ed.editor.admin('inject/i-rec-3', { method: 'POST' });
    assert.equal(injected.status, 200, await injected.text());
    const status = page.locator('[id="d-rec-1"] .red-ui-flow-node-status-label');
    await page
      .waitForFunction(
        ([s, n]) => document.querySelector(s)?.textContent === `${n} records`,
        ['[id="d-rec-1"] .red-ui-flow-node-status-label', leads] as const,
        { timeout: 10_000 },
      )
      .catch(async () => {
        throw new Error(`debug status: "${await status.textContent()}", ${leads} leads expected`);
      });
    const first = page.locator('.red-ui-debug-content-list .red-ui-debug-msg').first();
    await first.waitFor({ state: 'visible' });
    const shown = (await first.textContent()) ?? '';
    // The sidebar names the property and its type: the leads are the message's top level.
    assert.match(shown, new RegExp(`msg\\.payload : array\\[${leads}\\]`), shown);
    assert.deepEqual(ep.errors(), [], 'browser errors');
  });

  it('inject → crm-record (get with fields) → debug shows the sandbox record', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    const sandbox = ed.editor.sandbox;
    const seeded = await fetch(`${sandbox.url}/sandbox/crm/seed`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ counts: { Leads: 5 } }),
    });
    assert.equal(seeded.status, 200, await seeded.clone().text());
    const leads = crm().store.all('Leads');
    assert.ok(leads.length >= 5, `seeded leads: ${leads.length}`);
    const lead = leads[leads.length - 1];
    const lastName = typeof lead.data.Last_Name === 'string' ? lead.data.Last_Name : '';
    assert.ok(lastName, 'the seeded lead has a Last_Name');

    // The first deployed connection (from the previous test).
    const config = readExample('crm-record.json').find((n) => n.type === 'zoho-config');
    assert.ok(config);
    await page.waitForFunction(
      (id) => Boolean((globalThis as unknown as Win).RED.nodes.node(id)),
      config.id,
    );
    await recordNotices(page);
    const flow = [
      {
        id: 'ex-inject',
        type: 'inject',
        x: 140,
        y: 80,
        name: 'go',
        props: [{ p: 'payload' }],
        repeat: '',
        crontab: '',
        once: false,
        onceDelay: 0.1,
        topic: '',
        payload: '',
        payloadType: 'date',
        wires: [['ex-get']],
      },
      {
        id: 'ex-get',
        type: 'crm-record',
        x: 340,
        y: 80,
        name: 'get lead',
        config: config.id,
        operation: 'get',
        module: 'Leads',
        moduleType: 'str',
        recordId: lead.id,
        recordIdType: 'str',
        fields: 'Last_Name,Email,Company',
        fieldsType: 'str',
        perPage: '',
        page: '',
        sortBy: '',
        sortOrder: '',
        returnAll: false,
        output: 'array',
        searchBy: 'criteria',
        search: '',
        searchType: 'str',
        trigger: '',
        duplicateCheckFields: '',
        wires: [['ex-debug']],
      },
      {
        id: 'ex-debug',
        type: 'debug',
        x: 540,
        y: 80,
        name: 'lead',
        active: true,
        tosidebar: true,
        console: false,
        tostatus: false,
        complete: 'payload',
        targetType: 'msg',
        statusVal: '',
        statusType: 'auto',
        wires: [],
      },
    ];
    await importFlow(page, flow);
    await deploy(page);
    await page.evaluate(() => (globalThis as unknown as Win).RED.sidebar.show('debug'));

    // Click the inject node's button on the canvas.
    const button = page.locator('[id="ex-inject"] .red-ui-flow-node-button');
    await button.waitFor({ state: 'visible' });
    await button.click();

    const msg = page.locator('.red-ui-debug-content-list .red-ui-debug-msg').first();
    await msg.waitFor({ state: 'visible', timeout: 10_000 });
    // Objects arrive collapsed; expand the first one so its properties are printed.
    const header = msg.locator('.red-ui-debug-msg-object-header').first();
    if (await header.count()) await header.click();
    await page
      .locator('.red-ui-debug-content-list')
      .filter({ hasText: lastName })
      .waitFor({ timeout: 10_000 })
      .catch(async () => {
        throw new Error(
          `debug sidebar never showed ${lastName}: ${await page
            .locator('.red-ui-debug-content-list')
            .textContent()}`,
        );
      });
    const text = (await page.locator('.red-ui-debug-content-list').textContent()) ?? '';
    assert.match(text, /Last_Name/);
    assert.ok(text.includes(lead.id), `the debug message is record ${lead.id}: ${text}`);
    assert.doesNotMatch(text, /\berror\b/i, `the debug sidebar shows an error: ${text}`);
    await screenshot(page, 'examples-debug-sidebar');
    const bad = (await notices(page)).filter((n) => n.type === 'warning' || n.type === 'error');
    assert.deepEqual(bad, [], 'notifications');
    assert.deepEqual(ep.errors(), [], 'browser errors');
  });
});
