// `npm run screenshots`: the README's pictures, taken from what `npm start` shows. Starts the
// sandbox with its demo data and a Node-RED with the example flows (free ports, a temporary
// user directory: the test suite's editor harness), connects the sandbox connection, and saves
//   docs/palette.png  the Zoho palette beside the crm-record example flow
//   docs/dialog.png   the crm-record edit dialog, pickers filled from the sandbox
//   docs/flow.png     that flow run: a list of leads in the debug sidebar
const fs = require('node:fs');
const path = require('node:path');
const { exampleFlows, connect } = require('./start');

const root = path.join(__dirname, '..');
const docs = path.join(root, 'docs');
const { EditorHarness } = require(path.join(root, 'dist', 'test', 'helpers', 'editor.js'));

const TAB = 'example-crm-record-json';
const LIST_NODE = 'r-list';
const LIST_INJECT = 'i-rec-3';

/** Bounding box of everything matched, padded, clamped to the page. */
async function box(page, selectors, pad = 6) {
  const boxes = [];
  for (const s of selectors) {
    const b = await page.locator(s).first().boundingBox();
    if (!b) throw new Error(`nothing visible at ${s}`);
    boxes.push(b);
  }
  const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - pad);
  const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - pad);
  const right = Math.max(...boxes.map((b) => b.x + b.width)) + pad;
  const bottom = Math.max(...boxes.map((b) => b.y + b.height)) + pad;
  return { x, y, width: right - x, height: bottom - y };
}

async function main() {
  fs.mkdirSync(docs, { recursive: true });
  let sandboxUrl = '';
  const harness = new EditorHarness({
    flows: (url) => {
      sandboxUrl = url;
      return exampleFlows(url);
    },
  });
  try {
    await harness.start();
    harness.sandbox.seedDemo();
    await connect(harness.editorUrl, harness.sandbox);
    if (!sandboxUrl) throw new Error('the harness never asked for flows');
    const { page } = await harness.openPage();
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.evaluate((tab) => globalThis.RED.workspaces.show(tab), TAB);
    await page.evaluate(() => globalThis.RED.sidebar.show('debug'));

    // The palette: only the Zoho category open, scrolled to the top, beside the flow.
    await page.evaluate(() => {
      const $ = globalThis.$;
      $('.red-ui-palette-category').each(function () {
        const zoho = $(this).find('.red-ui-palette-header').text().trim() === 'Zoho';
        if (!zoho) $(this).hide();
      });
      $('#red-ui-palette-scroll').scrollTop(0);
    });
    await page.waitForTimeout(300);
    await page.screenshot({
      path: path.join(docs, 'palette.png'),
      clip: await box(page, ['#red-ui-palette', `[id="${LIST_NODE}"]`, '[id="d-rec-1"]'], 0).then(
        (b) => ({ ...b, height: Math.min(b.height, 440) }),
      ),
    });

    // The crm-record dialog of "list all leads".
    await page.evaluate(
      (id) => globalThis.RED.editor.edit(globalThis.RED.nodes.node(id)),
      LIST_NODE,
    );
    await page.locator('#node-dialog-ok').waitFor({ state: 'visible' });
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await page.waitForTimeout(800);
    await page.screenshot({
      path: path.join(docs, 'dialog.png'),
      clip: await box(page, ['.red-ui-tray .red-ui-tray-header', '#dialog-form'], 0),
    });
    await page.click('#node-dialog-cancel');
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });

    // Run it: click the inject button, expand the answer in the debug sidebar.
    await page.locator(`[id="${LIST_INJECT}"] .red-ui-flow-node-button`).click();
    const msg = page.locator('.red-ui-debug-content-list .red-ui-debug-msg').first();
    await msg.waitFor({ state: 'visible', timeout: 15_000 });
    // The node sends the whole msg: open msg, then payload, its first ten, and the first lead.
    const row = (re) =>
      msg
        .locator('.red-ui-debug-msg-object-key')
        .filter({ hasText: re })
        .last()
        .locator('xpath=..');
    await msg.locator('.red-ui-debug-msg-object-handle').first().click();
    await row(/^payload$/).click();
    await row(/^\[0 … 9\]$/).click();
    await row(/^0$/).click();
    await page.waitForTimeout(300);
    const text = (await msg.textContent()) ?? '';
    if (!/Last_Name/.test(text)) throw new Error(`the debug sidebar shows no lead: ${text}`);
    await page.screenshot({
      path: path.join(docs, 'flow.png'),
      clip: await box(page, ['[id="i-rec-3"]', '[id="d-rec-1"]', '#red-ui-sidebar'], 10).then(
        (b) => ({ ...b, height: Math.min(b.height, 520) }),
      ),
    });
    for (const f of ['palette.png', 'dialog.png', 'flow.png']) {
      console.log(`docs/${f} ${fs.statSync(path.join(docs, f)).size} bytes`);
    }
    if (harness.pages.some((p) => p.errors().length)) {
      throw new Error(`browser errors: ${harness.pages.flatMap((p) => p.errors()).join('\n')}`);
    }
  } finally {
    await harness.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
