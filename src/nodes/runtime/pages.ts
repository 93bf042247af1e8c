/**
 * Output of paged reads: every page in one message (msg.payload an array), or one message per
 * page with msg.parts (id, index, type "array", len; count on the last page) so a Join node in
 * automatic mode reassembles them into one array.
 */
import type { NodeAPI } from 'node-red';
import type { Page } from '../../zoho/core/paginate';
import type { InputContext, Msg } from './flow-node';
import type { Translate } from './i18n';

export type OutputMode = 'array' | 'pages';

function infoOf(page: Page<unknown> | undefined, total: number, pages: number): Msg['info'] {
  const zoho = page?.info && typeof page.info === 'object' ? page.info : {};
  return { ...zoho, count: total, pages, truncated: page?.truncated ?? false };
}

/** "30 records", "32 records in 1 message", "… (truncated)". */
export function recordsText(
  shared: Translate,
  total: number,
  messages?: number,
  truncated = false,
): string {
  const records = shared('status.records', { count: total });
  const text =
    messages === undefined ? records : shared('status.inMessages', { records, count: messages });
  return truncated ? shared('status.truncated', { text }) : text;
}

/**
 * Walks the pages, shows progress, sends one message or one per page; the done status passes
 * through `annotate` (e.g. to name the organization the walk read).
 */
export async function sendPages<T>(
  RED: NodeAPI,
  ctx: InputContext,
  walk: AsyncIterable<Page<T>>,
  mode: OutputMode,
  pageSize: number,
  annotate: (text: string) => string = (text) => text,
): Promise<void> {
  const { msg } = ctx;
  const id = RED.util.generateId();
  const items: T[] = [];
  let last: Page<T> | undefined;
  for await (const page of walk) {
    last = page;
    ctx.status.progress(page.page, page.total);
    if (mode === 'pages') {
      const out = RED.util.cloneMessage<Msg>(msg);
      out.payload = page.items;
      out.info = infoOf(page, page.total, page.page);
      // len > 1 tells Join to concatenate the page arrays rather than nest them.
      out.parts = { id, index: page.page - 1, type: 'array', len: Math.max(2, pageSize) };
      if (page.last) (out.parts as Record<string, unknown>).count = page.page;
      if (msg.parts) (out.parts as Record<string, unknown>).parts = msg.parts;
      ctx.send(out);
    } else {
      for (const item of page.items) items.push(item);
    }
  }
  const total = last?.total ?? 0;
  if (mode === 'array') {
    msg.payload = items;
    msg.info = infoOf(last, total, last?.page ?? 0);
    ctx.send(msg);
  }
  const messages = mode === 'pages' ? (last?.page ?? 0) : undefined;
  ctx.status.done(annotate(recordsText(ctx.shared, total, messages, last?.truncated)));
}
