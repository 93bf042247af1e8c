/**
 * The Zoho CRM v8 API family of the sandbox: records, search, COQL, attachments and the
 * settings/users/org metadata, behind the core's auth, credits and faults (`product: 'crm'`).
 *
 *   const crm = crmFamily({ seed: 50 });
 *   new Sandbox({}, [accountsFamily(), crm]);
 *   crm.store.insert('Leads', [{ Last_Name: 'Doe' }]);
 */
import type { ApiFamily, Handler, RouteOptions } from '../types';
import {
  deleteAttachment,
  deleteAttachments,
  downloadAttachment,
  listAttachments,
  uploadAttachment,
} from './attachments';
import { BulkReads, type BulkReadOptions } from './bulk-read';
import { BulkWrites, type BulkWriteOptions } from './bulk-write';
import { CoqlError, runCoql } from './coql';
import { CrmContext } from './context';
import { convertLead } from './convert';
import { MassUpdates, type MassUpdateOptions } from './mass-update';
import { Mailer } from './send-mail';
import {
  BULK_READ_CREDITS,
  BULK_WRITE_CREDITS,
  CONVERT_LEAD_CREDITS,
  DELETED_IDS_CREDITS,
  coqlCredits,
  listCredits,
  tagCredits,
  writeCredits,
} from './credits';
import { recordCount } from './count';
import { sensorsModule, standardModules } from './modules';
import { NotificationHub } from './notifications';
import { ModuleRegistry } from './registry';
import { deletedRecords, getRecord, listRecords } from './records';
import { getRelatedRecords, linkRelatedRecords, listRelatedLists } from './related';
import { searchRecords } from './search';
import { changeTags, listTags } from './tags';
import { seed, type SeedCounts } from './seed';
import { listLayouts } from './layouts';
import { deletePhoto, downloadPhoto, uploadPhoto } from './photos';
import { getModule, getOrg, getUser, listFields, listModules, listUsers } from './settings';
import { CrmStore } from './store';
import type { ModuleDef } from './types';
import { error, isObject, noContent } from './util';
import { deleteRecords, writeRecords } from './writes';

export { CrmStore } from './store';
export { sensorsModule, standardModules } from './modules';
export { ModuleRegistry, systemFields } from './registry';
export { parseCriteria, compileCriteria, CriteriaError } from './criteria';
export { parseQuery, runCoql, CoqlError } from './coql';
export type * from './types';
export { NotificationHub, MAX_CHANNEL_LIFETIME_MS } from './notifications';
export type { Channel, Delivery } from './notifications';

export const CRM_BASE = '/crm/v8';

export interface CrmFamilyOptions {
  /** Extra custom modules; the default `Sensors` module is included unless `sensors: false`. */
  customModules?: ModuleDef[];
  sensors?: boolean;
  /** Demo records to load at construction: a count per module, or counts by module. */
  seed?: SeedCounts;
  /** Offset of the org's time zone in minutes (Zoho formats datetimes in it); default 0. */
  timeZoneOffsetMinutes?: number;
  /** Bulk Read job timing and size (bulk-read.ts); Zoho's 200,000 records a job by default. */
  bulkRead?: Partial<BulkReadOptions>;
  /** Bulk Write job timing (bulk-write.ts). */
  bulkWrite?: Partial<BulkWriteOptions>;
  /** Mass update job timing (mass-update.ts). */
  massUpdate?: Partial<MassUpdateOptions>;
}

export interface CrmFamily extends ApiFamily {
  readonly store: CrmStore;
  readonly modules: ModuleRegistry;
  /** The Notifications API's channels and deliveries (after the family is registered). */
  readonly notifications: NotificationHub;
  /** Bulk Read jobs; `options` may be changed at any time (after the family is registered). */
  readonly bulkReads: BulkReads;
  readonly bulkWrites: BulkWrites;
  /** Mass update jobs; `options` may be changed at any time (after the family is registered). */
  readonly massUpdates: MassUpdates;
  /** Send mail: the from addresses and the mails sent (after the family is registered). */
  readonly mailer: Mailer;
  /** Adds demo data (see seed.ts); returns the counts inserted per module. */
  seed(counts: SeedCounts, seedValue?: number): Record<string, number>;
}

export function crmFamily(options: CrmFamilyOptions = {}): CrmFamily {
  const defs = [
    ...standardModules(),
    ...(options.sensors === false ? [] : [sensorsModule()]),
    ...(options.customModules ?? []).map((m) => ({ generated_type: 'custom' as const, ...m })),
  ];
  const modules = new ModuleRegistry(defs);
  const store = new CrmStore(modules);
  store.offsetMinutes = options.timeZoneOffsetMinutes ?? 0;
  if (options.seed !== undefined) seed(store, options.seed);

  let hub: NotificationHub | undefined;
  let bulk: BulkReads | undefined;
  let writes: BulkWrites | undefined;
  let masses: MassUpdates | undefined;
  let mailer: Mailer | undefined;
  return {
    name: 'crm',
    store,
    modules,
    get notifications(): NotificationHub {
      if (!hub) throw new Error('the CRM family is not registered with a sandbox yet');
      return hub;
    },
    get bulkReads(): BulkReads {
      if (!bulk) throw new Error('the CRM family is not registered with a sandbox yet');
      return bulk;
    },
    get bulkWrites(): BulkWrites {
      if (!writes) throw new Error('the CRM family is not registered with a sandbox yet');
      return writes;
    },
    get massUpdates(): MassUpdates {
      if (!masses) throw new Error('the CRM family is not registered with a sandbox yet');
      return masses;
    },
    get mailer(): Mailer {
      if (!mailer) throw new Error('the CRM family is not registered with a sandbox yet');
      return mailer;
    },
    seed: (counts, seedValue) => seed(store, counts, seedValue),
    stop() {
      hub?.stop();
      writes?.stop();
    },
    register(r, ctx) {
      store.now = () => ctx.now();
      const c = new CrmContext(store, ctx);
      const notify = new NotificationHub(store, ctx);
      hub = notify;
      const opts: RouteOptions = { product: 'crm' };
      const route = (method: string, path: string, h: Handler, o: RouteOptions = opts): void =>
        r.route(method, CRM_BASE + path, h, o);

      route('GET', '/settings/modules', () => listModules(c));
      route('GET', '/settings/modules/:api_name', (req) => getModule(c, req));
      route('GET', '/settings/fields', (req) => listFields(c, req));
      route('GET', '/settings/layouts', (req) => listLayouts(c, req));
      route('GET', '/users', (req) => listUsers(c, req));
      route('GET', '/users/:user', (req) => getUser(c, req));
      route('GET', '/org', () => getOrg(c));
      route('GET', '/settings/related_lists', (req) => listRelatedLists(c, req));
      route('GET', '/settings/tags', (req) => listTags(c, req));
      const mail = new Mailer(c);
      mailer = mail;
      route('GET', '/settings/emails/actions/from_addresses', () => mail.listFrom());
      route(
        'POST',
        '/coql',
        (req) => {
          const body = req.body;
          const text = isObject(body) ? body.select_query : undefined;
          if (typeof text !== 'string' || text.trim() === '') {
            return error(400, 'MANDATORY_NOT_FOUND', 'required field not found', {
              api_name: 'select_query',
              json_path: '$.select_query',
            });
          }
          try {
            const result = runCoql(store, text);
            return result.data.length === 0 ? noContent() : { status: 200, body: result };
          } catch (err) {
            if (!(err instanceof CoqlError)) throw err;
            return error(400, err.code, err.message, err.details);
          }
        },
        { ...opts, credits: coqlCredits },
      );

      const reads = new BulkReads(c);
      Object.assign(reads.options, options.bulkRead);
      bulk = reads;
      const bulkRoute = (method: string, path: string, h: Handler, o: RouteOptions = opts) =>
        r.route(method, '/crm/bulk/v8/read' + path, h, o);
      bulkRoute('POST', '', (req) => reads.create(req), { ...opts, credits: BULK_READ_CREDITS });
      bulkRoute('GET', '/:job_id', (req) => reads.status(req));
      bulkRoute('GET', '/:job_id/result', (req) => reads.result(req));

      const bw = new BulkWrites(c);
      Object.assign(bw.options, options.bulkWrite);
      writes = bw;
      const writeRoute = (method: string, path: string, h: Handler, o: RouteOptions = opts) =>
        r.route(method, '/crm/bulk/v8/write' + path, h, o);
      writeRoute('POST', '', (req) => bw.create(req), { ...opts, credits: BULK_WRITE_CREDITS });
      writeRoute('GET', '/:job_id', (req) => bw.status(req));
      writeRoute('GET', '/:job_id/result', (req) => bw.result(req));
      r.route('POST', '/content/crm/v8/upload', (req) => bw.upload(req), opts);

      route('POST', '/actions/watch', (req) => notify.enable(req));
      route('PUT', '/actions/watch', (req) => notify.update(req));
      route('PATCH', '/actions/watch', (req) => notify.patch(req));
      route('DELETE', '/actions/watch', (req) => notify.remove(req));
      route('GET', '/actions/watch', (req) => notify.list(req));

      // Calls Zoho weighs apart (credits.ts).
      const costs = (credits: RouteOptions['credits']): RouteOptions => ({ ...opts, credits });
      route('GET', '/:module', (req) => listRecords(c, req), costs(listCredits));
      route('POST', '/:module', (req) => writeRecords(c, req, 'insert'), costs(writeCredits));
      route('PUT', '/:module', (req) => writeRecords(c, req, 'update'), costs(writeCredits));
      route('DELETE', '/:module', (req) => deleteRecords(c, req));
      const upsert: Handler = (req) => writeRecords(c, req, 'upsert');
      route('POST', '/:module/upsert', upsert, costs(writeCredits));
      route('GET', '/:module/search', (req) => searchRecords(c, req));
      route('GET', '/:module/deleted', (req) => deletedRecords(c, req), costs(DELETED_IDS_CREDITS));
      route('GET', '/:module/actions/count', (req) => recordCount(c, req));
      const mass = new MassUpdates(c);
      Object.assign(mass.options, options.massUpdate);
      masses = mass;
      route('POST', '/:module/actions/mass_update', (req) => mass.create(req));
      route('GET', '/:module/actions/mass_update', (req) => mass.status(req));
      route(
        'POST',
        '/:module/actions/add_tags',
        (req) => changeTags(c, req, true),
        costs(tagCredits),
      );
      route(
        'POST',
        '/:module/actions/remove_tags',
        (req) => changeTags(c, req, false),
        costs(tagCredits),
      );
      route(
        'POST',
        '/Leads/:id/actions/convert',
        (req) => convertLead(c, req),
        costs(CONVERT_LEAD_CREDITS),
      );
      route('POST', '/:module/:id/actions/send_mail', (req) => mail.send(req));
      route('GET', '/:module/:id', (req) => getRecord(c, req));
      route('PUT', '/:module/:id', (req) => writeRecords(c, req, 'update'));
      route('DELETE', '/:module/:id', (req) => deleteRecords(c, req));
      route('GET', '/:module/:record_id/Attachments', (req) => listAttachments(c, req));
      route('POST', '/:module/:record_id/Attachments', (req) => uploadAttachment(c, req));
      route('GET', '/:module/:record_id/Attachments/:id', (req) => downloadAttachment(c, req));
      route('DELETE', '/:module/:record_id/Attachments/:id', (req) => deleteAttachment(c, req));
      route('DELETE', '/:module/:record_id/Attachments', (req) => deleteAttachments(c, req));
      route('GET', '/:module/:record_id/photo', (req) => downloadPhoto(c, req));
      route('POST', '/:module/:record_id/photo', (req) => uploadPhoto(c, req));
      route('DELETE', '/:module/:record_id/photo', (req) => deletePhoto(c, req));
      route('GET', '/:module/:record_id/:related', (req) => getRelatedRecords(c, req));
      route('PUT', '/:module/:record_id/:related', (req) => linkRelatedRecords(c, req, true));
      route('DELETE', '/:module/:record_id/:related', (req) => linkRelatedRecords(c, req, false));

      // Sandbox-only helpers (no Zoho counterpart): load demo data, read counts.
      const open: RouteOptions = { auth: false, product: 'other' };
      r.route(
        'POST',
        '/sandbox/crm/seed',
        (req) => {
          const body = isObject(req.body) ? req.body : {};
          const raw = body.counts ?? body.count ?? 20;
          const counts =
            typeof raw === 'number'
              ? raw
              : isObject(raw)
                ? Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v) || 0]))
                : Number(raw) || 0;
          return { status: 200, body: { inserted: seed(store, counts) } };
        },
        open,
      );
      r.route(
        'GET',
        '/sandbox/crm/counts',
        () => ({
          status: 200,
          body: Object.fromEntries(
            modules.list().map((m) => [m.api_name, store.count(m.api_name)]),
          ),
        }),
        open,
      );
    },
  };
}
