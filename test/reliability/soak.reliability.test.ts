/**
 * Soak: 20,000 mixed messages across every node and operation of the node-case table, with a
 * fault injected on about 5% of them (5xx, 429, resets before and after, an expired token).
 * Figures: messages in = outputs + errors exactly, heap growth after warm-up (after gc), and
 * what the stopped flow left behind (the pack's timers, sockets and other handles).
 */
import assert from 'node:assert/strict';
import * as net from 'node:net';
import type { FaultRule } from '../../src/sandbox/faults';
import { Gen } from './bad-input';
import { count, figure } from './figures';
import { TimerWatch, grown, resources } from './leak-watch';
import { NODE_CASES, type NodeCase } from './node-cases';
import { Entry, Rig } from './rig';

const MESSAGES = Number(process.env.SOAK_MESSAGES ?? 20_000);
const WAVE = 100;
const WARM_UP = Math.min(2_000, MESSAGES / 4);
const FAULT_RATE = 0.05;

const FAULTS: FaultRule[] = [
  { kind: 'status', status: 500 },
  { kind: 'status', status: 502 },
  { kind: 'status', status: 503 },
  { kind: 'status', status: 429, retryAfter: 0 },
  { kind: 'reset-before' },
  { kind: 'reset-after' },
  { kind: 'expire-token' },
];

/** The cases of each node type: one type's several cases (crm-bulk's) share its turn. */
const BY_NODE: NodeCase[][] = [];
for (const c of NODE_CASES) {
  const group = BY_NODE.find((cases) => (cases[0].nodeType ?? cases[0].type) === c.nodeType);
  if (group) group.push(c);
  else BY_NODE.push([c]);
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc (npm run test:reliability does)');
  collect();
  collect();
}

const heapMb = (): number => process.memoryUsage().heapUsed / 1024 / 1024;

describe('reliability: soak', function () {
  this.timeout(900_000);
  const rig = Rig.use();
  const timers = new TimerWatch();
  after(() => timers.uninstall());

  async function settled(entries: Entry[], timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (entries.some((e) => e.dones.length === 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    // Errors reach the Catch node just after done(err).
    await new Promise((r) => setTimeout(r, 30));
  }

  it(`${MESSAGES} mixed messages with ${FAULT_RATE * 100}% faults: nothing lost, no growth, nothing left`, async function () {
    const g = new Gen(2026);
    rig.crm.store.clear();
    rig.books.store.clear();
    // After a tick: mocha arms this test's own timeout timer once the body has returned.
    await new Promise((r) => setImmediate(r));
    const baseline = resources();
    timers.install();
    await rig.load(NODE_CASES);
    let sent = 0;
    let outputs = 0;
    let errors = 0;
    let lost = 0;
    let doubled = 0;
    let faults = 0;
    let warmHeap = 0;
    const handles: { hits: number }[] = [];
    const started = Date.now();
    while (sent < MESSAGES) {
      const wave: Entry[] = [];
      for (let i = 0; i < WAVE && sent < MESSAGES; i++, sent++) {
        const nodeCase = g.pick(g.pick(BY_NODE));
        const op = g.pick(nodeCase.operations);
        const { msg } = op.prepare(rig);
        if (g.next() < FAULT_RATE) {
          // Aimed at this operation's request: faults spread over every node and operation
          // (unaimed, they would all meet whichever node asks first).
          handles.push(rig.sandbox.faults.inject({ ...g.pick(FAULTS), match: op.match }));
          faults++;
        }
        wave.push(rig.send(nodeCase.type, msg));
      }
      await settled(wave);
      for (const e of wave) {
        if (e.dones.length === 0) lost++;
        if (e.dones.length > 1) doubled++;
        // A partial write failure sends its results and raises the error: one outcome.
        const failed = e.dones[0] !== undefined;
        if (failed) errors += e.errors.length;
        else outputs += e.outs.length;
        if (failed && e.errors.length === 0) lost++;
        if (!failed && e.outs.length === 0) lost++;
      }
      // Bounded sandbox state, so the heap figure is the pack's and Node-RED's.
      rig.ledger.clear();
      rig.forgetSpyHistory();
      rig.sandbox.faults.clear();
      rig.sandbox.clearRequests();
      if (sent % 2_000 === 0) {
        rig.crm.store.clear();
        rig.books.store.clear();
      }
      if (!warmHeap && sent >= WARM_UP) {
        gc();
        warmHeap = heapMb();
      }
    }
    rig.crm.store.clear();
    rig.books.store.clear();
    gc();
    const growth = heapMb() - warmHeap;
    const seconds = (Date.now() - started) / 1000;

    await rig.unload();
    // Idle keep-alive sockets close within the agent's idle timeout; give them a moment.
    let left = grown(baseline, resources());
    for (let i = 0; i < 100 && Object.keys(left).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = grown(baseline, resources());
    }
    const packTimers = timers.packTimers();
    timers.uninstall();

    figure('soak.messages_in', sent);
    figure('soak.outputs', outputs);
    figure('soak.errors', errors);
    figure('soak.lost_or_doubled', lost + doubled);
    figure('soak.faults_injected', faults);
    figure(
      'soak.faults_hit',
      handles.reduce((a, h) => a + h.hits, 0),
    );
    figure('soak.heap_growth_mb', growth);
    figure('soak.seconds', seconds);
    figure('soak.pack_timers_left', packTimers.length);
    figure(
      'soak.handles_left',
      Object.values(left).reduce((a, b) => a + b, 0),
    );
    figure('soak.unhandled_rejections', rig.unhandled.length);
    count('soak.stray_errors', rig.orphans.length);
    assert.equal(outputs + errors, sent, `in ${sent}, outputs ${outputs}, errors ${errors}`);
    assert.equal(lost + doubled, 0);
    assert.ok(growth < 20, `heap grew ${growth.toFixed(1)} MB`);
    assert.deepEqual(packTimers, []);
    assert.deepEqual(left, {});
    assert.equal(rig.unhandled.length, 0);
    assert.equal(rig.orphans.length, 0);
  });

  it('the leak checks can fail: a timer the pack leaves behind, a socket left open', async function () {
    const { systemClock } = await import('../../src/zoho/core/clock');
    timers.install();
    // A sleep nobody cancels: exactly what a closed node must never leave.
    void systemClock.sleep(60_000);
    const found = timers.packTimers();
    timers.clearAll();
    timers.uninstall();
    assert.equal(found.length, 1);
    assert.match(found[0], /clock\.(ts|js)/);

    // And a socket left open shows in the handle count.
    const base = resources();
    const socket = net.connect(
      new URL(rig.sandbox.url).port ? Number(new URL(rig.sandbox.url).port) : 80,
      '127.0.0.1',
    );
    await new Promise((r) => socket.once('connect', r));
    const left = grown(base, resources());
    socket.destroy();
    assert.ok((left.TCPSocketWrap ?? 0) >= 1, JSON.stringify(left));
  });
});
