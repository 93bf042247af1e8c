/**
 * The Zoho Books v3 API family of the sandbox (`/books/v3/...`, product 'books'): two
 * organizations (one default), the entity types of defs.ts with Zoho's envelopes, filters,
 * page_context, mandatory fields, error codes and actions, `organization_id` required on every
 * call, and Books' per-minute and daily limits per organization (quota.ts).
 *
 *   const books = booksFamily({ rateLimit: { limit: 20, windowMs: 2000 } });
 *   new Sandbox({}, [accountsFamily(), books]);
 *   books.store.insert(books.store.defaultOrg().organization_id, 'contacts', [{ contact_name: 'A' }]);
 */
import { jsonText } from '../body';
import { booksError } from '../router';
import type { ApiFamily, Handler, SandboxReply, SandboxRequest } from '../types';
import { ENTITY_BY_NAME, ENTITY_DEFS, type EntityDef } from './defs';
import * as F from './files';
import * as H from './handlers';
import { BooksLimits, DEFAULT_BOOKS_DAILY_LIMIT } from './quota';
import { BooksStore, type Entity } from './store';

export { BooksStore, SANDBOX_ORGS } from './store';
export type { Entity, Organization } from './store';
export { ENTITY_DEFS, ENTITY_BY_NAME } from './defs';
export type { EntityDef, ActionDef } from './defs';

export const BOOKS_BASE = '/books/v3';

export interface BooksRateLimit {
  /** Requests per window per organization; 0 = unlimited. */
  limit: number;
  windowMs: number;
}

export interface BooksFamilyOptions {
  /** Zoho Books allows 100 requests a minute per organization (the default here). */
  rateLimit?: BooksRateLimit;
  /** Calls per organization per day (default: the recorded org's 1,000; 0 = unlimited). */
  dailyLimit?: number;
}

export interface BooksStats {
  /** Requests answered 429 by the per-organization limit. */
  throttled: number;
  /** Requests that reached a Books route with a valid organization. */
  requests: number;
}

export interface BooksFamily extends ApiFamily {
  readonly store: BooksStore;
  /** Live settings: change `rateLimit` or `dailyLimit` at any time. */
  readonly config: { rateLimit: BooksRateLimit; dailyLimit: number };
  readonly stats: BooksStats;
  resetStats(): void;
  /** Adds `count` demo contacts to an organization (default: the default org). */
  seedContacts(count: number, orgId?: string): Entity[];
}

export const DEFAULT_BOOKS_RATE_LIMIT: BooksRateLimit = { limit: 100, windowMs: 60_000 };

export function booksFamily(options: BooksFamilyOptions = {}): BooksFamily {
  const store = new BooksStore();
  const config = {
    rateLimit: { ...(options.rateLimit ?? DEFAULT_BOOKS_RATE_LIMIT) },
    dailyLimit: options.dailyLimit ?? DEFAULT_BOOKS_DAILY_LIMIT,
  };
  const stats: BooksStats = { throttled: 0, requests: 0 };
  const limits = new BooksLimits(config);
  let now: () => number = Date.now;

  /** Counts the call against its organization's limits; a reply when over one. */
  function admit(orgId: string, timeZone: string): SandboxReply | undefined {
    stats.requests++;
    const refusal = limits.admit(orgId, timeZone, now());
    stats.throttled = limits.throttled;
    return refusal;
  }

  /** Wraps a handler: organization_id required and known, then the rate limit. */
  const withOrg =
    (h: (req: SandboxRequest, orgId: string) => SandboxReply): Handler =>
    (req) => {
      const orgId = req.query.get('organization_id');
      const org = orgId ? store.org(orgId) : undefined;
      // Zoho's text for an unknown organization, as the probe of a real org recorded it;
      // a missing organization_id gets the same (its own text: unverified).
      if (!orgId || !org) {
        return booksError(
          400,
          6041,
          `This user is not associated with the CompanyID/CompanyName:${orgId ?? ''}.`,
        );
      }
      const reply = admit(orgId, org.time_zone) ?? h(req, orgId);
      const quota = limits.headers(orgId, org.time_zone, now());
      return { ...reply, headers: { ...quota, ...reply.headers } };
    };

  const typeOf = (req: SandboxRequest): EntityDef | undefined => {
    const def = ENTITY_BY_NAME.get(req.params.type ?? '');
    // Nested and settings types are reached only under their own paths.
    return def && !def.parent && def.name !== 'taxes' ? def : undefined;
  };
  const idOk = (id: string | undefined): id is string => /^\d{1,19}$/.test(id ?? '');
  const persons = ENTITY_BY_NAME.get('contactpersons')!;
  const contacts = ENTITY_BY_NAME.get('contacts')!;
  const taxes = ENTITY_BY_NAME.get('taxes')!;

  /** The body, or an error reply. */
  const withBody =
    (h: (req: SandboxRequest, orgId: string, body: Entity) => SandboxReply) =>
    (req: SandboxRequest, orgId: string): SandboxReply => {
      const parsed = H.bodyOf(req);
      return 'error' in parsed ? parsed.error : h(req, orgId, parsed.body);
    };

  /** The contact of a nested path, or Zoho's "does not exist". */
  const parent = (orgId: string, id: string | undefined): string | SandboxReply => {
    if (!idOk(id) || !store.get(orgId, 'contacts', id)) return H.doesNotExist(contacts);
    return id;
  };

  function seedContacts(count: number, orgId = store.defaultOrg().organization_id): Entity[] {
    const rows: Entity[] = [];
    const base = store.count(orgId, 'contacts');
    for (let i = 0; i < count; i++) {
      const n = String(base + i + 1).padStart(6, '0');
      rows.push({
        contact_name: `Customer ${n}`,
        company_name: `Company ${n}`,
        email: `customer${n}@example.com`,
        contact_type: i % 5 === 4 ? 'vendor' : 'customer',
      });
    }
    return store.insert(orgId, 'contacts', rows);
  }

  return {
    name: 'books',
    store,
    config,
    stats,
    resetStats() {
      stats.throttled = 0;
      stats.requests = 0;
      limits.reset();
    },
    seedContacts,
    register(r, ctx) {
      now = () => ctx.now();
      store.now = now;
      const route = (method: string, path: string, h: Handler): void =>
        // Books counts its own daily calls (quota.ts): none of CRM's credits.
        r.route(method, BOOKS_BASE + path, h, { product: 'books', credits: 0 });

      route('GET', '/organizations', () => ({
        status: 200,
        body: { code: 0, message: 'success', organizations: store.orgs },
      }));
      route('GET', '/organizations/:id', (req) => {
        const org = store.org(req.params.id ?? '');
        if (!org) return booksError(404, 1002, 'Organization does not exist.');
        return { status: 200, body: { code: 0, message: 'success', organization: org } };
      });

      // Taxes live under settings/.
      route(
        'GET',
        '/settings/taxes',
        withOrg((req, org) => H.list(store, org, taxes, req)),
      );
      route(
        'POST',
        '/settings/taxes',
        withOrg(withBody((_req, org, body) => H.create(store, org, taxes, body))),
      );
      const tax =
        (h: (id: string, org: string, req: SandboxRequest) => SandboxReply): Handler =>
        (req) =>
          withOrg((rq, org) =>
            idOk(rq.params.id) ? h(rq.params.id, org, rq) : H.doesNotExist(taxes),
          )(req, ctx);
      route(
        'GET',
        '/settings/taxes/:id',
        tax((id, org) => H.get(store, org, taxes, id)),
      );
      route(
        'PUT',
        '/settings/taxes/:id',
        tax((id, org, req) =>
          withBody((_r, o, body) => H.update(store, o, taxes, id, body))(req, org),
        ),
      );
      route(
        'DELETE',
        '/settings/taxes/:id',
        tax((id, org) => H.remove(store, org, taxes, id)),
      );

      // Contact persons: nested under their contact, and Zoho's flat write paths.
      const nested =
        (h: (req: SandboxRequest, org: string, contactId: string) => SandboxReply): Handler =>
        (req) =>
          withOrg((rq, org) => {
            const p = parent(org, rq.params.contact);
            return typeof p === 'string' ? h(rq, org, p) : p;
          })(req, ctx);
      const personId = (req: SandboxRequest): string | undefined =>
        idOk(req.params.person) ? req.params.person : undefined;
      route(
        'GET',
        '/contacts/:contact/contactpersons',
        nested((req, org, c) => H.list(store, org, persons, req, c)),
      );
      route(
        'POST',
        '/contacts/:contact/contactpersons',
        nested((req, org, c) =>
          withBody((_r, o, body) => H.create(store, o, persons, body, c))(req, org),
        ),
      );
      route(
        'GET',
        '/contacts/:contact/contactpersons/:person',
        nested((req, org, c) => {
          const id = personId(req);
          return id ? H.get(store, org, persons, id, c) : H.doesNotExist(persons);
        }),
      );
      route(
        'PUT',
        '/contacts/:contact/contactpersons/:person',
        nested((req, org, c) => {
          const id = personId(req);
          if (!id) return H.doesNotExist(persons);
          return withBody((_r, o, body) => H.update(store, o, persons, id, body, c))(req, org);
        }),
      );
      route(
        'DELETE',
        '/contacts/:contact/contactpersons/:person',
        nested((req, org, c) => {
          const id = personId(req);
          return id ? H.remove(store, org, persons, id, c) : H.doesNotExist(persons);
        }),
      );
      route(
        'POST',
        '/contacts/contactpersons',
        withOrg(
          withBody((_req, org, body) => {
            const p = parent(
              org,
              body.contact_id === undefined ? undefined : jsonText(body.contact_id),
            );
            return typeof p === 'string' ? H.create(store, org, persons, body, p) : p;
          }),
        ),
      );
      route(
        'PUT',
        '/contacts/contactpersons/:person',
        withOrg((req, org) => {
          const id = personId(req);
          if (!id) return H.doesNotExist(persons);
          return withBody((_r, o, body) => H.updatePerson(store, o, persons, id, body))(req, org);
        }),
      );
      route(
        'DELETE',
        '/contacts/contactpersons/:person',
        withOrg((req, org) => {
          const id = personId(req);
          return id ? H.remove(store, org, persons, id) : H.doesNotExist(persons);
        }),
      );

      // Every other type.
      const typed =
        (h: (req: SandboxRequest, org: string, def: EntityDef) => SandboxReply): Handler =>
        (req) => {
          const def = typeOf(req);
          if (!def) return H.invalidUrl();
          return withOrg((rq, org) => h(rq, org, def))(req, ctx);
        };
      const byId = (
        h: (req: SandboxRequest, org: string, def: EntityDef, id: string) => SandboxReply,
      ) =>
        typed((req, org, def) =>
          idOk(req.params.id) ? h(req, org, def, req.params.id) : H.doesNotExist(def),
        );
      route(
        'GET',
        '/:type',
        typed((req, org, def) => H.list(store, org, def, req)),
      );
      route(
        'POST',
        '/:type',
        typed((req, org, def) =>
          withBody((r, o, body) => H.create(store, o, def, body, undefined, r.query))(req, org),
        ),
      );
      route(
        'GET',
        '/:type/:id',
        byId((req, org, def, id) => H.get(store, org, def, id, undefined, req.query)),
      );
      // The one file of invoices and bills (/attachment) and expenses (/receipt): files.ts.
      for (const [type, slot] of Object.entries(F.FILE_SLOTS)) {
        const def = ENTITY_BY_NAME.get(type)!;
        const onFile = (
          h: (req: SandboxRequest, org: string, id: string) => SandboxReply,
        ): Handler =>
          withOrg((req, org) => {
            const id = req.params.id;
            return idOk(id) && store.get(org, type, id) ? h(req, org, id) : H.doesNotExist(def);
          });
        const path = `/${type}/:id/${slot.path}`;
        route(
          'POST',
          path,
          onFile((req, org, id) => F.addFile(store, org, def, id, req)),
        );
        route(
          'GET',
          path,
          onFile((_req, org, id) => F.getFile(store, org, def, id)),
        );
        route(
          'DELETE',
          path,
          onFile((_req, org, id) => F.deleteFile(store, org, def, id)),
        );
      }
      route(
        'PUT',
        '/:type/:id',
        byId((req, org, def, id) =>
          withBody((_r, o, body) => H.update(store, o, def, id, body))(req, org),
        ),
      );
      route(
        'DELETE',
        '/:type/:id',
        byId((_req, org, def, id) => H.remove(store, org, def, id)),
      );
      route(
        'POST',
        '/:type/:id/:action',
        byId((req, org, def, id) =>
          withBody((r, o, body) => H.act(store, o, def, id, r.params.action ?? '', body))(req, org),
        ),
      );
      route(
        'POST',
        '/:type/:id/status/:status',
        byId((req, org, def, id) => H.act(store, org, def, id, `status/${req.params.status}`)),
      );

      // Sandbox-only helpers (no Zoho counterpart): demo contacts and counts.
      const open = { auth: false, product: 'other' as const };
      r.route(
        'POST',
        '/sandbox/books/seed',
        (req) => {
          const body = (req.body ?? {}) as Record<string, unknown>;
          const count = Math.max(0, Math.min(100_000, Number(body.contacts ?? 20) || 0));
          const org = typeof body.organization_id === 'string' ? body.organization_id : undefined;
          return { status: 200, body: { inserted: seedContacts(count, org).length } };
        },
        open,
      );
      r.route(
        'GET',
        '/sandbox/books/counts',
        () => ({
          status: 200,
          body: Object.fromEntries(
            store.orgs.map((o) => [
              o.organization_id,
              Object.fromEntries(
                ENTITY_DEFS.map((d) => [d.name, store.count(o.organization_id, d.name)]),
              ),
            ]),
          ),
        }),
        open,
      );
    },
  };
}
