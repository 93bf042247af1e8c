/**
 * A field filter for change watches: only edits that touch chosen fields count.
 *
 * Webhook mode hands the filter to Zoho as the channel's `notification_condition` (one
 * `field_selection` per module, OAS notifications.json `notification_condition`), so Zoho itself
 * stays quiet about other edits. Poll mode has no such help: FieldMemory keeps the last values of
 * the chosen fields per record and tells which of them an edit changed. It is bounded (an LRU of
 * MAX_REMEMBERED records per module) because it lives in the checkpoint, which a file context
 * store writes whole; a record it forgot (or never saw) has unknown old values, so its next edit
 * counts every chosen field as changed: an edit is sent twice rather than lost.
 */
import { invalidInput } from '../core/errors';
import { KEY_FIELDS, RememberedValues } from './changes';
import { CrmRecord, MAX_FIELDS } from './common';
import { checkFieldNames, checkModule } from './validate';

/** Module API name -> the field API names to watch in it. A module not named is not filtered. */
export type WatchFields = Record<string, string[]>;

/**
 * Records remembered per module. A few chosen values and an id are ~100 bytes of JSON, so the
 * checkpoint stays under ~0.5 MB a module: small enough for a file context store on a Pi's SD
 * card, large enough that only records untouched while 5,000 others were edited are forgotten.
 */
export const MAX_REMEMBERED = 5000;

/** Checks a filter against the watched modules; `param` names the setting at fault. */
export function checkWatchFields(
  value: WatchFields,
  modules: string[],
  param = 'watchFields',
): WatchFields {
  const out: WatchFields = {};
  for (const [module, fields] of Object.entries(value)) {
    checkModule(module, param);
    if (!modules.includes(module))
      throw invalidInput(`"${module}" is not one of the watched modules`, param);
    const names = [...new Set(checkFieldNames(fields, param))];
    // A poll reads them with its key fields in one call, which takes at most MAX_FIELDS.
    if (names.length > MAX_FIELDS - KEY_FIELDS.length)
      throw invalidInput(
        `Watch at most ${MAX_FIELDS - KEY_FIELDS.length} fields of ${module}, not ${names.length}`,
        param,
      );
    if (names.length > 0) out[module] = names;
  }
  return out;
}

/** Zoho's `notification_condition`: per module, notify only when one of its fields changes. */
export function notificationConditions(watch: WatchFields): Record<string, unknown>[] {
  return Object.entries(watch).map(([module, fields]) => ({
    type: 'field_selection',
    module: { api_name: module },
    field_selection: {
      group_operator: 'or',
      group: fields.map((api_name) => ({ field: { api_name } })),
    },
  }));
}

/** The chosen fields among the ones Zoho says an edit touched. */
export function chosenAmong(chosen: string[], affected: string[]): string[] {
  return chosen.filter((f) => affected.includes(f));
}

/** Zoho gives lookups and users as { id, name }: compare what identifies them, not the label. */
function comparable(value: unknown): string {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'id' in value)
    return JSON.stringify(value.id);
  return JSON.stringify(value ?? null);
}

export class FieldMemory {
  private readonly values = new Map<string, Record<string, unknown>>();
  evicted = 0;

  constructor(
    private readonly fields: string[],
    saved: RememberedValues = [],
    private readonly cap = MAX_REMEMBERED,
  ) {
    for (const entry of Array.isArray(saved) ? saved : []) {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && entry[1])
        this.values.set(entry[0], entry[1]);
    }
    this.trim();
  }

  get size(): number {
    return this.values.size;
  }

  /** Remembers a record's chosen values (a create, or an edit that passed). */
  remember(record: CrmRecord): void {
    const id = String(record.id);
    const kept: Record<string, unknown> = {};
    for (const f of this.fields) kept[f] = record[f] ?? null;
    this.values.delete(id);
    this.values.set(id, kept);
    this.trim();
  }

  forget(id: string): void {
    this.values.delete(id);
  }

  /**
   * The chosen fields this edit changed, with their new values (empty: nothing chosen changed),
   * and the record remembered as it is now. Unknown old values count as changed.
   */
  changed(record: CrmRecord): Record<string, unknown> {
    const before = this.values.get(String(record.id));
    const out: Record<string, unknown> = {};
    for (const f of this.fields) {
      const now = record[f] ?? null;
      if (!before || !(f in before) || comparable(before[f]) !== comparable(now)) out[f] = now;
    }
    this.remember(record);
    return out;
  }

  save(): RememberedValues {
    return [...this.values.entries()];
  }

  private trim(): void {
    for (const id of this.values.keys()) {
      if (this.values.size <= this.cap) return;
      this.values.delete(id);
      this.evicted++;
    }
  }
}
