/**
 * Issue 16's crash scenario in poll mode, shared by test/fleet-poll-crash.test.ts and the
 * `fleet` bench: three real Node-RED processes poll one crm-watch-in node through Redis; the
 * poller kills itself with SIGKILL at its 25th message (its own flow does it, once for the
 * fleet), and the changes are made as the sandbox answers the poll's first ascending page,
 * while the poller walks a second holding more than a page (300 records of one second).
 *
 * Each instance writes the ids of every message synchronously to its own file, so a kill
 * cannot lose a line its flow received.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CrmFamily } from '../../src/sandbox/crm/index';
import { DEFAULT_OPTIONS, type Sandbox } from '../../src/sandbox/server';
import { NodeRedProcess, startNodeRed, stopAll } from './fleet';
import { freePort } from './redis';
import { DEFAULT_CLIENT, issueTokens } from './sandbox';
import { until } from './wait';

/** A short interval: the lease is its floor of 2 s (shared-state/poll.ts), renewed every 0.7 s. */
export const INTERVAL_S = 3;
export const KILL_AT = 25;
const GROUPS = 30;
const GROUP = 10;

export interface CrashRun {
  /** Every change made, in Zoho's order. */
  made: string[];
  killedName: string;
  killedSignal: string | null;
  /** Per instance, the ids its flow received, one array per message. */
  lines: Map<string, string[][]>;
  /** From the kill to the successor's first message. */
  failoverMs: number;
  /** Each instance's output, for a failing test's message. */
  logs: string;
}

const extraSettings = (work: string, name: string) => `(() => {
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

const flows = (sandboxUrl: string, redisUrl: string) => [
  { id: 'f1', type: 'tab' },
  {
    id: 'c1',
    type: 'zoho-config',
    region: 'custom',
    accountsUrl: sandboxUrl,
    sharedState: 'redis',
    redisUrl,
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

function linesOf(work: string, name: string): string[][] {
  const file = path.join(work, `${name}.log`);
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, 'utf8').trim();
  return text ? text.split('\n').map((l) => JSON.parse(l) as string[]) : [];
}

/**
 * Runs the scenario until every change arrived (30 s at most after the successor's first
 * message), then one more interval so a repeat would show; the processes are stopped after.
 */
export async function runPollCrash(
  sandbox: Sandbox,
  crm: CrmFamily,
  redisUrl: string,
): Promise<CrashRun> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-crash-'));
  const fleet: NodeRedProcess[] = [];
  const { refreshToken } = issueTokens(sandbox);
  // 300 records of one second before the fleet starts: its first mark holds them all, and its
  // first walk past that mark reads them over two pages.
  const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
  const rows = (n: number, tag: string) =>
    Array.from({ length: n }, (_, i) => ({ Last_Name: `${tag}${i}` }));
  const old = crm.store
    .insert('Leads', rows(GROUPS * GROUP, 'Old'), { time: base })
    .map((r) => r.id);
  // 30 groups of 10 creates, each followed by 10 edits of old records a second later.
  const made: string[] = [];
  const makeChanges = () => {
    for (let g = 0; g < GROUPS; g++) {
      const at = base + 10_000 + g * 2_000;
      made.push(
        ...crm.store.insert('Leads', rows(GROUP, `New${g}-`), { time: at }).map((r) => r.id),
      );
      const edited = old.slice(g * GROUP, (g + 1) * GROUP);
      edited.forEach((id) =>
        crm.store.update('Leads', id, { Company: `E${g}` }, { time: at + 1_000 }),
      );
      made.push(...edited);
    }
  };
  const check = DEFAULT_OPTIONS.onAnswer;
  // Made as the sandbox answers the first ascending page, before the poller can ask for more.
  sandbox.configure({
    onAnswer: (req, status, body) => {
      check?.(req, status, body);
      if (made.length > 0 || req.method !== 'GET' || req.path !== '/crm/v8/Leads') return;
      const asked = sandbox.requests.filter((r) => r.path === '/crm/v8/Leads').at(-1);
      if (asked?.query.sort_order === 'asc') makeChanges();
    },
  });
  const { clientId, clientSecret } = DEFAULT_CLIENT;
  const creds = { c1: { clientId, clientSecret, refreshToken } };
  try {
    for (const name of ['A', 'B', 'C'])
      fleet.push(
        startNodeRed(
          name,
          await freePort(),
          flows(sandbox.url, redisUrl),
          creds,
          extraSettings(work, name),
        ),
      );
    const flag = path.join(work, 'killed');
    const killedName = await until(
      () => fs.existsSync(flag) && (fs.readFileSync(flag, 'utf8') || false),
      'the poller killing itself',
      60_000,
    );
    const killed = fleet.find((i) => i.name === killedName)!;
    await until(() => killed.child.signalCode ?? false, 'the killed process gone', 10_000);
    const gone = Date.now();
    const ids = () => fleet.flatMap((i) => linesOf(work, i.name).flat());
    const rest = fleet.filter((i) => i !== killed);
    await until(() => rest.some((i) => linesOf(work, i.name).length > 0), 'a successor', 30_000);
    const failoverMs = Date.now() - gone;
    await until(() => new Set(ids()).size >= made.length, 'every change', 30_000).catch(
      () => undefined, // the caller sees what is missing
    );
    await new Promise((r) => setTimeout(r, (INTERVAL_S + 1) * 1000)); // one more poll
    const lines = new Map(fleet.map((i) => [i.name, linesOf(work, i.name)]));
    const logs = fleet.map((i) => `${i.name}:\n${i.log}`).join('\n');
    return { made, killedName, killedSignal: killed.child.signalCode, lines, failoverMs, logs };
  } finally {
    sandbox.configure({ onAnswer: check });
    await stopAll(fleet);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Lost and repeated changes of a run, across the fleet. */
export function tally(run: CrashRun): { lost: number; repeated: string[]; all: string[] } {
  const all = [...run.lines.values()].flat(2);
  const got = new Set(all);
  const seen = new Map<string, number>();
  all.forEach((id) => seen.set(id, (seen.get(id) ?? 0) + 1));
  return {
    lost: run.made.filter((id) => !got.has(id)).length,
    repeated: [...seen].filter(([, n]) => n > 1).map(([id]) => id),
    all,
  };
}
