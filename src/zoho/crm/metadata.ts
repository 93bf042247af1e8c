/**
 * CRM metadata (API v8 settings): the modules of the org, the fields, the related lists and the
 * layouts of a module, as the editor's pickers, the lookup-field check of writes and crm-record's
 * metadata operations need them.
 */
import type { Requester } from './common';
import { isPlainObject } from '../core/validate';
import { FieldMeta, checkModule } from './validate';

export interface ModuleInfo {
  api_name: string;
  /** Plural label, e.g. "Leads"; the api_name when Zoho gives none. */
  label: string;
  singular_label?: string;
  generated_type?: string;
  api_supported: boolean;
}

export interface PicklistValue {
  display_value: string;
  actual_value: string;
}

export interface FieldInfo extends FieldMeta {
  label: string;
  mandatory?: boolean;
  read_only?: boolean;
  /** Most characters (or digits) Zoho takes (fields.json `length`). */
  length?: number;
  /** picklist and multiselectpicklist: the values a record may hold, in Zoho's order. */
  pick_list_values?: PicklistValue[];
  /** lookup: the module the field points at. */
  lookup_module?: string;
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/** Every module of the org (settings/modules), API-supported ones first as Zoho lists them. */
export async function listModules(
  conn: Requester,
  options: { signal?: AbortSignal } = {},
): Promise<ModuleInfo[]> {
  const res = await conn.request({
    product: 'crm',
    method: 'GET',
    path: '/v8/settings/modules',
    signal: options.signal,
  });
  const list = isPlainObject(res.data) && Array.isArray(res.data.modules) ? res.data.modules : [];
  return list.filter(isPlainObject).flatMap((m) => {
    if (typeof m.api_name !== 'string') return [];
    const info: ModuleInfo = {
      api_name: m.api_name,
      label: text(m.plural_label, text(m.module_name, m.api_name)),
      api_supported: m.api_supported !== false,
    };
    if (typeof m.singular_label === 'string') info.singular_label = m.singular_label;
    if (typeof m.generated_type === 'string') info.generated_type = m.generated_type;
    return [info];
  });
}

function picklistOf(value: unknown): PicklistValue[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isPlainObject).flatMap((v) => {
    if (typeof v.actual_value !== 'string') return [];
    return [{ actual_value: v.actual_value, display_value: text(v.display_value, v.actual_value) }];
  });
}

/** The fields of a module (settings/fields?module=X); none is an empty list (Zoho's 204). */
export async function listFields(
  conn: Requester,
  module: string,
  options: { signal?: AbortSignal } = {},
): Promise<FieldInfo[]> {
  const mod = checkModule(module);
  const res = await conn.request({
    product: 'crm',
    method: 'GET',
    path: '/v8/settings/fields',
    query: { module: mod },
    signal: options.signal,
  });
  if (res.status === 204) return [];
  const list = isPlainObject(res.data) && Array.isArray(res.data.fields) ? res.data.fields : [];
  return list.filter(isPlainObject).flatMap((f) => {
    if (typeof f.api_name !== 'string') return [];
    const info: FieldInfo = {
      api_name: f.api_name,
      data_type: text(f.data_type, 'text'),
      label: text(f.display_label, text(f.field_label, f.api_name)),
    };
    if (typeof f.system_mandatory === 'boolean') info.mandatory = f.system_mandatory;
    if (typeof f.read_only === 'boolean') info.read_only = f.read_only;
    if (typeof f.length === 'number') info.length = f.length;
    const values = picklistOf(f.pick_list_values);
    if (values.length) info.pick_list_values = values;
    const target = isPlainObject(f.lookup) ? f.lookup.module : undefined;
    if (isPlainObject(target) && typeof target.api_name === 'string')
      info.lookup_module = target.api_name;
    return [info];
  });
}

export interface RelatedListInfo {
  api_name: string;
  label: string;
}

/** The related lists of a module (settings/related_lists?module=X, related_lists in the SDK). */
export async function listRelatedLists(
  conn: Requester,
  module: string,
  options: { signal?: AbortSignal } = {},
): Promise<RelatedListInfo[]> {
  const mod = checkModule(module);
  const res = await conn.request({
    product: 'crm',
    method: 'GET',
    path: '/v8/settings/related_lists',
    query: { module: mod },
    signal: options.signal,
  });
  const body = isPlainObject(res.data) ? res.data.related_lists : undefined;
  const list = Array.isArray(body) ? body : [];
  return list.filter(isPlainObject).flatMap((l) => {
    if (typeof l.api_name !== 'string') return [];
    return [{ api_name: l.api_name, label: text(l.display_label, l.api_name) }];
  });
}

export interface LayoutSection {
  api_name: string;
  label: string;
  /** The API names of the section's fields, in the layout's order. */
  fields: string[];
}

export interface LayoutInfo {
  id: string;
  name: string;
  /** Zoho's `status`, e.g. "active". */
  status?: string;
  visible?: boolean;
  /** The profiles that use the layout. */
  profiles: { id: string; name: string; default?: boolean }[];
  sections: LayoutSection[];
}

const idName = (v: Record<string, unknown>): { id: string; name: string } | undefined =>
  typeof v.id === 'string' && typeof v.name === 'string' ? { id: v.id, name: v.name } : undefined;

function sectionOf(s: Record<string, unknown>): LayoutSection {
  const name = text(s.api_name, text(s.name, ''));
  const fields = Array.isArray(s.fields) ? s.fields.filter(isPlainObject) : [];
  return {
    api_name: name,
    label: text(s.display_label, name),
    fields: fields.flatMap((f) => (typeof f.api_name === 'string' ? [f.api_name] : [])),
  };
}

/**
 * The layouts of a module (settings/layouts?module=X; keys as the SDK's layouts/layouts.js and
 * sections.js name them): each with its profiles and its sections' field names, the field
 * details being listFields' answer.
 */
export async function listLayouts(
  conn: Requester,
  module: string,
  options: { signal?: AbortSignal } = {},
): Promise<LayoutInfo[]> {
  const mod = checkModule(module);
  const res = await conn.request({
    product: 'crm',
    method: 'GET',
    path: '/v8/settings/layouts',
    query: { module: mod },
    signal: options.signal,
  });
  if (res.status === 204) return [];
  const list = isPlainObject(res.data) && Array.isArray(res.data.layouts) ? res.data.layouts : [];
  return list.filter(isPlainObject).flatMap((l) => {
    const head = idName(l);
    if (!head) return [];
    const info: LayoutInfo = {
      ...head,
      profiles: (Array.isArray(l.profiles) ? l.profiles.filter(isPlainObject) : []).flatMap((p) => {
        const one = idName(p);
        if (!one) return [];
        return [typeof p.default === 'boolean' ? { ...one, default: p.default } : one];
      }),
      sections: (Array.isArray(l.sections) ? l.sections.filter(isPlainObject) : []).map(sectionOf),
    };
    if (typeof l.status === 'string') info.status = l.status;
    if (typeof l.visible === 'boolean') info.visible = l.visible;
    return [info];
  });
}
