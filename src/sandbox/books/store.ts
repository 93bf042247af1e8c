/**
 * The Books sandbox's data: organizations, and per organization the entities of every type
 * (contact persons keep their contact's id). Ids are digit strings like Zoho's.
 */
import { ENTITY_BY_NAME, type EntityDef } from './defs';
import { orgDay, orgTimestamp } from './time';

export type Entity = Record<string, unknown>;

/** The one file an invoice, bill or expense keeps (files.ts). */
export interface StoredFile {
  fileName: string;
  contentType: string;
  data: Buffer;
}

export interface Organization {
  organization_id: string;
  name: string;
  is_default_org: boolean;
  currency_code: string;
  time_zone: string;
  country: string;
  [key: string]: unknown;
}

export const SANDBOX_ORGS: Organization[] = [
  {
    organization_id: '10234695',
    name: 'Sandbox Trading Ltd',
    is_default_org: true,
    currency_code: 'USD',
    // As the org of the recorded answers (docs/ZOHO-FACTS.md): a zone with an offset and DST.
    time_zone: 'America/New_York',
    country: 'U.S.A',
    user_role: 'admin',
    account_created_date: '2024-01-02',
  },
  {
    organization_id: '20234696',
    name: 'Sandbox Europe GmbH',
    is_default_org: false,
    currency_code: 'EUR',
    time_zone: 'Europe/Berlin',
    country: 'Germany',
    user_role: 'admin',
    account_created_date: '2024-03-04',
  },
];

export class BooksStore {
  readonly orgs: Organization[] = SANDBOX_ORGS.map((o) => ({ ...o }));
  private readonly data = new Map<string, Map<string, Map<string, Entity>>>();
  private nextId = 460000000010000n;
  private readonly numbers = new Map<string, number>();
  /** By `org:type:id`; a record's file goes with the record. */
  private readonly files = new Map<string, StoredFile>();
  now: () => number = Date.now;

  org(id: string): Organization | undefined {
    return this.orgs.find((o) => o.organization_id === id);
  }

  defaultOrg(): Organization {
    return this.orgs.find((o) => o.is_default_org) ?? this.orgs[0];
  }

  table(orgId: string, type: string): Map<string, Entity> {
    let org = this.data.get(orgId);
    if (!org) {
      org = new Map();
      this.data.set(orgId, org);
    }
    let table = org.get(type);
    if (!table) {
      table = new Map();
      org.set(type, table);
    }
    return table;
  }

  newId(): string {
    this.nextId += 1n;
    return this.nextId.toString();
  }

  nextNumber(orgId: string, def: EntityDef): string | undefined {
    if (!def.number) return undefined;
    const key = `${orgId}:${def.name}`;
    const n = (this.numbers.get(key) ?? 0) + 1;
    this.numbers.set(key, n);
    return `${def.number.prefix}${String(n).padStart(def.number.digits ?? 6, '0')}`;
  }

  timeZone(orgId: string): string {
    return this.org(orgId)?.time_zone ?? 'Etc/UTC';
  }

  /** Now, as Zoho Books writes it for the organization (time.ts). */
  timestamp(orgId: string): string {
    return orgTimestamp(this.now(), this.timeZone(orgId));
  }

  get(orgId: string, type: string, id: string): Entity | undefined {
    return this.data.get(orgId)?.get(type)?.get(id);
  }

  count(orgId: string, type: string): number {
    return this.data.get(orgId)?.get(type)?.size ?? 0;
  }

  /** Inserts without the API's checks (seeding, tests); returns the stored entities. */
  insert(orgId: string, type: string, entities: Entity[]): Entity[] {
    const def = ENTITY_BY_NAME.get(type);
    if (!def) throw new Error(`books sandbox: unknown type ${type}`);
    return entities.map((e) => this.put(orgId, def, e));
  }

  put(orgId: string, def: EntityDef, body: Entity): Entity {
    const id = this.newId();
    const time = this.timestamp(orgId);
    const entity: Entity = { [def.idField]: id };
    const number = this.nextNumber(orgId, def);
    if (number && def.number) entity[def.number.field] = number;
    if (def.status) entity[def.status.field] = def.status.initial;
    Object.assign(entity, body, { [def.idField]: id });
    entity.created_time = time;
    entity.last_modified_time = time;
    this.derive(orgId, def, entity);
    this.table(orgId, def.name).set(id, entity);
    return entity;
  }

  update(orgId: string, def: EntityDef, entity: Entity, body: Entity): Entity {
    const id = entity[def.idField];
    Object.assign(entity, body, { [def.idField]: id });
    entity.last_modified_time = this.timestamp(orgId);
    this.derive(orgId, def, entity);
    return entity;
  }

  file(orgId: string, type: string, id: string): StoredFile | undefined {
    return this.files.get(`${orgId}:${type}:${id}`);
  }

  setFile(orgId: string, type: string, id: string, file: StoredFile): void {
    this.files.set(`${orgId}:${type}:${id}`, file);
  }

  deleteFile(orgId: string, type: string, id: string): boolean {
    return this.files.delete(`${orgId}:${type}:${id}`);
  }

  remove(orgId: string, type: string, id: string): boolean {
    const table = this.data.get(orgId)?.get(type);
    if (!table?.delete(id)) return false;
    this.deleteFile(orgId, type, id);
    if (type === 'contacts') {
      const persons = this.data.get(orgId)?.get('contactpersons');
      for (const [pid, p] of persons ?? []) if (p.contact_id === id) persons!.delete(pid);
    }
    return true;
  }

  clear(): void {
    this.data.clear();
    this.numbers.clear();
    this.files.clear();
  }

  /** Computed fields Zoho fills in: names of referenced contacts, totals of line items. */
  private derive(orgId: string, def: EntityDef, entity: Entity): void {
    for (const ref of def.contactRefs ?? []) {
      const contact = this.get(orgId, 'contacts', String(entity[ref]));
      if (contact) entity[ref.replace(/_id$/, '_name')] = contact.contact_name;
    }
    if (def.name === 'contacts') entity.contact_type ??= 'customer';
    if (def.name === 'chartofaccounts') entity.is_active ??= true;
    if (Array.isArray(entity.line_items) && def.name !== 'journals') {
      let total = 0;
      for (const line of entity.line_items as Entity[]) {
        if (!line || typeof line !== 'object') continue;
        const amount = Number(line.quantity ?? 1) * Number(line.rate ?? 0);
        if (Number.isFinite(amount)) {
          line.item_total = amount;
          total += amount;
        }
      }
      entity.sub_total = total;
      entity.total = total;
      entity.balance ??= total;
    }
    if (def.status && entity.date === undefined && def.contactRefs) {
      entity.date = orgDay(this.now(), this.timeZone(orgId)).date;
    }
  }
}
