/**
 * Output of paged reads: every page in one message (msg.payload an array), or one message per
 * page with msg.parts (id, index, type "array", len; count on the last page) so a Join node in
 * automatic mode reassembles them into one array.
 */
import type { NodeAPI } from 'node-red';
import type { Page } from '../../zoho/core/paginate';
import type { InputContext, Msg } from './flow-node';

export type OutputMode = 'array' | 'pages';

function infoOf(page: Page<unknown> | undefined, total: number, pages: number): Msg['info'] {
  const zoho = page?.info && typeof page.info === 'object' ? page.info : {};
  return { ...zoho, count: total, pages, truncated: page?.truncated ?? false };
}

/** Walks the pages, shows progress, sends one message or one per page. */
export async function sendPages<T>(
  RED: NodeAPI,
  ctx: InputContext,
  walk: AsyncIterable<Page<T>>,
  mode: OutputMode,
  pageSize: number,
): Promise<void> {
  const { msg } = ctx;
  const id = RED.util.generateId();
  const items: T[] = [];
  let last: Page<T> | undefined;
  for await (const page of walk) {
    last = page;
    ctx.status.progress(page.page, page.total);
    if (mode === 'pages') {
      const out = RED.util.cloneMessage(msg) as Msg;
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
  const note = last?.truncated ? ' (truncated)' : '';
  ctx.status.done(
    `${total} records${mode === 'pages' ? ` in ${last?.page ?? 0} messages` : ''}${note}`,
  );
}
