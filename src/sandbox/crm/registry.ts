/**
 * The module registry: module definitions by api name, with the system fields every module
 * has merged in and stable ids assigned.
 */
import type { FieldDef, FieldType, ModuleDef } from './types';

const f = (api_name: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({
  api_name,
  type,
  ...extra,
});

/** Fields every module has. */
export function systemFields(): FieldDef[] {
  return [
    f('Owner', 'ownerlookup'),
    f('Created_By', 'ownerlookup', { readOnly: true }),
    f('Modified_By', 'ownerlookup', { readOnly: true }),
    f('Created_Time', 'datetime', { readOnly: true }),
    f('Modified_Time', 'datetime', { readOnly: true }),
    f('Description', 'textarea', { length: 32000 }),
  ];
}

const MODULE_ID_BASE = 4876876000000002000n;

/** All modules by api name, with system fields merged in and ids assigned. */
export class ModuleRegistry {
  private readonly byName = new Map<string, ModuleDef>();
  private readonly fieldIndex = new Map<string, Map<string, FieldDef>>();

  constructor(defs: ModuleDef[]) {
    defs.forEach((def) => this.add(def));
  }

  add(def: ModuleDef): ModuleDef {
    const own = new Set(def.fields.map((x) => x.api_name));
    const fields = [...def.fields, ...systemFields().filter((x) => !own.has(x.api_name))];
    const full: ModuleDef = {
      generated_type: 'default',
      singular_label: def.api_name,
      plural_label: def.api_name,
      display_field: fields.find((x) => x.type === 'text')?.api_name,
      duplicate_check: fields.filter((x) => x.unique).map((x) => x.api_name),
      id: String(MODULE_ID_BASE + BigInt(this.byName.size + 1) * 3n),
      ...def,
      fields,
    };
    this.byName.set(def.api_name, full);
    this.fieldIndex.set(def.api_name, new Map(fields.map((x) => [x.api_name, x])));
    return full;
  }

  /** Case-sensitive, as Zoho's api names. */
  get(apiName: string): ModuleDef | undefined {
    return this.byName.get(apiName);
  }

  field(module: string, apiName: string): FieldDef | undefined {
    return this.fieldIndex.get(module)?.get(apiName);
  }

  list(): ModuleDef[] {
    return [...this.byName.values()];
  }
}
