/**
 * Poll mode: every interval, each module's changes since its checkpoint (see
 * src/zoho/crm-changes.ts), one message per run of creates, edits or deletes, and the
 * checkpoint saved in the node's context after every page, so a redeploy or a restart (with a
 * persistent context store) neither repeats nor loses a change. Polls never overlap.
 */
import type { CrmRecord } from '../../zoho/crm/common';
import {
  Change,
  KEY_FIELDS,
  Mark,
  ModuleCheckpoint,
  currentDeletedMark,
  currentMark,
  deletedSince,
  modifiedSince,
} from '../../zoho/crm/changes';
import { fetchRecordsByIds } from '../../zoho/crm/read';
import { MAX_FIELDS } from '../../zoho/crm/common';
import { ChangePayload, WatchContext, clockTime, fieldNames } from './common';

export const CHECKPOINT_KEY = 'zohoWatchCheckpoint';

interface Saved {
  version: 1;
  modules: Record<string, ModuleCheckpoint>;
}

export interface PollOptions {
  intervalMs: number;
  emitExisting: boolean;
}

export function startPoll(ctx: WatchContext, options: PollOptions): () => Promise<void> {
  const { node, settings } = ctx;
  const store = node.context();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let saved: Saved | undefined;
  let closed = false;

  const load = (): Promise<Saved> =>
    new Promise((resolve, reject) =>
      store.get(CHECKPOINT_KEY, (err: Error | undefined, value: unknown) => {
        if (err) reject(err);
        else {
          const v = value as Saved | undefined;
          resolve(v && v.version === 1 && v.modules ? v : { version: 1, modules: {} });
        }
      }),
    );
  const save = (): Promise<void> =>
    new Promise((resolve, reject) =>
      store.set(CHECKPOINT_KEY, saved, (err?: Error) => (err ? reject(err) : resolve())),
    );

  /**
   * The fields a poll reads: all of them with fetchRecords, from the connection's metadata
   * cache (refreshed every few minutes, so a field added in Zoho is picked up).
   */
  const listFields = async (module: string): Promise<string[]> => {
    if (!settings.fetchRecords) return KEY_FIELDS;
    const all = await fieldNames(ctx.config.getConnection(), module);
    return [...new Set([...KEY_FIELDS, ...all])];
  };

  const send = async (c: Change, fieldList: string[]): Promise<void> => {
    let records: CrmRecord[] | undefined;
    if (c.operation === 'delete') records = c.records;
    else if (settings.fetchRecords) {
      records =
        fieldList.length <= MAX_FIELDS
          ? c.records
          : await fetchRecordsByIds(
              ctx.config.getConnection(),
              c.module,
              c.ids,
              fieldList,
              ctx.signal,
            );
    }
    const times = c.records.map((r) => Date.parse(String(r.Modified_Time ?? r.deleted_time)));
    const payload: ChangePayload = {
      module: c.module,
      operation: c.operation,
      ids: c.ids,
      source: 'poll',
      serverTime: Math.max(...times.filter((t) => !Number.isNaN(t)), 0) || undefined,
    };
    if (records) payload.records = records;
    ctx.emit(payload);
  };

  const pollModule = async (module: string): Promise<number> => {
    const conn = ctx.config.getConnection();
    const cp = (saved!.modules[module] ??= {});
    const wanted = settings.events;
    let sent = 0;
    if (!cp.modified) {
      cp.modified = options.emitExisting
        ? { time: 0, ids: [] }
        : await currentMark(conn, module, ctx.signal);
      await save();
    }
    if (wanted.includes('create') || wanted.includes('edit')) {
      const fieldList = await listFields(module);
      const read = fieldList.length <= MAX_FIELDS ? fieldList : KEY_FIELDS;
      const pages = modifiedSince(conn, module, cp.modified, {
        fields: read,
        signal: ctx.signal,
      });
      for await (const page of pages) {
        for (const c of page.changes) {
          if (!wanted.includes(c.operation)) continue;
          await send(c, fieldList);
          sent += c.ids.length;
        }
        cp.modified = page.mark;
        await save();
      }
    }
    if (wanted.includes('delete')) {
      cp.deleted ??= await currentDeletedMark(conn, module, ctx.signal);
      const got: { changes: Change[]; mark: Mark } = await deletedSince(
        conn,
        module,
        cp.deleted,
        ctx.signal,
      );
      for (const c of got.changes) await send(c, []);
      sent += got.changes.reduce((n, c) => n + c.ids.length, 0);
      cp.deleted = got.mark;
      await save();
    }
    return sent;
  };

  const cycle = async (): Promise<void> => {
    saved ??= await load();
    let sent = 0;
    for (const module of settings.modules) {
      if (closed) return;
      sent += await pollModule(module);
    }
    ctx.status({
      fill: 'green',
      shape: 'dot',
      text: `polling · last poll ${clockTime(Date.now())}${sent ? ` · ${sent} changes` : ''}`,
    });
  };

  const schedule = (ms: number): void => {
    if (closed) return;
    timer = setTimeout(() => {
      running = cycle()
        .catch((err: unknown) => {
          if (closed) return;
          const code = (err as { code?: unknown }).code;
          ctx.status({
            fill: 'red',
            shape: 'ring',
            text: `poll error: ${String(code ?? 'ERROR')}`,
          });
          ctx.fail(err, { modules: settings.modules });
        })
        .finally(() => {
          running = undefined;
          schedule(options.intervalMs);
        });
    }, ms);
  };

  ctx.status({ fill: 'yellow', shape: 'ring', text: 'polling: first read' });
  schedule(0);

  return async () => {
    closed = true;
    if (timer) clearTimeout(timer);
    await running;
  };
}
