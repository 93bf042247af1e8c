/**
 * The zoho-config dialog warns when the connection's scopes are narrower than what the nodes
 * using it need (resources/zoho-scopes.js), in a real Chromium against a real Node-RED.
 */
import * as assert from 'node:assert/strict';
import { openConfigDialog, screenshot, useEditor } from '../helpers/editor';

const NARROW = 'zc-narrow';
const OTHER = 'zc-other';
const DEFAULT_SCOPES =
  'ZohoCRM.modules.ALL,ZohoCRM.coql.READ,ZohoCRM.settings.ALL,ZohoCRM.users.READ,' +
  'ZohoCRM.org.READ,ZohoCRM.bulk.ALL,ZohoCRM.notifications.ALL,ZohoBooks.fullaccess.all,' +
  'ZohoFiles.files.ALL,ZohoCRM.send_mail.all.CREATE';

/** Flow nodes, disabled so the runtime leaves them alone: only the editor reads them here. */
function flowNode(id: string, type: string, config: string, props: Record<string, unknown>) {
  return { id, type, z: 'zs-tab', config, d: true, x: 200, y: 60, wires: [], ...props };
}

describe('zoho-config scopes warning (Chromium)', function () {
  this.timeout(60_000);
  const ed = useEditor({
    flows: (sandboxUrl) => [
      { id: 'zs-tab', type: 'tab', label: 'scopes' },
      ...[NARROW, OTHER].map((id) => ({
        id,
        type: 'zoho-config',
        name: `Sandbox ${id}`,
        region: 'custom',
        accountsUrl: sandboxUrl,
        scopes: id === NARROW ? 'ZohoCRM.modules.READ, ZohoCRM.settings.ALL' : DEFAULT_SCOPES,
        maxConcurrency: 5,
      })),
      flowNode('zs-create', 'crm-record', NARROW, {
        name: 'new lead',
        operation: 'create',
        module: 'Leads',
        moduleType: 'str',
      }),
      flowNode('zs-list', 'crm-record', NARROW, { operation: 'list', module: 'Leads' }),
      flowNode('zs-coql', 'crm-coql', NARROW, { name: 'query' }),
      flowNode('zs-watch', 'crm-watch-in', NARROW, { mode: 'webhook', modules: 'Leads' }),
      flowNode('zs-poll', 'crm-watch-in', NARROW, { mode: 'poll', modules: 'Leads' }),
      flowNode('zs-books', 'books-record', NARROW, { recordType: 'invoices', operation: 'list' }),
      flowNode('zs-bulk', 'crm-bulk', NARROW, {
        name: 'import',
        operation: 'upsert',
        module: 'Contacts',
        moduleType: 'str',
      }),
      flowNode('zs-bwatch', 'books-watch-in', NARROW, { entities: 'invoices,items' }),
      flowNode('zs-mail', 'crm-record', NARROW, {
        name: 'welcome mail',
        operation: 'sendMail',
        module: 'Leads',
        moduleType: 'str',
      }),
      flowNode('zs-raw', 'zoho-raw', NARROW, {}),
      flowNode('zs-other', 'crm-record', OTHER, { operation: 'delete', module: 'Deals' }),
    ],
  });

  it('lists the scopes the nodes need and the connection lacks, and clears when added', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    await openConfigDialog(page, NARROW);
    const warning = page.locator('#node-config-zoho-scopes-warning');
    await warning.waitFor({ state: 'visible' });
    const text = (await warning.textContent()) ?? '';
    for (const gap of [
      'ZohoCRM.modules.Leads.CREATE (new lead)',
      'ZohoCRM.coql.READ (query)',
      'ZohoCRM.notifications.ALL (crm-watch-in)',
      'ZohoBooks.invoices.READ (books-record, books-watch-in)',
      'ZohoCRM.modules.Contacts.CREATE (import)',
      'ZohoCRM.modules.Contacts.UPDATE (import)',
      'ZohoCRM.bulk.ALL (import)',
      'ZohoFiles.files.ALL (import)',
      'ZohoBooks.settings.READ (books-watch-in)',
      'ZohoCRM.send_mail.all.CREATE (welcome mail)',
    ]) {
      assert.ok(text.includes(gap), `the warning names ${gap}: ${text}`);
    }
    // Reads of Leads, COQL's modules read and the poll are covered by ZohoCRM.modules.READ;
    // another connection's node is not this one's business.
    assert.doesNotMatch(text, /modules\.READ|Deals/, text);
    await screenshot(page, 'zoho-config-scopes-warning');

    await page.fill('#node-config-input-scopes', DEFAULT_SCOPES);
    await warning.waitFor({ state: 'hidden' });
    // A module-specific scope covers that module only.
    await page.fill(
      '#node-config-input-scopes',
      'ZohoCRM.modules.deals.ALL,ZohoCRM.modules.READ,ZohoCRM.coql.READ,' +
        'ZohoCRM.notifications.ALL,ZohoBooks.fullaccess.all,ZohoCRM.modules.contacts.ALL,' +
        // Send mail granted for the node's module only (Zoho's per-module form) covers it too.
        'ZohoCRM.bulk.ALL,ZohoFiles.files.ALL,ZohoCRM.send_mail.leads.CREATE',
    );
    await warning.waitFor({ state: 'visible' });
    assert.match(
      (await warning.textContent()) ?? '',
      /: ZohoCRM\.modules\.Leads\.CREATE \(new lead\)\./,
    );
    await page.click('#node-config-dialog-cancel');
    assert.deepEqual(ep.errors(), [], 'browser errors');
  });

  it('shows no warning for a connection whose scopes cover its nodes', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    await openConfigDialog(page, OTHER);
    await page.locator('#node-config-input-scopes').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#node-config-zoho-scopes-warning').isVisible(), false);
    await page.click('#node-config-dialog-cancel');
    assert.deepEqual(ep.errors(), [], 'browser errors');
  });
});
