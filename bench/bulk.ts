/**
 * Issue 18's bulk figures, the sandbox in a process of its own so memory figures are the pack's:
 * a bulk read of `records` Leads through the crm-bulk node (chunks of 1,000 dropped as they
 * arrive) against the page_token walk of the same records in the same run — API calls, wall
 * time, peak RSS growth — and a bulk write of `writes` records through the node: calls, and every
 * record's result accounted for in input order.
 */
import { ZohoConnection } from '../src/zoho/core/connection';
import { listAllRecords } from '../src/zoho/crm/read';
import { FlowNode, freshUserDir, helper, loadFlow, stopRed } from '../test/helpers/red';
import { externalSandbox } from './external-sandbox';
import { Figure, figure } from './lib';

const CLIENT = { clientId: '1000.SANDBOXCLIENT', clientSecret: 'sandbox-secret' };
type Msg = Record<string, unknown>;
// Node ids unlike any property value: Node-RED takes a value equal to a node's id for a link to it.
const nodeOf = (id: string) => helper.getNode(id) as unknown as { receive(msg: Msg): void };

/** Peak RSS above the level at start while `work` runs, sampled every 20 ms. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ value: T; mb: number }> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, mb: Math.round(((peak - base) / (1024 * 1024)) * 10) / 10 };
  } finally {
    clearInterval(timer);
  }
}

export async function bulkFigures(records: number, writes: number): Promise<Figure[]> {
  const external = await externalSandbox();
  try {
    freshUserDir();
    const flow: FlowNode[] = [
      { id: 'cfg', type: 'zoho-config', region: 'custom', accountsUrl: external.url },
      {
        id: 'bulkRead',
        type: 'crm-bulk',
        config: 'cfg',
        operation: 'read',
        module: 'Leads',
        moduleType: 'str',
        fields: 'Last_Name,Email,Company',
        fieldsType: 'str',
        chunkSize: '1000',
        output: 'chunks',
        wires: [['out']],
      },
      {
        id: 'bulkWrite',
        type: 'crm-bulk',
        config: 'cfg',
        operation: 'insert',
        module: 'Leads',
        moduleType: 'str',
        wires: [['out']],
      },
      { id: 'out', type: 'helper' },
    ];
    await loadFlow(flow, { cfg: { ...CLIENT, refreshToken: external.refreshToken } });
    const out = helper.getNode('out') as unknown as NodeJS.EventEmitter;
    const calls = async () => (await external.stats()).apiRequests;
    const figures: Figure[] = [];

    await external.seed({ Leads: records });
    // Bulk read through the node: each chunk counted and dropped, as a flow writing it on would.
    let before = await calls();
    let started = Date.now();
    const bulk = await peakGrowth(
      () =>
        new Promise<number>((resolve, reject) => {
          let seen = 0;
          let chunks = 0;
          const onMsg = (msg: Msg) => {
            if (msg.error) return reject(new Error(JSON.stringify(msg.error)));
            seen += (msg.payload as unknown[]).length;
            msg.payload = undefined;
            chunks++;
            const parts = msg.parts as { count?: number };
            if (parts.count === chunks) {
              out.removeListener('input', onMsg);
              resolve(seen);
            }
          };
          out.on('input', onMsg);
          nodeOf('bulkRead').receive({});
        }),
    );
    const bulkMs = Date.now() - started;
    const bulkCalls = (await calls()) - before;

    // The page_token walk of the same records through the client, counted and dropped.
    const conn = new ZohoConnection({
      region: 'custom',
      accountsUrl: external.url,
      ...CLIENT,
      refreshToken: external.refreshToken,
    });
    before = await calls();
    started = Date.now();
    const walk = await peakGrowth(async () => {
      let n = 0;
      for await (const page of listAllRecords(conn, 'Leads', {
        fields: 'Last_Name,Email,Company',
        maxRecords: records,
      }))
        n += page.items.length;
      return n;
    });
    const walkMs = Date.now() - started;
    const walkCalls = (await calls()) - before;
    figures.push(
      figure(`bulk-read ${records} records read`, bulk.value, 'records', `>= ${records}`),
      figure('bulk-read API calls', bulkCalls, 'calls'),
      figure('page_token walk API calls', walkCalls, 'calls'),
      figure('bulk-read peak RSS growth', bulk.mb, 'MB', '<= 50'),
      figure('page_token walk peak RSS growth', walk.mb, 'MB'),
      figure('bulk-read wall time', bulkMs, 'ms'),
      figure('page_token walk wall time', walkMs, 'ms'),
      figure('page_token walk records', walk.value, 'records'),
    );

    // Bulk write: one in 1,000 records lacks the mandatory Last_Name, so failures are counted too.
    const payload = Array.from({ length: writes }, (_, i) =>
      i % 1000 === 999
        ? { First_Name: `No name ${i}` }
        : { Last_Name: `W ${i}`, Email: `w${i}@example.com`, Company: `C ${i % 97}` },
    );
    before = await calls();
    started = Date.now();
    const written = await new Promise<Msg>((resolve) => {
      out.once('input', resolve);
      nodeOf('bulkWrite').receive({ payload });
    });
    const results = written.payload as { index: number; status: string }[];
    const inOrder = results.every((r, i) => r.index === i);
    const ok = results.filter((r) => r.status === 'success').length;
    figures.push(
      figure(`bulk-write ${writes} records: results`, results.length, 'results', `= ${writes}`),
      figure('bulk-write results in input order', inOrder ? 1 : 0, 'bool', '= 1'),
      figure('bulk-write succeeded', ok, 'records'),
      figure(
        'bulk-write failed (1 in 1,000 sent without Last_Name)',
        results.length - ok,
        'records',
        `= ${Math.floor(writes / 1000)}`,
      ),
      figure('bulk-write API calls', (await calls()) - before, 'calls'),
      figure('bulk-write wall time', Date.now() - started, 'ms'),
    );
    return figures;
  } finally {
    await stopRed();
    await external.close();
  }
}
