/**
 * crm-watch-in and books-watch-in under the faults of fault-kinds.ts. Poll mode: each
 * recovering fault aimed at the poll's read, eight times in a row (twice one call and its three
 * retries) while records are created (and, in Books, edited); once it is gone every change is
 * sent exactly once, a failed poll reaches the Catch node with a clear error and a red status
 * naming it, and nothing is rejected unhandled.
 * Webhook mode: registering the channel fails on deploy and recovers: one channel, and a
 * change after recovery is delivered.
 */
import assert from 'node:assert/strict';
import { helper } from '../helpers/red';
import { ENTITY_BY_NAME } from '../../src/sandbox/books/defs';
import type { Entity } from '../../src/sandbox/books/store';
import { FAULT_KINDS } from './fault-kinds';
import { figure } from './figures';
import type { OperationCase } from './node-cases';
import { AnyMsg, Entry, ORG, Rig, clearError } from './rig';
import {
  booksWatchProps,
  createLeads,
  idsOf,
  loadWatch,
  pollProps,
  sleep,
  until,
  webhookProps,
} from './watch-rig';

/**
 * Twice one call and its three retries (DEFAULT_RETRY.maxRetries): a poll in flight when the
 * fault is armed may take the first hits and still succeed, the next one must fail.
 */
const HITS = 8;

/** Errors that reached the Catch node without a clear error or a red status naming it. */
function unclearAtCatch(atCatch: { error: AnyMsg; status: AnyMsg | undefined }[]) {
  return atCatch.filter(({ error, status }) => {
    const code = String(error.error?.code ?? '');
    const entry = { errors: [error] } as unknown as Entry;
    return (
      !clearError(entry) || status?.fill !== 'red' || !String(status?.text ?? '').includes(code)
    );
  });
}

/**
 * A poll run under the fault kinds, as figures and assertions: what was expected sent exactly
 * once, nothing else sent, at least half the kinds failing a poll, each failure caught clearly.
 */
function reportPollFaults(
  prefix: string,
  unit: string,
  run: {
    kinds: number;
    expected: string[];
    sent: string[];
    atCatch: { error: AnyMsg; status: AnyMsg | undefined }[];
    failedKinds: string[];
    unhandled: unknown[];
  },
): void {
  const { expected, sent, atCatch, failedKinds } = run;
  const lost = expected.filter((x) => !sent.includes(x));
  const duplicated = sent.length - new Set(sent).size;
  const unclear = unclearAtCatch(atCatch);
  figure(`${prefix}_cases`, run.kinds);
  figure(`${prefix}_${unit}`, expected.length);
  figure(`${prefix}_lost`, lost.length);
  figure(`${prefix}_duplicated`, duplicated);
  figure(`${prefix}_failed_polls_caught`, atCatch.length);
  figure(`${prefix}_kinds_failing_a_poll`, failedKinds.length);
  figure(`${prefix}_unclear`, unclear.length);
  figure(`${prefix}_unhandled`, run.unhandled.length);
  assert.deepEqual(lost, []);
  assert.equal(duplicated, 0);
  assert.deepEqual(
    sent.filter((x) => !expected.includes(x)),
    [],
    'nothing sent that was not made',
  );
  assert.ok(failedKinds.length >= run.kinds / 2, `polls failed on: ${failedKinds.join(', ')}`);
  assert.deepEqual(
    unclear.map((u) => [u.error.error, u.status]),
    [],
  );
  assert.deepEqual(run.unhandled, []);
}

describe('reliability: watch node faults', function () {
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

    reportPollFaults('watch.poll_faults', 'records', {
      kinds: kinds.length,
      expected: created,
      sent: idsOf(out),
      atCatch,
      failedKinds,
      unhandled: rig.unhandled,
    });
    // Still running: the latest status is a good poll again.
    assert.equal(statuses.at(-1)?.fill, 'green');
  });

  it('books-watch-in: every contact created or edited during faults is sent exactly once', async function () {
    const w = await loadWatch(rig, [
      {
        id: 'b1',
        type: 'books-watch-in',
        // A second 429 in a row waits for the node's window to roll: 1 s here, not a minute.
        props: booksWatchProps({ entities: 'contacts', onStatus: false, rateWindowMs: 1000 }),
      },
    ]);
    const out = w.outs.get('b1')!;
    const statuses = w.statuses.get('b1')!;
    const polled = () => statuses.filter((s) => /^polling ·/.test(String(s.text))).length;
    const atCatch: { error: AnyMsg; status: AnyMsg | undefined }[] = [];
    helper
      .getNode('caught')
      .on('input', (m: AnyMsg) => atCatch.push({ error: m, status: statuses.at(-1) }));
    await until(() => polled() >= 1, 'the first poll');

    const op: OperationCase = {
      name: 'poll read',
      match: { method: 'GET', path: /^\/books\/v3\/contacts$/ },
      prepare: () => ({ msg: {} }),
    };
    // CRM's credits are not Books': Books' own daily quota, once spent, holds calls until its
    // reset the next day, by design, so it has no recovery to wait for here.
    const kinds = FAULT_KINDS.filter((k) => k.recovers && k.name !== 'daily credit limit reached');
    const contacts = ENTITY_BY_NAME.get('contacts')!;
    const sent = () => out.map((m) => `${m.event} ${m.id}`);
    const made: Entity[] = [];
    const idOf = (e: Entity) => String(e.contact_id);
    const edited = new Set<string>();
    const expected: string[] = [];
    const failedKinds: string[] = [];
    let n = 0;
    for (const kind of kinds) {
      const caughtBefore = w.caught.length;
      // Books answers a dead token with 57, as it does a missing scope: the pack refreshes once,
      // and a fresh token refused alike makes 57 mean scope on this connection (core/http.ts
      // TOKEN_OR_SCOPE) until that token's own expiry. So one expiry here, which a refresh cures.
      const hits = kind.name.startsWith('401') ? 1 : HITS;
      const undos = Array.from({ length: hits }, () => kind.arm(rig, op));
      for (let burst = 0; burst < 3; burst++) {
        // One edit each of contacts already sent as created: an update that must come once.
        const seen = new Set(sent());
        const toEdit = made
          .filter((e) => !edited.has(idOf(e)))
          .filter((e) => seen.has(`created ${idOf(e)}`))
          .slice(0, 5);
        for (const e of toEdit) {
          rig.books.store.update(ORG, contacts, e, { contact_name: `${String(e.contact_name)}!` });
          edited.add(idOf(e));
          expected.push(`updated ${idOf(e)}`);
        }
        const fresh = rig.books.store.insert(
          ORG,
          'contacts',
          Array.from({ length: 5 }, () => ({ contact_name: `B${n++}` })),
        );
        made.push(...fresh);
        expected.push(...fresh.map((e) => `created ${idOf(e)}`));
        await sleep(80);
      }
      await until(
        () => rig.sandbox.faults.pending.length === 0,
        `${kind.name}: the fault met`,
        60_000,
      );
      undos.forEach((undo) => undo());
      if (w.caught.length > caughtBefore) failedKinds.push(kind.name);
      await until(
        () => expected.every((x) => sent().includes(x)),
        `${kind.name}: every change after the fault`,
        60_000,
      ).catch((e: Error) => {
        const missing = expected.filter((x) => !sent().includes(x));
        const state = JSON.stringify({ missing, status: statuses.at(-1), caught: w.caught.length });
        throw new Error(`${e.message}: ${state}`);
      });
    }
    const last = polled();
    await until(() => polled() >= last + 5, 'five more polls');

    reportPollFaults('watch.books_poll_faults', 'changes', {
      kinds: kinds.length,
      expected,
      sent: sent(),
      atCatch,
      failedKinds,
      unhandled: rig.unhandled,
    });
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
