/**
 * CRM metadata (API v8 settings): the modules of the org, the fields and the related lists of a
 * module, as the editor's pickers and the lookup-field check of writes need them.
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

export interface FieldInfo extends FieldMeta {
  label: string;
  mandatory?: boolean;
  read_only?: boolean;
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
