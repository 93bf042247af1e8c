/** crm-watch-in's editor properties as the watch's settings; bad ones are refused on deploy. */
import type { NodeDef } from 'node-red';
import { invalidInput } from '../../zoho/core/errors';
import type { ChangeOperation } from '../../zoho/crm/notifications';
import { checkModule } from '../../zoho/crm/validate';
import { WatchFields, checkWatchFields } from '../../zoho/crm/watch-fields';
import type { Translate } from '../runtime/i18n';
import { flag, text } from '../runtime/props';
import type { WatchSettings } from './common';

export interface WatchDef extends NodeDef {
  config?: string;
  mode?: string;
  modules?: string;
  onCreate?: boolean;
  onEdit?: boolean;
  onDelete?: boolean;
  publicUrl?: string;
  publicUrlType?: string;
  returnAffectedFieldValues?: boolean;
  fetchRecords?: boolean;
  interval?: string | number;
  emitExisting?: boolean;
  watchFields?: string;
}

/**
 * The field filter as typed: field API names, comma-separated; with several modules each is
 * written Module.Field (a field of one module means nothing in another).
 */
export function watchFieldsOf(value: unknown, modules: string[], t: Translate): WatchFields {
  const out: WatchFields = {};
  const names = (text(value) ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  for (const name of names) {
    const dot = name.indexOf('.');
    const head = dot > 0 ? name.slice(0, dot) : '';
    const [module, field] = modules.includes(head)
      ? [head, name.slice(dot + 1)]
      : modules.length === 1
        ? [modules[0], name]
        : [undefined, name];
    if (!module) throw invalidInput(t('errors.unqualifiedField', { name }), 'watchFields');
    (out[module] ??= []).push(field);
  }
  return checkWatchFields(out, modules);
}

export function settingsOf(def: WatchDef, t: Translate): WatchSettings {
  const modules = [
    ...new Set(
      String(def.modules ?? '')
        .split(',')
        .map((m) => m.trim())
        .filter((m) => m !== ''),
    ),
  ];
  if (modules.length === 0) throw invalidInput(t('errors.noModules'), 'modules');
  modules.forEach((m) => checkModule(m));
  const events: ChangeOperation[] = [];
  if (flag(def.onCreate)) events.push('create');
  if (flag(def.onEdit)) events.push('edit');
  if (flag(def.onDelete)) events.push('delete');
  if (events.length === 0) throw invalidInput(t('errors.noEvents'), 'events');
  return {
    modules,
    events,
    fetchRecords: flag(def.fetchRecords),
    returnAffectedFieldValues: flag(def.returnAffectedFieldValues),
    // Only edits are filtered: a filter without the edit event would filter nothing.
    watchFields: events.includes('edit') ? watchFieldsOf(def.watchFields, modules, t) : {},
  };
}

export function intervalMs(value: unknown, t: Translate): number {
  const seconds = Number(text(value) ?? 60);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw invalidInput(t('errors.badInterval', { value: String(value) }), 'interval');
  return Math.round(seconds * 1000);
}
