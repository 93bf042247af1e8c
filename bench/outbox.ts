/**
 * The outbox's figures (issue 15): bytes on disk per queued message and the resident memory of
 * 100,000 queued messages against an empty outbox (memory keeps where entries lie, not bodies).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Journal } from '../src/zoho/core/outbox/journal';
import { Figure } from './lib';

function rssAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
}

/** A queued crm-record update as the node journals it: the write's options and the msg. */
function body(i: number): unknown {
  const id = String(5_000_000_000_000_000 + (i % 10_000));
  return {
    spec: { operation: 'update', module: 'Sensors', records: [{ id, Temperature: 20 + (i % 7) }] },
    msg: { _msgid: `f${i.toString(16)}`, topic: 'sensor', payload: { id, Temperature: 21 } },
    arrived: [Date.now(), i],
  };
}

export async function outboxFootprint(count: number): Promise<Figure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-outbox-bench-'));
  const limits = { maxEntries: count + 1, maxBytes: 1e10, whenFull: 'refuse' as const };
  try {
    const journal = await Journal.open(path.join(dir, 'c1.journal'), limits);
    const empty = rssAfterGc();
    // Messages arrive side by side, as in a flow: 500 in flight share each fsync.
    for (let i = 0; i < count; i += 500) {
      const n = Math.min(500, count - i);
      await Promise.all(Array.from({ length: n }, (_, k) => journal.append('n1', body(i + k))));
    }
    const full = rssAfterGc();
    const perMessage = journal.diskBytes / count;
    await journal.close();
    const reopenStart = rssAfterGc();
    const started = performance.now();
    const reopened = await Journal.open(path.join(dir, 'c1.journal'), limits);
    const openMs = performance.now() - started;
    const reopenedRss = rssAfterGc();
    const ok = reopened.count === count;
    await reopened.close();
    const growth = (full - empty) / 1024 / 1024;
    return [
      { name: 'outbox-bytes-per-message', value: Math.round(perMessage), unit: 'bytes' },
      {
        name: `outbox-rss-${count}-queued-vs-empty`,
        value: Math.round(growth * 10) / 10,
        unit: 'MB',
        goal: '<= 20',
        pass: growth <= 20 && ok,
      },
      {
        name: `outbox-reopen-${count}`,
        value: Math.round(openMs),
        unit: `ms (rss +${Math.round((reopenedRss - reopenStart) / 1024 / 1024)} MB)`,
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
