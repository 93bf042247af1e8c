/**
 * Bad input, generated: at least 1,000 cases per node (the node-case table), plus the
 * zoho-config admin endpoints. Figures: crashes (a message without exactly one output or one
 * caught error and one done, an unhandled rejection, a stray error), requests with an unsafe
 * path or an altered query (from the sandbox's log of every request), and inputs that got no
 * clear error (a vague code, an output where a refusal was due, or a request sent for input
 * that must be refused). Each must be 0.
 */
import assert from 'node:assert/strict';
import { helper } from '../helpers/red';
import { Gen, oversizeUploads, type BadInput } from './bad-input';
import { count, figure } from './figures';
import { NODE_CASES } from './node-cases';
import { alteredCoql, alteredCriteria, apiRequests, unsafeRequest } from './request-checks';
import { Rig, clearError, contractBreach } from './rig';
import { adminFuzzCases } from './admin-fuzz';

const PER_NODE = Number(process.env.FUZZ_CASES ?? 1100);

describe('reliability: bad input', function () {
  this.timeout(600_000);
  const rig = Rig.use();
  const problems: string[] = [];
  const note = (figureName: string, text: string) => {
    count(figureName);
    if (problems.length < 40) problems.push(text);
  };

  before(async () => {
    await rig.load(NODE_CASES);
    for (const name of ['crashes', 'unsafe_requests', 'no_clear_error']) figure(`fuzz.${name}`, 0);
  });

  async function judge(type: string, input: BadInput): Promise<void> {
    rig.sandbox.clearRequests();
    const what = `${type} ${input.label} ${show(input.msg)}`;
    let outcome;
    try {
      outcome = await rig.exec(type, input.msg, { settleMs: 2, timeoutMs: 30_000 });
    } catch (e) {
      note('fuzz.crashes', `${what}: ${(e as Error).message}`);
      return;
    }
    const breach = contractBreach(outcome);
    if (breach) note('fuzz.crashes', `${what}: ${breach}`);
    const sent = apiRequests(outcome.requests);
    for (const r of sent) {
      const why =
        unsafeRequest(r) ??
        (input.literal !== undefined
          ? (alteredCoql(r, input.literal) ?? alteredCriteria(r, input.literal))
          : undefined);
      if (why) note('fuzz.unsafe_requests', `${what}: ${r.method} ${r.target}: ${why}`);
      const keys = Object.keys(r.query).sort().join('&');
      if (input.queryKeys && keys !== [...input.queryKeys].sort().join('&'))
        note('fuzz.unsafe_requests', `${what}: query keys became ${keys}`);
    }
    const failed = outcome.dones[0] !== undefined;
    if (input.expect === 'refuse' && (!failed || sent.length > 0)) {
      note(
        'fuzz.no_clear_error',
        `${what}: expected a refusal, got ${failed ? 'an error after' : 'an output and'} ${sent.length} requests`,
      );
    } else if (failed && !clearError(outcome)) {
      note(
        'fuzz.no_clear_error',
        `${what}: unclear error ${JSON.stringify(outcome.errors[0]?.error)}`,
      );
    }
  }

  for (const [index, nodeCase] of NODE_CASES.entries()) {
    it(`${nodeCase.type}: ${PER_NODE}+ generated bad inputs`, async function () {
      const inputs = nodeCase.badInputs(new Gen(7919 * (index + 1)), PER_NODE);
      if (nodeCase.type === 'crm-attachment') inputs.push(...oversizeUploads());
      for (const [i, input] of inputs.entries()) {
        if (i % 200 === 0) rig.crm.store.clear();
        await judge(nodeCase.type, input);
      }
      figure(`fuzz.cases.${nodeCase.type}`, inputs.length);
      assert.ok(inputs.length >= 1000);
    });
  }

  it('zoho-config: 1000+ generated calls of its admin endpoints', async function () {
    const cases = adminFuzzCases(new Gen(104729), rig.sandbox.url, 1100);
    for (const c of cases) {
      rig.sandbox.clearRequests();
      const res = await Promise.resolve(c.call(helper.request())).catch((e: Error) => ({
        status: 0,
        text: e.message,
        body: {},
      }));
      const what = `zoho-config ${c.label}`;
      if (res.status === 0 || res.status === 500)
        note('fuzz.crashes', `${what}: ${res.status} ${res.text}`);
      else if (res.status >= 400 && !/\w{4,}/.test(String(res.body?.error?.message ?? res.text)))
        note('fuzz.no_clear_error', `${what}: ${res.status} without a message`);
      for (const r of rig.sandbox.requests) {
        const why = unsafeRequest(r);
        if (why) note('fuzz.unsafe_requests', `${what}: ${r.method} ${r.target}: ${why}`);
      }
    }
    figure('fuzz.cases.zoho-config', cases.length);
    assert.ok(cases.length >= 1000);
  });

  it('every figure is 0: no crash, no unsafe request, no unclear error, no pollution', function () {
    const polluted = ({} as Record<string, unknown>).polluted !== undefined;
    figure('fuzz.prototype_polluted', polluted ? 1 : 0);
    figure('fuzz.unhandled_rejections', rig.unhandled.length);
    count('fuzz.crashes', rig.unhandled.length + rig.orphans.length);
    for (const o of rig.orphans.slice(0, 5)) problems.push(`stray: ${JSON.stringify(o.error)}`);
    for (const u of rig.unhandled.slice(0, 5)) problems.push(`unhandled: ${String(u)}`);
    assert.equal(problems.length, 0, problems.join('\n'));
    assert.equal(polluted, false);
  });
});

function show(msg: Record<string, unknown>): string {
  const text = JSON.stringify(msg, (_k, v: unknown) =>
    typeof v === 'string' && v.length > 60
      ? `<${v.length} chars>`
      : Array.isArray(v) && v.length > 20
        ? `<array of ${v.length}>`
        : typeof v === 'bigint'
          ? `${v}n`
          : v,
  );
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
