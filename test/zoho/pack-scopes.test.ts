/**
 * The pack's one scope list (src/zoho/core/scopes.ts): the default scopes cover every operation's
 * needs, the grammar of a granted scope, and the editor's copy in resources/catalog.js (written
 * by scripts/build.js) is this list, its `covers` the same function.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { DEFAULT_SCOPES } from '../../src/zoho/core/consent';
import {
  BOOKS_SCOPE_NEEDS,
  CRM_SCOPE_NEEDS,
  PACK_SCOPES,
  ScopeNeed,
  probeCall,
  scopeCovers,
} from '../../src/zoho/core/scopes';

/** Every need the list names, CRM record and attachment operations on a module. */
function everyNeed(): ScopeNeed[] {
  const crmOps = [CRM_SCOPE_NEEDS.records, CRM_SCOPE_NEEDS.attachments].flatMap((table) =>
    Object.values(table).flat(),
  );
  const books = [...Object.values(BOOKS_SCOPE_NEEDS.operations), BOOKS_SCOPE_NEEDS.actions];
  return [
    ...crmOps.map((op): ScopeNeed => ({
      service: 'ZohoCRM',
      name: 'modules',
      op,
      module: 'Leads',
    })),
    ...CRM_SCOPE_NEEDS.coql,
    ...Object.values(CRM_SCOPE_NEEDS.metadata).flat(),
    ...Object.values(CRM_SCOPE_NEEDS.recordActions).flat(),
    ...CRM_SCOPE_NEEDS.watch,
    ...CRM_SCOPE_NEEDS.poll,
    ...books.map((op): ScopeNeed => ({ service: 'ZohoBooks', name: 'invoices', op })),
  ];
}

interface EditorScopes {
  defaults: string[];
  crm: unknown;
  books: unknown;
  covers: (granted: string, need: ScopeNeed) => boolean;
}

function editorScopes(): EditorScopes {
  const root = path.join(__dirname, '..', '..', '..');
  const window: { ZohoPack?: { scopes: EditorScopes } } = {};
  vm.runInNewContext(fs.readFileSync(path.join(root, 'resources', 'catalog.js'), 'utf8'), {
    window,
  });
  assert.ok(window.ZohoPack, 'resources/catalog.js sets window.ZohoPack');
  return window.ZohoPack.scopes;
}

describe('the pack scope list', () => {
  it('DEFAULT_SCOPES are the scopes of PACK_SCOPES and cover every operation', () => {
    assert.deepEqual(
      DEFAULT_SCOPES,
      PACK_SCOPES.map((p) => p.scope),
    );
    for (const need of everyNeed()) {
      assert.ok(
        DEFAULT_SCOPES.some((granted) => scopeCovers(granted, need)),
        `a default scope covers ${JSON.stringify(need)}`,
      );
    }
  });

  it('a granted scope covers its operation, ALL every operation, a module scope its module only', () => {
    const leadsCreate: ScopeNeed = {
      service: 'ZohoCRM',
      name: 'modules',
      op: 'CREATE',
      module: 'Leads',
    };
    assert.equal(scopeCovers('ZohoCRM.modules.CREATE', leadsCreate), true);
    assert.equal(scopeCovers('ZohoCRM.modules.READ', leadsCreate), false);
    assert.equal(scopeCovers('zohocrm.modules.all', leadsCreate), true);
    assert.equal(scopeCovers('ZohoCRM.modules.leads.ALL', leadsCreate), true);
    assert.equal(scopeCovers('ZohoCRM.modules.deals.ALL', leadsCreate), false);
    assert.equal(scopeCovers('ZohoCRM.settings.ALL', leadsCreate), false);
    assert.equal(scopeCovers('ZohoCRM', leadsCreate), false);
    const invoices: ScopeNeed = { service: 'ZohoBooks', name: 'invoices', op: 'DELETE' };
    assert.equal(scopeCovers('ZohoBooks.fullaccess.all', invoices), true);
    assert.equal(scopeCovers('ZohoBooks.invoices.READ', invoices), false);
    assert.equal(scopeCovers('ZohoCRM.modules.ALL', invoices), false);
    // Send mail has a scope of its own: a modules scope does not cover it.
    const mail = CRM_SCOPE_NEEDS.recordActions.sendMail[0];
    assert.equal(scopeCovers('ZohoCRM.send_mail.all.CREATE', mail), true);
    assert.equal(scopeCovers('ZohoCRM.modules.ALL', mail), false);
    // …granted for all modules or for the node's own: per module covers that module only.
    assert.equal(scopeCovers('ZohoCRM.send_mail.leads.CREATE', mail), false);
    const leadsMail: ScopeNeed = { ...mail, ownModule: 'Leads' };
    assert.equal(scopeCovers('ZohoCRM.send_mail.leads.CREATE', leadsMail), true);
    assert.equal(scopeCovers('ZohoCRM.send_mail.all.CREATE', leadsMail), true);
    assert.equal(scopeCovers('ZohoCRM.send_mail.deals.CREATE', leadsMail), false);
  });

  it('the editor copy (resources/catalog.js) is this list, with the same covers', () => {
    const editor = editorScopes();
    const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
    assert.deepEqual(plain(editor.defaults), DEFAULT_SCOPES);
    assert.deepEqual(plain(editor.crm), plain(CRM_SCOPE_NEEDS));
    assert.deepEqual(plain(editor.books), plain(BOOKS_SCOPE_NEEDS));
    const samples = [
      'ZohoCRM.modules.READ',
      'ZohoCRM.modules.leads.ALL',
      'ZohoBooks.fullaccess.all',
    ];
    for (const need of everyNeed()) {
      for (const granted of samples) {
        assert.equal(editor.covers(granted, need), scopeCovers(granted, need), granted);
      }
    }
  });

  it('the outbox probes with a read the grant allows: CRM GET /org, Books GET /organizations', () => {
    const probe = (scopes: string) => {
      const c = probeCall(scopes.split(','));
      return `${c.product} ${c.path}`;
    };
    assert.equal(probe(DEFAULT_SCOPES.join(',')), 'crm /v8/org');
    assert.equal(probe('ZohoCRM.org.READ'), 'crm /v8/org');
    assert.equal(probe('ZohoBooks.fullaccess.all'), 'books /books/v3/organizations');
    assert.equal(
      probe('ZohoCRM.modules.ALL,ZohoBooks.settings.READ'),
      'books /books/v3/organizations',
    );
    // Nothing covers a probe: a call of the grant's own product (a refusal proves Zoho answered).
    assert.equal(probe('ZohoBooks.invoices.CREATE'), 'books /books/v3/organizations');
    assert.equal(probe('ZohoCRM.modules.leads.ALL'), 'crm /v8/org');
  });
});
