/**
 * The palette and every edit dialog, generically: the node types come from package.json's
 * `node-red.nodes`, so a new node is covered the day it is listed there. Each flow node sits in
 * the palette's Zoho category with an icon the browser actually decodes; each node's dialog
 * (config node included) opens, fills its pickers from a connected sandbox connection and
 * closes with zero browser console errors. Prints `editor.dialogs_without_console_errors`.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import {
  EditorRed,
  openConfigDialog,
  openNodeDialog,
  screenshot,
  useEditor,
} from '../helpers/editor';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  'node-red': { nodes: Record<string, string> };
};
const TYPES = Object.keys(PKG['node-red'].nodes);
const CONFIG = 'palette-cfg';
const TAB = 'palette-tab';
const CLIENT = { clientId: '1000.SANDBOXCLIENT', clientSecret: 'sandbox-secret' };

interface TypeDef {
  category?: string;
  defaults?: Record<string, { type?: string }>;
}
type Win = {
  RED: Omit<EditorRed, 'nodes'> & {
    nodes: Omit<EditorRed['nodes'], 'getType'> & { getType(t: string): TypeDef | null };
    view: { importNodes(nodes: unknown, opts?: Record<string, unknown>): void };
    workspaces: { show(id: string): void };
  };
  $: (s: unknown) => {
    length: number;
    css(p: string): string;
    closest(s: string): { find(s: string): { text(): string } };
  };
  Image: new () => {
    onload: (() => void) | null;
    onerror: (() => void) | null;
    src: string;
    naturalWidth: number;
  };
};

function localeOf(type: string): Record<string, { paletteLabel?: string }> {
  const file = path.join(ROOT, 'nodes', 'locales', 'en-US', `${type}.json`);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
}

describe('palette and every dialog (Chromium)', function () {
  this.timeout(90_000);
  const ed = useEditor({
    flows: (sandboxUrl) => [
      { id: TAB, type: 'tab', label: 'Palette' },
      {
        id: CONFIG,
        type: 'zoho-config',
        name: 'Sandbox',
        region: 'custom',
        accountsUrl: sandboxUrl,
        maxConcurrency: 5,
      },
    ],
  });

  before(async function () {
    this.timeout(20_000);
    const sandbox = ed.editor.sandbox;
    sandbox.seedDemo();
    const code = sandbox.accounts.issueGrantCode({
      clientId: CLIENT.clientId,
      scope: 'ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoBooks.fullaccess.all',
      offline: true,
    });
    const res = await ed.editor.admin(`zoho-config/${CONFIG}/auth/code`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code, region: 'custom', accountsUrl: sandbox.url, ...CLIENT }),
    });
    const body = (await res.json()) as { connected?: boolean };
    assert.equal(body.connected, true, `the connection is connected: ${JSON.stringify(body)}`);
  });

  async function categoryOf(page: Page, type: string): Promise<string | undefined> {
    return page.evaluate(
      (t) => (globalThis as unknown as Win).RED.nodes.getType(t)?.category,
      type,
    );
  }

  it('lists every node type of package.json in the Zoho category, each icon an SVG that loads', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    const flowTypes: string[] = [];
    for (const type of TYPES) {
      const category = await categoryOf(page, type);
      assert.ok(category, `${type} is registered in the editor`);
      if (category !== 'config') flowTypes.push(type);
    }
    assert.ok(flowTypes.length >= TYPES.length - 1, `flow node types: ${flowTypes.join(', ')}`);

    for (const type of flowTypes) {
      const entry = page.locator(
        `#red-ui-palette .red-ui-palette-node[data-palette-type="${type}"]`,
      );
      assert.equal(await entry.count(), 1, `${type} has one palette entry`);
      const info = await page.evaluate((t) => {
        const w = globalThis as unknown as Win;
        const el = w.$(`#red-ui-palette .red-ui-palette-node[data-palette-type="${t}"]`);
        const icon = w.$(
          `#red-ui-palette .red-ui-palette-node[data-palette-type="${t}"] .red-ui-palette-icon`,
        );
        return {
          header: el.closest('.red-ui-palette-category').find('.red-ui-palette-header').text(),
          background: icon.length ? icon.css('background-image') : '',
        };
      }, type);
      assert.equal(info.header.trim(), 'Zoho', `${type} sits in the Zoho category`);
      // A palette label from the en-US locale shows as written there (test/package.test.ts
      // checks that no label is hard-coded in the HTML).
      const label = (await entry.locator('.red-ui-palette-label').textContent())?.trim() ?? '';
      assert.ok(label && !label.includes('.paletteLabel'), `${type}: palette label "${label}"`);
      const expected = localeOf(type)[type]?.paletteLabel;
      if (expected) assert.equal(label.replace(/\s+/g, ' '), expected, `${type}: palette label`);
      // Node-RED breaks a palette label into lines of under 82 px (palette.js setLabel) and
      // joins them with <br>: a label that does not fit makes the node taller than the others.
      const lines = await entry.locator('.red-ui-palette-label br').count();
      assert.equal(lines, 0, `${type}: palette label "${label}" on one line`);
      const url = /url\("?([^")]+)"?\)/.exec(info.background)?.[1];
      assert.ok(url, `${type} has an icon: ${info.background}`);
      assert.match(url, new RegExp(`/icons/${PKG.name}/[\\w.-]+\\.svg$`), `${type}: own SVG icon`);
      const res = await fetch(url);
      assert.equal(res.status, 200, `${type} icon ${url}`);
      assert.match(res.headers.get('content-type') ?? '', /^image\/svg\+xml/, `${type} icon type`);
      const width = await page.evaluate(
        (src) =>
          new Promise<number>((resolve) => {
            const img = new (globalThis as unknown as Win).Image();
            img.onload = () => resolve(img.naturalWidth);
            img.onerror = () => resolve(-1);
            img.src = src;
          }),
        url,
      );
      assert.ok(width > 0, `${type} icon decodes in the browser (naturalWidth ${width})`);
    }
    await screenshot(page, 'palette');
    assert.deepEqual(ep.errors(), [], 'browser errors with the palette');
  });

  it('opens every node type’s edit dialog with zero browser console errors', async function () {
    this.timeout(120_000);
    const ep = await ed.editor.openPage();
    const { page } = ep;
    const clean: string[] = [];
    const failures: string[] = [];
    for (const [i, type] of TYPES.entries()) {
      const before = ep.errors().length;
      const category = await categoryOf(page, type);
      if (category === 'config') {
        if (type === 'zoho-config') await openConfigDialog(page, CONFIG, type);
        else {
          // Another config type: a new one, as the dialog's "Add new…" opens it.
          await page.evaluate((t) => {
            (globalThis as unknown as Win).RED.editor.editConfig('', t, '_ADD_');
          }, type);
          await page.locator('#node-config-dialog-ok').waitFor({ state: 'visible' });
        }
        await page.waitForTimeout(500); // let the dialog's own status request answer
        await page.click('#node-config-dialog-cancel');
        await page.locator('#node-config-dialog-ok').waitFor({ state: 'detached' });
      } else {
        const id = `palette-${type}`;
        await page.evaluate(
          ([t, nodeId, tab, config, y]) => {
            const w = globalThis as unknown as Win;
            w.RED.workspaces.show(tab);
            const node: Record<string, unknown> = { id: nodeId, type: t, z: tab, x: 200, y };
            // Every property that points at a zoho-config gets the connected one.
            for (const [k, d] of Object.entries(w.RED.nodes.getType(t)?.defaults ?? {})) {
              if (d.type === 'zoho-config') node[k] = config;
            }
            w.RED.view.importNodes([node], { generateIds: false });
          },
          [type, id, TAB, CONFIG, 60 + i * 50] as const,
        );
        await openNodeDialog(page, id);
        // The module / field / organization pickers ask the runtime; give them time to answer.
        await page.waitForLoadState('networkidle').catch(() => undefined);
        await page.waitForTimeout(500);
        if (type === 'crm-record') await screenshot(page, 'dialog-crm-record');
        await page.click('#node-dialog-cancel');
        await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
      }
      const fresh = ep.errors().slice(before);
      if (fresh.length === 0) clean.push(type);
      else failures.push(`${type}: ${fresh.join(' | ')}`);
    }
    console.log(`      editor.dialogs_without_console_errors ${clean.length} of ${TYPES.length}`);
    assert.deepEqual(failures, [], 'dialogs with browser console errors');
    assert.equal(clean.length, TYPES.length);
    const node = await page.evaluate(
      (id) => (globalThis as unknown as Win).RED.nodes.node(id),
      `palette-${TYPES.find((t) => t !== 'zoho-config')}`,
    );
    assert.ok(node, 'the imported nodes stay in the workspace after their dialogs close');
  });
});
