/**
 * In-memory CRM data: records per module (kept in id order), unique-field indexes, the deleted
 * records log, attachments and users. No validation here — routes validate, tests and the
 * seeder may write anything.
 */
import { randomBytes } from 'node:crypto';
import { jsonText } from '../body';
import type { ModuleRegistry } from './registry';
import { DEFAULT_USERS, minified } from './users';

export { DEFAULT_USERS, minified } from './users';
import type {
  Attachment,
  CrmUser,
  DeletedEntry,
  FieldDef,
  MinifiedUser,
  ModuleDef,
  RecordData,
  StoredRecord,
} from './types';
import { formatTime, isObject } from './util';

/** The first digits of every id, like a Zoho org's id prefix. */
const ID_PREFIX = '4876876';

interface ModuleData {
  list: StoredRecord[];
  byId: Map<string, StoredRecord>;
  /** field → lower-cased value → record id, for unique fields. */
  unique: Map<string, Map<string, string>>;
  deleted: DeletedEntry[];
}

export interface WriteOptions {
  user?: CrmUser;
  /** Epoch ms of the write; the store's clock by default. */
  time?: number;
}

export class CrmStore {
  readonly users: CrmUser[] = DEFAULT_USERS.map((u) => ({ ...u }));
  /** Clock; the family replaces it with the sandbox's when it registers. */
  now: () => number = Date.now;
  /** Offset of the org's time zone, used in every datetime the store formats. */
  offsetMinutes = 0;
  /**
   * Bumped by every insert, update, removal and clear through the store, so a reader may keep
   * what it derives from the records (COQL's page walks, listing views) until the next write.
   */
  revision = 0;
  private readonly data = new Map<string, ModuleData>();
  private readonly moduleOf = new Map<string, string>();
  private readonly attachments = new Map<string, Attachment[]>();
  private counter = 500000;

  constructor(readonly modules: ModuleRegistry) {}

  get currentUser(): CrmUser {
    return this.users[0];
  }

  /** The org's tags by lower-cased name: one id per tag, whatever record carries it. */
  private readonly tags = new Map<string, string>();

  tagId(name: string): string {
    const key = name.toLowerCase();
    let id = this.tags.get(key);
    if (!id) this.tags.set(key, (id = this.nextId()));
    return id;
  }

  nextId(): string {
    this.counter += 1 + (this.counter % 3);
    return ID_PREFIX + String(this.counter).padStart(12, '0');
  }

  /** The last stamp formatted: a batch of 100 writes shares its second (see formatTime). */
  private lastStamp = { second: NaN, offset: NaN, text: '' };

  formatTime(ms: number): string {
    // Zoho's stamps have whole seconds, so one formatting serves every write in that second.
    const second = Math.floor(ms / 1000);
    const last = this.lastStamp;
    if (last.second !== second || last.offset !== this.offsetMinutes) {
      this.lastStamp = {
        second,
        offset: this.offsetMinutes,
        text: formatTime(ms, this.offsetMinutes),
      };
    }
    return this.lastStamp.text;
  }

  user(id: string): CrmUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  private module(name: string): ModuleData {
    let d = this.data.get(name);
    if (!d) {
      const def = this.modules.get(name);
      if (!def) throw new Error(`unknown CRM module ${name}`);
      const unique = new Map(
        def.fields.filter((x) => x.unique).map((x) => [x.api_name, new Map<string, string>()]),
      );
      d = { list: [], byId: new Map(), unique, deleted: [] };
      this.data.set(name, d);
    }
    return d;
  }

  count(module: string): number {
    return this.data.get(module)?.list.length ?? 0;
  }

  /** Records in ascending id order (the live array: do not mutate). */
  all(module: string): StoredRecord[] {
    return this.data.get(module)?.list ?? [];
  }

  get(module: string, id: string): StoredRecord | undefined {
    return this.data.get(module)?.byId.get(id);
  }

  /** Module of any stored record id (for multi-module lookups such as Notes' Parent_Id). */
  find(id: string): StoredRecord | undefined {
    const module = this.moduleOf.get(id);
    return module ? this.get(module, id) : undefined;
  }

  /** Record holding `value` in a unique field (case-insensitive), if any. */
  findUnique(module: string, field: string, value: unknown): StoredRecord | undefined {
    const index = this.data.get(module)?.unique.get(field);
    if (!index || value === null || value === undefined) return undefined;
    const id = index.get(jsonText(value).toLowerCase());
    return id ? this.get(module, id) : undefined;
  }

  /** First record whose fields all equal the given values (strings case-insensitively). */
  findMatch(module: string, values: RecordData): StoredRecord | undefined {
    const keys = Object.keys(values);
    if (keys.length === 1 && this.data.get(module)?.unique.has(keys[0])) {
      return this.findUnique(module, keys[0], values[keys[0]]);
    }
    return this.all(module).find((r) => keys.every((k) => same(r.data[k], values[k])));
  }

  /** Inserts records as given, adding ids and system fields. */
  insert(module: string, records: RecordData[], opts: WriteOptions = {}): StoredRecord[] {
    const d = this.module(module);
    const user = minified(opts.user ?? this.currentUser);
    const time = opts.time ?? this.now();
    const stamp = this.formatTime(time);
    this.revision++;
    return records.map((input) => {
      const id = this.nextId();
      const data: RecordData = {
        Owner: user,
        ...input,
        id,
        Created_By: user,
        Modified_By: user,
        Created_Time: stamp,
        Modified_Time: stamp,
      };
      const rec: StoredRecord = { id, module, data, created: time, modified: time };
      this.derive(rec);
      d.list.push(rec);
      d.byId.set(id, rec);
      this.moduleOf.set(id, module);
      this.index(d, rec, true);
      return rec;
    });
  }

  update(module: string, id: string, patch: RecordData, opts: WriteOptions = {}): StoredRecord {
    const d = this.module(module);
    const rec = d.byId.get(id);
    if (!rec) throw new Error(`no ${module} record ${id}`);
    const time = Math.max(opts.time ?? this.now(), rec.modified);
    this.revision++;
    this.index(d, rec, false);
    Object.assign(rec.data, patch, {
      id,
      Modified_By: minified(opts.user ?? this.currentUser),
      Modified_Time: this.formatTime(time),
    });
    rec.modified = time;
    this.derive(rec);
    this.index(d, rec, true);
    return rec;
  }

  /** Moves records to the recycle bin (the deleted records log). */
  remove(module: string, ids: string[], opts: WriteOptions = {}): string[] {
    const d = this.module(module);
    const gone = new Set<string>();
    const time = opts.time ?? this.now();
    const by = minified(opts.user ?? this.currentUser);
    for (const id of ids) {
      const rec = d.byId.get(id);
      if (!rec || gone.has(id)) continue;
      gone.add(id);
      this.index(d, rec, false);
      d.byId.delete(id);
      this.moduleOf.delete(id);
      this.attachments.delete(id);
      d.deleted.push({
        id,
        module,
        display_name: this.displayName(rec),
        type: 'recycle',
        created_by: rec.data.Created_By as MinifiedUser,
        deleted_by: by,
        deleted_time: this.formatTime(time),
        deletedAt: time,
      });
    }
    if (gone.size > 0) d.list = d.list.filter((r) => !gone.has(r.id));
    this.revision++;
    return [...gone];
  }

  /** Empties the recycle bin: its entries become permanently deleted. */
  purge(module: string): void {
    for (const e of this.data.get(module)?.deleted ?? []) e.type = 'permanent';
  }

  deleted(module: string): DeletedEntry[] {
    return this.data.get(module)?.deleted ?? [];
  }

  clear(module?: string): void {
    const names = module ? [module] : [...this.data.keys()];
    this.revision++;
    for (const name of names) {
      for (const rec of this.all(name)) {
        this.moduleOf.delete(rec.id);
        this.attachments.delete(rec.id);
      }
      this.data.delete(name);
    }
  }

  displayName(rec: StoredRecord): string {
    const field = this.modules.get(rec.module)?.display_field ?? 'id';
    const v = rec.data[field];
    return typeof v === 'string' ? v : rec.id;
  }

  attachmentsOf(recordId: string): Attachment[] {
    return this.attachments.get(recordId) ?? [];
  }

  addAttachment(a: Omit<Attachment, 'id' | 'fileId' | 'created'>): Attachment {
    const att: Attachment = {
      ...a,
      id: this.nextId(),
      fileId: randomBytes(24).toString('hex'),
      created: this.now(),
    };
    const list = this.attachments.get(a.recordId) ?? [];
    list.push(att);
    this.attachments.set(a.recordId, list);
    return att;
  }

  removeAttachment(recordId: string, id: string): boolean {
    const list = this.attachments.get(recordId) ?? [];
    const i = list.findIndex((a) => a.id === id);
    if (i >= 0) list.splice(i, 1);
    return i >= 0;
  }

  /** Computed fields: Full_Name, and `name` of lookups whose target exists. */
  private derive(rec: StoredRecord): void {
    const def = this.modules.get(rec.module);
    if (!def) return;
    const { fullName, lookups } = derivedFields(def);
    if (fullName) {
      const full = [rec.data.First_Name, rec.data.Last_Name].filter((x) => typeof x === 'string');
      rec.data.Full_Name = full.join(' ');
    }
    for (const field of lookups) {
      const v = rec.data[field.api_name];
      if (!isObject(v) || typeof v.id !== 'string') continue;
      if (field.type === 'lookup') {
        const target = this.find(v.id);
        rec.data[field.api_name] = target
          ? { name: this.displayName(target), id: v.id }
          : { name: v.name ?? null, id: v.id };
      } else {
        const u = this.user(v.id);
        if (u) rec.data[field.api_name] = minified(u);
      }
    }
  }

  private index(d: ModuleData, rec: StoredRecord, add: boolean): void {
    this.revision++;
    for (const [field, index] of d.unique) {
      const v = rec.data[field];
      if (v === null || v === undefined || v === '') continue;
      const key = jsonText(v).toLowerCase();
      if (add) index.set(key, rec.id);
      else if (index.get(key) === rec.id) index.delete(key);
    }
  }
}

/**
 * What derive() looks at in a module, worked out once per definition: every stored write
 * derives, and scanning all of a module's fields for it was a good part of a write's cost.
 * The registry replaces a definition rather than editing its fields, so the entry stays true.
 */
const derivedByDef = new WeakMap<ModuleDef, { fullName: boolean; lookups: FieldDef[] }>();

function derivedFields(def: ModuleDef): { fullName: boolean; lookups: FieldDef[] } {
  let found = derivedByDef.get(def);
  if (!found) {
    found = {
      fullName: def.fields.some((x) => x.api_name === 'Full_Name'),
      lookups: def.fields.filter((x) => x.type === 'lookup' || x.type === 'ownerlookup'),
    };
    derivedByDef.set(def, found);
  }
  return found;
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (isObject(a) && isObject(b)) return a.id === b.id;
  return a === b;
}
