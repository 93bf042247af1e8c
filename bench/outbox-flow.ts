/**
 * Outbox figures of a flow's traffic: how many messages a second the journal acknowledges
 * (each on disk before its done()) when they arrive side by side, and the API calls coalescing
 * saves in the sensor example (10 sensors reporting every second into update-by-id while the
 * link is down, then one flush).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Journal } from '../src/zoho/core/outbox/journal';
import { Outbox, Outcome } from '../src/zoho/core/outbox/outbox';
import { Figure } from './lib';

const LIMITS = { maxEntries: 1_000_000, maxBytes: 1e10, whenFull: 'refuse' as const };

function tmpFile(): { file: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-outbox-bench-'));
  return { dir, file: path.join(dir, 'c1.journal') };
}

/** An update of one sensor's record, as crm-record journals it. */
function update(sensor: number, reading: number): unknown {
  return {
    spec: {
      operation: 'update',
      module: 'Sensors',
      records: [{ id: `50000000${sensor}`, T: reading }],
    },
    msg: { _msgid: `m${sensor}.${reading}`, topic: `sensor/${sensor}`, payload: reading },
  };
}

/**
 * Messages acknowledged a second: `count` updates (each its own record, no coalescing) arriving
 * at once, as a flow hands them to the node; each resolves after the fsync covering it.
 */
export async function outboxAckRate(count: number): Promise<Figure[]> {
  const { dir, file } = tmpFile();
  try {
    const journal = await Journal.open(file, LIMITS);
    const started = performance.now();
    await Promise.all(Array.from({ length: count }, (_, i) => journal.append('n1', update(i, i))));
    const ms = performance.now() - started;
    await journal.close();
    return [
      {
        name: `outbox-acks-per-second-${count}-at-once`,
        value: Math.round((count / ms) * 1000),
        unit: `messages/s (${count} acknowledged in ${Math.round(ms)} ms, each on disk first)`,
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The sensor example: `sensors` sensors report every second for `seconds` seconds (time-scaled:
 * the readings arrive as fast as the journal takes them) into update-by-id with coalescing on;
 * then the link returns and the outbox flushes. Calls are counted as the replay makes them, 100
 * records a call (the deliver stands in for crm-record's: one update call per 100 records).
 */
export async function outboxSensorCoalescing(sensors: number, seconds: number): Promise<Figure[]> {
  const { dir, file } = tmpFile();
  let up = false;
  try {
    const outbox = await Outbox.open({
      file,
      limits: LIMITS,
      minDelayMs: 10,
      probe: () => (up ? Promise.resolve() : Promise.reject(new Error('down'))),
    });
    const merge = (_older: unknown, newer: unknown): unknown => newer;
    let calls = 0;
    let records = 0;
    outbox.register('n1', {
      batch: 500,
      deliver: (entries): Promise<Outcome[]> => {
        calls += Math.ceil(entries.length / 100);
        records += entries.length;
        return Promise.resolve(entries.map(() => ({ settled: true })));
      },
    });
    let messages = 0;
    for (let s = 0; s < seconds; s++) {
      await Promise.all(
        Array.from({ length: sensors }, (_, k) =>
          outbox.add('n1', update(k, s), { key: `Sensors/${k}`, merge }),
        ),
      );
      messages += sensors;
    }
    up = true;
    outbox.flush();
    while (outbox.waiting() > 0) await new Promise((r) => setTimeout(r, 10));
    await outbox.close();
    return [
      {
        name: 'outbox-sensor-calls-at-flush',
        value: calls,
        unit: `calls for ${messages} messages (${sensors} sensors × ${seconds} s of outage; ${records} records sent, ${messages - calls} calls saved)`,
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
