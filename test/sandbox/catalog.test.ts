/**
 * The client's Books catalog (src/zoho/books/catalog.ts) against the sandbox's model of Zoho
 * (src/sandbox/books/defs.ts). They are written apart on purpose — the sandbox models Zoho, not
 * our client — so this suite is what fails when they disagree about an entity: its envelope
 * keys, id field, parent and actions in the definitions, and its paths over HTTP.
 */
import assert from 'node:assert/strict';
import { accountsFamily } from '../../src/sandbox/accounts';
import { ENTITY_BY_NAME, ENTITY_DEFS, type EntityDef } from '../../src/sandbox/books/defs';
import { booksFamily, type BooksFamily } from '../../src/sandbox/books/index';
import { BOOKS_TYPES, type BooksTypeInfo } from '../../src/zoho/books/catalog';
import { authHeader, issueTokens, useSandbox } from '../helpers/sandbox';

/** Types the sandbox serves that the client reaches by name only (no catalog entry). */
const BY_NAME_ONLY = ['recurringinvoices'];
/** A well-formed id no entity has: the sandbox answers "does not exist" where the path is known. */
const MISSING_ID = '999999999';

const sandboxDef = (name: string): EntityDef => {
  const def = ENTITY_BY_NAME.get(name);
  assert.ok(def, `${name}: served by the sandbox`);
  return def;
};
const actionPaths = (actions: Record<string, { path: string }> = {}): Record<string, string> =>
  Object.fromEntries(Object.entries(actions).map(([name, a]) => [name, a.path]));

describe('catalog: the client and the sandbox agree about every Books entity', function () {
  it('every client type is a sandbox entity with the same envelope keys, id field and parent', () => {
    for (const [name, info] of Object.entries(BOOKS_TYPES)) {
      const def = sandboxDef(name);
      assert.equal(def.singular, info.singular, `${name}: key of one entity`);
      assert.equal(def.plural, info.plural, `${name}: key of a list`);
      assert.equal(def.idField, info.idField, `${name}: id field`);
      assert.equal(def.parent, info.parent, `${name}: parent`);
    }
  });

  it('both sides offer the same actions on the same paths', () => {
    for (const [name, info] of Object.entries(BOOKS_TYPES)) {
      assert.deepEqual(
        actionPaths(sandboxDef(name).actions),
        actionPaths(info.actions),
        `${name}: actions (sandbox, client)`,
      );
    }
  });

  it('the sandbox serves no type the client lacks, except those reached by name', () => {
    const unknown = ENTITY_DEFS.map((d) => d.name).filter((n) => !(n in BOOKS_TYPES));
    assert.deepEqual(unknown, BY_NAME_ONLY);
  });

  describe('over HTTP, the paths the client builds from its catalog', function () {
    let books: BooksFamily;
    const sb = useSandbox({ creditLimit: 0 }, () => {
      books = booksFamily();
      return [accountsFamily(), books];
    });
    let token = '';
    let org = '';

    before(() => {
      token = issueTokens(sb.sandbox).accessToken;
      org = books.store.defaultOrg().organization_id;
    });
    beforeEach(() => {
      books.store.clear();
      books.resetStats();
      books.config.rateLimit = { limit: 10_000, windowMs: 60_000 };
    });

    async function call(method: string, path: string, body?: unknown) {
      const url = new URL(`${sb.url}/books/v3${path}`);
      url.searchParams.set('organization_id', org);
      const res = await fetch(url, {
        method,
        headers: { ...authHeader(token), 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    }

    /** An entity of `type` in the store, its mandatory fields filled; answers its id. */
    function existing(type: string): string {
      const def = sandboxDef(type);
      const fields = Object.fromEntries(def.mandatory.map((f) => [f, 'x']));
      return String(books.store.insert(org, type, [fields])[0][def.idField]);
    }

    /** The collection path the client calls: nested types under an existing parent. */
    const collection = (name: string, info: BooksTypeInfo): string =>
      info.parent ? `/${info.parent}/${existing(info.parent)}/${name}` : `/${info.path}`;

    it('lists every type under the catalog’s path and list key', async () => {
      for (const [name, info] of Object.entries(BOOKS_TYPES)) {
        const r = await call('GET', collection(name, info));
        assert.equal(r.status, 200, `${name}: ${JSON.stringify(r.body)}`);
        assert.ok(Array.isArray(r.body[info.plural]), `${name}: a list under ${info.plural}`);
      }
    });

    it('knows every single-entity path and every action path (“does not exist”, not “invalid URL”)', async () => {
      for (const [name, info] of Object.entries(BOOKS_TYPES)) {
        const one = `${collection(name, info)}/${MISSING_ID}`;
        const paths = [one, ...Object.values(info.actions).map((a) => `${one}/${a.path}`)];
        for (const [i, path] of paths.entries()) {
          const r = await call(i === 0 ? 'GET' : 'POST', path);
          assert.equal(r.body.code, 1002, `${name}: ${path} → ${JSON.stringify(r.body)}`);
        }
      }
    });

    it('writes nested types on the catalog’s flat path, the parent id in the body', async () => {
      const flat = Object.entries(BOOKS_TYPES).filter(([, info]) => info.flatWrites);
      assert.ok(flat.length > 0, 'the catalog has types written on a flat path');
      for (const [name, info] of flat) {
        if (!info.flatWrites || !info.parent) assert.fail(`${name}: a flat path needs a parent`);
        const { path, parentField } = info.flatWrites;
        const parentId = existing(info.parent);
        const fields = Object.fromEntries(sandboxDef(name).mandatory.map((f) => [f, 'x']));
        const created = await call('POST', `/${path}`, { ...fields, [parentField]: parentId });
        assert.equal(created.status, 201, `${name}: ${JSON.stringify(created.body)}`);
        const entity = created.body[info.singular] as Record<string, unknown>;
        assert.equal(entity[parentField], parentId, `${name}: under its parent`);
        const id = String(entity[info.idField]);
        // An update on the flat path names the parent too (Zoho requires it for contact persons).
        const update = { ...fields, [parentField]: parentId };
        assert.equal((await call('PUT', `/${path}/${id}`, update)).status, 200, `${name}: update`);
        assert.equal((await call('DELETE', `/${path}/${id}`)).status, 200, `${name}: delete`);
      }
    });
  });
});
