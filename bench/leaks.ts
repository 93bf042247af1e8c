/**
 * What a connection keeps after months of requests: heap after forced garbage collection at
 * intervals over many requests through one connection (one long-lived message signal, as a
 * node's), the abort listeners left on the message's signal, the calls the connection still
 * tracks, and timers left alive.
 */
import { getEventListeners } from 'node:events';
import { systemClock } from '../src/zoho/core/clock';
import { ZohoConnection } from '../src/zoho/core/connection';
import { RollingWindow } from '../src/zoho/core/limits';
import { activeTimers, heapAfterGc } from '../test/helpers/leaks';
import { externalSandbox } from './external-sandbox';
import { Figure, figure } from './lib';

const CLIENT = { clientId: '1000.SANDBOXCLIENT', clientSecret: 'sandbox-secret' };
const MB = 1024 * 1024;
const abortListeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

/**
 * The sandbox in a process of its own: this process's heap is then the client's alone, and the
 * emulator's work runs on the other core (about 3,000 gets a second here, so a million fit in the
 * long bench's time box).
 */
async function connect() {
  const sandbox = await externalSandbox();
  await sandbox.seed({ Leads: 1 });
  const conn = new ZohoConnection({
    region: 'custom',
    accountsUrl: sandbox.url,
    ...CLIENT,
    refreshToken: sandbox.refreshToken,
    maxConcurrency: 10,
  });
  const listed = await conn.request<{ data: Array<{ id: string }> }>({
    method: 'GET',
    path: '/v8/Leads',
    query: { fields: 'Last_Name' },
  });
  return { sandbox, conn, id: listed.data.data[0].id };
}

/**
 * `total` gets through one connection, 50 in the flow at a time, stopped early at `timeBoxMs`;
 * the heap after GC is sampled `samples` times.
 */
export async function connectionRetention(
  total: number,
  timeBoxMs: number,
  samples = 10,
): Promise<Figure[]> {
  const { sandbox, conn, id } = await connect();
  const message = new AbortController();
  // The connection knows its unsettled calls (so close() can cut them) instead of listening on
  // a long-lived signal of its own: that set must be back to its idle size.
  const calls = (conn.http as unknown as { calls: Set<unknown> }).calls;
  const get = () =>
    conn.request({ method: 'GET', path: `/v8/Leads/${id}`, signal: message.signal });
  // 50 in the flow at a time, each caller sending its next get as soon as its last one ended.
  const run = async (count: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next++ < count) await get();
      }),
    );
  };
  try {
    await run(5_000);
    const idle = { calls: calls.size, timers: activeTimers() };
    const base = await heapAfterGc();
    const heaps: number[] = [];
    const started = Date.now();
    let sent = 0;
    while (sent < total && Date.now() - started < timeBoxMs) {
      await run(total / samples);
      sent += total / samples;
      heaps.push(await heapAfterGc());
    }
    const growth = (heaps[heaps.length - 1] - base) / MB;
    const tag = `leaks.requests_${total}`;
    return [
      // Time-boxed: a slow machine sends fewer; the growth below is over what was sent.
      figure(`${tag}_sent`, sent, 'requests', `= ${total}`),
      figure(`${tag}_seconds`, Math.round((Date.now() - started) / 1000), 's'),
      figure(`${tag}_retained_growth`, Number(growth.toFixed(2)), 'MB', '<= 5'),
      figure(
        `${tag}_peak_sample_growth`,
        Number(((Math.max(...heaps) - base) / MB).toFixed(2)),
        'MB',
      ),
      figure(`${tag}_retained_per_request`, Number(((growth * MB) / sent).toFixed(1)), 'B'),
      figure(`${tag}_message_signal_listeners`, abortListeners(message.signal), 'listeners', '= 0'),
      figure(`${tag}_connection_calls_over_idle`, calls.size - idle.calls, 'calls', '= 0'),
      figure(`${tag}_timers_over_idle`, activeTimers() - idle.timers, 'timers', '= 0'),
    ];
  } finally {
    conn.close();
    await sandbox.close();
  }
}

/**
 * Books' rolling window (100 a window) under 300 creates, 5 in flight, each answered after
 * 2 ms, with one long-lived caller signal: the abort listeners and timers its waits leave.
 */
export async function booksWindowLeftovers(creates = 300, windowMs = 500): Promise<Figure[]> {
  await new Promise((resolve) => setImmediate(resolve));
  const idleTimers = activeTimers();
  const window = new RollingWindow(100, windowMs, systemClock);
  const message = new AbortController();
  let next = 0;
  await Promise.all(
    Array.from({ length: 5 }, async () => {
      while (next++ < creates) {
        const end = await window.take(message.signal);
        await new Promise((resolve) => setTimeout(resolve, 2));
        end();
      }
    }),
  );
  return [
    figure(
      'leaks.books_window_300_listeners_left',
      abortListeners(message.signal),
      'listeners',
      '= 0',
    ),
    figure('leaks.books_window_300_timers_left', activeTimers() - idleTimers, 'timers', '= 0'),
  ];
}

export async function leaks(): Promise<Figure[]> {
  return [...(await booksWindowLeftovers()), ...(await connectionRetention(50_000, 120_000))];
}
