/**
 * The books-record editor in a real Chromium against a real Node-RED and the sandbox: the dialog
 * opens error-free, the record type drives the operation choices, the operation drives the rows,
 * the organization picker is filled from the deployed, connected zoho-config (GET
 * /zoho-books/:configId/organizations of books-admin.ts), and the help documents every label.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { BOOKS_OPERATIONS, BOOKS_TYPES, booksOperations } from '../../src/zoho/books/catalog';
import {
  EditorPage,
  openNodeDialog,
  screenshot,
  typedInputBox,
  useEditor,
} from '../helpers/editor';

const CONFIG = 'books-cfg';
const TAB = 'books-tab';
const NODE = 'n-books';
const TYPE = 'books-record';
const LOCALES = path.resolve(__dirname, '..', '..', '..', 'nodes', 'locales', 'en-US');

/** In-page jQuery, typed loosely (the page is not type-checked against the editor). */
type JQ = (sel: string) => {
  length: number;
  toArray(): unknown[];
  is(s: string): boolean;
  html(): string;
  text(): string;
};

describe('books-record editor (Chromium)', function () {
  this.timeout(60_000);
  const ed = useEditor({
    flows: (sandboxUrl) => [
      { id: TAB, type: 'tab', label: 'Books' },
      {
        id: CONFIG,
        type: 'zoho-config',
        name: 'Sandbox Books',
        region: 'custom',
        accountsUrl: sandboxUrl,
        maxConcurrency: 5,
      },
      {
        id: NODE,
        type: TYPE,
        z: TAB,
        x: 200,
        y: 80,
        wires: [[]],
        name: '',
        config: CONFIG,
        recordType: 'invoices',
        parentRecordType: '',
        parentRecordId: '',
        parentRecordIdType: 'str',
        operation: 'list',
        recordId: '',
        recordIdType: 'str',
        organizationId: '',
        organizationIdType: 'str',
        searchFields: '',
        searchFieldsType: 'json',
        page: '',
        perPage: '',
        sortColumn: '',
        sortOrder: '',
        returnAll: false,
        output: 'array',
        rateLimit: 100,
      },
    ],
  });

  // Connect the deployed zoho-config with a Self Client code, as the dialog's Exchange does.
  before(async function () {
    this.timeout(20_000);
    const { status, body } = await ed.editor.connectSelfClient(CONFIG, 'ZohoBooks.fullaccess.all');
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.deployed, true, 'the zoho-config is deployed');
    assert.equal(body.connected, true, `the zoho-config connected: ${JSON.stringify(body)}`);
  });

  function noErrors(ep: EditorPage, when: string): void {
    assert.deepEqual(ep.errors(), [], `browser errors ${when}`);
  }

  async function values(page: Page, sel: string): Promise<string[]> {
    return page.$$eval(sel, (opts) => opts.map((o) => (o as unknown as { value: string }).value));
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

  it('opens error-free; type drives operations, operation drives rows; orgs picked; help complete', async () => {
    const ep = await ed.editor.openPage();
    const { page } = ep;
    const orgsCall = page.waitForResponse((r) =>
      r.url().includes(`/zoho-books/${CONFIG}/organizations`),
    );
    await openNodeDialog(page, NODE);
    assert.equal(await page.inputValue('#node-input-config'), CONFIG, 'connection');
    const formText = await page.evaluate(() => {
      const $ = (globalThis as unknown as { $: JQ }).$;
      return $('#dialog-form').text();
    });
    assert.doesNotMatch(formText, /books-record\.(label|tip|type|operation|action)\./);

    // The record-type picker offers the runtime's Books types, in its order, the saved one chosen.
    assert.deepEqual(await values(page, '#books-record-type option'), [
      ...Object.keys(BOOKS_TYPES),
      '_other',
      'msg', // "- set by msg.recordType -"
    ]);
    for (const known of ['contacts', 'contactpersons', 'invoices', 'chartofaccounts', 'taxes']) {
      assert.ok(known in BOOKS_TYPES, `the catalog still knows ${known}`);
    }
    assert.equal(await page.inputValue('#books-record-type'), 'invoices');
    assert.equal(await page.inputValue('#node-input-operation'), 'list');

    // The organization picker: both sandbox organizations, the default one marked.
    const orgRes = await orgsCall;
    assert.equal(orgRes.status(), 200, await orgRes.text());
    const orgBody = (await orgRes.json()) as {
      organizations: { organization_id: string; name: string; is_default_org: boolean }[];
    };
    assert.deepEqual(
      orgBody.organizations.map((o) => [o.organization_id, o.is_default_org]),
      [
        ['10234695', true],
        ['20234696', false],
      ],
    );
    await page.waitForTimeout(500); // every organizations request answered
    const orgs = await page.$$eval('#books-record-org-list option', (opts) =>
      opts.map((o) => [(o as unknown as { value: string }).value, o.textContent]),
    );
    assert.deepEqual(orgs, [
      ['10234695', 'Sandbox Trading Ltd (default)'],
      ['20234696', 'Sandbox Europe GmbH'],
    ]);
    assert.equal(await page.locator('#books-record-org-hint').textContent(), '', 'no hint');
    // The organizations are a visible dropdown on the box the user types in.
    await page.locator('.zoho-picker-open[data-zoho-picker="#books-record-org-list"]').click();
    const menu = page.locator('.red-ui-autoComplete-container');
    await menu.waitFor({ state: 'visible' });
    assert.deepEqual(await menu.locator('li a').allTextContents(), [
      'Sandbox Trading Ltd (default) — 10234695',
      'Sandbox Europe GmbH — 20234696',
    ]);
    await menu.locator('li a').nth(1).click();
    assert.equal(await typedInputBox(page, 'node-input-organizationId').inputValue(), '20234696');

    // The record type changes the operation choices: the runtime's operations for that type.
    const crud = [...BOOKS_OPERATIONS];
    const expectedOps: Record<string, string[]> = { _other: crud };
    for (const type of Object.keys(BOOKS_TYPES)) expectedOps[type] = booksOperations(type);
    assert.deepEqual(expectedOps.invoices.slice(crud.length, crud.length + 3), [
      'email',
      'mark_as_sent',
      'void',
    ]);
    assert.deepEqual(expectedOps.contactpersons, crud);
    for (const [type, ops] of Object.entries(expectedOps)) {
      await page.selectOption('#books-record-type', type);
      // Each type's operations, then "- set by msg.operation -".
      const offered = await values(page, '#node-input-operation option');
      assert.deepEqual(offered, [...ops, 'msg'], `${type}: ops`);
    }
    await page.selectOption('#books-record-type', 'contacts');
    const contactOps = await values(page, '#node-input-operation option');
    assert.ok(!contactOps.includes('void') && !contactOps.includes('email'), 'contacts: no void');
    // An action not offered by the new type falls back to get.
    await page.selectOption('#books-record-type', 'invoices');
    await page.selectOption('#node-input-operation', 'void');
    await page.selectOption('#books-record-type', 'contacts');
    assert.equal(await page.inputValue('#node-input-operation'), 'get', 'void gone: get');

    // The operation shows exactly its rows.
    const rows = {
      id: '.books-record-row-id',
      list: '.books-record-row-list',
      page: '.books-record-row-page',
      output: '.books-record-row-output',
      parent: '.books-record-row-parent',
      other: '#books-record-type-other-row',
    };
    type Row = keyof typeof rows;
    const check = async (what: string, shown: Row[]) => {
      const vis = await visibility(page, Object.values(rows));
      for (const [name, sel] of Object.entries(rows) as [Row, string][]) {
        assert.equal(vis[sel], shown.includes(name), `${what}: ${name} row (${sel}) visible`);
      }
      assert.equal(await page.locator('#node-input-operation').isVisible(), true, what);
      assert.equal(await typedInputBox(page, 'node-input-organizationId').isVisible(), true);
      assert.equal(await page.locator('#node-input-rateLimit').isVisible(), true, what);
      assert.equal(await page.locator('#node-input-name').isVisible(), true, what);
    };
    await page.selectOption('#books-record-type', 'invoices');
    const byOp: Record<string, Row[]> = {
      get: ['id'],
      list: ['list', 'page'],
      create: [],
      update: ['id'],
      delete: ['id'],
      email: ['id'],
      mark_as_sent: ['id'],
      void: ['id'],
    };
    for (const [op, shown] of Object.entries(byOp)) {
      await page.selectOption('#node-input-operation', op);
      await check(`invoices/${op}`, shown);
      assert.equal(
        await typedInputBox(page, 'node-input-recordId').isVisible(),
        shown.includes('id'),
        `${op}: record id box`,
      );
    }
    // Get of a document offers its PDF (print once PDF is chosen); create sends; writes number.
    const fileRows = {
      format: '.books-record-row-format',
      print: '.books-record-row-print',
      send: '.books-record-row-send',
      numbering: '.books-record-row-numbering',
    };
    const fileCheck = async (what: string, shown: string[]) => {
      const vis = await visibility(page, Object.values(fileRows));
      for (const [name, sel] of Object.entries(fileRows))
        assert.equal(vis[sel], shown.includes(name), `${what}: ${name} row visible`);
    };
    await page.selectOption('#node-input-operation', 'get');
    await fileCheck('invoices/get', ['format']);
    await page.selectOption('#node-input-format', 'pdf');
    await fileCheck('invoices/get as pdf', ['format', 'print']);
    await page.selectOption('#node-input-format', 'json');
    await page.selectOption('#node-input-operation', 'create');
    await fileCheck('invoices/create', ['send', 'numbering']);
    await page.selectOption('#node-input-operation', 'update');
    await fileCheck('invoices/update', ['numbering']);
    await page.selectOption('#books-record-type', 'contacts');
    await page.selectOption('#node-input-operation', 'get');
    await fileCheck('contacts/get (no PDF)', []);
    await page.selectOption('#books-record-type', 'invoices');
    await page.selectOption('#node-input-operation', 'list');
    for (const sel of ['#node-input-sortColumn', '#node-input-sortOrder', '#node-input-perPage']) {
      assert.equal(await page.locator(sel).isVisible(), true, `list: ${sel}`);
    }
    assert.equal(await typedInputBox(page, 'node-input-searchFields').isVisible(), true);
    assert.equal(await page.locator('#node-input-page').isVisible(), true, 'list: page');
    // Return all: the page row gives way to the output row.
    await page.check('#node-input-returnAll');
    await check('list + return all', ['list', 'output']);
    await page.uncheck('#node-input-returnAll');
    await check('list, one page', ['list', 'page']);

    // Contact persons: the parent rows, parent type filled in.
    await page.selectOption('#books-record-type', 'contactpersons');
    assert.equal(await page.inputValue('#node-input-parentRecordType'), 'contacts');
    await check('contactpersons/list', ['list', 'page', 'parent']);
    assert.equal(await typedInputBox(page, 'node-input-parentRecordId').isVisible(), true);
    await page.selectOption('#node-input-operation', 'get');
    await check('contactpersons/get', ['id', 'parent']);
    // Other (by name): the name row and the parent rows.
    await page.selectOption('#books-record-type', '_other');
    await check('_other/get', ['id', 'parent', 'other']);
    await page.selectOption('#books-record-type', 'contacts');
    await check('contacts/get', ['id']);
    await screenshot(page, 'books-record-dialog');
    await page.waitForTimeout(300); // let the picker's requests settle
    await closeDialog(page);
    noErrors(ep, 'using the books-record dialog');

    // The help sidebar mentions every label of the dialog.
    const locale = JSON.parse(fs.readFileSync(path.join(LOCALES, `${TYPE}.json`), 'utf8')) as {
      [TYPE]: { label: Record<string, string> };
    };
    await page.evaluate((t) => {
      const red = (
        globalThis as unknown as { RED: { sidebar: { help: { show(t: string): void } } } }
      ).RED;
      red.sidebar.help.show(t);
    }, TYPE);
    const shown = page.locator('.red-ui-help').filter({ hasText: 'Properties' }).first();
    await shown.waitFor({ state: 'visible', timeout: 5_000 });
    const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ');
    const text = norm((await shown.textContent()) ?? '');
    assert.ok(text.includes('zoho books'), 'the books-record help is shown');
    const missing = Object.entries(locale[TYPE].label)
      .filter(([k]) => k !== 'name')
      .filter(([k, label]) => {
        const short = norm(label.replace(/\s*\(.*$/, ''));
        return !text.includes(short) && !text.includes(k.toLowerCase());
      })
      .map(([k, label]) => `"${label}" (${k})`);
    assert.deepEqual(missing, [], 'labels the help sidebar does not mention');
    await screenshot(page, 'help-books-record');
    noErrors(ep, 'showing the help');
  });
});
