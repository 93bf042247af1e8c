/**
 * Faults, for every node and operation of the node-case table: 5xx, 429 with and without
 * Retry-After, resets before and after the request was handled, slow answers past the timeout,
 * a 401 INVALID_TOKEN, the token endpoint failing or throttling, a revoked refresh token and the
 * daily credit limit. For each: exactly one output or one caught error, done once, no unhandled
 * rejection, a write never applied twice, a status that says what happened, and (where the
 * fault is gone) the next message succeeds on the same runtime.
 */
import assert from 'node:assert/strict';
import { FAULT_KINDS, LASTING_FAULTS, type FaultKind } from './fault-kinds';
import { count, figure } from './figures';
import { NODE_CASES, type NodeCase, type OperationCase } from './node-cases';
import { Outcome, Rig, clearError, contractBreach } from './rig';

const FIGURES = [
  'lost_messages',
  'double_done',
  'contract_breaches',
  'double_writes',
  'unclear_errors',
  'unclear_status',
  'not_recovered',
];

/** The status a node shows last must match the outcome: green done, or red/yellow naming it. */
export function statusTells(o: Outcome): boolean {
  const last = o.statuses.at(-1);
  if (!last) return false;
  if (o.dones[0] === undefined) return last.fill === 'green';
  const code = String(o.errors[0]?.error?.code ?? '');
  const text = String(last.text ?? '');
  const named =
    text.includes(code) ||
    (last.shape === 'ring' && /auth|token|connect|revoked|throttl/i.test(text)) ||
    /rate|credit|wait/i.test(text);
  return (last.fill === 'red' || last.fill === 'yellow') && named;
}

describe('reliability: faults', function () {
  this.timeout(600_000);
  const rig = Rig.use();
  const problems: string[] = [];
  const note = (name: string, text: string) => {
    count(`faults.${name}`);
    if (problems.length < 40) problems.push(text);
  };
  before(() => {
    for (const f of FIGURES) figure(`faults.${f}`, 0);
    figure('faults.cases', 0);
  });

  async function runCase(nodeCase: NodeCase, op: OperationCase, fault: FaultKind): Promise<void> {
    await rig.load([nodeCase]);
    const what = `${nodeCase.type} ${op.name} / ${fault.name}`;
    const prepared = op.prepare(rig);
    const before = prepared.effect?.();
    const undo = fault.arm(rig, op);
    let outcome: Outcome;
    try {
      outcome = await rig.exec(nodeCase.type, prepared.msg, { settleMs: 50, timeoutMs: 60_000 });
    } catch (e) {
      note('lost_messages', `${what}: ${(e as Error).message}`);
      undo();
      return;
    } finally {
      count('faults.cases');
    }
    undo();
    rig.sandbox.faults.clear();
    const failed = outcome.dones[0] !== undefined;
    count(failed ? 'faults.outcome_error' : 'faults.outcome_output');
    if (outcome.dones.length > 1)
      note('double_done', `${what}: done ${outcome.dones.length} times`);
    const breach = contractBreach(outcome);
    if (breach) note('contract_breaches', `${what}: ${breach}`);
    if (failed && !clearError(outcome))
      note('unclear_errors', `${what}: ${JSON.stringify(outcome.errors[0]?.error)}`);
    if (!statusTells(outcome))
      note(
        'unclear_status',
        `${what}: ${JSON.stringify(outcome.statuses.at(-1))} after ${failed ? outcome.errors[0]?.error?.code : 'success'}`,
      );
    if (prepared.effect) {
      const change = prepared.effect() - (before ?? 0);
      const delta = prepared.delta ?? 0;
      if (change !== 0 && change !== delta)
        note('double_writes', `${what}: store changed by ${change}, one write is ${delta}`);
      if (!failed && change !== delta)
        note('double_writes', `${what}: success but the store changed by ${change}, not ${delta}`);
    }
    if (fault.recovers) {
      const again = op.prepare(rig);
      const next = await rig.exec(nodeCase.type, again.msg, { settleMs: 20, timeoutMs: 60_000 });
      if (next.dones[0] !== undefined || next.outs.length !== 1)
        note(
          'not_recovered',
          `${what}: the next message failed: ${JSON.stringify(next.errors[0]?.error)}`,
        );
    }
  }

  for (const nodeCase of NODE_CASES) {
    it(`${nodeCase.type}: every operation under every fault`, async function () {
      for (const op of nodeCase.operations) {
        for (const fault of FAULT_KINDS) await runCase(nodeCase, op, fault);
      }
      for (const fault of LASTING_FAULTS) await runCase(nodeCase, nodeCase.operations[0], fault);
    });
  }

  it('the double-write check can fail: a POST retried after a reset is applied twice', async function () {
    // retryOnAllErrors is zoho-raw's explicit opt-in to retry even where a write may repeat.
    const raw = NODE_CASES.find((c) => c.type === 'zoho-raw')!;
    const post = raw.operations.find((o) => o.name === 'POST')!;
    await rig.load([{ ...raw, props: { ...raw.props, retryOnAllErrors: true, retryDelay: 10 } }]);
    const prepared = post.prepare(rig);
    const before = prepared.effect!();
    rig.sandbox.faults.inject({ match: post.match, kind: 'reset-after' });
    const o = await rig.exec('zoho-raw', prepared.msg);
    assert.equal(o.outs.length, 1);
    assert.equal(
      prepared.effect!() - before,
      2 * prepared.delta!,
      'the judge sees the second write',
    );
  });

  it('every figure is 0: nothing lost, nothing doubled, every failure said', function () {
    figure('faults.unhandled_rejections', rig.unhandled.length);
    figure('faults.stray_errors', rig.orphans.length);
    for (const u of rig.unhandled.slice(0, 5)) problems.push(`unhandled: ${String(u)}`);
    for (const o of rig.orphans.slice(0, 5)) problems.push(`stray: ${JSON.stringify(o.error)}`);
    assert.equal(problems.length, 0, problems.join('\n'));
  });
});
