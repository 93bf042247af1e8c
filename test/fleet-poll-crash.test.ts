/**
 * Issue 16, poll mode across a crash (helpers/poll-crash.ts): three real Node-RED processes
 * poll one crm-watch-in node through Redis; the poller is killed with SIGKILL at its 25th
 * message; the changes arrive while it walks a second holding more than a page, the case that
 * lost a page (changes.ts, modifiedSince).
 *
 * The guarantee asserted is the pack's: at least once. Nothing is lost; the only repeats are
 * changes of the page in flight that the killed process had already delivered (the checkpoint
 * had not moved past them), and each of those comes once more, from the successor. Exactly once
 * is not possible here: a dead process cannot say which of its delivered messages its flow
 * finished with, so a successor must either repeat them or risk losing some.
 */
import assert from 'node:assert/strict';
import { accountsFamily } from '../src/sandbox/accounts';
import { crmFamily, type CrmFamily } from '../src/sandbox/crm/index';
import { KILL_AT, runPollCrash, tally } from './helpers/poll-crash';
import { useRedis } from './helpers/redis';
import { useSandbox } from './helpers/sandbox';

describe('a fleet of three Node-RED processes polling, the poller killed mid-page', function () {
  this.timeout(120_000);
  let crm: CrmFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    crm = crmFamily({});
    return [accountsFamily(), crm];
  });
  const redis = useRedis();

  it('kill -9 mid-page, changes made while a full second is walked: every change arrives, the repeats are only that page’s delivered part, once more', async () => {
    const run = await runPollCrash(sb.sandbox, crm, redis.server.url);
    const { made, killedName, lines } = run;
    assert.equal(run.killedSignal, 'SIGKILL');
    const idsOf = (name: string) => (lines.get(name) ?? []).flat();
    const spans = (name: string) =>
      (lines.get(name) ?? [])
        .map((l) => `${made.indexOf(l[0])}-${made.indexOf(l.at(-1)!)}`)
        .join(',');
    const { lost, repeated, all } = tally(run);
    assert.equal(
      lost,
      0,
      `${lost} changes lost\n${[...lines.keys()].map((n) => `${n}: ${spans(n)}`).join('\n')}\n${run.logs}`,
    );
    assert.deepEqual(new Set(all), new Set(made), 'nothing foreign');
    assert.equal(lines.get(killedName)?.length, KILL_AT, 'killed at its 25th message');
    const seen = new Map<string, number>();
    all.forEach((id) => seen.set(id, (seen.get(id) ?? 0) + 1));
    assert.ok(
      [...seen.values()].every((n) => n <= 2),
      'nothing three times',
    );
    const byKilled = idsOf(killedName);
    const successors = [...lines.keys()].filter((n) => n !== killedName && idsOf(n).length > 0);
    assert.equal(successors.length, 1, 'one successor');
    // The killed poller had saved its first page: only what it delivered of the second repeats.
    assert.ok(repeated.length > 0 && repeated.length <= 200, `${repeated.length} repeated`);
    assert.ok(
      repeated.every((id) => byKilled.includes(id)),
      'repeats only of the killed one',
    );
    assert.deepEqual(repeated, byKilled.slice(byKilled.length - repeated.length), 'its last ones');
    assert.deepEqual(
      idsOf(successors[0]),
      made.slice(made.indexOf(repeated[0])),
      'from there on, in order',
    );
    console.log(
      `      poller killed at message ${KILL_AT}; successor's first message ${run.failoverMs} ms after the kill; ${repeated.length} changes repeated, 0 lost`,
    );
  });
});
