/**
 * A channel's `notification_condition` (OAS notifications.json: an array of
 * { type, module: { api_name, id }, field_selection: Criteria }, Criteria being a field or a
 * group of them under group_operator): per module, the fields whose update is notified. v8
 * docs notifications/overview.html: "Field-specific notifications ... when an event occurs only
 * on certain fields of the module. For example, raising an alert when a Deal's Stage is
 * updated". The emulator reads one level of group (Zoho's samples go no deeper) and checks
 * each module and field against its metadata; a field may be named by api_name or id.
 */
import type { ModuleRegistry } from './registry';
import type { FieldCondition } from './notify-callbacks';
import { fieldId } from './metadata';
import { isObject } from './util';

export type Parsed =
  { ok: true; conditions: Record<string, FieldCondition> } | { ok: false; path: string };

/** A Criteria node as Zoho lists it: the OAS requires every key, unused ones null. */
function criteria(
  field: { api_name: string | null; id: string | null },
  operator: string | null,
  group: unknown[],
): Record<string, unknown> {
  return { comparator: null, field, value: null, group_operator: operator, group };
}

/**
 * The conditions as Zoho answers them: module and fields with their ids, every Criteria key
 * present (OAS `event.notification_condition`). The null/[] of unused keys are ours: unverified.
 */
export function echoConditions(
  conditions: Record<string, FieldCondition>,
  registry: ModuleRegistry,
): Record<string, unknown>[] {
  return Object.entries(conditions).map(([module, cond]) => {
    const def = registry.get(module);
    const idOf = (name: string): string | null => {
      const n = def ? def.fields.findIndex((f) => f.api_name === name) : -1;
      return def && n >= 0 ? fieldId(def, n) : null;
    };
    const leaves = cond.fields.map((f) => criteria({ api_name: f, id: idOf(f) }, null, []));
    return {
      type: 'field_selection',
      module: { api_name: module, id: def?.id ?? null },
      field_selection: criteria({ api_name: null, id: null }, cond.operator, leaves),
    };
  });
}

function nameOf(ref: unknown, names: (id: string) => string | undefined): string | undefined {
  if (!isObject(ref)) return undefined;
  if (typeof ref.api_name === 'string') return ref.api_name;
  return typeof ref.id === 'string' ? names(ref.id) : undefined;
}

/** `events`: the channel's 'Module.op' names; a condition's module must be among them. */
export function parseConditions(
  value: unknown,
  events: string[],
  registry: ModuleRegistry,
): Parsed {
  const conditions: Record<string, FieldCondition> = {};
  if (value === undefined || value === null) return { ok: true, conditions };
  if (!Array.isArray(value)) return { ok: false, path: 'notification_condition' };
  const watched = new Set(events.map((e) => e.split('.')[0]));
  for (const [i, item] of value.entries()) {
    const at = `notification_condition[${i}]`;
    if (!isObject(item) || (item.type !== undefined && item.type !== 'field_selection'))
      return { ok: false, path: at };
    const module = nameOf(item.module, (id) => registry.list().find((m) => m.id === id)?.api_name);
    if (!module || !registry.get(module) || !watched.has(module))
      return { ok: false, path: `${at}.module` };
    const sel = item.field_selection;
    if (!isObject(sel)) return { ok: false, path: `${at}.field_selection` };
    const leaves = Array.isArray(sel.group) ? sel.group : [sel];
    const op = sel.group_operator ?? 'or';
    if (op !== 'and' && op !== 'or') return { ok: false, path: `${at}.field_selection` };
    const def = registry.get(module);
    const fields: string[] = [];
    for (const leaf of leaves) {
      const name = isObject(leaf)
        ? nameOf(leaf.field, (id) => def?.fields.find((_, n) => fieldId(def, n) === id)?.api_name)
        : undefined;
      if (!name || !registry.field(module, name))
        return { ok: false, path: `${at}.field_selection` };
      fields.push(name);
    }
    if (fields.length === 0) return { ok: false, path: `${at}.field_selection` };
    conditions[module] = { operator: op, fields };
  }
  return { ok: true, conditions };
}
