/**
 * crm-watch-in figures, in a real Node-RED (test helper) against the sandbox:
 * - webhook: time from a change in the sandbox (its crm.change event) to the message leaving
 *   the node (arriving at the node wired to it), median and p99;
 * - poll: API calls per poll cycle and module when nothing changed, and events lost or
 *   duplicated over 10,000 changes (creates, edits, deletes) with restarts in between, some
 *   changes made while Node-RED was down.
 */
import { performance } from 'node:perf_hooks';
import { crmFamily, type CrmFamily } from '../src/sandbox/crm/index';
import type { CrmChange } from '../src/sandbox/crm/index';
import {
  helper,
  httpNodeUrl,
  persistentContext,
  shutdownRed,
  unloadFlow,
} from '../test/helpers/red';
import { authHeader, issueTokens } from '../test/helpers/sandbox';
import { Figure, figure, median, percentile } from './lib';
import { WatchRig, until, watchRig } from './watch-rig';

/** A crm-watch-in message: the fields the benchmark reads. */
interface ChangeMsg {
  payload: { operation: string; ids: string[] };
}
/** A CRM write answer: the record ids the benchmark reads. */
interface WriteAnswer {
  data: { details: { id: string } }[];
}
interface Rig extends WatchRig<ChangeMsg> {
  crm: CrmFamily;
  api(method: string, path: string, body?: unknown): Promise<WriteAnswer>;
}

async function rig(): Promise<Rig> {
  const crm = crmFamily({});
  const r = await watchRig<ChangeMsg>('crm-watch-in', crm);
  const token = issueTokens(r.sb).accessToken;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(r.sb.url + '/crm/v8' + path, {
      method,
      headers: { ...authHeader(token), 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res.status === 204 ? { data: [] } : ((await res.json()) as WriteAnswer);
  };
  return Object.assign(r, { crm, api });
}

/**
 * Webhook latency against a baseline that a regression of the pack would leave behind: the same
 * change also goes, through a second channel, to a bare `http in` node (what a user would wire
 * without the pack), so both callbacks leave the sandbox together and the ratio is the pack's
 * own cost of verifying and shaping one callback.
 */
export async function webhookLatency(changes = 500): Promise<Figure[]> {
  const r = await rig();
  try {
    const bareHook = [
      {
        id: 'bare',
        type: 'http in',
        z: 'f1',
        url: '/bare-hook',
        method: 'post',
        wires: [['bareOut', 'bareOk']],
      },
      { id: 'bareOk', type: 'http response', z: 'f1', statusCode: '200' },
      { id: 'bareOut', type: 'helper', z: 'f1' },
    ];
    await r.load(
      {
        mode: 'webhook',
        modules: 'Leads',
        onCreate: true,
        onEdit: true,
        publicUrl: httpNodeUrl(''),
        publicUrlType: 'str',
      },
      bareHook,
    );
    await until(() => r.crm.notifications.live().length === 1, 5000);
    await r.api('POST', '/actions/watch', {
      watch: [
        {
          channel_id: '9000000000001',
          events: ['Leads.create', 'Leads.edit'],
          notify_url: httpNodeUrl('/bare-hook'),
          token: 'bare-hook',
        },
      ],
    });
    const changedAt = new Map<string, number>();
    r.sb.events.on('crm.change', (c: CrmChange) => {
      const now = performance.now();
      for (const id of c.ids) changedAt.set(`${c.operation}:${id}`, now);
    });
    const latencies: number[] = [];
    const bare: number[] = [];
    const since = (operation: string, id: string) => {
      const t0 = changedAt.get(`${operation}:${id}`);
      return t0 === undefined ? undefined : performance.now() - t0;
    };
    helper.getNode('out').on('input', (m: ChangeMsg) => {
      const op = m.payload.operation === 'create' ? 'insert' : 'update';
      const t = since(op, m.payload.ids[0]);
      if (t !== undefined) latencies.push(t);
    });
    helper
      .getNode('bareOut')
      .on('input', (m: { payload: { operation: string; ids: string[] } }) => {
        const t = since(m.payload.operation, m.payload.ids[0]);
        if (t !== undefined) bare.push(t);
      });
    let lastId = '';
    for (let i = 0; i < changes; i++) {
      const want = latencies.length + 1;
      const wantBare = bare.length + 1;
      if (i % 2 === 0 || !lastId) {
        const res = await r.api('POST', '/Leads', { data: [{ Last_Name: `W${i}` }] });
        lastId = res.data[0].details.id;
      } else await r.api('PUT', `/Leads/${lastId}`, { data: [{ Email: `w${i}@x.example` }] });
      await until(() => latencies.length >= want && bare.length >= wantBare, 5000);
    }
    const round = (v: number) => Math.round(v * 100) / 100;
    return [
      figure('watch.webhook_latency_median', round(median(latencies)), 'ms'),
      figure('watch.webhook_latency_p99', round(percentile(latencies, 99)), 'ms'),
      figure('watch.webhook_bare_http_in_median', round(median(bare)), 'ms'),
      figure(
        'watch.webhook_latency_vs_bare_http_in',
        round(median(latencies) / median(bare)),
        'x',
        '<= 2',
      ),
      figure('watch.webhook_events_received', latencies.length, `of ${changes}`, `= ${changes}`),
      figure('watch.webhook_bare_events_received', bare.length, `of ${changes}`, `= ${changes}`),
    ];
  } finally {
    await r.close();
  }
}

const polls = (r: Rig) => r.statuses.filter((s) => /^polling ·/.test(String(s.text))).length;

/** API calls per poll cycle and module when nothing changed (create/edit; and with delete). */
export async function pollIdleCalls(cycles = 50): Promise<Figure[]> {
  const r = await rig();
  const modules = ['Leads', 'Contacts', 'Deals'];
  try {
    r.crm.store.insert('Leads', [{ Last_Name: 'Existing' }]);
    const measure = async (onDelete: boolean): Promise<number> => {
      r.statuses.length = 0;
      await r.load({
        mode: 'poll',
        modules: modules.join(','),
        onCreate: true,
        onEdit: true,
        onDelete,
        interval: '0.02',
      });
      await until(() => polls(r) >= 2, 10000);
      r.sb.clearRequests();
      const from = polls(r);
      await until(() => polls(r) >= from + cycles, 60000);
      const calls = r.sb.requests.filter((q) => q.path.startsWith('/crm/')).length;
      const done = polls(r) - from;
      await unloadFlow();
      return Math.round((calls / done / modules.length) * 100) / 100;
    };
    const plain = await measure(false);
    const withDeletes = await measure(true);
    return [
      figure('watch.poll_idle_calls_per_cycle_per_module', plain, 'calls', '<= 1'),
      figure('watch.poll_idle_calls_per_cycle_per_module_with_deletes', withDeletes, 'calls'),
    ];
  } finally {
    await r.close();
  }
}

/**
 * 10,000 changes in rounds (200 creates, 80 edits of earlier records, 50 deletes of earlier
 * records, each record touched once a round), a restart every 6 rounds with that round made
 * while Node-RED is down. Every change must arrive exactly once.
 */
export async function pollExactness(total = 10_000): Promise<Figure[]> {
  const r = await rig();
  try {
    await persistentContext(true);
    const node = {
      mode: 'poll',
      modules: 'Leads',
      onCreate: true,
      onEdit: true,
      onDelete: true,
      interval: '0.05',
    };
    await r.load(node);
    await until(() => polls(r) >= 1, 10000);
    const expected = new Map<string, number>();
    const live: string[] = [];
    let made = 0;
    let restarts = 0;
    const key = (op: string, id: string) => `${op}:${id}`;
    for (let round = 0; made < total; round++) {
      const down = round > 0 && round % 6 === 0;
      if (down) {
        await shutdownRed();
        restarts++;
      }
      const creates = Math.min(200, total - made);
      for (let i = 0; i < creates; i += 100) {
        const data = Array.from({ length: Math.min(100, creates - i) }, (_, k) => ({
          Last_Name: `R${round}-${i + k}`,
        }));
        const res = await r.api('POST', '/Leads', { data });
        for (const d of res.data) expected.set(key('create', d.details.id), 0);
      }
      made += creates;
      const older = live.splice(0, Math.min(130, live.length, Math.max(0, total - made)));
      const edits = older.slice(0, 80);
      const deletes = older.slice(80);
      if (edits.length) {
        await r.api('PUT', '/Leads', {
          data: edits.map((id, i) => ({ id, Email: `r${round}-${i}@x.example` })),
        });
        // Not edited again: one edit per record keeps "exactly once" countable.
        edits.forEach((id) => expected.set(key('edit', id), 0));
      }
      if (deletes.length) {
        await r.api('DELETE', `/Leads?ids=${deletes.join(',')}`);
        deletes.forEach((id) => expected.set(key('delete', id), 0));
      }
      made += edits.length + deletes.length;
      const fresh = [...expected.keys()].filter((k) => k.startsWith('create:')).slice(-creates);
      live.push(...fresh.map((k) => k.slice('create:'.length)));
      if (down) await r.load(node);
      const want = expected.size;
      await until(() => r.out.reduce((n, m) => n + m.payload.ids.length, 0) >= want, 15000);
    }
    const last = polls(r);
    await until(() => polls(r) >= last + 5, 10000);
    let duplicated = 0;
    let unexpected = 0;
    for (const m of r.out) {
      for (const id of m.payload.ids) {
        const k = key(m.payload.operation, id);
        const seen = expected.get(k);
        if (seen === undefined) unexpected++;
        else {
          if (seen > 0) duplicated++;
          expected.set(k, seen + 1);
        }
      }
    }
    const lost = [...expected.values()].filter((n) => n === 0).length;
    return [
      figure('watch.poll_changes', made, `changes (${restarts} restarts)`),
      figure('watch.poll_events_lost', lost, 'events', '= 0'),
      figure('watch.poll_events_duplicated', duplicated + unexpected, 'events', '= 0'),
    ];
  } finally {
    await r.close();
  }
}
