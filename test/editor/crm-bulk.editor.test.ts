/**
 * crm-bulk's editor in a real Chromium against a real Node-RED: the dialog opens error-free with
 * every label from the locale, the operation shows exactly the rows it uses (read: fields to
 * directory; writes: find by, field mapping, ignore empty), and the dialog saves them.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { openNodeDialog, screenshot, useEditor } from '../helpers/editor';

const CONFIG = 'bulk-cfg';
const NODE = 'n-bulk';

type JQ = (sel: string) => { is(s: string): boolean; text(): string };

const ROWS = {
  fields: '#node-input-fields',
  criteria: '#node-input-criteria',
  chunkSize: '#node-input-chunkSize',
  output: '#node-input-output',
  directory: '#node-input-directory',
  findBy: '#node-input-findBy',
  fieldMapping: '#node-input-fieldMapping',
  ignoreEmpty: '#node-input-ignoreEmpty',
  publicUrl: '#node-input-publicUrl',
} as const;

/** Which rows are shown: a row counts as visible when its form-row is. */
async function visible(page: Page): Promise<Record<keyof typeof ROWS, boolean>> {
  return page.evaluate((rows) => {
    const $ = (
      globalThis as unknown as { $: (s: string) => { closest(s: string): ReturnType<JQ> } }
    ).$;
    return Object.fromEntries(
      Object.entries(rows).map(([k, sel]) => [k, $(sel).closest('.form-row').is(':visible')]),
    ) as Record<keyof typeof ROWS, boolean>;
  }, ROWS);
}

describe('crm-bulk editor (Chromium)', function () {
  this.timeout(60_000);
  const ed = useEditor({
    flows: (sandboxUrl) => [
      { id: 'bulk-tab', type: 'tab', label: 'Bulk' },
      {
        id: CONFIG,
        type: 'zoho-config',
        name: 'Sandbox',
        region: 'custom',
        accountsUrl: sandboxUrl,
      },
      {
        id: NODE,
        type: 'crm-bulk',
        z: 'bulk-tab',
        x: 200,
        y: 80,
        wires: [[]],
        config: CONFIG,
        module: 'Leads',
        moduleType: 'str',
        output: 'chunks',
      },
    ],
  });

  it('shows the rows of each operation and saves a write', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    await openNodeDialog(page, NODE);
    const text = await page.evaluate(() =>
      (globalThis as unknown as { $: JQ }).$('#dialog-form').text(),
    );
    assert.doesNotMatch(text, /crm-bulk\.(label|tip|operation)\./);
    // A node saved before writes existed opens as a read.
    assert.equal(await page.inputValue('#node-input-operation'), 'read');
    let vis = await visible(page);
    assert.deepEqual(vis, {
      fields: true,
      criteria: true,
      chunkSize: true,
      output: true,
      directory: false,
      findBy: false,
      fieldMapping: false,
      ignoreEmpty: false,
      publicUrl: false,
    });
    await page.selectOption('#node-input-output', 'file');
    assert.equal((await visible(page)).directory, true);

    await page.selectOption('#node-input-operation', 'upsert');
    vis = await visible(page);
    assert.deepEqual(vis, {
      fields: false,
      criteria: false,
      chunkSize: false,
      output: false,
      directory: true,
      findBy: true,
      fieldMapping: true,
      ignoreEmpty: true,
      publicUrl: true,
    });
    await page.fill('#node-input-findBy', 'Email');
    await page.evaluate(() => {
      const $ = (
        globalThis as unknown as {
          $: (s: string) => { typedInput(m: string, v?: string): unknown };
        }
      ).$;
      $('#node-input-fieldMapping').typedInput('value', '{"surname":"Last_Name"}');
    });
    await page.check('#node-input-ignoreEmpty');
    await screenshot(page, 'crm-bulk-dialog-upsert');
    await page.click('#node-dialog-ok');
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    const saved = await page.evaluate((id) => {
      const red = (
        globalThis as unknown as {
          RED: { nodes: { node(id: string): Record<string, unknown> | null } };
        }
      ).RED;
      const n = red.nodes.node(id);
      return n && [n.operation, n.findBy, n.fieldMapping, n.fieldMappingType, n.ignoreEmpty];
    }, NODE);
    assert.deepEqual(saved, ['upsert', 'Email', '{"surname":"Last_Name"}', 'json', true]);
    assert.deepEqual(ep.errors(), []);
  });
});
