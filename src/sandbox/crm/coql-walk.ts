/**
 * The rows of a COQL query in the store's own order (ascending id, or descending), found by a
 * walk that later pages of the same query resume instead of repeating.
 *
 * A client reading 100,000 rows asks for 50 offsets, often 10 at a time and out of order. Each
 * page counting its matches from the first record again costs O(offset) per page and O(N²/limit)
 * for the whole read, which made the emulator, not the 50 ms latency it models, the bottleneck.
 * Here a page costs O(limit) amortised: the walk for a query (module, WHERE, direction) is kept
 * until the store's next write (`CrmStore.revision`) and extended only as far as a page needs.
 */
import type { CrmStore } from './store';
import type { StoredRecord } from './types';

/** Walks kept per store: a few queries read side by side; the oldest is dropped first. */
const MAX_WALKS = 8;

interface Walk {
  key: string;
  revision: number;
  /** The module's record array the walk reads (the store replaces it on removals). */
  list: readonly StoredRecord[];
  desc: boolean;
  /** Records looked at so far, from the walk's starting end. */
  seen: number;
  matches: StoredRecord[];
}

const walksByStore = new WeakMap<CrmStore, Walk[]>();

function walkFor(
  store: CrmStore,
  module: string,
  key: string,
  desc: boolean,
): { walk: Walk; walks: Walk[] } {
  let walks = walksByStore.get(store);
  if (!walks) walksByStore.set(store, (walks = []));
  const list = store.all(module);
  const found = walks.findIndex((w) => w.key === key && w.desc === desc);
  if (found >= 0) {
    const [walk] = walks.splice(found, 1);
    if (walk.revision === store.revision && walk.list === list) return { walk, walks };
  }
  const walk: Walk = { key, revision: store.revision, list, desc, seen: 0, matches: [] };
  if (walks.length >= MAX_WALKS) walks.shift();
  return { walk, walks };
}

/**
 * The first `wanted` records of `module` (fewer when the module has fewer) that satisfy
 * `predicate`, in ascending id order or descending. `key` names the predicate: two calls with
 * the same key must pass the same test. The answer is shared with later calls: do not mutate.
 */
export function firstMatches(
  store: CrmStore,
  module: string,
  key: string,
  desc: boolean,
  predicate: (rec: StoredRecord) => boolean,
  wanted: number,
): readonly StoredRecord[] {
  const { walk, walks } = walkFor(store, module, `${module}\u0000${key}`, desc);
  const { list, matches } = walk;
  while (matches.length < wanted && walk.seen < list.length) {
    const rec = list[desc ? list.length - 1 - walk.seen : walk.seen];
    walk.seen++;
    if (predicate(rec)) matches.push(rec);
  }
  walks.push(walk);
  return matches;
}
