/** books-watch-in's editor properties as the watch's settings; bad ones are refused on deploy. */
import type { NodeDef } from 'node-red';
import * as books from '../../zoho/books/index';
import { invalidInput } from '../../zoho/core/errors';
import { checkPositiveInt, checkRecordId } from '../../zoho/core/validate';
import type { Translate } from '../runtime/i18n';
import { flag, text } from '../runtime/props';

/** Options the user sets in the node, each with a `books-watch-in.param.<name>` text. */
export const BOOKS_WATCH_PARAMS = [
  'entities',
  'events',
  'interval',
  'organizationId',
  'rateLimit',
  'rateWindowMs',
] as const;

export interface BooksWatchDef extends NodeDef {
  config?: string;
  entities?: string;
  onCreated?: boolean;
  onUpdated?: boolean;
  onStatus?: boolean;
  interval?: string | number;
  emitExisting?: boolean;
  organizationId?: string;
  rateLimit?: string | number;
  rateWindowMs?: string | number;
}

export interface BooksWatchSettings {
  entities: string[];
  events: books.BooksChangeEvent[];
  intervalMs: number;
  emitExisting: boolean;
  organizationId?: string;
  rateLimit: books.BooksRateLimit;
}

export function settingsOf(def: BooksWatchDef, t: Translate): BooksWatchSettings {
  const entities = books.checkWatchEntities(
    String(def.entities ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== ''),
  );
  const events: books.BooksChangeEvent[] = [];
  if (flag(def.onCreated)) events.push('created');
  if (flag(def.onUpdated)) events.push('updated');
  if (flag(def.onStatus)) events.push('status');
  if (events.length === 0) throw invalidInput(t('errors.noEvents'), 'events');
  const seconds = Number(text(def.interval) ?? 60);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw invalidInput(t('errors.badInterval', { value: String(def.interval) }), 'interval');
  const given = text(def.organizationId);
  const org = given && checkRecordId(given, 'organizationId', 'organization id');
  return {
    entities,
    events,
    intervalMs: Math.round(seconds * 1000),
    emitExisting: flag(def.emitExisting),
    organizationId: org,
    rateLimit: {
      limit: checkPositiveInt(def.rateLimit || books.BOOKS_RATE_LIMIT.limit, 'rateLimit', 10_000),
      windowMs: checkPositiveInt(
        def.rateWindowMs || books.BOOKS_RATE_LIMIT.windowMs,
        'rateWindowMs',
      ),
    },
  };
}
