/**
 * The zoho-config dialog's outbox panel in a real Chromium against a real Node-RED (its own
 * process) and the sandbox: the sandbox stops listening (the link is down) while an inject
 * node sends updates to a crm-record node that keeps them in the outbox; the dialog shows them
 * per node, asks before it discards, and is empty afterwards.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { openConfigDialog, screenshot, useEditor } from '../helpers/editor';

const SCOPE = 'ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.org.READ';

interface View {
  count: number;
  lastError?: string;
  nodes: { id: string; count: number }[];
}

describe('zoho-config outbox panel (Chromium)', function () {
  this.timeout(120_000);
  const ed = useEditor({
    flows: (sandboxUrl) => [
      { id: 'f1', type: 'tab', label: 'Outbox' },
      {
        id: 'zc-outbox',
        type: 'zoho-config',
        name: 'Sandbox outbox',
        region: 'custom',
        accountsUrl: sandboxUrl,
        maxConcurrency: 5,
      },
      {
        id: 'i-upd',
        type: 'inject',
        z: 'f1',
        payload: '{"id":"4000000000001","Description":"reading"}',
        payloadType: 'json',
        wires: [['w-upd']],
      },
      {
        id: 'w-upd',
        type: 'crm-record',
        z: 'f1',
        name: 'Sensor writes',
        config: 'zc-outbox',
        operation: 'update',
        module: 'Leads',
        outbox: 'queue',
        outboxCoalesce: false,
        wires: [[]],
      },
    ],
  });

  async function view(): Promise<View> {
    const res = await ed.editor.admin('zoho-config/zc-outbox/outbox');
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as View;
  }

  async function until(what: string, check: () => Promise<boolean>, ms = 30_000) {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async function summary(page: Page): Promise<string> {
    return (await page.locator('#node-config-zoho-outbox-summary').textContent()) ?? '';
  }

  it('shows what waits per node, asks before Discard, and is empty after it', async () => {
    const connected = await ed.editor.connectSelfClient('zc-outbox', SCOPE);
    assert.equal(connected.status, 200, JSON.stringify(connected.body));
    const sandbox = ed.editor.sandbox;
    const port = Number(new URL(sandbox.url).port);
    await sandbox.stop();
    try {
      for (let k = 0; k < 3; k++) {
        const res = await ed.editor.admin('inject/i-upd', { method: 'POST' });
        assert.equal(res.status, 200);
        // The first finds the link down after the connection's retries; the rest queue behind.
        await until(`${k + 1} queued`, async () => (await view()).count === k + 1);
      }
      await until('the failed probe', async () => Boolean((await view()).lastError));

      const ep = await ed.editor.openPage();
      const { page } = ep;
      await openConfigDialog(page, 'zc-outbox');
      await page.waitForFunction(() => {
        const doc = (
          globalThis as unknown as {
            document: { getElementById(id: string): { textContent: string | null } | null };
          }
        ).document;
        return /3 waiting/.test(
          doc.getElementById('node-config-zoho-outbox-summary')?.textContent ?? '',
        );
      });
      assert.match(await summary(page), /^3 waiting · \d+(\.\d)? (B|KB) · oldest \d+ (s|min) ago$/);
      const row = page.locator('#node-config-zoho-outbox-table tr[data-node="w-upd"]');
      assert.match((await row.textContent()) ?? '', /Sensor writes.*3 waiting/);
      assert.match(
        (await page.locator('#node-config-zoho-outbox-error').textContent()) ?? '',
        /^Last error: .+/,
      );
      assert.equal(await page.locator('#node-config-zoho-outbox-retry').isEnabled(), true);
      await screenshot(page, 'zoho-config-outbox');

      // Declined: nothing is discarded.
      page.once('dialog', (d) => void d.dismiss());
      await row.locator('button').click();
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await view()).count, 3, 'a declined discard drops nothing');

      let asked = '';
      page.once('dialog', (d) => {
        asked = d.message();
        void d.accept();
      });
      await row.locator('button').click();
      await page.waitForFunction(() => {
        const doc = (
          globalThis as unknown as {
            document: { getElementById(id: string): { textContent: string | null } | null };
          }
        ).document;
        return doc.getElementById('node-config-zoho-outbox-summary')?.textContent === 'empty';
      });
      assert.match(asked, /Discard the 3 message\(s\) waiting for Sensor writes\?/);
      assert.equal(await row.count(), 0);
      assert.equal(await page.locator('#node-config-zoho-outbox-retry').isEnabled(), false);
      assert.deepEqual(await view(), { ...(await view()), count: 0, nodes: [] });
      assert.deepEqual(ep.errors(), [], 'browser errors');
    } finally {
      await sandbox.start(port);
    }
    // Nothing discarded reaches Zoho once the link is back.
    await ed.editor.admin('zoho-config/zc-outbox/outbox/retry', { method: 'POST' });
    await new Promise((r) => setTimeout(r, 1000));
    const updates = sandbox.requests.filter((r) => r.method === 'PUT');
    assert.equal(updates.length, 0);
  });
});
