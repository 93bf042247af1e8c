import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { systemClock } from '../../src/zoho/core/clock';
import { ZohoHttp } from '../../src/zoho/core/http';
import { RollingWindow } from '../../src/zoho/core/limits';
import { linkSignals } from '../../src/zoho/core/signals';
import { EchoServer, activeTimers, echoHttp, echoServer, heapAfterGc } from '../helpers/leaks';

const abortListeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

describe('signals: nothing stays on a long-lived signal', () => {
  it('a linked signal aborts with its parent and leaves no listener once released', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkSignals(a.signal, undefined, b.signal);
    assert.equal(abortListeners(a.signal), 1);
    linked.release();
    assert.equal(abortListeners(a.signal), 0);
    assert.equal(abortListeners(b.signal), 0);
    assert.equal(linked.signal.aborted, false);

    const second = linkSignals(a.signal, b.signal);
    b.abort(new Error('closed'));
    assert.equal(second.signal.aborted, true);
    assert.equal((second.signal.reason as Error).message, 'closed');
    assert.equal(abortListeners(a.signal), 0, 'an aborted link lets go of its other parents');
    assert.equal(linkSignals(b.signal).signal.aborted, true, 'an aborted parent aborts at once');
  });

  describe('requests on one connection', () => {
    let server: EchoServer;
    let http: ZohoHttp;
    before(async () => {
      server = await echoServer();
    });
    after(() => server.close());
    beforeEach(() => {
      http = echoHttp(server.url, 10);
    });
    afterEach(() => http.close());

    const burst = async (count: number, signal: AbortSignal) => {
      for (let i = 0; i < count; i += 50) {
        await Promise.all(
          Array.from({ length: 50 }, () => http.request({ method: 'GET', path: '/v8/x', signal })),
        );
      }
    };

    it('leaves the message signal without listeners and the connection without calls', async () => {
      const message = new AbortController();
      const calls = (http as unknown as { calls: Set<unknown> }).calls;
      // 50 calls of one message side by side are expected: Node must not warn of a leak in the
      // user's log (its default allows 10 listeners).
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.name);
      process.on('warning', onWarning);
      try {
        const during = burst(500, message.signal);
        await new Promise((r) => setImmediate(r));
        assert.ok(calls.size > 0, 'the calls in flight are known to the connection');
        await during;
        await new Promise((r) => setImmediate(r));
      } finally {
        process.off('warning', onWarning);
      }
      assert.equal(abortListeners(message.signal), 0);
      assert.equal(calls.size, 0);
      assert.deepEqual(warnings, [], 'no MaxListenersExceededWarning');
    });

    it('retains no memory per request after garbage collection', async function () {
      this.timeout(180_000);
      const message = new AbortController();
      // Sockets, compiled code and caches settle over the first few thousand requests.
      await burst(3_000, message.signal);
      // A leak grows in every window; the rest of a long suite's heap drifts in some. Two
      // windows, the smaller figure: a real leak still shows in both.
      const count = 10_000;
      const windows: number[] = [];
      for (let w = 0; w < 2; w++) {
        const before = await heapAfterGc();
        await burst(count, message.signal);
        windows.push(((await heapAfterGc()) - before) / count);
      }
      const perRequest = Math.min(...windows);
      // AbortSignal.any over a long-lived signal retained 50-200 bytes a request.
      assert.ok(perRequest < 25, `${perRequest.toFixed(1)} bytes retained per request`);
    });
  });
});

describe('rolling window: waits leave nothing behind', () => {
  it('removes its abort listener after every wait', async () => {
    const window = new RollingWindow(2, 20, systemClock);
    const message = new AbortController();
    for (let i = 0; i < 30; i++) {
      const end = await window.take(message.signal);
      end();
    }
    assert.equal(abortListeners(message.signal), 0);
  });

  it('clears the timer of a wait woken early', async () => {
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    // After a turn of the loop, so the test runner's own timeout timer is counted in idle.
    await turn();
    const idle = activeTimers();
    const window = new RollingWindow(3, 60_000, systemClock);
    const ends = [await window.take(), await window.take(), await window.take()];
    ends[0]();
    const caller = new AbortController();
    // Full: the fourth waits for the first answer to leave the window (a minute) …
    const fourth = window.take(caller.signal);
    await turn();
    // … and each answer wakes it early, to find the window still full and wait again.
    for (const end of ends.slice(1)) {
      end();
      await turn();
    }
    assert.equal(activeTimers(), idle + 1, 'one timer for the one wait');
    caller.abort();
    await assert.rejects(fourth, /cancelled/);
    assert.equal(activeTimers(), idle);
  });
});
