/**
 * Issue 16, poll mode across a crash: three real Node-RED processes poll one crm-watch-in node
 * through Redis (one poller, the checkpoint shared); the poller is killed with SIGKILL while it
 * emits a page of changes (its own flow kills it at its 25th message).
 *
 * The changes arrive while the poller walks a second holding more than a page (300 records
 * stamped in one second, the fleet's first mark): the sandbox makes them at the moment it
 * answers the walk's first page, so every run meets the case that lost a page (changes.ts,
 * modifiedSince: records of that second edited during the walk move later, and the rest move
 * up into pages already read).
 *
 * The guarantee asserted is the pack's: at least once. Nothing is lost; the only repeats are
 * changes of the page in flight that the killed process had already delivered (the checkpoint
 * had not moved past them), and each of those comes once more, from the successor. Exactly once
 * is not possible here: a dead process cannot say which of its delivered messages its flow
 * finished with, so a successor must either repeat them or risk losing some.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { accountsFamily } from '../src/sandbox/accounts';
import { crmFamily, type CrmFamily } from '../src/sandbox/crm/index';
import { DEFAULT_OPTIONS } from '../src/sandbox/server';
import { NodeRedProcess, startNodeRed, stopAll } from './helpers/fleet';
import { freePort, useRedis } from './helpers/redis';
import { issueTokens, DEFAULT_CLIENT, useSandbox } from './helpers/sandbox';
import { until } from './helpers/wait';

/** A short interval: the lease is its floor of 2 s (shared-state/poll.ts), renewed every 0.7 s. */
const INTERVAL_S = 3;
const KILL_AT = 25;
const GROUPS = 30;
const GROUP = 10;

describe('a fleet of three Node-RED processes polling, the poller killed mid-page', function () {
  this.timeout(90_000);
  let crm: CrmFamily;
  const sb = useSandbox({ creditLimit: 0 }, () => {
    crm = crmFamily({});
    return [accountsFamily(), crm];
  });
  const redis = useRedis();
  let fleet: NodeRedProcess[] = [];
  let work: string;

  beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-crash-'))));
  afterEach(async () => {
    await stopAll(fleet);
    fleet = [];
    fs.rmSync(work, { recursive: true, force: true });
  });

  /**
   * Each instance writes the ids of every message synchronously to its own file (so a kill
   * cannot lose a line its flow received) and kills itself with SIGKILL at its 25th message,
   * once for the whole fleet (a flag file: the successor runs on).
   */
  const extraSettings = (name: string) => `(() => {
    const fs = require('fs');
    const out = ${JSON.stringify(path.join(work, `${name}.log`))};
    const flag = ${JSON.stringify(path.join(work, 'killed'))};
    return { functionGlobalContext: {
      rec: (ids) => fs.appendFileSync(out, JSON.stringify(ids) + '\\n'),
      die: () => {
        try { fs.writeFileSync(flag, ${JSON.stringify(name)}, { flag: 'wx' }); } catch { return; }
        process.kill(process.pid, 'SIGKILL');
      },
    } };
  })()`;

  const flows = () => [
    { id: 'f1', type: 'tab' },
    {
      id: 'c1',
      type: 'zoho-config',
      region: 'custom',
      accountsUrl: sb.url,
      sharedState: 'redis',
      redisUrl: redis.server.url,
      redisPrefix: 'crash-test:',
    },
    {
      id: 'w1',
      type: 'crm-watch-in',
      z: 'f1',
      config: 'c1',
      mode: 'poll',
      modules: 'Leads',
      onCreate: true,
      onEdit: true,
      onDelete: false,
      interval: String(INTERVAL_S),
      wires: [['rec']],
    },
    {
      id: 'rec',
      type: 'function',
      z: 'f1',
      func:
        "const n = (context.get('n') || 0) + 1;\ncontext.set('n', n);\n" +
        "global.get('rec')(msg.payload.ids);\n" +
        `if (n === ${KILL_AT}) global.get('die')();\nreturn null;`,
      outputs: 1,
      wires: [],
    },
  ];

  const linesOf = (name: string): string[][] => {
    const file = path.join(work, `${name}.log`);
    if (!fs.existsSync(file)) return [];
    const text = fs.readFileSync(file, 'utf8').trim();
    return text ? text.split('\n').map((l) => JSON.parse(l) as string[]) : [];
  };
  const idsOf = (name: string) => linesOf(name).flat();

  it('kill -9 mid-page, changes made while a full second is walked: every change arrives, the repeats are only that page’s delivered part, once more', async () => {
    const { refreshToken } = issueTokens(sb.sandbox);
    // 300 records of one second before the fleet starts: its first mark holds them all, and
    // its first walk past that mark reads them over two pages.
    const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    const old = crm.store
      .insert(
        'Leads',
        Array.from({ length: GROUPS * GROUP }, (_, i) => ({ Last_Name: `Old${i}` })),
        { time: base },
      )
      .map((r) => r.id);

    // 30 groups of 10 creates, each followed by 10 edits of old records a second later, made
    // as the sandbox answers the walk's first page (before it can ask for the second).
    const made: string[] = [];
    const makeChanges = () => {
      for (let g = 0; g < GROUPS; g++) {
        const at = base + 10_000 + g * 2_000;
        const rows = Array.from({ length: GROUP }, (_, i) => ({ Last_Name: `New${g}-${i}` }));
        made.push(...crm.store.insert('Leads', rows, { time: at }).map((r) => r.id));
        const edited = old.slice(g * GROUP, (g + 1) * GROUP);
        edited.forEach((id) =>
          crm.store.update('Leads', id, { Company: `E${g}` }, { time: at + 1_000 }),
        );
        made.push(...edited);
      }
    };
    const check = DEFAULT_OPTIONS.onAnswer;
    sb.sandbox.configure({
      onAnswer: (req, status, body) => {
        check?.(req, status, body);
        if (made.length > 0 || req.method !== 'GET' || req.path !== '/crm/v8/Leads') return;
        const asked = sb.sandbox.requests.filter((r) => r.path === '/crm/v8/Leads').at(-1);
        if (asked?.query.sort_order === 'asc') makeChanges();
      },
    });

    const creds = {
      c1: {
        clientId: DEFAULT_CLIENT.clientId,
        clientSecret: DEFAULT_CLIENT.clientSecret,
        refreshToken,
      },
    };
    for (const name of ['A', 'B', 'C'])
      fleet.push(startNodeRed(name, await freePort(), flows(), creds, extraSettings(name)));

    const killedName = await until(
      () =>
        fs.existsSync(path.join(work, 'killed')) &&
        (fs.readFileSync(path.join(work, 'killed'), 'utf8') || false),
      'the poller killing itself',
      60_000,
    );
    const killed = fleet.find((i) => i.name === killedName)!;
    await until(() => killed.child.signalCode ?? false, 'the killed process gone', 10_000);
    assert.equal(killed.child.signalCode, 'SIGKILL');
    const gone = Date.now();
    assert.equal(linesOf(killedName).length, KILL_AT, 'killed at its 25th message');

    const every = () => fleet.flatMap((i) => idsOf(i.name));
    const rest = fleet.filter((i) => i !== killed);
    await until(() => rest.some((i) => idsOf(i.name).length > 0), 'a successor', 30_000);
    const failoverMs = Date.now() - gone;
    await until(() => new Set(every()).size >= made.length, 'every change', 30_000).catch((e) => {
      const got = new Set(every());
      const missing = made.filter((id) => !got.has(id));
      const spans = (name: string) =>
        linesOf(name)
          .map((l) => `${made.indexOf(l[0])}-${made.indexOf(l.at(-1)!)}`)
          .join(',');
      throw new Error(
        `${String(e)}: ${missing.length} missing (from #${made.indexOf(missing[0])})\n` +
          fleet.map((i) => `${i.name}: ${spans(i.name)}\n${i.log}`).join('\n'),
      );
    });
    await new Promise((r) => setTimeout(r, (INTERVAL_S + 1) * 1000)); // one more poll: no more repeats

    const all = every();
    assert.deepEqual(new Set(all), new Set(made), 'nothing lost, nothing foreign');
    const seen = new Map<string, number>();
    all.forEach((id) => seen.set(id, (seen.get(id) ?? 0) + 1));
    const repeated = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
    assert.ok(
      [...seen.values()].every((n) => n <= 2),
      'nothing three times',
    );
    const byKilled = idsOf(killedName);
    const successors = rest.filter((i) => idsOf(i.name).length > 0);
    assert.equal(successors.length, 1, 'one successor');
    // The killed poller had saved its first page: only what it delivered of the second repeats.
    assert.ok(repeated.length > 0 && repeated.length <= 200, `${repeated.length} repeated`);
    assert.ok(
      repeated.every((id) => byKilled.includes(id)),
      'repeats only of the killed one',
    );
    assert.deepEqual(repeated, byKilled.slice(byKilled.length - repeated.length), 'its last ones');
    assert.deepEqual(
      idsOf(successors[0].name),
      made.slice(made.indexOf(repeated[0])),
      'from there on, in order',
    );
    console.log(
      `      poller killed at message ${KILL_AT}; successor's first message ${failoverMs} ms after the kill; ${repeated.length} changes repeated, 0 lost`,
    );
  });
});
