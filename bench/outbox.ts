/**
 * The outbox's figures (issue 15): bytes on disk per queued message and the resident memory of
 * 100,000 queued messages against an empty outbox (memory keeps where entries lie, not bodies).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Journal } from '../src/zoho/core/outbox/journal';
import { runOutage } from '../test/helpers/outage';
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

async function fill(journal: Journal, count: number): Promise<void> {
  // Messages arrive side by side, as in a flow: 500 in flight share each fsync.
  for (let i = 0; i < count; i += 500) {
    const n = Math.min(500, count - i);
    await Promise.all(Array.from({ length: n }, (_, k) => journal.append('n1', body(i + k))));
  }
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/**
 * The goal compares 100,000 queued with the same process once such a queue has drained: a
 * process that has done the same work, its outbox empty. Against a fresh process the growth is
 * mostly V8's young generation, which any sustained load grows to its working size (16 MB
 * semi-spaces) and keeps; that figure is printed beside it.
 */
export async function outboxFootprint(count: number): Promise<Figure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-outbox-bench-'));
  const limits = { maxEntries: count + 1, maxBytes: 1e10, whenFull: 'refuse' as const };
  try {
    const journal = await Journal.open(path.join(dir, 'c1.journal'), limits);
    const fresh = rssAfterGc();
    await fill(journal, count);
    const seqs = [...journal.entries()].map((e) => e.seq);
    for (let i = 0; i < seqs.length; i += 1000) await journal.ack(seqs.slice(i, i + 1000));
    const empty = rssAfterGc();
    const heapEmpty = process.memoryUsage().heapUsed;
    await fill(journal, count);
    const full = rssAfterGc();
    const heapFull = process.memoryUsage().heapUsed;
    const perMessage = journal.diskBytes / count;
    await journal.close();
    const reopenStart = rssAfterGc();
    const started = performance.now();
    const reopened = await Journal.open(path.join(dir, 'c1.journal'), limits);
    const openMs = performance.now() - started;
    const reopenedRss = rssAfterGc();
    const ok = reopened.count === count;
    await reopened.close();
    const growth = mb(full - empty);
    return [
      { name: 'outbox-bytes-per-message', value: Math.round(perMessage), unit: 'bytes' },
      {
        name: `outbox-rss-${count}-queued-vs-empty`,
        value: growth,
        unit: `MB (heap ${mb(heapFull - heapEmpty)} MB; vs a fresh process +${mb(full - fresh)} MB)`,
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

/**
 * Issue 15's outage (test/helpers/outage.ts) as figures: records lost and duplicated, and the
 * replay's throughput against the ideal (100 records a call, the connection's 5 calls at once,
 * at the sandbox's measured time per call), from the first replayed call to the last. With the
 * sandbox answering at once the ideal is the sandbox's CPU per record over 5, and the replay is
 * paced by the Node-RED process's own CPU (journal reads, outputs through the flow): that figure
 * is printed for reference. The goal is judged where a call takes time, as Zoho's do: the same
 * replay (no kills) with 50 ms added to every answer, which is still well below Zoho's.
 */
export async function outboxOutage(messages: number, outageMs: number): Promise<Figure[]> {
  const r = await runOutage({ messages, kills: 3, outageMs });
  const slow = await runOutage({ messages, kills: 0, outageMs: 1000, latencyMs: 50 });
  const round = (x: number) => Math.round(x * 100) / 100;
  const detail = (x: typeof r) =>
    `${x.drainRecords} records in ${x.drainCalls} calls, ${x.replayMs} ms from the first call, ${round(x.meanInFlight)} calls at once on average; first call ${x.firstCallMs} ms after the link returned`;
  const fraction = round(slow.replayFraction);
  const cpu = (x: typeof r) =>
    x.replayCpuMs === undefined ? [] : [Math.round((x.replayCpuMs * 1000) / x.drainRecords)];
  return [
    {
      name: 'outbox-outage-lost',
      value: r.lost,
      unit: `records of ${messages}`,
      goal: '= 0',
      pass: r.lost === 0 && slow.lost === 0,
    },
    {
      name: 'outbox-outage-duplicated',
      value: r.duplicated,
      unit: `records (3 kill -9 restarts, ${r.unended} acknowledged messages not ended once)`,
      goal: '= 0',
      pass: r.duplicated === 0 && r.unended === 0 && slow.duplicated === 0,
    },
    {
      name: 'outbox-replay-throughput-vs-ideal-0ms',
      value: round(r.replayFraction),
      unit: `(answers at once: paced by local CPU, no goal; ${detail(r)})`,
    },
    {
      name: 'outbox-replay-throughput-vs-ideal-50ms',
      value: fraction,
      unit: `(${detail(slow)})`,
      goal: '>= 0.8',
      pass: fraction >= 0.8,
    },
    // The Node-RED process's CPU per replayed record, outputs through the flow included: when
    // the machine is busy the replay is paced by it, so this moves only with the pack's cost.
    ...cpu(slow).map((value) => ({
      name: 'outbox-replay-cpu-per-record-50ms',
      value,
      unit: `µs (Node-RED process, link back to every message ended; 0 ms answers: ${cpu(r).join('') || '?'} µs)`,
    })),
  ];
}
