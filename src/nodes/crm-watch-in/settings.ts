/** crm-watch-in's editor properties as the watch's settings; bad ones are refused on deploy. */
import type { NodeDef } from 'node-red';
import { invalidInput } from '../../zoho/core/errors';
import type { ChangeOperation } from '../../zoho/crm/notifications';
import { checkModule } from '../../zoho/crm/validate';
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
  };
}

export function intervalMs(value: unknown, t: Translate): number {
  const seconds = Number(text(value) ?? 60);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw invalidInput(t('errors.badInterval', { value: String(value) }), 'interval');
  return Math.round(seconds * 1000);
}
