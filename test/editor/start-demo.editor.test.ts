/**
 * The flows `npm start` writes (scripts/start.js), in a real Chromium against a real Node-RED:
 * a newcomer who opens the demo connection, looks, and clicks Update has not changed it, so the
 * next `npm start` still sets it up (scripts/start-checks.js) instead of leaving it pointed at
 * a sandbox that no longer knows its tokens.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { EditorRed, deploy, openConfigDialog, useEditor } from '../helpers/editor';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CONFIG_ID = 'zoho-sandbox-connection';

interface FlowNode {
  id: string;
  type: string;
  [key: string]: unknown;
}
/* eslint-disable @typescript-eslint/no-require-imports -- the plain-JS npm start scripts */
const start = require(path.join(ROOT, 'scripts', 'start.js')) as {
  exampleFlows(sandboxUrl: string): FlowNode[];
  demoConnection(sandboxUrl: string): FlowNode;
};
const checks = require(path.join(ROOT, 'scripts', 'start-checks.js')) as {
  isUntouchedDemo(node: FlowNode | undefined, demo: FlowNode): boolean;
};
/* eslint-enable @typescript-eslint/no-require-imports */

describe('npm start’s demo connection in the editor (Chromium)', function () {
  this.timeout(90_000);
  const ed = useEditor({ flows: (sandboxUrl) => start.exampleFlows(sandboxUrl) });

  it('opened, Update clicked, deployed: still the untouched demo for the next npm start', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    await openConfigDialog(page, CONFIG_ID);
    // Let the dialog fill its rows (status request, scopes table) as a user would see them.
    await page.waitForTimeout(800);
    await page.click('#node-config-dialog-ok');
    await page.locator('#node-config-dialog-ok').waitFor({ state: 'detached' });
    // Deploy what the editor now holds, the connection included (a full deploy).
    await page.evaluate(() => {
      (
        globalThis as unknown as { RED: EditorRed & { nodes: { dirty(d: boolean): void } } }
      ).RED.nodes.dirty(true);
    });
    await deploy(page);

    const res = await ed.editor.admin('flows');
    assert.equal(res.status, 200);
    const node = ((await res.json()) as FlowNode[]).find((n) => n.id === CONFIG_ID);
    assert.ok(node, 'the connection is deployed');
    const demo = start.demoConnection(ed.editor.sandbox.url);
    // As npm start compares: as text (the dialog saves a typed number as a string).
    const text = (v: unknown): string => (v === undefined || v === null ? '' : `${v as string}`);
    const differs = Object.keys(node).filter(
      (k) => k !== 'accountsUrl' && text(node[k]) !== text(demo[k]),
    );
    assert.deepEqual(differs, [], 'settings the dialog changed on its own');
    assert.equal(checks.isUntouchedDemo(node, demo), true);
    assert.deepEqual(ep.errors(), [], 'browser errors');
  });
});
