/**
 * Output of paged reads: every page in one message (msg.payload an array), or one message per
 * page with msg.parts (id, index, type "array", len; count on the last page) so a Join node in
 * automatic mode reassembles them into one array.
 */
import type { NodeAPI } from 'node-red';
import { type Page, collectPages } from '../../zoho/core/paginate';
import type { InputContext, Msg } from './flow-node';
import type { Translate } from './i18n';

export type OutputMode = 'array' | 'pages';

function infoOf(
  page: Pick<Page<unknown>, 'info' | 'truncated'> | undefined,
  total: number,
  pages: number,
): Msg['info'] {
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
  if (mode === 'array') {
    // One array goes through the one collector, which refuses to grow past its memory budget
    // (RESULT_TOO_LARGE) instead of holding every page a server hands out.
    const all = await collectPages(walk, (page) =>
      ctx.status.progress(page.page, page.total, 'records', page.last),
    );
    msg.payload = all.items;
    msg.info = infoOf(all, all.items.length, all.pages);
    ctx.send(msg);
    ctx.status.done(annotate(recordsText(ctx.shared, all.items.length, undefined, all.truncated)));
    return;
  }
  const id = RED.util.generateId();
  let last: Page<T> | undefined;
  for await (const page of walk) {
    last = page;
    ctx.status.progress(page.page, page.total, 'records', page.last);
    const out = RED.util.cloneMessage<Msg>(msg);
    out.payload = page.items;
    out.info = infoOf(page, page.total, page.page);
    // len > 1 tells Join to concatenate the page arrays rather than nest them.
    out.parts = { id, index: page.page - 1, type: 'array', len: Math.max(2, pageSize) };
    if (page.last) (out.parts as Record<string, unknown>).count = page.page;
    if (msg.parts) (out.parts as Record<string, unknown>).parts = msg.parts;
    ctx.send(out);
  }
  const total = last?.total ?? 0;
  ctx.status.done(annotate(recordsText(ctx.shared, total, last?.page ?? 0, last?.truncated)));
}
