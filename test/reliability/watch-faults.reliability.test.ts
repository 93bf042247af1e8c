/**
 * crm-watch-in under the faults of fault-kinds.ts. Poll mode: each recovering fault aimed at
 * the poll's read, eight times in a row (twice one call and its three retries) while records are
 * created; once it is gone every record is sent exactly once, a failed poll reaches the Catch
 * node with a clear error and a red status naming it, and nothing is rejected unhandled.
 * Webhook mode: registering the channel fails on deploy and recovers: one channel, and a
 * change after recovery is delivered.
 */
import assert from 'node:assert/strict';
import { helper } from '../helpers/red';
import { FAULT_KINDS } from './fault-kinds';
import { figure } from './figures';
import type { OperationCase } from './node-cases';
import { AnyMsg, Entry, Rig, clearError } from './rig';
import { createLeads, idsOf, loadWatch, pollProps, sleep, until, webhookProps } from './watch-rig';

/**
 * Twice one call and its three retries (DEFAULT_RETRY.maxRetries): a poll in flight when the
 * fault is armed may take the first hits and still succeed, the next one must fail.
 */
const HITS = 8;

describe('reliability: crm-watch-in faults', function () {
  this.timeout(600_000);
  const rig = Rig.use();

  it('poll mode: every record created during faults is sent exactly once', async function () {
    const w = await loadWatch(rig, [{ id: 'p1', props: pollProps() }]);
    const out = w.outs.get('p1')!;
    const statuses = w.statuses.get('p1')!;
    const polled = () => statuses.filter((s) => /^polling ·/.test(String(s.text))).length;
    // The status shown when each error reached the Catch node.
    const atCatch: { error: AnyMsg; status: AnyMsg | undefined }[] = [];
    helper
      .getNode('caught')
      .on('input', (m: AnyMsg) => atCatch.push({ error: m, status: statuses.at(-1) }));
    await until(() => polled() >= 1, 'the first poll');

    const op: OperationCase = {
      name: 'poll read',
      match: { method: 'GET', path: '/crm/v8/Leads' },
      prepare: () => ({ msg: {} }),
    };
    const kinds = FAULT_KINDS.filter((k) => k.recovers);
    const created: string[] = [];
    const failedKinds: string[] = [];
    let n = 0;
    for (const kind of kinds) {
      const caughtBefore = w.caught.length;
      const undos = Array.from({ length: HITS }, () => kind.arm(rig, op));
      for (let burst = 0; burst < 3; burst++) {
        const made = rig.crm.store.insert(
          'Leads',
          Array.from({ length: 5 }, () => ({ Last_Name: `F${n++}` })),
        );
        created.push(...made.map((r) => String(r.id)));
        await sleep(80);
      }
      // The fault used up (the credit limit lasts until undone: until a poll failed on it).
      await until(
        () =>
          rig.sandbox.faults.pending.length === 0 &&
          (kind.name !== 'daily credit limit reached' || w.caught.length > caughtBefore),
        `${kind.name}: the fault met`,
        60_000,
      );
      undos.forEach((undo) => undo());
      if (w.caught.length > caughtBefore) failedKinds.push(kind.name);
      await until(
        () => created.every((id) => idsOf(out).includes(id)),
        `${kind.name}: every record after the fault`,
        60_000,
      );
    }
    // A few more polls: a record sent twice would show now.
    const last = polled();
    await until(() => polled() >= last + 5, 'five more polls');

    const sent = idsOf(out);
    const lost = created.filter((id) => !sent.includes(id));
    const duplicated = sent.length - new Set(sent).size;
    const unclear = atCatch.filter(({ error, status }) => {
      const code = String(error.error?.code ?? '');
      const entry = { errors: [error] } as unknown as Entry;
      return (
        !clearError(entry) || status?.fill !== 'red' || !String(status?.text ?? '').includes(code)
      );
    });
    figure('watch.poll_faults_cases', kinds.length);
    figure('watch.poll_faults_records', created.length);
    figure('watch.poll_faults_lost', lost.length);
    figure('watch.poll_faults_duplicated', duplicated);
    figure('watch.poll_faults_failed_polls_caught', atCatch.length);
    figure('watch.poll_faults_kinds_failing_a_poll', failedKinds.length);
    figure('watch.poll_faults_unclear', unclear.length);
    figure('watch.poll_faults_unhandled', rig.unhandled.length);
    assert.deepEqual(lost, []);
    assert.equal(duplicated, 0);
    assert.equal(sent.length, created.length, 'no record that was not created');
    assert.ok(failedKinds.length >= kinds.length / 2, `polls failed on: ${failedKinds.join(', ')}`);
    assert.deepEqual(
      unclear.map((u) => [u.error.error, u.status]),
      [],
    );
    assert.deepEqual(rig.unhandled, []);
    // Still running: the latest status is a good poll again.
    assert.equal(statuses.at(-1)?.fill, 'green');
  });

  it('webhook mode: registration failing on deploy, then recovering: one channel, changes arrive', async function () {
    const rules = [
      { name: '500', kind: 'status' as const, status: 500 },
      { name: '429', kind: 'status' as const, status: 429 },
      { name: 'reset after', kind: 'reset-after' as const },
    ];
    let recovered = 0;
    let channels = 0;
    let keeperRetries = 0;
    for (const rule of rules) {
      rig.crm.notifications.channels.clear();
      // Once: the keeper's registration is one call (a POST that may have been applied is
      // not repeated by the request layer), so the keeper's own retry, 5 s on, recovers.
      rig.sandbox.clearRequests();
      rig.sandbox.faults.inject({
        match: { method: 'POST', path: '/crm/v8/actions/watch' },
        kind: rule.kind,
        status: 'status' in rule ? rule.status : undefined,
      });
      const w = await loadWatch(rig, [{ id: 'w1', props: webhookProps() }]);
      const statuses = w.statuses.get('w1')!;
      await until(
        () => statuses.at(-1)?.fill === 'green',
        `${rule.name}: the channel after recovery`,
        60_000,
      );
      const posts = rig.sandbox.requests.filter(
        (r) => r.method === 'POST' && r.path === '/crm/v8/actions/watch',
      ).length;
      assert.ok(posts >= 2, `${rule.name}: registered again (${posts} POSTs)`);
      if (w.caught.length > 0) {
        keeperRetries++;
        assert.match(String(w.caught[0].error?.code), /^[A-Z_]{4,}$/);
        assert.ok(
          statuses.some((s) => s.fill === 'red' && /channel error/.test(s.text)),
          JSON.stringify(statuses),
        );
      }
      channels = Math.max(channels, rig.crm.notifications.live().length);
      assert.equal(rig.crm.notifications.live().length, 1, `${rule.name}: one channel`);
      const ids = await createLeads(rig, 3, `W${rule.name}`);
      const out = w.outs.get('w1')!;
      await until(() => idsOf(out).length >= 3, `${rule.name}: the change`);
      await sleep(200);
      assert.deepEqual(idsOf(out), ids);
      recovered++;
      await rig.unload();
      assert.equal(rig.crm.notifications.live().length, 0);
    }
    figure('watch.register_faults_cases', rules.length);
    figure('watch.register_faults_recovered', recovered);
    figure('watch.register_faults_most_channels', channels);
    figure('watch.register_faults_caught', keeperRetries);
    assert.deepEqual(rig.unhandled, []);
    assert.ok(keeperRetries >= 1, 'a failed registration reached the Catch node');
  });
});
