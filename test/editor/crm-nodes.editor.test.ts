/**
 * The CRM node editors (crm-record, crm-coql, crm-attachment, zoho-raw) in a real Chromium
 * against a real Node-RED and the sandbox: every dialog opens error-free, the rows follow the
 * operation / method, crm-record's module and field pickers are filled from the deployed,
 * connected zoho-config (admin endpoints of crm-admin.ts), and each node's help text documents
 * every property of its dialog.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import {
  EditorPage,
  EditorRed,
  openNodeDialog,
  screenshot,
  typedInputBox,
  useEditor,
} from '../helpers/editor';

const CONFIG = 'crm-cfg';
const TAB = 'crm-tab';
const NODES = {
  record: 'n-record',
  coql: 'n-coql',
  attachment: 'n-attachment',
  raw: 'n-raw',
  watch: 'n-watch',
} as const;
const TYPES: Record<keyof typeof NODES, string> = {
  record: 'crm-record',
  coql: 'crm-coql',
  attachment: 'crm-attachment',
  raw: 'zoho-raw',
  watch: 'crm-watch-in',
};
const LOCALES = path.resolve(__dirname, '..', '..', '..', 'nodes', 'locales', 'en-US');

/** In-page jQuery, typed loosely (the page is not type-checked against the editor). */
type JQ = (sel: string) => {
  length: number;
  toArray(): unknown[];
  is(s: string): boolean;
  val(): unknown;
  html(): string;
  text(): string;
};

describe('CRM node editors (Chromium)', function () {
  this.timeout(60_000);
  const ed = useEditor({
    flows: (sandboxUrl) => [
      { id: TAB, type: 'tab', label: 'CRM nodes' },
      {
        id: CONFIG,
        type: 'zoho-config',
        name: 'Sandbox CRM',
        region: 'custom',
        accountsUrl: sandboxUrl,
        maxConcurrency: 5,
      },
      {
        id: NODES.record,
        type: 'crm-record',
        z: TAB,
        x: 200,
        y: 80,
        wires: [[]],
        name: '',
        config: CONFIG,
        operation: 'list',
        module: 'Leads',
        moduleType: 'str',
        recordId: '',
        recordIdType: 'str',
        fields: '',
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
      },
      {
        id: NODES.coql,
        type: 'crm-coql',
        z: TAB,
        x: 200,
        y: 140,
        wires: [[]],
        name: '',
        config: CONFIG,
        query: 'SELECT Last_Name FROM Leads WHERE Last_Name is not null LIMIT 10',
        returnAll: false,
        maxRecords: '',
      },
      {
        id: NODES.attachment,
        type: 'crm-attachment',
        z: TAB,
        x: 200,
        y: 200,
        wires: [[]],
        name: '',
        config: CONFIG,
        operation: 'list',
        module: 'Leads',
        moduleType: 'str',
        recordId: 'recordId',
        recordIdType: 'msg',
        attachmentId: 'attachmentId',
        attachmentIdType: 'msg',
        fileName: '',
        fileNameType: 'str',
        returnAll: true,
        perPage: '',
        output: 'array',
      },
      {
        id: NODES.raw,
        type: 'zoho-raw',
        z: TAB,
        x: 200,
        y: 260,
        wires: [[]],
        name: '',
        config: CONFIG,
        product: 'crm',
        method: 'GET',
        url: '/crm/v8/org',
        urlType: 'str',
        query: '',
        queryType: 'json',
        headers: '',
        headersType: 'json',
        bodyType: 'json',
        responseType: 'json',
        timeout: '',
        maxRetries: '',
        retryDelay: '',
        exponentialBackoff: true,
        retryOnAllErrors: false,
        passThroughErrors: false,
        debug: false,
      },
      {
        id: NODES.watch,
        type: 'crm-watch-in',
        z: TAB,
        x: 200,
        y: 320,
        wires: [[]],
        name: '',
        config: CONFIG,
        mode: 'poll',
        modules: 'Leads',
        onCreate: true,
        onEdit: true,
        onDelete: false,
        publicUrl: 'NODE_RED_PUBLIC_URL',
        publicUrlType: 'env',
        returnAffectedFieldValues: false,
        fetchRecords: false,
        interval: '60',
        emitExisting: false,
      },
    ],
  });

  // Connect the deployed zoho-config with a Self Client code, as the dialog's Exchange does.
  before(async function () {
    this.timeout(20_000);
    const { status, body } = await ed.editor.connectSelfClient(
      CONFIG,
      'ZohoCRM.modules.ALL,ZohoCRM.settings.ALL',
    );
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.deployed, true, 'the zoho-config is deployed');
    assert.equal(body.connected, true, `the zoho-config connected: ${JSON.stringify(body)}`);
  });

  function noErrors(ep: EditorPage, when: string): void {
    assert.deepEqual(ep.errors(), [], `browser errors ${when}`);
  }

  /** Visible (true) / hidden (false) per selector; every selector must match something. */
  async function visibility(page: Page, selectors: string[]): Promise<Record<string, boolean>> {
    const out = await page.evaluate((sels) => {
      const $ = (globalThis as unknown as { $: JQ }).$;
      const r: Record<string, boolean | string> = {};
      for (const s of sels) {
        const els = $(s);
        if (!els.length) {
          r[s] = 'missing';
          continue;
        }
        const vis = els.toArray().map((e) => $(e as string).is(':visible'));
        r[s] = vis.every(Boolean) ? true : vis.some(Boolean) ? 'mixed' : false;
      }
      return r;
    }, selectors);
    for (const [s, v] of Object.entries(out)) {
      assert.equal(typeof v, 'boolean', `${s}: ${String(v)}`);
    }
    return out as Record<string, boolean>;
  }

  async function closeDialog(page: Page): Promise<void> {
    await page.click('#node-dialog-cancel');
    await page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });
  }

  async function datalist(page: Page, id: string): Promise<string[]> {
    return page.$$eval(`#${id} option`, (opts) =>
      opts.map((o) => (o as unknown as { value: string }).value),
    );
  }

  async function waitForOptions(page: Page, id: string, want: string[], ms = 10_000) {
    const until = Date.now() + ms;
    let got: string[] = [];
    while (Date.now() < until) {
      got = await datalist(page, id);
      if (want.every((w) => got.includes(w))) return got;
      await page.waitForTimeout(100);
    }
    assert.fail(`#${id} never offered ${want.join(', ')}; it has: ${got.join(', ') || '(none)'}`);
  }

  it('opens the dialog of every CRM node without console or page errors', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    for (const [key, id] of Object.entries(NODES)) {
      await openNodeDialog(page, id);
      const title = await page.locator('.red-ui-tray-titlebar').first().textContent();
      assert.ok(title, `${key}: the tray has a title`);
      // The config picker shows the connection, not "Add new zoho-config…".
      assert.equal(await page.inputValue('#node-input-config'), CONFIG, `${key}: connection`);
      // Every label got its text from the locale (no raw i18n keys left).
      const raw = await page.evaluate(() => {
        const $ = (globalThis as unknown as { $: JQ }).$;
        return $('#dialog-form').text();
      });
      assert.doesNotMatch(
        raw,
        /(crm-record|crm-coql|crm-attachment|zoho-raw|crm-watch-in)\.(label|tip|mode|event)\./,
      );
      await page.waitForTimeout(300); // let the pickers' requests settle
      noErrors(ep, `opening ${TYPES[key as keyof typeof NODES]}`);
      await closeDialog(page);
    }
    noErrors(ep, 'opening and cancelling every dialog');
  });

  it('crm-record: the operation shows exactly the rows it uses', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    await openNodeDialog(page, NODES.record);
    const rows = {
      id: '.crm-record-row-id',
      fields: '.crm-record-row-fields',
      read: '.crm-record-row-read',
      page: '.crm-record-row-page',
      output: '.crm-record-row-output',
      sort: '.crm-record-row-sort',
      search: '.crm-record-row-search',
      trigger: '.crm-record-row-trigger',
      dup: '.crm-record-row-dup',
      writeTip: '#crm-record-tip-write',
      related: '.crm-record-row-related',
      note: '.crm-record-row-note',
      tags: '.crm-record-row-tags',
      overWrite: '.crm-record-row-overwrite',
      relatedTip: '#crm-record-tip-related',
      convert: '.crm-record-row-convert',
      convertTip: '#crm-record-tip-convert',
      mass: '.crm-record-row-mass',
      massTip: '#crm-record-tip-massUpdate',
      mail: '.crm-record-row-mail',
      mailTip: '#crm-record-tip-sendMail',
      users: '.crm-record-row-users',
      refresh: '.crm-record-row-refresh',
      metadataTip: '#crm-record-tip-metadata',
    };
    type Row = keyof typeof rows;
    const expected: Record<string, Row[]> = {
      get: ['id', 'fields'],
      list: ['fields', 'read', 'page', 'sort'],
      search: ['fields', 'read', 'page', 'search'],
      create: ['trigger', 'writeTip'],
      update: ['id', 'trigger', 'writeTip'],
      upsert: ['trigger', 'dup', 'writeTip'],
      delete: ['id', 'trigger', 'writeTip'],
      listRelated: ['id', 'fields', 'read', 'page', 'related', 'relatedTip'],
      linkRelated: ['id', 'related', 'relatedTip'],
      unlinkRelated: ['id', 'related', 'relatedTip'],
      listNotes: ['id', 'fields', 'read', 'page', 'relatedTip'],
      addNote: ['id', 'note', 'relatedTip'],
      updateNotes: ['relatedTip'],
      deleteNotes: ['id', 'relatedTip'],
      addTags: ['id', 'tags', 'overWrite'],
      removeTags: ['id', 'tags'],
      listTags: [],
      convertLead: ['id', 'convert', 'convertTip'],
      count: ['search'],
      massUpdate: ['id', 'mass', 'massTip', 'overWrite'],
      sendMail: ['id', 'mail', 'mailTip'],
      listUsers: ['users', 'refresh', 'metadataTip'],
      listModules: ['refresh', 'metadataTip'],
      listFields: ['refresh', 'metadataTip'],
      listLayouts: ['refresh', 'metadataTip'],
      // "- set by msg.operation -": any operation may come, every row may matter.
      msg: Object.keys(rows) as Row[],
    };
    const ops = await page.$$eval('#node-input-operation option', (o) =>
      o.map((x) => (x as unknown as { value: string }).value),
    );
    assert.deepEqual([...ops].sort(), Object.keys(expected).sort(), 'operations offered');
    for (const [op, shown] of Object.entries(expected)) {
      await page.selectOption('#node-input-operation', op);
      const vis = await visibility(page, Object.values(rows));
      for (const [name, sel] of Object.entries(rows) as [Row, string][]) {
        assert.equal(vis[sel], shown.includes(name), `${op}: ${name} row (${sel}) visible`);
      }
      // The module row stays, but for the operations about the whole org.
      const orgWide = op === 'listUsers' || op === 'listModules';
      assert.equal(await typedInputBox(page, 'node-input-module').isVisible(), !orgWide, op);
      assert.equal(await page.locator('#node-input-name').isVisible(), true, `${op}: name`);
    }
    // The actual inputs of the rows, not just their containers.
    await page.selectOption('#node-input-operation', 'get');
    assert.equal(await typedInputBox(page, 'node-input-recordId').isVisible(), true, 'get: id');
    assert.equal(await typedInputBox(page, 'node-input-fields').isVisible(), true, 'get: fields');
    await page.selectOption('#node-input-operation', 'search');
    assert.equal(await page.locator('#node-input-searchBy').isVisible(), true, 'search: by');
    assert.equal(await typedInputBox(page, 'node-input-search').isVisible(), true, 'search: for');
    assert.equal(await typedInputBox(page, 'node-input-recordId').isVisible(), false, 'no id');
    await page.selectOption('#node-input-operation', 'convertLead');
    for (const name of ['deal', 'assignTo', 'accountId', 'contactId'])
      assert.equal(await typedInputBox(page, `node-input-${name}`).isVisible(), true, name);
    for (const name of ['overwrite', 'notifyLeadOwner', 'notifyNewEntityOwner'])
      assert.equal(await page.locator(`#node-input-${name}`).isVisible(), true, name);
    await page.selectOption('#node-input-operation', 'massUpdate');
    assert.equal(await typedInputBox(page, 'node-input-values').isVisible(), true, 'values');
    await page.selectOption('#node-input-operation', 'sendMail');
    for (const name of [
      'mailFrom',
      'to',
      'cc',
      'bcc',
      'replyTo',
      'subject',
      'content',
      'templateId',
    ])
      assert.equal(await typedInputBox(page, `node-input-${name}`).isVisible(), true, name);
    assert.equal(await page.locator('#node-input-mailFormat').isVisible(), true, 'format');
    assert.equal(await page.locator('#node-input-orgEmail').isVisible(), true, 'org address');
    await page.selectOption('#node-input-operation', 'listUsers');
    assert.equal(await page.locator('#node-input-userType').isVisible(), true, 'user type');
    assert.equal(await typedInputBox(page, 'node-input-role').isVisible(), true, 'role');
    assert.equal(await page.locator('#node-input-refresh').isVisible(), true, 'refresh');
    const types = await page.$$eval('#node-input-userType option', (o) =>
      o.map((x) => (x as unknown as { value: string }).value),
    );
    assert.ok(types.includes('AdminUsers') && types.includes('ActiveUsers'), 'user types offered');
    assert.equal(await page.inputValue('#node-input-userType'), 'AllUsers');
    await page.selectOption('#node-input-operation', 'upsert');
    assert.equal(await page.locator('#node-input-duplicateCheckFields').isVisible(), true);
    // Run: Zoho's default hides the checkboxes; "only these" shows them.
    assert.equal(await page.inputValue('#crm-record-trigger-mode'), 'default');
    assert.equal(await page.locator('.crm-record-trigger-boxes').isVisible(), false);
    await page.selectOption('#crm-record-trigger-mode', 'chosen');
    assert.equal(await page.locator('.crm-record-trigger').count(), 3);
    for (const box of await page.locator('.crm-record-trigger').all()) {
      assert.equal(await box.isVisible(), true, 'upsert: trigger checkboxes');
    }

    // list + return all: the page row gives way to the output row.
    await page.selectOption('#node-input-operation', 'list');
    await page.check('#node-input-returnAll');
    let vis = await visibility(page, [rows.page, rows.output, rows.read]);
    assert.equal(vis[rows.page], false, 'return all hides the page row');
    assert.equal(vis[rows.output], true, 'return all shows the output row');
    await page.uncheck('#node-input-returnAll');
    vis = await visibility(page, [rows.page, rows.output]);
    assert.equal(vis[rows.page], true);
    assert.equal(vis[rows.output], false);
    await screenshot(page, 'crm-record-dialog-list');

    // What the dialog saves: operation, triggers (checkboxes joined), match fields.
    await page.selectOption('#node-input-operation', 'upsert');
    await page.check('.crm-record-trigger[value="workflow"]');
    await page.check('.crm-record-trigger[value="blueprint"]');
    await page.fill('#node-input-duplicateCheckFields', 'Email');
    await screenshot(page, 'crm-record-dialog-upsert');
    await page.click('#node-dialog-ok');
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    const saved = await page.evaluate((id) => {
      const red = (
        globalThis as unknown as {
          RED: { nodes: { node(id: string): Record<string, unknown> | null } };
        }
      ).RED;
      const n = red.nodes.node(id);
      return n && { operation: n.operation, trigger: n.trigger, dup: n.duplicateCheckFields };
    }, NODES.record);
    assert.deepEqual(saved, { operation: 'upsert', trigger: 'workflow,blueprint', dup: 'Email' });
    // Reopening restores the checkboxes.
    await openNodeDialog(page, NODES.record);
    assert.equal(await page.inputValue('#crm-record-trigger-mode'), 'chosen');
    assert.equal(await page.isChecked('.crm-record-trigger[value="workflow"]'), true);
    assert.equal(await page.isChecked('.crm-record-trigger[value="approval"]'), false);
    assert.equal(await page.isChecked('.crm-record-trigger[value="blueprint"]'), true);
    // None saves "none"; Zoho's default saves "" (no trigger sent).
    await page.selectOption('#crm-record-trigger-mode', 'none');
    await page.click('#node-dialog-ok');
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    const runOf = () =>
      page.evaluate((id) => {
        const red = (
          globalThis as unknown as {
            RED: { nodes: { node(id: string): Record<string, unknown> | null } };
          }
        ).RED;
        return red.nodes.node(id)?.trigger;
      }, NODES.record);
    assert.equal(await runOf(), 'none');
    await openNodeDialog(page, NODES.record);
    assert.equal(await page.locator('.crm-record-trigger-boxes').isVisible(), false);
    await page.selectOption('#crm-record-trigger-mode', 'default');
    await page.click('#node-dialog-ok');
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    assert.equal(await runOf(), '');
    noErrors(ep, 'switching operations');
  });

  /** Types into a typedInput's visible box and leaves it (the browser fires change). */
  async function typeInto(page: Page, id: string, text: string): Promise<void> {
    const box = typedInputBox(page, id);
    await box.fill(text);
    await box.press('Tab');
  }

  it('crm-record: the pickers load the org modules and the chosen module fields', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    const modulesCall = page.waitForResponse((r) =>
      r.url().includes(`/zoho-crm/${CONFIG}/modules`),
    );
    await openNodeDialog(page, NODES.record);
    const modRes = await modulesCall;
    assert.equal(modRes.status(), 200, await modRes.text());
    const modules = await waitForOptions(page, 'crm-record-module-list', [
      'Leads',
      'Contacts',
      'Sensors',
    ]);
    assert.ok(modules.includes('Deals') && modules.includes('Accounts'), modules.join(','));
    assert.equal(await page.locator('#crm-record-picker-hint').textContent(), '', 'no hint');

    // Choose Contacts, then Leads, as a user types them: the field list follows the module.
    await typeInto(page, 'node-input-module', 'Contacts');
    let fields = await waitForOptions(page, 'crm-record-field-list', ['Last_Name', 'Account_Name']);
    assert.ok(!fields.includes('Company'), 'Contacts has no Company field');

    const fieldsCall = page.waitForResponse((r) => /\/fields\?module=Leads$/.test(r.url()));
    await typeInto(page, 'node-input-module', 'Leads');
    assert.equal((await fieldsCall).status(), 200);
    fields = await waitForOptions(page, 'crm-record-field-list', ['Last_Name', 'Email', 'Company']);
    assert.ok(!fields.includes('Account_Name'), `Leads fields only: ${fields.join(',')}`);

    // The related-list picker follows the module (settings/related_lists).
    await typeInto(page, 'node-input-module', 'Accounts');
    await waitForOptions(page, 'crm-record-related-list', ['Contacts', 'Deals', 'Notes']);

    // The custom module.
    await typeInto(page, 'node-input-module', 'Sensors');
    await waitForOptions(page, 'crm-record-field-list', ['Serial_Number', 'Temperature']);
    await typeInto(page, 'node-input-module', 'Leads');
    await waitForOptions(page, 'crm-record-field-list', ['Last_Name', 'Email']);
    await typedInputBox(page, 'node-input-module').focus();
    await screenshot(page, 'crm-record-dialog');
    await closeDialog(page);
    noErrors(ep, 'using the pickers');
  });

  /** The entries of the open picker menu (Node-RED's autoComplete popover). */
  async function menuEntries(page: Page): Promise<string[]> {
    const menu = page.locator('.red-ui-autoComplete-container');
    await menu.waitFor({ state: 'visible', timeout: 5_000 });
    return (await menu.locator('li a').allTextContents()).map((t) => t.trim());
  }

  /** The caret button that opens the picker over the datalist `list`. */
  function pickerButton(page: Page, list: string) {
    return page.locator(`.zoho-picker-open[data-zoho-picker="#${list}"]`);
  }

  it('crm-record / crm-attachment: the pickers are visible searchable dropdowns that take free text', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    await openNodeDialog(page, NODES.record);
    await waitForOptions(page, 'crm-record-module-list', ['Leads', 'Contacts', 'Sensors']);
    const moduleValue = () =>
      page.evaluate(() => {
        const $ = (globalThis as unknown as { $: (s: string) => { val(): unknown } }).$;
        return $('#node-input-module').val();
      });

    // The caret shows every module; typing filters; picking fills the box (and the property).
    await pickerButton(page, 'crm-record-module-list').click();
    const all = await menuEntries(page);
    for (const m of ['Leads', 'Contacts', 'Sensors']) {
      assert.ok(
        all.some((e) => e.includes(m)),
        `the dropdown lists ${m}: ${all.join(', ')}`,
      );
    }
    await page.keyboard.press('Escape');
    const moduleBox = typedInputBox(page, 'node-input-module');
    await moduleBox.fill('');
    await moduleBox.pressSequentially('cont');
    const filtered = await menuEntries(page);
    assert.ok(filtered.length > 0 && filtered.every((e) => /cont/i.test(e)), filtered.join(', '));
    await screenshot(page, 'crm-record-module-picker');
    await page
      .locator('.red-ui-autoComplete-container li a', { hasText: 'Contacts' })
      .first()
      .click();
    assert.equal(await moduleBox.inputValue(), 'Contacts');
    assert.equal(await moduleValue(), 'Contacts', 'the node property follows the pick');

    // Free text (a module the list does not know) stays as typed.
    await moduleBox.fill('');
    await moduleBox.pressSequentially('My_Custom_Module');
    await page.waitForTimeout(300);
    assert.equal(await page.locator('.red-ui-autoComplete-container').isVisible(), false);
    await moduleBox.press('Tab');
    assert.equal(await moduleBox.inputValue(), 'My_Custom_Module');
    assert.equal(await moduleValue(), 'My_Custom_Module');

    // Fields: a comma-separated list, the entry after the last comma is searched and completed.
    await moduleBox.fill('Leads');
    await moduleBox.press('Tab');
    await waitForOptions(page, 'crm-record-field-list', ['Last_Name', 'Email']);
    const fieldBox = typedInputBox(page, 'node-input-fields');
    await fieldBox.fill('');
    await fieldBox.pressSequentially('Last_Name,Em');
    const fieldEntries = await menuEntries(page);
    assert.ok(fieldEntries.includes('Email'), fieldEntries.join(', '));
    await page.locator('.red-ui-autoComplete-container li a', { hasText: /^Email$/ }).click();
    assert.equal(await fieldBox.inputValue(), 'Last_Name,Email');
    await screenshot(page, 'crm-record-field-picker');
    await closeDialog(page);

    await openNodeDialog(page, NODES.attachment);
    await waitForOptions(page, 'crm-attachment-module-list', ['Leads']);
    await pickerButton(page, 'crm-attachment-module-list').click();
    assert.ok(
      (await menuEntries(page)).some((e) => e.includes('Leads')),
      'attachment modules',
    );
    await page.keyboard.press('Escape');
    await closeDialog(page);
    noErrors(ep, 'using the pickers');
  });

  it('crm-attachment: the operation shows its rows; module picker filled', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    await openNodeDialog(page, NODES.attachment);
    const rows = {
      att: '.crm-attachment-row-att',
      file: '.crm-attachment-row-file',
      list: '.crm-attachment-row-list',
      output: '.crm-attachment-row-output',
      name: '.crm-attachment-row-name',
      photo: '.crm-attachment-row-photo',
      uploadTip: '#crm-attachment-tip-upload',
      photoTip: '#crm-attachment-tip-photo',
    };
    const expected: Record<string, (keyof typeof rows)[]> = {
      upload: ['file', 'name', 'uploadTip'],
      list: ['list', 'output', 'uploadTip'], // returnAll is true in the node
      download: ['att', 'uploadTip'],
      delete: ['att', 'uploadTip'],
      uploadPhoto: ['name', 'photo', 'photoTip'],
      downloadPhoto: ['photoTip'],
      deletePhoto: ['photoTip'],
      // "- set by msg.operation -": every row
      msg: ['att', 'file', 'list', 'output', 'name', 'photo', 'uploadTip', 'photoTip'],
    };
    for (const [op, shown] of Object.entries(expected)) {
      await page.selectOption('#node-input-operation', op);
      const vis = await visibility(page, Object.values(rows));
      for (const [name, sel] of Object.entries(rows) as [keyof typeof rows, string][]) {
        assert.equal(vis[sel], shown.includes(name), `${op}: ${name} row visible`);
      }
      assert.equal(await typedInputBox(page, 'node-input-recordId').isVisible(), true, op);
      const att = typedInputBox(page, 'node-input-attachmentId');
      const attShown = ['download', 'delete', 'msg'].includes(op);
      assert.equal(await att.isVisible(), attShown, `${op}: att id`);
      const file = typedInputBox(page, 'node-input-fileName');
      const named = ['upload', 'uploadPhoto', 'msg'].includes(op);
      assert.equal(await file.isVisible(), named, `${op}: file name`);
    }
    await page.selectOption('#node-input-operation', 'list');
    await page.uncheck('#node-input-returnAll');
    assert.equal((await visibility(page, [rows.output]))[rows.output], false, 'one page');
    await page.check('#node-input-returnAll');
    assert.equal((await visibility(page, [rows.output]))[rows.output], true, 'every page');
    await waitForOptions(page, 'crm-attachment-module-list', ['Leads', 'Contacts', 'Sensors']);
    await screenshot(page, 'crm-attachment-dialog');
    await closeDialog(page);
    noErrors(ep, 'switching attachment operations');
  });

  it('crm-watch-in: the rows follow the mode; the path is shown; module picker filled', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    await openNodeDialog(page, NODES.watch);
    const rows = ['.crm-watch-webhook', '.crm-watch-poll'];
    for (const mode of ['webhook', 'poll', 'webhook']) {
      await page.selectOption('#node-input-mode', mode);
      const vis = await visibility(page, rows);
      assert.equal(vis['.crm-watch-webhook'], mode === 'webhook', `${mode}: webhook rows`);
      assert.equal(vis['.crm-watch-poll'], mode === 'poll', `${mode}: poll rows`);
    }
    assert.equal(await typedInputBox(page, 'node-input-publicUrl').isVisible(), true);
    assert.equal(await page.textContent('#crm-watch-path'), `/zoho-watch/${NODES.watch}`);
    await waitForOptions(page, 'crm-watch-module-list', ['Leads', 'Contacts', 'Deals']);
    // The field filter's picker: the module's fields, then Module.Field with several modules.
    const fields = await waitForOptions(page, 'crm-watch-field-list', ['Lead_Status', 'Email']);
    assert.ok(!fields.includes('Stage'), `Leads fields only: ${fields.join(',')}`);
    await page.fill('#node-input-modules', 'Leads, Deals');
    await page.press('#node-input-modules', 'Tab');
    const both = await waitForOptions(page, 'crm-watch-field-list', ['Leads.Email', 'Deals.Stage']);
    assert.ok(!both.includes('Email'), 'qualified names only');
    await page.fill('#node-input-modules', 'Leads');
    await page.press('#node-input-modules', 'Tab');
    assert.ok(await page.locator('#node-input-watchFields').isVisible(), 'in both modes');
    await screenshot(page, 'crm-watch-in-dialog');
    await closeDialog(page);
    noErrors(ep, 'switching crm-watch-in modes');
  });

  it('crm-coql: the query editor holds the query; Return all shows Stop after', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    await openNodeDialog(page, NODES.coql);
    await page
      .locator('#node-input-query-editor .ace_content, #node-input-query-editor .monaco-editor')
      .first()
      .waitFor();
    const text = await page.locator('#node-input-query-editor').textContent();
    assert.match(text ?? '', /SELECT\s+Last_Name\s+FROM\s+Leads/);
    const max = '.crm-coql-row-max';
    assert.equal((await visibility(page, [max]))[max], false, 'one page: no Stop after');
    await page.check('#node-input-returnAll');
    assert.equal((await visibility(page, [max]))[max], true, 'return all: Stop after');
    assert.equal(await page.locator('#node-input-maxRecords').isVisible(), true);
    await page.fill('#node-input-maxRecords', '500');
    await screenshot(page, 'crm-coql-dialog');
    await page.click('#node-dialog-ok');
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    const saved = await page.evaluate((id) => {
      const red = (
        globalThis as unknown as {
          RED: { nodes: { node(id: string): Record<string, unknown> | null } };
        }
      ).RED;
      const n = red.nodes.node(id);
      return n && { query: n.query, returnAll: n.returnAll, maxRecords: n.maxRecords };
    }, NODES.coql);
    assert.deepEqual(saved, {
      query: 'SELECT Last_Name FROM Leads WHERE Last_Name is not null LIMIT 10',
      returnAll: true,
      maxRecords: '500',
    });
    noErrors(ep, 'editing a COQL node');
  });

  it('zoho-raw: the body row follows the method; products and types are offered', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    await openNodeDialog(page, NODES.raw);
    const body = '.zoho-raw-row-body';
    const expected: Record<string, boolean> = {
      GET: false,
      POST: true,
      PUT: true,
      PATCH: true,
      DELETE: true,
      HEAD: false,
    };
    for (const [method, shown] of Object.entries(expected)) {
      await page.selectOption('#node-input-method', method);
      assert.equal((await visibility(page, [body]))[body], shown, `${method}: body row`);
      assert.equal(await page.locator('#node-input-bodyType').isVisible(), shown);
    }
    await page.selectOption('#node-input-method', 'POST');
    const bodyTypes = await page.$$eval('#node-input-bodyType option', (o) =>
      o.map((x) => (x as unknown as { value: string }).value),
    );
    assert.deepEqual(bodyTypes, ['json', 'form', 'multipart', 'none']);
    for (const bt of bodyTypes) await page.selectOption('#node-input-bodyType', bt);
    const products = await page.$$eval('#node-input-product option', (o) =>
      o.map((x) => (x as unknown as { value: string; textContent: string }).textContent),
    );
    assert.ok(products.includes('Zoho CRM') && products.includes('Zoho Books'), products.join());
    assert.equal(await page.inputValue('#node-input-product'), 'crm');
    await screenshot(page, 'zoho-raw-dialog');
    await closeDialog(page);
    noErrors(ep, 'switching methods');
  });

  it('zoho-raw: empty Query and Headers mean none (valid after Done); bad JSON is flagged', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    /** Opens the dialog, types query and headers, clicks Done: the node's validity after it. */
    const validAfterDone = async (query: string, headers: string): Promise<unknown> => {
      await openNodeDialog(page, NODES.raw);
      await typedInputBox(page, 'node-input-query').fill(query);
      await typedInputBox(page, 'node-input-headers').fill(headers);
      await page.click('#node-dialog-ok');
      await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
      return page.evaluate(
        (id) => (globalThis as unknown as { RED: EditorRed }).RED.nodes.node(id)?.valid,
        NODES.raw,
      );
    };
    assert.equal(await validAfterDone('', ''), true, 'empty Query and Headers are valid');
    assert.equal(await validAfterDone('{"page":"2"}', '{"X-Test":"1"}'), true, 'JSON is valid');
    assert.equal(await validAfterDone('{"page":', ''), false, 'broken JSON in Query is flagged');
    assert.equal(await validAfterDone('', '[1,'), false, 'broken JSON in Headers is flagged');
    noErrors(ep, 'Done on zoho-raw');
  });

  it('the help sidebar documents every property of every dialog', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    const missing: string[] = [];
    for (const type of Object.values(TYPES)) {
      const locale = JSON.parse(
        fs.readFileSync(path.join(LOCALES, `${type}.json`), 'utf8'),
      ) as Record<string, { label: Record<string, string> }>;
      const labels = Object.entries(locale[type].label).filter(([k]) => k !== 'name');
      const help = await page.evaluate((t) => {
        const $ = (globalThis as unknown as { $: JQ }).$;
        return $(`script[data-help-name="${t}"]`).html();
      }, type);
      assert.ok(help && help.length > 200, `${type}: help text loaded`);

      // The sidebar shows it.
      await page.evaluate((t) => {
        const red = (
          globalThis as unknown as { RED: { sidebar: { help: { show(t: string): void } } } }
        ).RED;
        red.sidebar.help.show(t);
      }, type);
      const shown = page.locator('.red-ui-help').filter({ hasText: 'Properties' }).first();
      await shown.waitFor({ state: 'visible', timeout: 5_000 });
      const sidebar = (await shown.textContent()) ?? '';
      await screenshot(page, `help-${type}`);
      const defaults = await page.evaluate((t) => {
        const red = (
          globalThis as unknown as {
            RED: { nodes: { getType(t: string): { defaults: Record<string, unknown> } } };
          }
        ).RED;
        return Object.keys(red.nodes.getType(t).defaults);
      }, type);

      const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ');
      const text = norm(sidebar);
      for (const [key, label] of labels) {
        // The label's short form ("Return all records (walk every page)" -> "Return all records").
        const short = norm(label.replace(/\s*\(.*$/, ''));
        if (!text.includes(short) && !text.includes(key.toLowerCase())) {
          missing.push(`${type}: "${label}" (${key})`);
        }
      }
      for (const key of defaults) {
        if (key === 'name' || /Type$/.test(key)) continue;
        const label = locale[type].label[key];
        const short = label ? norm(label.replace(/\s*\(.*$/, '')) : '';
        if (!text.includes(key.toLowerCase()) && !(short && text.includes(short))) {
          missing.push(`${type}: property ${key} not documented`);
        }
      }
    }
    assert.deepEqual(missing, [], 'properties the help sidebar does not mention');
    noErrors(ep, 'showing the help');
  });
});
