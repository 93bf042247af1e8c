/**
 * The answer of a `page` / `per_page` list (search, attachments, related records): one page of
 * items as `data` with Zoho's `info` (per_page, count, page, more_records), or 204 when the page
 * is empty, as those endpoints answer.
 */
import type { SandboxReply } from '../types';
import { noContent } from './util';

export function pageReply<T>(
  items: readonly T[],
  pg: { page: number; perPage: number },
  present: (item: T) => Record<string, unknown>,
  /** How many items the endpoint lets a client reach (search stops at 2,000). */
  reachable = items.length,
): SandboxReply {
  const start = (pg.page - 1) * pg.perPage;
  const slice = items.slice(start, start + pg.perPage);
  if (slice.length === 0) return noContent();
  return {
    status: 200,
    body: {
      data: slice.map(present),
      info: {
        per_page: pg.perPage,
        count: slice.length,
        page: pg.page,
        more_records: start + pg.perPage < reachable,
      },
    },
  };
}
